"""A loopback TCP proxy that delays traffic, like a Redis on another host (or one that hangs).

Runs its own event loop in a thread so synchronous and asynchronous clients in
the test can both use it. ``delay`` applies to every chunk sent to the server;
``stall()`` stops forwarding for good (a server that no longer answers).
"""

from __future__ import annotations

import asyncio
import threading
from types import TracebackType


class SlowProxy:
    def __init__(self, target_host: str, target_port: int, *, delay: float = 0.02) -> None:
        self.target = (target_host, target_port)
        self.delay = delay
        self.port = 0
        self._stalled = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.AbstractServer | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def stall(self) -> None:
        self._stalled.set()

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float
    ) -> None:
        try:
            while data := await reader.read(65536):
                if delay:
                    await asyncio.sleep(delay)
                if self._stalled.is_set():
                    await asyncio.get_running_loop().create_future()  # until cancelled
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        for task in (
            asyncio.ensure_future(self._pipe(reader, upstream_writer, self.delay)),
            asyncio.ensure_future(self._pipe(upstream_reader, writer, 0.0)),
        ):
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.sleep(0)

    def __enter__(self) -> SlowProxy:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(5)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stalled.clear()
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()
