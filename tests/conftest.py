from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

import httpx
import pytest
from tutorial_api import TutorialAPI

import punchlab
from punchlab.account import Account
from punchlab.inprocess import mount, unmount
from punchlab.mock import MockServer
from punchlab.store import Store

_hosts = itertools.count(1)


@pytest.fixture
def account() -> Iterator[Account]:
    store = Store(memory=True)
    yield Account(store)
    store.close()


@pytest.fixture
def mounted_api() -> Iterator[tuple[TutorialAPI, str]]:
    """A fresh tutorial API answered in-process at a unique base URL, and a way to set its auth."""
    api = TutorialAPI()
    base = f"http://tutorial-{next(_hosts)}.punchlab"
    mount(base, api.transport())
    yield api, base
    unmount(base)


@pytest.fixture(scope="session")
def tutorial_users_pages() -> dict[str, dict[int, dict]]:
    """The tutorial collection's example bodies: `{"formatted": {1: body, 2: body}, ...}`."""
    collection = json.loads(punchlab.data_file(punchlab.home.TUTORIAL_COLLECTION).read_text())
    pages: dict[str, dict[int, dict]] = {}
    for folder in collection["item"]:
        endpoint = folder["name"].removeprefix("users/")
        for example in folder.get("response", []):
            if example["name"].startswith("page "):
                number = int(example["name"].removeprefix("page "))
                pages.setdefault(endpoint, {})[number] = json.loads(example["body"])
    return pages


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
