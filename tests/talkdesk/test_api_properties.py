"""Property-based: the public Python API's string inputs meet only punchlab's own errors.

Any text (control characters and lone surrogates included) either works or raises an error of
the `punchlab.errors` tree; never a foreign exception, and a refusal changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from punchlab import (
    Account,
    BasicAuth,
    Faults,
    LiveApi,
    OAuth2ClientCredentials,
    PunchlabError,
    Store,
    load_collection,
)

NASTY = st.sampled_from(
    ["", " ", "\x00", "\ud800", "a\udfffb", "\n", "é", "🙂", "{{x}}", "%", "a b", "http://a b"]
)
texts = st.one_of(
    NASTY,
    st.text(max_size=40),
    st.text(st.characters(codec=None, categories=["Cs", "Cc", "Zs", "L"]), max_size=20),
    st.lists(NASTY, max_size=4).map("".join),
)
SETTINGS = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _only_punchlab_errors(call: Callable[[], Any]) -> bool:
    """Run `call`: True if it worked, False if it raised a PunchlabError (else the test fails)."""
    try:
        call()
    except PunchlabError:
        return False
    return True


@pytest.fixture
def account():
    store = Store(memory=True)
    yield Account(store)
    store.close()


@SETTINGS
@given(name=texts, email=texts)
def test_agents_accept_or_refuse_any_text(account: Account, name: str, email: str) -> None:
    before = len(account.agents())
    if not _only_punchlab_errors(lambda: account.add_agent(name=name, email=email)):
        assert len(account.agents()) == before  # a refusal changes nothing


@SETTINGS
@given(name=texts, description=texts, base_path=texts, external_id=texts)
def test_connections_and_external_ids_accept_or_refuse_any_text(
    account: Account, name: str, description: str, base_path: str, external_id: str
) -> None:
    account.add_tutorial_agents()

    def connect() -> None:
        connection = account.add_connection(name=name, description=description, base_path=base_path)
        account.set_external_ids(connection, {1: external_id})

    _only_punchlab_errors(connect)


@SETTINGS
@given(a=texts, b=texts, c=texts)
def test_auth_objects_accept_or_refuse_any_text(a: str, b: str, c: str) -> None:
    _only_punchlab_errors(lambda: BasicAuth(a, b))
    _only_punchlab_errors(lambda: OAuth2ClientCredentials(a, b, c))


@SETTINGS
@given(name=texts, description=texts, path=texts, parameter=texts)
def test_actions_accept_or_refuse_any_text(
    account: Account, name: str, description: str, path: str, parameter: str
) -> None:
    connection = account.add_connection(
        name="Punch", description="mock", base_path="http://mock.punchlab"
    )
    _only_punchlab_errors(
        lambda: connection.add_action(
            name=name, description=description, path=path, parameters={parameter: "string"}
        )
    )


@SETTINGS
@given(text=texts, number=st.floats(allow_nan=True, allow_infinity=True))
def test_collections_users_and_faults_accept_or_refuse_any_input(text: str, number: float) -> None:
    _only_punchlab_errors(lambda: load_collection(text))
    _only_punchlab_errors(lambda: LiveApi([{"id": text, "name": text, "email": text}]))
    _only_punchlab_errors(lambda: Faults(latency=number))
    _only_punchlab_errors(lambda: Faults(error_rate=number, rate_limit=number))
