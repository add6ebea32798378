"""Zero-downtime model swap for a running Rasa server (``/webhooks/model_admin/model``).

Rasa's own ``PUT /model`` unpacks and loads the model on the event loop, so every
``/model/parse`` and webhook request waits seconds while it runs (Rasa issues 4163,
342, 3910), and the first parse on the new model then traces TensorFlow graphs on
the loop too. This channel loads the new model in a worker thread, warms it up there
(one parse and one dialogue prediction), and only then replaces ``app.ctx.agent`` in
one step on the event loop, so requests never wait for a load.

Protected by ``RASA_API_TOKEN`` (``Authorization: Bearer …`` or ``?token=``), as
Rasa's HTTP API is; open only while no token is set, which the launcher allows only
while no messaging channel is configured.

``GET  …/model``: ``{"model_file", "previous_model_file"}``.
``PUT  …/model``: ``{"model_file": PATH}`` → 200 ``{"model_file", "previous_model_file",
"load_seconds"}`` once requests go to the new model; 4xx/5xx ``{"error"}`` and the
running model stays.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import gc
import hmac
import logging
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

from rasa.core.agent import Agent
from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.config import get_settings
from channels.named_input import StandaloneInput

logger = logging.getLogger(__name__)

WARMUP_TEXT = "halo"
WARMUP_SENDER = "model-admin-warmup"


class ModelLoadError(Exception):
    """The new model could not be loaded or answered wrongly; the old one stays."""


def _authorised(request: Request, token: str | None) -> bool:
    if not token:
        return True
    header = request.headers.get("Authorization", "")
    provided = header[7:] if header.startswith("Bearer ") else request.args.get("token", "")
    return hmac.compare_digest(provided.encode(), token.encode())


@contextlib.contextmanager
def quiet_interpreter(switch_interval: float = 0.001) -> Iterator[None]:
    """Keep the loader thread from stalling the event loop through the interpreter.

    - The GIL: a CPU-bound thread keeps it for the whole switch interval each time
      the event loop asks for it back, and the loop asks after every ``epoll``
      and socket call; 1 ms instead of 5 ms per hand-over.
    - The garbage collector: loading a second model makes full collections
      happen, and each one walks every object of the process (both models)
      holding the GIL; frozen, the running model's objects are skipped. They are
      unfrozen once the old model is released (:func:`release_later`).
    """
    interval = sys.getswitchinterval()
    sys.setswitchinterval(min(interval, switch_interval))
    gc.freeze()
    try:
        yield
    finally:
        sys.setswitchinterval(interval)


def load_processor(current: Agent, model_file: Path) -> MessageProcessor:
    """Load and warm up a processor for ``model_file`` (runs in a worker thread).

    It shares the running agent's tracker store, lock store and action endpoint
    (conversations continue across the swap) but gets its own response generator,
    so the running model keeps answering with its own responses until the swap.
    """
    with quiet_interpreter():
        return _load_processor(current, model_file)


def _load_processor(current: Agent, model_file: Path) -> MessageProcessor:
    generator: Any = current.nlg
    processor = MessageProcessor(
        model_path=model_file,
        tracker_store=current.tracker_store,
        lock_store=current.lock_store,
        generator=generator,
        action_endpoint=current.action_endpoint,
        http_interpreter=current.http_interpreter,
    )
    if isinstance(generator, TemplatedNaturalLanguageGenerator):
        processor.nlg = TemplatedNaturalLanguageGenerator(processor.domain.responses)
    # The first parse and prediction trace TensorFlow functions (seconds on a busy
    # host): do them here, not on the event loop after the swap.
    parse_data = asyncio.run(processor.parse_message(UserMessage(WARMUP_TEXT)))
    tracker = DialogueStateTracker.from_events(
        WARMUP_SENDER,
        [ActionExecuted("action_listen"), UserUttered(WARMUP_TEXT, parse_data=parse_data)],
        slots=processor.domain.slots,
    )
    if processor.predict_next_with_tracker(tracker) is None:
        raise ModelLoadError(f"{model_file.name} has no dialogue policies")
    return processor


def swap_agent(app: Any, processor: MessageProcessor) -> Agent:
    """Make ``processor`` answer every request from now on; returns the previous agent.

    No ``await`` here: on the event loop this runs as one step, so no request sees a
    half-swapped agent. Requests already running finish on the old processor.
    """
    old: Agent = app.ctx.agent
    new = copy.copy(old)
    new.processor = processor
    new.domain = processor.domain
    new.nlg = processor.nlg
    new._set_fingerprint()
    old.tracker_store.domain = processor.domain
    app.ctx.agent = new
    return old


def release_later(retired: list[Agent], grace_seconds: float = 10.0) -> None:
    """Drop the old agent in this worker thread once requests still on it are done.

    Objects it shares only by reference count go now; its reference cycles go with
    the collector's next ordinary full pass, once the heap is unfrozen.
    """
    time.sleep(grace_seconds)
    retired.clear()
    gc.unfreeze()


class ModelAdminInput(StandaloneInput):
    """Registered in the generated credentials like the messaging channels."""

    channel_name = "model_admin"

    def __init__(self, token: str | None = None) -> None:
        self.token = token  # RASA_API_TOKEN

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls(get_settings().rasa_api_token)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = Blueprint("model_admin", __name__)
        token = self.token

        @blueprint.route("/model", methods=["GET"])
        async def current(request: Request) -> HTTPResponse:
            if not _authorised(request, token):
                return response.json({"error": "not authorised"}, status=401)
            agent = request.app.ctx.agent
            return response.json(
                {
                    "model_file": agent.model_name if agent else None,
                    "previous_model_file": getattr(request.app.ctx, "previous_model_file", None),
                }
            )

        @blueprint.route("/model", methods=["PUT"])
        async def load(request: Request) -> HTTPResponse:
            if not _authorised(request, token):
                return response.json({"error": "not authorised"}, status=401)
            body = request.json if isinstance(request.json, dict) else {}
            model_file = Path(str(body.get("model_file") or ""))
            # A stat of a local file: microseconds, not worth a thread.
            if not model_file.name or not model_file.is_file():  # noqa: ASYNC240
                return response.json({"error": f"no model file {model_file}"}, status=404)
            app = request.app
            if not hasattr(app.ctx, "model_swap_lock"):
                app.ctx.model_swap_lock = asyncio.Lock()
            async with app.ctx.model_swap_lock:
                agent = app.ctx.agent
                if agent is None or not agent.is_ready():
                    return response.json({"error": "no model loaded to replace"}, status=409)
                started = time.monotonic()
                loop = asyncio.get_running_loop()
                try:
                    processor = await loop.run_in_executor(None, load_processor, agent, model_file)
                except Exception as error:  # any failure leaves the running model alone
                    gc.unfreeze()
                    logger.exception("Loading %s failed; the running model stays.", model_file)
                    return response.json({"error": f"{type(error).__name__}: {error}"}, status=500)
                retired = [swap_agent(app, processor)]
                previous = retired[0].model_name
                app.ctx.previous_model_file = previous
                # Freeing a model's TensorFlow graphs takes a while; not on the event loop.
                loop.run_in_executor(None, release_later, retired)
                del processor
                seconds = round(time.monotonic() - started, 2)
                logger.info("Model %s now answers (was %s).", model_file.name, previous)
                return response.json(
                    {
                        "model_file": model_file.name,
                        "previous_model_file": previous,
                        "load_seconds": seconds,
                    }
                )

        return blueprint
