"""What a mock can demand before it answers, so a learner sees a 401 and fixes the Connection.

| requirement | the client must send |
|---|---|
| `RequireApiKey(key, header="X-API-Key")` | the key in that header |
| `RequireBasic(username, password)` | `Authorization: Basic base64(username:password)` |
| `RequireBearer(client_id, client_secret)` | a Bearer token from its own token endpoint |

`RequireBearer` also serves an OAuth 2.0 client-credentials token endpoint (`POST /oauth/token`,
`grant_type=client_credentials`, the client's id and secret in the form body or as HTTP Basic),
answering `{"access_token", "token_type": "Bearer", "expires_in", "scope"}`. It accepts only the
tokens it issued, until they expire. Secrets never appear in a repr.

```python
server = MockServer(mode="live", auth=RequireApiKey("s3cret"))
```
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import secrets
import threading
import time
from collections.abc import Callable
from urllib.parse import parse_qsl

from .messages import CORS_HEADER, MockRequest, MockResponse

__all__ = ["AuthRequirement", "RequireApiKey", "RequireBasic", "RequireBearer"]

_JSON = ("content-type", "application/json")


def _unauthorized(message: str, challenge: str | None = None) -> MockResponse:
    headers = [("WWW-Authenticate", challenge)] if challenge else []
    return MockResponse.error(401, "authenticationError", message, headers=headers)


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def _basic(request: MockRequest) -> tuple[str, str] | None:
    value = request.header("authorization") or ""
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, sep, password = base64.b64decode(token.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (user, password) if sep else None


class AuthRequirement:
    """Base class: `check()` refuses a request; `handle()` serves the requirement's own routes."""

    def handle(self, request: MockRequest) -> MockResponse | None:
        """An answer for a route the requirement serves itself (a token endpoint), or `None`."""
        return None

    def check(self, request: MockRequest) -> MockResponse | None:
        """`None` if `request` may pass, else the 401 to send."""
        raise NotImplementedError


class RequireApiKey(AuthRequirement):
    """Demand an API key in a header (`X-API-Key` by default)."""

    def __init__(self, key: str, *, header: str = "X-API-Key") -> None:
        self._key = key
        self.header = header

    def __repr__(self) -> str:
        return f"RequireApiKey(header={self.header!r}, key=***)"

    def check(self, request: MockRequest) -> MockResponse | None:
        given = request.header(self.header)
        if given is None:
            return _unauthorized(f"Missing API key: send it in the {self.header} header.")
        if not _same(given, self._key):
            return _unauthorized(f"Invalid API key in the {self.header} header.")
        return None


class RequireBasic(AuthRequirement):
    """Demand HTTP Basic authentication with one username and password."""

    def __init__(self, username: str, password: str) -> None:
        self.username = username
        self._password = password

    def __repr__(self) -> str:
        return f"RequireBasic(username={self.username!r}, password=***)"

    def check(self, request: MockRequest) -> MockResponse | None:
        credentials = _basic(request)
        challenge = 'Basic realm="punchlab"'
        if credentials is None:
            return _unauthorized("Missing Basic credentials (Authorization: Basic ...).", challenge)
        user, password = credentials
        if not (_same(user, self.username) & _same(password, self._password)):
            return _unauthorized("Invalid username or password.", challenge)
        return None


class RequireBearer(AuthRequirement):
    """Demand a Bearer token issued by the mock's OAuth 2.0 client-credentials endpoint.

    ```python
    auth = RequireBearer("lab-client", "lab-secret", expires_in=3600)
    # POST /oauth/token  grant_type=client_credentials&client_id=lab-client&client_secret=...
    ```
    """

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        token_path: str = "/oauth/token",
        expires_in: int = 3600,
        scope: str = "punch-clock",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client_id = client_id
        self._secret = client_secret
        self.token_path = token_path
        self.expires_in = expires_in
        self.scope = scope
        self.clock = clock
        self._tokens: dict[str, float] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return (
            f"RequireBearer(client_id={self.client_id!r}, client_secret=***, "
            f"token_path={self.token_path!r}, expires_in={self.expires_in})"
        )

    def handle(self, request: MockRequest) -> MockResponse | None:
        if request.path.rstrip("/") != self.token_path.rstrip("/"):
            return None
        if request.method != "POST":
            response = _oauth_error(405, "invalid_request", "the token endpoint accepts POST only")
            response.headers.append(("allow", "POST"))
            return response
        form = dict(parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True))
        if form.get("grant_type") != "client_credentials":
            return _oauth_error(
                400, "unsupported_grant_type", "only grant_type=client_credentials is supported"
            )
        credentials = _basic(request) or (form.get("client_id"), form.get("client_secret"))
        client_id, secret = credentials
        if client_id is None or secret is None:
            return _oauth_error(401, "invalid_client", "send client_id and client_secret")
        if not (_same(client_id, self.client_id) & _same(secret, self._secret)):
            return _oauth_error(401, "invalid_client", "unknown client or wrong secret")
        token = secrets.token_urlsafe(24)
        with self._lock:
            now = self.clock()
            self._tokens = {t: exp for t, exp in self._tokens.items() if exp > now}
            self._tokens[token] = now + self.expires_in
        body = {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "scope": self.scope,
        }
        headers = [_JSON, CORS_HEADER, ("cache-control", "no-store")]
        return MockResponse(200, headers, json.dumps(body).encode())

    def check(self, request: MockRequest) -> MockResponse | None:
        scheme, _, token = (request.header("authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return _unauthorized(
                f"Missing Bearer token: get one from POST {self.token_path}.", "Bearer"
            )
        with self._lock:
            expires = self._tokens.get(token.strip())
        if expires is None:
            return _unauthorized("Unknown access token.", 'Bearer error="invalid_token"')
        if expires <= self.clock():
            return _unauthorized("The access token has expired.", 'Bearer error="invalid_token"')
        return None


def _oauth_error(status: int, error: str, description: str) -> MockResponse:
    # a token endpoint answers in RFC 6749 §5.2's shape, not Postman's
    body = json.dumps({"error": error, "error_description": description})
    headers = [_JSON, CORS_HEADER]
    if status == 401:
        headers.append(("www-authenticate", 'Basic realm="oauth"'))
    return MockResponse(status, headers, body.encode())
