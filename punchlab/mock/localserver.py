"""`LocalServer`: a mock on a real localhost port, uvicorn in a background thread.

It serves anything with an `asgi` application (a `Servable`, e.g. a `MockServer`), so it sits
below `MockServer`, whose `serve()` builds one. `punchlab.mock.cli` reuses its socket helpers.

```python
with LocalServer(MockServer(mode="live"), port=0) as running:
    print(running.url)          # http://127.0.0.1:<free port>
```
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

__all__ = [
    "IDLE_TIMEOUT_S",
    "MAX_CONNECTIONS",
    "MAX_HEAD_BYTES",
    "LocalServer",
    "Servable",
    "bind",
    "url_of",
    "uvicorn_server",
]


class Servable(Protocol):
    """What a `LocalServer` serves: something with a raw ASGI application (a `MockServer`)."""

    @property
    def asgi(self) -> Callable[..., Any]: ...


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on `host:port` (port 0: a free one); OSError if it is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio turns Nagle off only on sockets that say they are TCP, and an
    # accepted connection inherits this. Without it, where uvloop is missing, every answer (head
    # and body written apart) waits ~40 ms for the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(1024)
    except OSError:
        sock.close()
        raise
    return sock


def url_of(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


IDLE_TIMEOUT_S = 5.0  # a connection with no complete request head for this long is closed
MAX_HEAD_BYTES = 64 * 1024  # request line and headers together (then 431)
MAX_CONNECTIONS = 1000  # past this many open connections a request is answered 503


_TOO_LARGE_BODY = b"The request line and headers are too long."
_TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-type: text/plain; charset=utf-8\r\nconnection: close\r\n"
    b"content-length: %d\r\n\r\n%s" % (len(_TOO_LARGE_BODY), _TOO_LARGE_BODY)
)


def _protocol() -> type:
    """uvicorn's httptools protocol with a deadline and a size cap on every request head.

    uvicorn only times out a connection between two requests; one that never sends a request,
    or sends its head a byte at a time, would stay open for ever, and a head of any size was
    read. Here the clock starts when the connection opens (and again after each response),
    bytes arriving do not restart it, and a head over `MAX_HEAD_BYTES` is answered 431 and the
    connection closed.
    """
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class HardenedProtocol(HttpToolsProtocol):
        def connection_made(self, transport: Any) -> None:
            self._in_head = False  # between a message's first byte and the end of its head
            self._head_bytes = self._parsed = 0
            super().connection_made(transport)
            self._await_head()

        def _await_head(self) -> None:
            """Start the clock: a whole request head must arrive within the idle timeout."""
            self._awaiting = True
            self._head_deadline = self.loop.time() + self.timeout_keep_alive
            self._arm()

        def on_message_begin(self) -> None:
            self._in_head, self._head_bytes, self._parsed = True, 0, 0
            super().on_message_begin()

        # The whole head may come in one chunk: count what the parser hands over, too.
        def on_url(self, url: bytes) -> None:
            self._count(len(url))
            super().on_url(url)

        def on_header(self, name: bytes, value: bytes) -> None:
            self._count(len(name) + len(value) + 4)
            super().on_header(name, value)

        def _count(self, size: int) -> None:
            self._parsed += size
            if self._parsed > MAX_HEAD_BYTES:
                # the parser stops on a callback error, and uvicorn calls send_400_response
                raise ValueError("request head too large")

        def send_400_response(self, msg: str) -> None:
            if self._in_head and self._parsed > MAX_HEAD_BYTES:
                return self._refuse_head()
            super().send_400_response(msg)

        def on_headers_complete(self) -> None:
            self._in_head = self._awaiting = False
            super().on_headers_complete()

        def on_response_complete(self) -> None:
            super().on_response_complete()  # arms uvicorn's own keep-alive timer
            if not self.transport.is_closing():
                self._await_head()

        def data_received(self, data: bytes) -> None:
            was_in_head = self._in_head
            if was_in_head:
                room = MAX_HEAD_BYTES - self._head_bytes
                # the head may end inside this chunk (a body can follow in the same packet)
                if len(data) > room and b"\r\n\r\n" not in data[: max(room, 0) + 4]:
                    return self._refuse_head()
            super().data_received(data)  # cancels the timer
            if self._in_head:  # the head is still incomplete after this chunk
                self._head_bytes = (self._head_bytes if was_in_head else 0) + len(data)
                if self._head_bytes > MAX_HEAD_BYTES:
                    return self._refuse_head()
            if self._awaiting and not self.transport.is_closing():
                self._arm()  # no whole head yet: the same deadline, not a new one

        def _refuse_head(self) -> None:
            self.transport.write(_TOO_LARGE)
            self.transport.close()

        def _arm(self) -> None:
            self._unset_keepalive_if_required()
            self.timeout_keep_alive_task = self.loop.call_at(
                self._head_deadline, self.timeout_keep_alive_handler
            )

    return HardenedProtocol


def uvicorn_server(app: Any, *, idle_timeout: float = IDLE_TIMEOUT_S) -> Any:
    """A uvicorn server for `app`, hardened as a production server: no access log.

    Limits: `idle_timeout` seconds for a request head (and between requests), request heads
    up to `MAX_HEAD_BYTES`, `MAX_CONNECTIONS` open connections. The mock's own request log
    (`log=True`, `--log`) replaces uvicorn's access log.
    """
    import uvicorn

    config = uvicorn.Config(
        app,
        http=_protocol(),
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=2,
        timeout_keep_alive=idle_timeout,
        limit_concurrency=MAX_CONNECTIONS,
    )
    return uvicorn.Server(config)


class LocalServer:
    """A `Servable` (a `MockServer`) on a real localhost port: uvicorn in a background thread.

    Use it as a context manager, or call `start()` and `stop()`. `port=0` picks a free port.

    ```python
    with MockServer(mode="live").serve() as running:
        httpx.get(f"{running.url}/users/formatted?page=1").json()["total"]     # 7
    ```
    """

    def __init__(
        self,
        server: Servable,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        idle_timeout: float = IDLE_TIMEOUT_S,
    ) -> None:
        self.mock = server
        self.host = host
        self.port = port
        self.idle_timeout = idle_timeout
        self._uvicorn: Any = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"LocalServer({self.url}, {state})"

    @property
    def url(self) -> str:
        """`http://host:port` (the real port once started)."""
        return url_of(self.host, self.port)

    @property
    def public_url(self) -> str:
        """The URL for a browser: `url` on a laptop, the hub's proxy path under JupyterHub."""
        from ..hub import browser_url

        return browser_url(self.port, host=self.host)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, *, timeout: float = 10.0) -> LocalServer:
        """Bind, start serving in a background thread, and return once it accepts requests."""
        if self.running:
            return self
        sock = bind(self.host, self.port)
        self.port = sock.getsockname()[1]
        self._socket = sock
        self._uvicorn = uvicorn_server(self.mock.asgi, idle_timeout=self.idle_timeout)
        self._thread = threading.Thread(
            target=self._uvicorn.run, kwargs={"sockets": [sock]}, daemon=True, name=self.url
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._uvicorn.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the mock server did not start on {self.url}")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._uvicorn is not None:
            self._uvicorn.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        self._uvicorn = None

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
