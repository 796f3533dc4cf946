"""How a `MockServer` is reached: in-process httpx transports, a raw ASGI app, a localhost server.

* `MockTransport` / `AsyncMockTransport`: httpx transports that call the mock directly (no socket),
  waiting `MockResponse.delay` first; the sync one raises `httpx.ReadTimeout` at once when the
  delay is past the client's read timeout.
* `asgi_app(server)`: a plain ASGI application (no framework, HTTP only: uvicorn runs it with
  lifespan off). It reads at most 1 MB of body (400 beyond, as Postman's cloud), answers
  malformed targets with 400, and turns any failure before the response started into a JSON
  500, so it keeps answering.

Both ways in translate the request with `MockRequest.from_raw`, so a malformed target gets the
same 400 in-process and over HTTP. A live mock whose punches go to a `Store` may wait on SQLite's
busy timeout, so the ASGI app runs its `respond` in a worker thread; every other mock answers on
the event loop, where a thread hop would cost a large share of its throughput.
* `LocalServer`: uvicorn in a background thread on 127.0.0.1, a context manager.
* `run_cli(args)`: the body of `punchlab serve`.

```python
with MockServer(mode="live").serve(port=0) as running:
    print(running.url)          # http://127.0.0.1:<free port>
```
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx

from .messages import MockRequest, MockResponse

if TYPE_CHECKING:
    from .mock import MockServer

__all__ = ["AsyncMockTransport", "LocalServer", "MockTransport", "asgi_app", "run_cli"]


def _malformed(exc: ValueError) -> MockResponse:
    return MockResponse.error(400, "badRequest", f"Malformed request target: {exc}.")


def _answer(server: MockServer, request: httpx.Request, body: bytes) -> MockResponse:
    """The mock's answer to an httpx request (400 for a malformed target)."""
    try:
        mock_request = MockRequest.from_raw(
            request.method,
            request.url.raw_path.partition(b"?")[0],
            request.url.query,
            request.headers.raw,
            body,
        )
    except ValueError as exc:
        return _malformed(exc)
    return server.respond(mock_request)


def _to_httpx(response: MockResponse, request: httpx.Request) -> httpx.Response:
    return httpx.Response(
        response.status, headers=response.headers, content=response.body, request=request
    )


class MockTransport(httpx.BaseTransport):
    """An httpx transport answered by a `MockServer` in this process."""

    def __init__(self, server: MockServer) -> None:
        self.server = server

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = _answer(self.server, request, request.read())
        if response.delay > 0:
            # An answer later than the client's read timeout would never be read: raise the
            # timeout at once, as nothing in-process needs to be kept waiting for it.
            read = (request.extensions.get("timeout") or {}).get("read")
            if read is not None and response.delay > read:
                raise httpx.ReadTimeout(
                    f"the mock answers after {response.delay:g} s, past the {read:g} s timeout",
                    request=request,
                )
            time.sleep(response.delay)
        return _to_httpx(response, request)


class AsyncMockTransport(httpx.AsyncBaseTransport):
    """The asyncio flavour of `MockTransport`."""

    def __init__(self, server: MockServer) -> None:
        self.server = server

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = _answer(self.server, request, await request.aread())
        if response.delay > 0:
            await asyncio.sleep(response.delay)
        return _to_httpx(response, request)


def _may_block(server: MockServer) -> bool:
    """Whether `server.respond` can wait on something else (a Store-backed live ledger)."""
    return server.mode == "live" and server.ledger.store is not None


def asgi_app(server: MockServer) -> Callable[..., Any]:
    """A raw ASGI application (HTTP scopes only) answering with `server.respond`."""
    from .mock import MAX_BODY_BYTES, body_too_large

    respond = server.respond
    blocking = _may_block(server)

    async def answer(scope: dict[str, Any], receive: Any) -> tuple[dict[str, Any], bytes] | None:
        """The response's start message and body, or `None` if the client went away."""
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                return _encode(body_too_large())
            chunks.append(chunk)
            more = message.get("more_body", False)
        try:
            request = MockRequest.from_raw(
                scope["method"],
                scope.get("raw_path") or scope["path"].encode("utf-8"),
                scope.get("query_string", b""),
                scope["headers"],
                b"".join(chunks),
            )
        except ValueError as exc:
            return _encode(_malformed(exc))
        response = await asyncio.to_thread(respond, request) if blocking else respond(request)
        if response.delay > 0:
            await asyncio.sleep(response.delay)
        return _encode(response)

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        try:
            encoded = await answer(scope, receive)
        except Exception as exc:  # nothing is sent yet: say what went wrong, and keep serving
            encoded = _encode(
                MockResponse.error(500, "internalError", f"{type(exc).__name__}: {exc}")
            )
        if encoded is not None:
            start, body = encoded
            await send(start)
            await send({"type": "http.response.body", "body": body})

    return app


def _encode(response: MockResponse) -> tuple[dict[str, Any], bytes]:
    """The ASGI start message and body of `response` (raises if a header cannot be sent)."""
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers]
    headers.append((b"content-length", str(len(response.body)).encode()))
    return {
        "type": "http.response.start",
        "status": response.status,
        "headers": headers,
    }, response.body


def _bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on `host:port` (port 0: a free one); OSError if it is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(1024)
    except OSError:
        sock.close()
        raise
    return sock


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _uvicorn(app: Any) -> Any:
    """A uvicorn server for `app`: httptools and uvloop when installed, no access log.

    The mock's own request log (`log=True`, `--log`) replaces uvicorn's access log.
    """
    import uvicorn

    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=2,
    )
    return uvicorn.Server(config)


class LocalServer:
    """A `MockServer` on a real localhost port: uvicorn in a background thread.

    Use it as a context manager, or call `start()` and `stop()`. `port=0` picks a free port.

    ```python
    with MockServer(mode="live").serve() as running:
        httpx.get(f"{running.url}/users/formatted?page=1").json()["total"]     # 7
    ```
    """

    def __init__(self, server: MockServer, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.mock = server
        self.host = host
        self.port = port
        self._uvicorn: Any = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"LocalServer({self.url}, {state})"

    @property
    def url(self) -> str:
        """`http://host:port` (the real port once started)."""
        return _url(self.host, self.port)

    @property
    def public_url(self) -> str:
        """The URL for a browser: `url` on a laptop, the hub's proxy path under JupyterHub."""
        from .hub import browser_url

        return browser_url(self.port, host=self.host)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, *, timeout: float = 10.0) -> LocalServer:
        """Bind, start serving in a background thread, and return once it accepts requests."""
        if self.running:
            return self
        sock = _bind(self.host, self.port)
        self.port = sock.getsockname()[1]
        self._socket = sock
        self._uvicorn = _uvicorn(self.mock.asgi)
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


def _load_quickly(path: str | None) -> Any:
    """The collection for `punchlab serve`, loaded without the JSON-schema pass.

    Importing jsonschema alone costs most of a second, and start-up must stay under 300 ms; the
    loader still refuses a file that is not JSON or not shaped like a Postman collection.
    """
    from .collection import load_collection
    from .home import TUTORIAL_COLLECTION, data_file

    return load_collection(
        path if path is not None else data_file(TUTORIAL_COLLECTION), validate=False
    )


def _route_table(routes: list[tuple[str, str, str]], url: str) -> list[str]:
    """Aligned `METHOD  URL  what` lines."""
    method_width = max((len(method) for method, _, _ in routes), default=3)
    url_width = max((len(url + path) for _, path, _ in routes), default=0)
    return [
        f"  {method:<{method_width}}  {url + path:<{url_width}}  {what}".rstrip()
        for method, path, what in routes
    ]


def run_cli(args: Any) -> int:
    """`punchlab serve`: build the mock from the command line's options and serve until Ctrl-C.

    Exit status: 0 when stopped (Ctrl-C or SIGTERM), 2 for a collection or users file that
    cannot be used, 1 when the address cannot be bound.
    """
    import signal
    import sys

    from .errors import PunchlabError
    from .faults import Faults
    from .hub import browser_url, hub_prefix
    from .mock import MockServer

    try:
        faults = None
        if args.delay or args.error_rate or args.rate_limit:
            faults = Faults(
                latency=args.delay / 1000.0, error_rate=args.error_rate, rate_limit=args.rate_limit
            )
        collection = None
        if args.mode == "replay" or args.users is None or args.collection is not None:
            collection = _load_quickly(args.collection)
        server = MockServer(
            collection,
            mode=args.mode,
            users=args.users,
            page_size=args.page_size,
            faults=faults,
            log=args.log,
        )
        routes = server.routes()
    except (PunchlabError, OSError) as exc:
        print(f"punchlab serve: {exc}", file=sys.stderr)
        return 2
    if args.port is None:  # attendees of a hub share one machine: never a fixed port there
        args.port = 0 if hub_prefix() is not None else 4010
    try:
        sock = _bind(args.host, args.port)
    except OSError as exc:
        print(
            f"punchlab serve: cannot listen on {_url(args.host, args.port)}: {exc.strerror}",
            file=sys.stderr,
        )
        return 1
    url = _url(args.host, sock.getsockname()[1])
    lines = [f"punchlab mock ({args.mode} mode) listening on {url}", ""]
    public = browser_url(sock.getsockname()[1], host=args.host)
    if public != url:
        lines[-1:-1] = [f"from your browser, through JupyterHub: {public}"]
    lines += _route_table(routes, url)
    lines += ["", "Press Ctrl-C to stop."]
    print("\n".join(lines), flush=True)
    uv = _uvicorn(server.asgi)
    signal.signal(signal.SIGTERM, lambda *_: setattr(uv, "should_exit", True))
    try:
        uv.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
    return 0
