from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

import httpx
import pytest

from punchlab.mock import MockServer


@pytest.fixture(params=["in-process", "http"])
def reach(request) -> Callable[[MockServer], AbstractContextManager[httpx.Client]]:
    """Open a client to a MockServer in-process or over real localhost HTTP (parametrised)."""

    @contextmanager
    def connect(server: MockServer) -> Iterator[httpx.Client]:
        if request.param == "in-process":
            with server.client() as http:
                yield http
        else:
            with server.serve(port=0) as running, httpx.Client(base_url=running.url) as http:
                yield http

    return connect
