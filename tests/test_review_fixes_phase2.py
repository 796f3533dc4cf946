"""Fixes found by reviewing the Automation, Agent Sync and exercise code."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from punchlab.account import Account
from punchlab.exercises import check_mapping, check_punch_automation
from punchlab.mock import MockServer
from punchlab.widgets import AgentConsole, MappingEditor

NOT_FORMATTED = [
    {"name": "Barbara Banh", "punch_clock_id": 1, "punch_clock_email": "user+1@talkdesk.com"},
    {"name": "Steven Herrera", "punch_clock_id": 2, "punch_clock_email": "user+2@talkdesk.com"},
]
FORMATTED = [
    {"name": "Barbara Banh", "id": 1, "email": "user+1@talkdesk.com"},
    {"name": "Steven Herrera", "id": 2, "email": "user+2@talkdesk.com"},
]


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


def test_a_naive_datetime_is_local_time(account: Account) -> None:
    from punchlab.times import utc_iso

    local = datetime(2026, 3, 2, 10, 30)
    assert utc_iso(local) == local.astimezone(UTC).isoformat(timespec="seconds")
    assert utc_iso("2026-03-02T10:30:00") == "2026-03-02T10:30:00+00:00"  # text: UTC


def _punch_clock_account(account: Account, base: str):
    account.add_tutorial_agents()
    punch = account.add_connection(name="Punch Clock", description="mock", base_path=base)
    punch.add_tutorial_actions()
    for action in punch.actions():
        action.publish()
    return punch


def test_console_shows_errors_in_its_message_line(account: Account) -> None:
    server = MockServer(mode="live")
    base = server.mount("http://console-errors.punchlab")
    try:
        _punch_clock_account(account, base)
        console = AgentConsole(account)
        assert console.event("login", 999) == []  # no such agent: no traceback
        assert "no agent 999" in console.message.value
    finally:
        server.unmount()


def test_spaces_inside_the_external_id_variable_are_fine(account: Account) -> None:
    server = MockServer(mode="live")
    base = server.mount("http://spaced-variable.punchlab")
    try:
        punch = _punch_clock_account(account, base)
        spaced = punch.external_id_variable.replace("{{", "{{ ").replace("}}", " }}")
        account.add_automation(
            name="Punch in", when="login", action=punch.action("Punch clock"),
            inputs={"user_id": spaced},
        )  # fmt: skip
        assert check_punch_automation(account, punch).ok
    finally:
        server.unmount()


def test_check_mapping_turns_typos_into_hints() -> None:
    feedback = check_mapping({"email": "punch_clock_email | lowercase"}, NOT_FORMATTED, FORMATTED)
    assert not feedback.ok and "lowercase" in feedback.problems[0]
    assert "lower" in feedback.problems[0]  # the known transforms are listed
    short = check_mapping({"email": "punch_clock_email"}, NOT_FORMATTED, FORMATTED[:1])
    assert not short.ok and "2 users but 1 expected" in short.problems[0]


def test_mapping_editor_ignores_a_transform_without_a_source() -> None:
    editor = MappingEditor(NOT_FORMATTED)
    editor.sources["email"].value = ""
    editor.transforms["email"].value = "lower"  # no traceback from the observer
    assert "email" not in editor.mapping.to_dict()
    assert editor.problems  # still not valid: email is unmapped


def test_one_time_rule_for_punches_events_and_time_sheets() -> None:
    import pytest

    from punchlab.errors import ValidationError
    from punchlab.events import SimulatedClock
    from punchlab.times import parse_time, utc_iso

    assert utc_iso("2026-03-02T09:00:00+01:00") == "2026-03-02T08:00:00+00:00"
    assert parse_time("2026-03-02T08:00:00Z") == datetime(2026, 3, 2, 8, tzinfo=UTC)
    assert SimulatedClock("2026-03-02T08:00:00Z")() == datetime(2026, 3, 2, 8, tzinfo=UTC)
    with pytest.raises(ValidationError, match="punch 3: 'soon' is not an ISO 8601 time"):
        parse_time("soon", where="punch 3")


def test_a_body_value_replaces_its_default_without_rendering_it(account: Account) -> None:
    server = MockServer(mode="live")
    base = server.mount("http://body-over-default.punchlab")
    try:
        punch = account.add_connection(name="Punch Clock", description="mock", base_path=base)
        note = {"type": "string", "title": "Note", "default": "{{agent.name}} logged in"}
        action = punch.add_action(
            name="Punch with a note",
            description="Punch clock with a body",
            path="/user/{{user_id}}/punch-clock",
            method="POST",
            parameters={"user_id": "string"},
            input_schema={"type": "object", "properties": {"note": note}},
        )
        given = action.test({"user_id": "1"}, body={"note": "typed by hand"})
        assert given.outcome == "success", given.errors
        missing = action.test({"user_id": "1"})  # no body: the default needs {{agent.name}}
        assert missing.outcome == "validation_error"
        assert "agent.name" in str(missing.errors[0])
    finally:
        server.unmount()
