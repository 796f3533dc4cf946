from __future__ import annotations

import itertools

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
    for when in ("login", "logout"):
        account.add_automation(
            name=f"Punch on {when}",
            when=when,
            action=punch.action("Punch clock"),
            inputs={"user_id": punch.external_id_variable},
        )
    console = AgentConsole(account, at=clock)
    assert set(console.login_buttons) == {a.id for a in account.agents()}
    assert console.logout_buttons[1].disabled and "no runs yet" in console.history.value
    console.login_buttons[1].click()
    assert "available since 08:00:00" in console.states[1].value
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


def test_console_shows_errors_in_its_message_line(account: Account, punch_clock) -> None:
    console = AgentConsole(account)
    assert console.event("login", 999) == []  # no such agent: no traceback
    assert "no agent 999" in console.message.value
