"""The Python API answers bad input with punchlab's own errors, and records what it tried."""

from __future__ import annotations

import pytest

from punchlab import Account, MockServer, PunchlabError, Store, ValidationError


@pytest.fixture
def punch(account: Account):
    """The tutorial's agents and a published Punch clock Action against the in-process mock."""
    server = MockServer(mode="live")
    base = server.mount("http://hardening.punchlab")
    account.add_tutorial_agents()
    connection = account.add_connection(name="Punch Clock", description="mock", base_path=base)
    connection.add_tutorial_actions()
    connection.action("Punch clock").publish()
    account.add_automation(
        name="Punch in on login",
        when="login",
        action=connection.action("Punch clock"),
        inputs={"user_id": connection.external_id_variable},
    )
    yield connection
    server.unmount()


def test_a_url_too_long_for_http_is_a_recorded_failed_run(account: Account, punch) -> None:
    account.set_external_ids(punch, {1: "7" * 70_000})
    runs = account.login(1)
    assert [run.outcome for run in runs] == ["error"]
    assert "URL" in runs[0].message
    recorded = account.runs()
    assert len(recorded) == 1 and recorded["outcome"].tolist() == ["error"]


@pytest.mark.parametrize("external_id", ["\ud800", "a\x00b", "tab\there"])
def test_an_external_id_that_cannot_be_sent_is_refused_naming_the_agent(
    account: Account, punch, external_id: str
) -> None:
    with pytest.raises(ValidationError, match="agent 2"):
        account.set_external_ids(punch, {2: external_id})


@pytest.mark.parametrize("email", ["ana\x00@example.com", "ana@exa\x00mple.com", "\ud800@x.io"])
def test_an_email_with_control_characters_or_surrogates_is_not_an_email(
    account: Account, email: str
) -> None:
    with pytest.raises(ValidationError, match="Email"):
        account.add_agent(name="Ana", email=email)


@pytest.mark.parametrize("name", ["\ud800", "Ana\x00"])
def test_a_name_that_cannot_be_stored_is_refused(account: Account, name: str) -> None:
    with pytest.raises(ValidationError, match="Name"):
        account.add_agent(name=name, email="ana@example.com")
    assert account.agents() == []


@pytest.mark.parametrize("agents", [None, 7, "ana@example.com", [None], [("Ana", "a@b.io")]])
def test_add_agents_refuses_what_is_not_rows_of_agents(account: Account, agents) -> None:
    with pytest.raises(ValidationError, match="agents|row 0"):
        account.add_agents(agents)


@pytest.mark.parametrize("base_path", ["http://a b", "http://mock.test/a b", "http://x\x00.io"])
def test_a_base_path_with_spaces_or_controls_is_refused(account: Account, base_path: str) -> None:
    with pytest.raises(ValidationError, match="Base path"):
        account.add_connection(name="C", description="d", base_path=base_path)


def test_a_directory_as_a_store_is_punchlabs_error(tmp_path) -> None:
    with pytest.raises(PunchlabError, match=str(tmp_path)):
        Store(tmp_path)
