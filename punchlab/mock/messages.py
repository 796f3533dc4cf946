"""The request and response a mock answers, independent of how they travelled.

The same `MockRequest` comes from the in-process httpx transport and from the localhost ASGI
server, so matching never knows which one it serves.

Both transports translate what they received with `MockRequest.from_raw`, so a malformed
target gets the same 400 in-process and over HTTP; every error answer is built by
`MockResponse.error` (Postman's `{"error": {"name", "message"}}` shape, JSON, CORS).

```python
request = MockRequest.build("GET", "/users/formatted?page=1")
assert request.query == (("page", "1"),)
MockResponse.error(404, "notFound", "no such user").status        # 404
```
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote_from_bytes, unquote_to_bytes, urlsplit

__all__ = [
    "CORS_HEADER",
    "MAX_BODY_BYTES",
    "MAX_DELAY_MS",
    "MockRequest",
    "MockResponse",
    "body_too_large",
]

CORS_HEADER = ("Access-Control-Allow-Origin", "*")
MAX_DELAY_MS = 180_000  # x-mock-response-delay accepts 1..180000 ms (research §2.4)
MAX_BODY_BYTES = 1024 * 1024  # Postman's cloud mocks refuse request bodies over about 1 MB

_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
# printable ASCII stays as sent; anything else in a raw target is percent-encoded, as httpx does
_KEEP = string.ascii_letters + string.digits + string.punctuation


def _ascii_target(raw: bytes) -> str:
    if raw.isascii():
        text = raw.decode("ascii")
        if text.isprintable() and " " not in text:
            return text  # the usual case, kept cheap: every request comes through here
    return quote_from_bytes(raw, safe=_KEEP)


def _text(value: bytes | str) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


@dataclass(frozen=True, slots=True)
class MockRequest:
    """An HTTP request as the mock sees it.

    `path` is the raw (still percent-encoded) path; `query` the decoded pairs in order;
    `headers` lower-cased names in order (repeats kept).
    """

    method: str
    path: str
    query: tuple[tuple[str, str], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""

    @classmethod
    def build(
        cls,
        method: str,
        target: str,
        *,
        headers: dict[str, str] | list[tuple[str, str]] | None = None,
        body: bytes | str = b"",
    ) -> MockRequest:
        """A request from a method and a target such as `/users/formatted?page=1`.

        The target goes through `from_raw`, so a malformed one raises `ValueError`.
        """
        parts = urlsplit(target)
        pairs = headers.items() if isinstance(headers, dict) else (headers or [])
        return cls.from_raw(
            method.upper(),
            parts.path.encode("utf-8"),
            parts.query.encode("utf-8"),
            pairs,
            body.encode() if isinstance(body, str) else body,
        )

    @classmethod
    def from_raw(
        cls,
        method: str,
        raw_path: bytes,
        raw_query: bytes,
        headers: Iterable[tuple[bytes | str, bytes | str]],
        body: bytes,
    ) -> MockRequest:
        """The request from what a transport received: the raw path and query bytes (as sent,
        percent-encoded), header pairs (bytes are Latin-1) and the body.

        Bytes outside printable ASCII are percent-encoded; a `%` not followed by two hex digits,
        or escapes that are not UTF-8, raise `ValueError` (the transports answer 400).

        ```python
        MockRequest.from_raw("GET", b"/users/formatted", b"page=1", [(b"Accept", b"*/*")], b"")
        ```
        """
        path = _ascii_target(raw_path) or "/"
        query = _ascii_target(raw_query)
        for part, text in (("path", path), ("query", query)):
            if "%" in text and _BAD_ESCAPE.search(text):
                raise ValueError(f"malformed percent-escape in the {part}")
        try:
            if "%" in path:
                unquote_to_bytes(path).decode("utf-8")
            pairs = tuple(parse_qsl(query, keep_blank_values=True, errors="strict"))
        except UnicodeDecodeError as exc:
            raise ValueError("percent-escapes that are not UTF-8 text") from exc
        return cls(
            method=method,
            path=path,
            query=pairs,
            headers=tuple((_text(k).lower(), _text(v)) for k, v in headers),
            body=body,
        )

    def header(self, name: str, default: str | None = None) -> str | None:
        """The first value of header `name` (case-insensitive)."""
        name = name.lower()
        for key, value in self.headers:
            if key == name:
                return value
        return default

    def requested_delay(self) -> float | None:
        """The `x-mock-response-delay` header in seconds (1..180000 ms), else `None`.

        It overrides any configured delay (research §2.4); an invalid value is ignored.
        """
        value = self.header("x-mock-response-delay")
        if value is None:
            return None
        try:
            ms = int(value.strip())
        except ValueError:
            return None
        return ms / 1000 if 1 <= ms <= MAX_DELAY_MS else None


@dataclass(slots=True)
class MockResponse:
    """What the mock answers. `delay` (seconds) is waited by the transport before sending.

    `example` and `score` say which saved example answered, for logs and `explain()`.
    """

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    delay: float = 0.0
    example: str | None = None
    score: float | None = None

    @classmethod
    def error(
        cls,
        status: int,
        name: str,
        message: str,
        *,
        headers: Iterable[tuple[str, str]] = (),
        **extra: str,
    ) -> MockResponse:
        """A Postman-style JSON error `{"error": {"name", "message", **extra}}` with CORS.

        ```python
        MockResponse.error(429, "rateLimitError", "Retry later.", headers=[("Retry-After", "1")])
        ```
        """
        body = json.dumps({"error": {"name": name, "message": message, **extra}})
        return cls(
            status,
            [("Content-Type", "application/json"), CORS_HEADER, *headers],
            body.encode(),
        )


def body_too_large() -> MockResponse:
    """The answer to a request body over `MAX_BODY_BYTES`: 400, as Postman's cloud (§1.9)."""
    return MockResponse.error(
        400, "payloadTooLarge", f"Request body over {MAX_BODY_BYTES} bytes (about 1 MB)."
    )
