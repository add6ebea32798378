"""A terminal chat with a running Tabik (``make run``), through the REST channel.

Buttons are listed under the message as a resident would see them; type the
number or the words shown, as residents do.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from typing import Any

PROMPT = "Anda: "


def send(rasa_url: str, sender: str, message: str, timeout: float = 60) -> list[dict[str, Any]]:
    body = json.dumps({"sender": sender, "message": message}).encode()
    request = urllib.request.Request(  # noqa: S310 - the local Rasa server
        f"{rasa_url}/webhooks/rest/webhook",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        return list(json.loads(response.read() or b"[]"))


def render(replies: list[dict[str, Any]]) -> tuple[str, list[str]]:
    """Text to print and the payloads of the buttons, in the order shown."""
    lines: list[str] = []
    payloads: list[str] = []
    for reply in replies:
        if reply.get("text"):
            lines.append(f"Tabik: {reply['text']}")
        if reply.get("image"):
            lines.append(f"Tabik: [gambar] {reply['image']}")
        for button in reply.get("buttons") or []:
            payloads.append(str(button.get("payload", "")))
            lines.append(f"   [ {button.get('title', '')} ]")
    return "\n".join(lines), payloads


def chat_loop(rasa_url: str) -> None:
    sender = f"cli:{uuid.uuid4().hex[:8]}"
    print("Tabik siap. Ketik pesan Anda (Ctrl-C untuk keluar).")
    first = "halo"
    while True:
        try:
            text = first or input(PROMPT).strip()
        except EOFError:  # Ctrl-D (or the end of piped input) ends the chat like Ctrl-C
            print()
            return
        first = ""
        try:
            shown, _payloads = render(send(rasa_url, sender, text))
        except (urllib.error.URLError, TimeoutError) as error:
            print(f"(Tabik tidak dapat dihubungi: {error})")
            continue
        print(shown or "Tabik: (tidak ada balasan)")
