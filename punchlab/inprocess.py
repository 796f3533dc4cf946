"""In-process HTTP: base URLs answered by a transport in this Python process, with no socket.

Every HTTP call punchlab makes goes through `client()`, so a Connection whose base path is an
in-process mock reaches it directly while any other URL goes over the network.

```python
import httpx
from punchlab.inprocess import client, mount

mount("http://echo.punchlab", httpx.MockTransport(lambda request: httpx.Response(204)))
with client() as http:
    assert http.get("http://echo.punchlab/anything").status_code == 204
```
"""

from __future__ import annotations

import ssl
from typing import Any

import httpx

__all__ = ["client", "mount", "mounted", "unmount"]

_mounts: dict[str, httpx.BaseTransport] = {}
_ssl_context: ssl.SSLContext | None = None


def _default_ssl_context() -> ssl.SSLContext:
    # Loading the CA bundle takes milliseconds; an Action runs once per automation event, so
    # every client shares one verified context (what httpx builds by default) instead.
    global _ssl_context
    if _ssl_context is None:
        _ssl_context = httpx.create_ssl_context()
    return _ssl_context


def _key(base_url: str) -> str:
    url = httpx.URL(base_url)
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError(f"an in-process base URL needs http(s) and a host, not {base_url!r}")
    port = f":{url.port}" if url.port else ""
    return f"{url.scheme}://{url.host}{port}"


def mount(base_url: str, transport: httpx.BaseTransport) -> str:
    """Answer requests to `base_url`'s scheme and host with `transport`. Returns the key used."""
    key = _key(base_url)
    _mounts[key] = transport
    return key


def unmount(base_url: str, transport: httpx.BaseTransport | None = None) -> None:
    """Stop answering `base_url` in-process (no error if it was not mounted).

    With `transport`, only if `base_url` is still answered by that transport: a server that
    unmounts itself never removes another one mounted at the same URL since.
    """
    key = _key(base_url)
    if transport is None or _mounts.get(key) is transport:
        _mounts.pop(key, None)


def mounted(base_url: str) -> bool:
    """Whether `base_url` is answered in-process."""
    return _key(base_url) in _mounts


def client(**options: Any) -> httpx.Client:
    """An `httpx.Client` that routes in-process base URLs to their transports."""
    mounts = {**_mounts, **options.pop("mounts", {})}
    options.setdefault("verify", _default_ssl_context())
    return httpx.Client(mounts=mounts, **options)
