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

__all__ = ["LocalServer", "Servable", "bind", "url_of", "uvicorn_server"]


class Servable(Protocol):
    """What a `LocalServer` serves: something with a raw ASGI application (a `MockServer`)."""

    @property
    def asgi(self) -> Callable[..., Any]: ...


def bind(host: str, port: int) -> socket.socket:
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


def url_of(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def uvicorn_server(app: Any) -> Any:
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
    """A `Servable` (a `MockServer`) on a real localhost port: uvicorn in a background thread.

    Use it as a context manager, or call `start()` and `stop()`. `port=0` picks a free port.

    ```python
    with MockServer(mode="live").serve() as running:
        httpx.get(f"{running.url}/users/formatted?page=1").json()["total"]     # 7
    ```
    """

    def __init__(self, server: Servable, *, host: str = "127.0.0.1", port: int = 0) -> None:
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
        return url_of(self.host, self.port)

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
        self._uvicorn = uvicorn_server(self.mock.asgi)
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
