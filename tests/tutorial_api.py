"""A small tutorial-shaped time-punch API for the tests, with optional auth and a token endpoint.

One handler (`httpx.Request -> httpx.Response`) serves both transports: in-process through
`httpx.MockTransport`, and over real HTTP as an ASGI app run by uvicorn on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn

USERS = [
    {"id": n, "name": name, "email": f"user+{n}@talkdesk.com"}
    for n, name in enumerate(
        [
            "Barbara Banh",
            "Steven Herrera",
            "Gregory Dearing",
            "Patty Raines",
            "Ricardo Smith",
            "Clarence Hull",
            "Donald MCants",
        ],
        start=1,
    )
]
PAGE_SIZE = 5


class TutorialAPI:
    """`GET /users/formatted?page=N`, `/users/not-formatted?page=N`, `POST /user/{id}/punch-clock`.

    `auth` is `None`, `("api_key", header, key)`, `("basic", username, password)` or
    `("bearer", client_id, client_secret)`; with `bearer`, `POST /oauth/token` issues tokens that
    live `token_ttl` seconds (and `expire_tokens()` ends them early).
    """

    def __init__(self, *, auth: tuple[str, ...] | None = None, token_ttl: int = 3600) -> None:
        self.auth = auth
        self.token_ttl = token_ttl
        self.tokens: dict[str, float] = {}
        self.token_requests: list[dict[str, str]] = []
        self.requests: list[httpx.Request] = []
        self.users = [dict(user) for user in USERS]
        self.delay = 0.0
        self._counter = itertools.count(1)

    def expire_tokens(self) -> None:
        self.tokens.clear()

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def _authorised(self, request: httpx.Request) -> bool:
        if self.auth is None:
            return True
        kind, first, second = self.auth
        if kind == "api_key":
            return request.headers.get(first) == second
        if kind == "basic":
            expected = base64.b64encode(f"{first}:{second}".encode()).decode()
            return request.headers.get("authorization") == f"Basic {expected}"
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        return self.tokens.get(token, 0.0) > time.monotonic()

    def _token(self, request: httpx.Request) -> httpx.Response:
        _, client_id, secret = self.auth or ("", "", "")
        form = dict(httpx.QueryParams(request.content.decode()))
        self.token_requests.append(form)
        expected = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {expected}":
            return httpx.Response(401, json={"error": "invalid_client"})
        if form.get("grant_type") != "client_credentials":
            return httpx.Response(400, json={"error": "unsupported_grant_type"})
        token = f"token-{next(self._counter)}"
        self.tokens[token] = time.monotonic() + self.token_ttl
        return httpx.Response(
            200,
            json={"access_token": token, "token_type": "Bearer", "expires_in": self.token_ttl},
        )

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.delay:
            time.sleep(self.delay)
        path = request.url.path
        if request.method == "POST" and path == "/oauth/token":
            return self._token(request)
        if not self._authorised(request):
            return httpx.Response(401, json={"message": "Unauthorized"})
        if request.method == "GET" and path in ("/users/formatted", "/users/not-formatted"):
            page = request.url.params.get("page")
            if not page or not page.isdigit():
                return httpx.Response(400, text="No page was specified.")
            start = (int(page) - 1) * PAGE_SIZE
            users = self.users[start : start + PAGE_SIZE]
            if path.endswith("not-formatted"):
                users = [
                    {"name": u["name"], "punch_clock_id": u["id"], "punch_clock_email": u["email"]}
                    for u in users
                ]
            return httpx.Response(
                200, json={"count": len(users), "total": len(self.users), "users": users}
            )
        parts = request.url.raw_path.decode().split("?")[0].split("/")
        if request.method == "POST" and len(parts) == 4 and parts[1] == "user":
            if parts[3] != "punch-clock":
                return httpx.Response(404, json={"error": "not found"})
            user = next((u for u in self.users if str(u["id"]) == parts[2]), None)
            if user is None:
                return httpx.Response(404, json={"error": f"no user {parts[2]}"})
            return httpx.Response(
                200, json={"name": user["name"], "check_in_time": "2023-08-11T08:10:09+00:00"}
            )
        return httpx.Response(404, json={"error": "not found", "path": path})

    async def __call__(self, scope, receive, send) -> None:  # the ASGI app
        assert scope["type"] == "http"
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        target = scope["raw_path"].decode() + (
            "?" + scope["query_string"].decode() if scope["query_string"] else ""
        )
        request = httpx.Request(
            scope["method"],
            f"http://test{target}",
            headers=[(k.decode(), v.decode()) for k, v in scope["headers"]],
            content=body,
        )
        response = await asyncio.to_thread(self.handle, request)
        await send(
            {
                "type": "http.response.start",
                "status": response.status_code,
                "headers": [(k.encode(), v.encode()) for k, v in response.headers.items()],
            }
        )
        await send({"type": "http.response.body", "body": response.content})


@contextmanager
def serve(app: TutorialAPI) -> Iterator[str]:
    """Serve `app` over real HTTP on 127.0.0.1 (a free port); yields its base URL."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_level="warning", lifespan="off", ws="none"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
