from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from tutorial_api import TutorialAPI

from punchlab.account import Account
from punchlab.inprocess import mount, unmount
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
