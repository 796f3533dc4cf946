"""The request and response a mock answers, independent of how they travelled.

The same `MockRequest` comes from the in-process httpx transport and from the localhost ASGI
server, so matching never knows which one it serves.

```python
request = MockRequest.build("GET", "/users/formatted?page=1")
assert request.query == (("page", "1"),)
```
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

__all__ = ["MockRequest", "MockResponse"]


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
        """A request from a method and a target such as `/users/formatted?page=1`."""
        parts = urlsplit(target)
        pairs = headers.items() if isinstance(headers, dict) else (headers or [])
        return cls(
            method=method.upper(),
            path=parts.path or "/",
            query=tuple(parse_qsl(parts.query, keep_blank_values=True)),
            headers=tuple((k.lower(), v) for k, v in pairs),
            body=body.encode() if isinstance(body, str) else body,
        )

    def header(self, name: str, default: str | None = None) -> str | None:
        """The first value of header `name` (case-insensitive)."""
        name = name.lower()
        for key, value in self.headers:
            if key == name:
                return value
        return default


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
