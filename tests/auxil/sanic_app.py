"""Serving an input channel's blueprint in a real Sanic app on a free local port.

Channels are registered with Rasa's own ``register`` (the same route prefix
``/webhooks/<name>`` as ``rasa run``); ``app.ctx.agent`` is a stand-in for Rasa's
agent whose ``handle_message`` answers from a script.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import aiohttp
from rasa.core.channels.channel import InputChannel, UserMessage, register
from sanic import Sanic

Script = Callable[[UserMessage], list[dict[str, Any]]]


def echo(message: UserMessage) -> list[dict[str, Any]]:
    return [{"text": f"echo: {message.text}"}]


def broken(message: UserMessage) -> list[dict[str, Any]]:
    """A turn that fails, as when the action server is down."""
    raise RuntimeError("action server down")


class ScriptedAgent:
    """Answers each message with the responses ``script`` gives for it, like Rasa would."""

    def __init__(self, script: Script = echo, *, delay: float = 0.0) -> None:
        self.script = script
        self.delay = delay
        self.handled: list[UserMessage] = []
        self.active = 0
        self.max_active_per_sender: dict[str, int] = {}
        self._active_by_sender: dict[str, int] = {}

    async def handle_message(self, message: UserMessage) -> None:
        sender = message.sender_id
        self._active_by_sender[sender] = self._active_by_sender.get(sender, 0) + 1
        self.max_active_per_sender[sender] = max(
            self.max_active_per_sender.get(sender, 0), self._active_by_sender[sender]
        )
        try:
            self.handled.append(message)
            if self.delay:
                await asyncio.sleep(self.delay)
            for response in self.script(message):
                await message.output_channel.send_response(sender, dict(response))
        finally:
            self._active_by_sender[sender] -= 1


@contextlib.asynccontextmanager
async def serve(channel: InputChannel, agent: Any) -> AsyncIterator[str]:
    """Yields the channel's base URL, e.g. ``http://127.0.0.1:PORT/webhooks/whatsapp``."""
    # Sanic 21.12 rewrites its own request-handling code once per process unless in
    # test mode; a second app in the same process would otherwise fail to start.
    Sanic.test_mode = True
    app = Sanic(f"tabik_test_{uuid.uuid4().hex[:12]}")
    app.ctx.agent = agent
    register([channel], app, route="/webhooks/")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = await app.create_server(sock=sock, return_asyncio_server=True, access_log=False)
    assert server is not None
    await server.startup()
    await server.before_start()
    await server.after_start()
    try:
        yield f"http://127.0.0.1:{port}/webhooks/{channel.url_prefix()}"
    finally:
        await server.before_stop()
        await server.close()
        await server.after_stop()
        sock.close()


Fake = TypeVar("Fake")
H = TypeVar("H", bound="Served[Any]")


@dataclass
class Served(Generic[Fake]):
    """A webhook channel served with a scripted agent, the fake platform API it sends
    to, and a client session to call the webhook with."""

    url: str
    agent: ScriptedAgent
    http: aiohttp.ClientSession
    channel: Any  # a channels.webhook.WebhookInput
    fake: Fake

    async def send(self, data: bytes, headers: Mapping[str, str]) -> int:
        """POST ``data`` to the webhook; the HTTP status."""
        async with self.http.post(f"{self.url}/webhook", data=data, headers=headers) as answer:
            return answer.status

    async def settle(self) -> None:
        """Wait until every stored message is answered and every reply sent."""
        await self.channel.queues.settled()


@contextlib.asynccontextmanager
async def served(
    kind: type[H], channel: InputChannel, fake: Any, script: Script = echo
) -> AsyncIterator[H]:
    agent = ScriptedAgent(script)
    async with serve(channel, agent) as url, aiohttp.ClientSession() as http:
        yield kind(url, agent, http, channel, fake)
