from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

import httpx
import pytest

from punchlab.home import TUTORIAL_COLLECTION, data_file
from punchlab.mock.collection import load_collection
from punchlab.mock.messages import MockRequest, MockResponse
from punchlab.mock.server import MockServer
from punchlab.store import Store
from punchlab.talkdesk.account import Account

_hosts = itertools.count(1)


@pytest.fixture
def account() -> Iterator[Account]:
    store = Store(memory=True)
    yield Account(store)
    store.close()


class RecordingMock(MockServer):
    """The real `MockServer`, keeping each request it answered and its answer, for assertions.

    It records in-process and over HTTP alike (both call `respond`).
    """

    def __init__(self, *args, **options) -> None:
        super().__init__(*args, **options)
        self.requests: list[MockRequest] = []
        self.responses: list[MockResponse] = []

    def respond(self, request: MockRequest) -> MockResponse:
        response = super().respond(request)
        self.requests.append(request)
        self.responses.append(response)
        return response


@pytest.fixture
def mock_api() -> Iterator[Callable[..., tuple[RecordingMock, str]]]:
    """Make `RecordingMock(**options)` (live mode unless told), mounted at a unique base URL."""
    made: list[RecordingMock] = []

    def make(**options) -> tuple[RecordingMock, str]:
        server = RecordingMock(**{"mode": "live", **options})
        made.append(server)
        return server, server.mount(f"http://tutorial-{next(_hosts)}.punchlab")

    yield make
    for server in made:
        server.unmount()


@pytest.fixture
def mounted_api(mock_api) -> tuple[RecordingMock, str]:
    """The live tutorial API answered in-process at a unique base URL (set `.auth` to lock it)."""
    return mock_api()


@pytest.fixture
def punch_clock(account: Account, mounted_api):
    """The tutorial's agents and its Punch Clock Connection to the mounted live mock, with the
    three tutorial Actions published."""
    account.add_tutorial_agents()
    _, base = mounted_api
    punch = account.add_connection(name="Punch Clock", description="mock", base_path=base)
    punch.add_tutorial_actions()
    for action in punch.actions():
        action.publish()
    return punch


@pytest.fixture(scope="session")
def tutorial_users_pages() -> dict[str, dict[int, dict]]:
    """The tutorial collection's example bodies: `{"formatted": {1: body, 2: body}, ...}`."""
    collection = load_collection(data_file(TUTORIAL_COLLECTION))
    pages: dict[str, dict[int, dict]] = {}
    for example in collection.examples():
        if example.name.startswith("page "):
            endpoint = example.item_name.removeprefix("users/")
            pages.setdefault(endpoint, {})[int(example.name.removeprefix("page "))] = example.json()
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
