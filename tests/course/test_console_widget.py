from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from punchlab import Account, MockServer, SimulatedClock
from punchlab.course.widgets import AgentConsole, AutomationBuilder

_hosts = itertools.count(1)


@pytest.fixture
def lab(account: Account):
    clock = SimulatedClock("2026-03-02T08:00:00Z")
    server = MockServer(mode="live", now=clock)
    base = server.mount(f"http://console-{next(_hosts)}.punchlab")
    account.add_tutorial_agents()
    punch = account.add_connection(name="Punch Clock", description="the mock", base_path=base)
    punch.add_tutorial_actions()
    punch.action("Punch clock").publish()
    account.set_external_ids(punch, {1: "1", 2: "2"})
    yield account, server, punch, clock
    server.unmount()


def _punch_on(account: Account, punch, *events: str) -> None:
    """One Automation per event that punches the agent's clock with their External ID."""
    for when in events:
        account.add_automation(
            name=f"Punch on {when}",
            when=when,
            action=punch.action("Punch clock"),
            inputs={"user_id": punch.external_id_variable},
        )


def test_builder_publishes_the_automation_with_the_chosen_variable(lab) -> None:
    account, server, punch, _ = lab
    builder = AutomationBuilder(account)
    clock = punch.action("Punch clock")
    assert builder.then.value == clock.id  # the only Active action
    assert punch.external_id_variable in builder.inputs["user_id"].options
    builder.publish.click()
    assert "Name is mandatory" in builder.message.value and account.automations() == []
    builder.name.value = "Punch in on login"
    builder.when.value = "login"
    builder.publish.click()
    assert "fill in" in builder.message.value  # User ID still empty
    builder.inputs["user_id"].value = punch.external_id_variable
    builder.publish.click()
    assert "Published" in builder.message.value
    assert [a.inputs for a in account.automations()] == [{"user_id": punch.external_id_variable}]


def test_console_logs_agents_in_and_out(lab) -> None:
    account, server, punch, clock = lab
    _punch_on(account, punch, "login", "logout")
    console = AgentConsole(account, at=clock)
    assert set(console.login_buttons) == {a.id for a in account.agents()}
    assert console.logout_buttons[1].disabled and "no runs yet" in console.history.value
    console.login_buttons[1].click()
    assert "available since 08:00" in console.states[1].value
    assert console.login_buttons[1].disabled and not console.logout_buttons[1].disabled
    clock.set("2026-03-02T16:00:00Z")
    console.logout_buttons[1].click()
    assert "offline" in console.states[1].value
    assert [(p["type"], p["time"][11:16]) for p in server.ledger.records()] == [
        ("in", "08:00"),
        ("out", "16:00"),
    ]
    console.login_buttons[7].click()  # no External ID
    assert "missing_variable" in console.message.value
    assert "missing_variable" in console.history.value
    assert console.history.value.count("</tr>") == 4  # header + three runs


def test_console_shows_the_newest_run_and_punch_first_and_moves_its_clock_on(lab) -> None:
    account, server, punch, clock = lab
    _punch_on(account, punch, "login", "logout")
    console = AgentConsole(account, at=clock, punches=server.ledger, step=timedelta(hours=1))
    assert "no punches yet" in console.punches.value
    console.login_buttons[2].click()
    console.logout_buttons[2].click()
    rows = console.history.value.split("<tbody>")[1].split("</tr>")
    assert "logout" in rows[0] and "login" in rows[1] and "success" in rows[0]
    assert "/user/2/punch-clock" in rows[0] and "http://" not in rows[0]  # the path, not clipped
    punches = console.punches.value.split("<tbody>")[1].split("</tr>")
    assert "09:00" in punches[0] and "check-out" in punches[0] and "check-in" in punches[1]
    # each click is stamped with the clock's time, then the clock moves on: a one-hour shift
    assert [p["time"][11:16] for p in server.ledger.records()] == ["08:00", "09:00"]
    assert [r[11:16] for r in account.runs()["at"]] == ["08:00", "09:00"]
    assert clock().hour == 10


def test_console_names_the_day_of_a_time_that_is_not_the_clocks_day(lab) -> None:
    account, server, punch, clock = lab
    _punch_on(account, punch, "login", "logout")
    console = AgentConsole(account, at=clock, punches=server.ledger, step=timedelta(hours=1))
    console.login_buttons[1].click()  # Monday 08:00
    clock.set("2026-03-02T17:00:00Z")
    console.logout_buttons[1].click()  # Monday 17:00
    clock.set("2026-03-03T08:00:00Z")  # the next morning
    console.login_buttons[2].click()
    assert "offline since Mon 17:00" in console.states[1].value
    assert "available since 08:00" in console.states[2].value
    runs = console.history.value.split("<tbody>")[1].split("</tr>")
    assert ">08:00<" in runs[0] and ">Mon 17:00<" in runs[1] and ">Mon 08:00<" in runs[2]
    punches = console.punches.value.split("<tbody>")[1].split("</tr>")
    assert ">08:00<" in punches[0] and ">Mon 17:00<" in punches[1]


def test_snapshots_keep_what_a_cell_did_while_the_live_console_moves_on(lab) -> None:
    account, server, punch, clock = lab
    _punch_on(account, punch, "login")
    console = AgentConsole(account, at=clock, punches=server.ledger)
    console.login_buttons[1].click()
    before = console.snapshot().data
    console.login_buttons[2].click()
    assert "/user/2/punch-clock" in console.history.value and "/user/2/" not in before
    assert "Barbara Banh: <code>available since 08:00</code>" in before and "check-in" in before


def test_console_says_how_to_restart_a_stopped_mock(lab) -> None:
    """After `server.unmount()` a click reads as a learner's message, never a socket error."""
    account, server, punch, clock = lab
    _punch_on(account, punch, "login")
    console = AgentConsole(account, at=clock)
    server.unmount()
    console.login_buttons[1].click()
    [run] = console.last_runs
    assert run.outcome == "error"
    assert f"nothing answers at {punch.base_path}" in console.message.value
    assert "not running" in console.message.value and "Start it again" in console.message.value
    assert "Errno" not in console.message.value
    server.mount(punch.base_path)  # started again: the next click punches
    console.login_buttons[2].click()
    assert [r.outcome for r in console.last_runs] == ["success"]


def test_console_shows_errors_in_its_message_line(account: Account, punch_clock) -> None:
    console = AgentConsole(account)
    assert console.event("login", 999) == []  # no such agent: no traceback
    assert "no agent 999" in console.message.value
