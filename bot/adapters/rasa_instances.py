"""HTTP client for the model-swap endpoint of running Rasa servers (``channels.model_admin``).

Blocking (urllib): used by the CLI and from worker threads, never on an event loop.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.domain.errors import with_message

MODEL_ENDPOINT = "/webhooks/model_admin/model"
# A full Tabik model takes tens of seconds to load on a busy host; the swap itself is instant.
LOAD_TIMEOUT_SECONDS = 600.0


@with_message("{url}: {reason}")
class InstanceError(Exception):
    """An instance did not answer, refused, or failed to load the model."""

    url: str
    reason: str


@dataclass(frozen=True)
class RasaInstance:
    url: str
    token: str | None = None

    def _request(self, method: str, body: dict[str, Any] | None, timeout: float) -> Any:
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(  # noqa: S310 - operator-configured Rasa URL
            self.url.rstrip("/") + MODEL_ENDPOINT,
            data=None if body is None else json.dumps(body).encode(),
            headers=headers,
            method=method,
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
                return json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as error:
            detail = error.read().decode(errors="replace")[:500]
            try:
                detail = str(json.loads(detail).get("error", detail))
            except (ValueError, AttributeError):
                pass
            raise InstanceError(self.url, f"HTTP {error.code}: {detail}") from error
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise InstanceError(self.url, f"not reachable ({reason})") from error

    def current_model(self, timeout: float = 10.0) -> str | None:
        """The file name of the model the instance answers with (``NAME.tar.gz``)."""
        answer = self._request("GET", None, timeout)
        return answer.get("model_file") if isinstance(answer, dict) else None

    def load(self, model_file: Path, timeout: float = LOAD_TIMEOUT_SECONDS) -> dict[str, Any]:
        """Swap the instance to ``model_file`` (a path the instance can read)."""
        answer = self._request("PUT", {"model_file": str(model_file.resolve())}, timeout)
        return answer if isinstance(answer, dict) else {}
