from __future__ import annotations

import threading
from pathlib import Path

import pandas as pd
import pytest

from punchlab.errors import ValidationError
from punchlab.store import Store
from punchlab.talkdesk.account import Account, normalise_email


def test_tutorial_agents_are_added_once(account: Account) -> None:
    first = account.add_tutorial_agents()
    again = account.add_tutorial_agents()
    assert [a.email for a in first] == [f"user+{n}@talkdesk.com" for n in range(1, 8)]
    assert [a.id for a in again] == [a.id for a in first]
    assert len(account.agents()) == 7
    assert first[0].name == "Barbara Banh" and first[6].name == "Donald MCants"


def test_name_and_email_are_mandatory_and_email_is_checked(account: Account) -> None:
    with pytest.raises(ValidationError, match="Name is mandatory"):
        account.add_agent(name="  ", email="a@b.co")
    with pytest.raises(ValidationError, match="Email is mandatory"):
        account.add_agent(name="Ana", email="")
    with pytest.raises(ValidationError, match="not a valid email") as caught:
        account.add_agent(name="Ana", email="ana@localhost")
    assert caught.value.where == "new agent, Email"
    assert account.agents() == []


def test_email_is_normalised_for_matching_but_kept_for_display(account: Account) -> None:
    agent = account.add_agent(name="Ana Lima", email="  Ana.Lima@Example.COM ")
    assert agent.email == "Ana.Lima@Example.COM"
    assert agent.email_key == normalise_email("ana.lima@example.com") == "ana.lima@example.com"
    assert account.agent("ANA.LIMA@example.com").id == agent.id
    # same agent again: no duplicate; someone else with that email: refused
    assert account.add_agent(name="Ana Lima", email="ana.lima@example.com").id == agent.id
    with pytest.raises(ValidationError, match="already belongs to agent"):
        account.add_agent(name="Other", email="ana.lima@EXAMPLE.com")
    assert len(account.agents()) == 1


def test_agents_from_csv_are_all_or_nothing(account: Account, tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text("Name,Email,Active\nAna,ana@example.com,yes\nBo,bo@example.com,false\n")
    agents = account.add_agents_from_csv(good)
    assert [(a.name, a.active) for a in agents] == [("Ana", True), ("Bo", False)]

    bad = tmp_path / "bad.csv"
    bad.write_text("name,email\nCy,cy@example.com\nDee,not-an-email\n")
    with pytest.raises(ValidationError, match=r"bad.csv line 3, Email"):
        account.add_agents_from_csv(bad)
    twice = tmp_path / "twice.csv"
    twice.write_text("name,email\nCy,cy@example.com\nCy2,CY@example.com\n")
    with pytest.raises(ValidationError, match="appears twice"):
        account.add_agents_from_csv(twice)
    no_email = tmp_path / "columns.csv"
    no_email.write_text("name,mail\nCy,cy@example.com\n")
    with pytest.raises(ValidationError, match="missing column"):
        account.add_agents_from_csv(no_email)
    assert [a.name for a in account.agents()] == ["Ana", "Bo"]


def test_agent_lookup_and_frame(account: Account) -> None:
    account.add_tutorial_agents()
    with pytest.raises(ValidationError, match="no agent 99"):
        account.agent(99)
    frame = account.agents_frame()
    assert list(frame.columns) == ["id", "name", "email", "active"]
    assert frame["email"].tolist()[2] == "user+3@talkdesk.com"


def test_external_ids_are_set_all_or_nothing(account: Account) -> None:
    account.add_tutorial_agents()
    punch = account.add_connection(name="Punch Clock", description="d", base_path="http://x.test")
    other = account.add_connection(name="Other", description="d", base_path="http://y.test")
    account.set_external_ids(punch, {1: "1", 2: 2})
    account.set_external_ids(other, {1: "A"})
    assert account.external_id(1, punch) == "1" and account.external_id(2, punch) == "2"
    assert account.external_id(1, other) == "A" and account.external_id(3, punch) is None
    # an unknown agent, or two agents with one External ID: nothing changes
    with pytest.raises(ValidationError, match="no agent 42"):
        account.set_external_ids(punch, {3: "3", 42: "42"})
    with pytest.raises(ValidationError, match="would belong to agents 1 and 3"):
        account.set_external_ids(punch, {3: "1"})
    assert account.external_id(3, punch) is None
    # a swap in one call is fine; None clears
    account.set_external_ids(punch, {1: "2", 2: "1", 3: None})
    assert (account.external_id(1, punch), account.external_id(2, punch)) == ("2", "1")
    account.set_external_ids(punch, {1: None})
    frame = account.agents_frame(connection=punch)
    assert frame["external_id"].tolist()[:3] == [None, "1", None]
    variables = account.agent(2).variables()
    assert variables[f"connection_{punch.id}"] == {"external_id": "1"}
    assert f"connection_{other.id}" not in variables  # agent 2 has no External ID there


def test_reset_restores_the_starting_state(tmp_path: Path) -> None:
    store = Store(tmp_path / "lab.sqlite3")
    account = Account(store)
    account.add_agent(name="Extra", email="extra@example.com")
    punch = account.add_connection(name="Punch Clock", description="d", base_path="http://x.test")
    punch.add_tutorial_actions()
    account.set_external_ids(punch, {1: "1"})
    agents = account.reset()
    assert [a.id for a in agents] == list(range(1, 8))
    assert account.connections() == []
    assert store.query("SELECT COUNT(*) FROM external_ids")[0][0] == 0
    assert store.query("SELECT COUNT(*) FROM actions")[0][0] == 0
    store.close()


def test_two_notebooks_adding_agents_at_once_never_duplicate(tmp_path: Path) -> None:
    path = tmp_path / "lab.sqlite3"
    accounts = [Account(Store(path)) for _ in range(4)]
    errors: list[BaseException] = []

    def work(account: Account) -> None:
        try:
            account.add_tutorial_agents()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(a,)) for a in accounts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(accounts[0].agents()) == 7
    for account in accounts:
        account.store.close()


def test_csv_with_a_byte_order_mark_and_bad_encodings(account: Account, tmp_path) -> None:
    excel = tmp_path / "excel.csv"
    excel.write_bytes("\ufeffname,email\nAna Lima,ana.lima@example.com\n".encode())
    assert [a.email for a in account.add_agents_from_csv(excel)] == ["ana.lima@example.com"]

    latin = tmp_path / "latin.csv"
    latin.write_bytes("name,email\nJosé,jos\xe9@example.com\n".encode("latin-1"))
    with pytest.raises(ValidationError, match=r"latin\.csv: not UTF-8"):
        account.add_agents_from_csv(latin)

    bare = tmp_path / "bare.csv"
    bare.write_text("name\nAna\n")
    with pytest.raises(ValidationError, match=r"bare\.csv, line 1: missing column\(s\) email"):
        account.add_agents_from_csv(bare)


def test_bulk_agents_read_active_like_the_csv(account: Account) -> None:
    frame = pd.DataFrame(
        {
            "name": ["A One", "B Two", "C Three", "D Four"],
            "email": ["a@x.io", "b@x.io", "c@x.io", "d@x.io"],
            "active": ["false", "no", float("nan"), True],
        }
    )
    added = account.add_agents(frame)
    assert [agent.active for agent in added] == [False, False, True, True]
