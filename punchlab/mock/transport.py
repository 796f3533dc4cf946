"""How a mock is reached without a socket, and as an ASGI app: httpx transports and `asgi_app`.

* `MockTransport` / `AsyncMockTransport`: httpx transports that call the mock directly (no socket),
  waiting `MockResponse.delay` first; the sync one raises `httpx.ReadTimeout` at once when the
  delay is past the client's read timeout.
* `asgi_app(server)`: a plain ASGI application (no framework, HTTP only: uvicorn runs it with
  lifespan off). It reads at most 1 MB of body (400 beyond, as Postman's cloud), answers
  malformed targets with 400, and turns any failure before the response started into a JSON
  500, so it keeps answering.

Both ways in translate the request with `MockRequest.from_raw`, so a malformed target gets the
same 400 in-process and over HTTP. A mock that may wait on something (a live mock whose punches
go to a `Store` waits on SQLite's busy timeout) is served with `blocking=True`: the ASGI app then
runs its `respond` in a worker thread; every other mock answers on the event loop, where a thread
hop would cost a large share of its throughput.

They take anything with a `respond(MockRequest) -> MockResponse` method (a `Responder`), so this
module sits below `MockServer`, which builds them:

```python
with httpx.Client(transport=MockTransport(MockServer(mode="live"))) as http:
    http.get("http://mock/users/formatted?page=1").json()["total"]      # 7
```
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any, Protocol

import httpx

from .messages import MAX_BODY_BYTES, MockRequest, MockResponse, body_too_large

BODY_TIMEOUT_S = 5.0  # the longest wait for the rest of a request body over HTTP (then 408)

__all__ = ["AsyncMockTransport", "MockTransport", "Responder", "asgi_app"]


class Responder(Protocol):
    """What answers a request: a `MockServer`, or anything with its `respond` method."""

    def respond(self, request: MockRequest) -> MockResponse: ...


def _malformed(exc: ValueError) -> MockResponse:
    return MockResponse.error(400, "badRequest", f"Malformed request target: {exc}.")


def _answer(server: Responder, request: httpx.Request, body: bytes) -> MockResponse:
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
    """An httpx transport answered by a `Responder` (a `MockServer`) in this process."""

    def __init__(self, server: Responder) -> None:
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

    def __init__(self, server: Responder) -> None:
        self.server = server

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = _answer(self.server, request, await request.aread())
        if response.delay > 0:
            await asyncio.sleep(response.delay)
        return _to_httpx(response, request)


def asgi_app(server: Responder, *, blocking: bool = False) -> Callable[..., Any]:
    """A raw ASGI application (HTTP scopes only) answering with `server.respond`.

    `blocking=True` when `respond` may wait on something else: it then runs in a worker thread.
    """
    respond = server.respond

    async def answer(scope: dict[str, Any], receive: Any) -> tuple[dict[str, Any], bytes] | None:
        """The response's start message and body, or `None` if the client went away."""
        chunks: list[bytes] = []
        size = 0
        more = True
        try:
            async with asyncio.timeout(BODY_TIMEOUT_S):  # a body sent half-way would hang here
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
        except TimeoutError:
            return _encode(
                MockResponse.error(
                    408, "requestTimeout", f"The body did not arrive within {BODY_TIMEOUT_S:g} s."
                )
            )
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
