from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from punchlab import Account, ApiKeyAuth, Faults, MockServer, RequireApiKey, Store
from punchlab.course.exercises import check_punch_automation
from punchlab.errors import ValidationError
from punchlab.talkdesk.automation import Automations, Event, RetryPolicy
from punchlab.talkdesk.events import SimulatedClock, day_schedule

_hosts = itertools.count(1)


@contextmanager
def lab(
    account: Account, *, how: str = "in-process", **server_options
) -> Iterator[tuple[MockServer, object, list[str]]]:
    """The tutorial's seven agents, a live mock, the Punch Clock Connection, External IDs 1-5."""
    seen: list[str] = []
    server = MockServer(mode="live", log=seen.append, **server_options)
    account.add_tutorial_agents()
    auth = server_options.get("auth")
    key = ApiKeyAuth("s3cr3t-key") if auth is not None else None

    def connect(base: str):
        punch = account.add_connection(
            name="Punch Clock", description="the mock", base_path=base, auth=key
        )
        punch.add_tutorial_actions()
        punch.action("Punch clock").publish()
        account.set_external_ids(punch, {agent_id: str(agent_id) for agent_id in range(1, 6)})
        return punch

    if how == "in-process":
        base = server.mount(f"http://automation-{next(_hosts)}.punchlab")
        try:
            yield server, connect(base), seen
        finally:
            server.unmount()
    else:
        with server.serve(port=0) as running:
            yield server, connect(running.url), seen


def login_automation(
    account: Account, punch, *, when: str = "login", name: str = "Punch in on login", **options
):
    return account.add_automation(
        name=name,
        when=when,
        action=punch.action("Punch clock"),
        inputs={"user_id": punch.external_id_variable},
        **options,
    )


@pytest.mark.parametrize("how", ["in-process", "http"])
def test_login_punches_the_clock_with_the_external_id(account: Account, how: str) -> None:
    with lab(account, how=how) as (server, punch, _):
        login_automation(account, punch)
        runs = account.login("user+2@talkdesk.com", at="2026-03-02T08:00:00Z")
        assert [run.outcome for run in runs] == ["success"]
        assert runs[0].request["url"].endswith("/user/2/punch-clock")
        assert set(runs[0].response) >= {"name", "check_in_time"}
        assert runs[0].at == "2026-03-02T08:00:00+00:00"
        assert [(p["user_id"], p["type"]) for p in server.ledger.records()] == [(2, "in")]
    history = account.runs()
    assert list(history["outcome"]) == ["success"]
    assert history.loc[0, "status"] == 200


def test_logout_automation_punches_out(account: Account) -> None:
    with lab(account) as (server, punch, _):
        login_automation(account, punch)
        login_automation(account, punch, when="logout", name="Punch out on logout")
        account.login(1)
        runs = account.logout(1)
        assert [r.automation for r in runs] == ["Punch out on logout"]
        assert [p["type"] for p in server.ledger.records(user_id=1)] == ["in", "out"]
        assert account.automation_engine.agent_states()[1][0] == "offline"


def test_agent_without_external_id_sends_nothing(account: Account) -> None:
    with lab(account) as (server, punch, seen):
        login_automation(account, punch)
        runs = account.login("user+7@talkdesk.com")
        assert len(runs) == 1 and runs[0].outcome == "missing_variable"
        assert "no External ID for connection" in runs[0].message
        assert "user+7@talkdesk.com" in runs[0].message
        assert runs[0].request is None
        assert seen == [] and len(server.ledger) == 0


def test_server_error_is_an_error_and_retried_only_on_5xx(account: Account) -> None:
    with lab(account, faults=Faults(error_rate=1.0)) as (server, punch, seen):
        login_automation(account, punch, retry=RetryPolicy(attempts=3))
        runs = account.login(1)
        assert [(r.outcome, r.status, r.attempt) for r in runs] == [
            ("error", 500, n) for n in (1, 2, 3)
        ]
        assert len(seen) == 3 and len(server.ledger) == 0


def test_4xx_is_never_retried(account: Account) -> None:
    with lab(account) as (server, punch, seen):
        login_automation(account, punch, retry=RetryPolicy(attempts=3))
        account.set_external_ids(punch, {6: "999"})  # no such punch-clock user: 404
        runs = account.login(6)
        assert [(r.outcome, r.status, r.attempt) for r in runs] == [("error", 404, 1)]
        assert len(seen) == 1


def test_timeout_is_recorded_and_retried(account: Account) -> None:
    # the Punch clock Action's timeout is 10 s; the in-process mock raises the timeout at once
    with lab(account, faults=Faults(latency=11.0)) as (server, punch, _):
        login_automation(account, punch, retry=RetryPolicy(attempts=2))
        runs = account.login(1)
        assert [(r.outcome, r.attempt) for r in runs] == [("timeout", 1), ("timeout", 2)]
        assert "10 s" in runs[0].message


def test_validation_error_before_sending(account: Account) -> None:
    with lab(account) as (server, punch, seen):
        numbered = punch.add_action(
            name="Punch by number",
            description="the user id must be a number",
            method="POST",
            path="/user/{{user_id}}/punch-clock",
            parameters={"user_id": "integer"},
        ).publish()
        account.add_automation(
            name="Wrong input", when="login", action=numbered, inputs={"user_id": "{{agent.name}}"}
        )
        runs = account.login(1)
        assert [r.outcome for r in runs] == ["validation_error"]
        assert "expected integer" in runs[0].message
        assert seen == []


def test_disabled_automation_is_skipped_and_other_triggers_do_not_run(account: Account) -> None:
    with lab(account) as (server, punch, seen):
        login_automation(account, punch, enabled=False)
        assert [r.outcome for r in account.login(1)] == ["skipped"]
        assert account.logout(1) == []  # no Automation When "an agent logs out"
        assert account.set_status(1, "away") == []
        assert account.automation_engine.agent_states()[1][0] == "away"
        with pytest.raises(ValidationError, match="ISO 8601"):
            account.login(1, at="eight o'clock")
        engine = account.automation_engine
        engine.set_enabled("Punch in on login", True)
        assert [r.outcome for r in account.login(1)] == ["success"]
        assert len(seen) == 1


def test_replay_of_failed_runs(account: Account) -> None:
    with lab(account, faults=Faults(error_rate=1.0)) as (server, punch, _):
        login_automation(account, punch)
        first = account.login(1)[0]
        assert first.outcome == "error"
        server.faults = None  # the punch-clock service is back
        replayed = account.replay_failed()
        assert [(r.outcome, r.attempt, r.replay_of) for r in replayed] == [("success", 2, first.id)]
        assert replayed[0].request["url"] == first.request["url"]
        assert account.replay_failed() == []  # nothing left to replay
        assert [p["user_id"] for p in server.ledger.records()] == [1]
    assert list(account.runs()["replay_of"].isna()) == [True, False]


def test_final_runs_are_each_events_last_attempt(account: Account) -> None:
    with lab(account, faults=Faults(error_rate=1.0)) as (server, punch, _):
        login_automation(account, punch, retry=RetryPolicy(attempts=2))
        login_automation(account, punch, when="logout", name="Punch out on logout")
        account.login(1, at="2026-03-02T08:00:00Z")  # two attempts, both 500
        account.login(2, at="2026-03-02T08:00:00Z")
        server.faults = None
        account.logout(1, at="2026-03-02T17:00:00Z")  # one attempt, success
        account.replay_failed()  # agents 1 and 2's logins: a third attempt each, success
    every = account.runs()
    assert len(every) == 2 + 2 + 1 + 2  # every attempt
    final = account.runs(final=True)
    assert sorted(zip(final["event"], final["agent_id"], final["attempt"], strict=True)) == [
        ("login", 1, 3),
        ("login", 2, 3),
        ("logout", 1, 1),
    ]
    assert (final["outcome"] == "success").all()
    assert final["run"].is_monotonic_increasing  # still oldest first


def test_secrets_are_masked_in_run_records(account: Account) -> None:
    with lab(account, auth=RequireApiKey("s3cr3t-key")) as (server, punch, _):
        login_automation(account, punch)
        runs = account.login(1)
        assert runs[0].outcome == "success"
        assert runs[0].request["headers"]["x-api-key"] == "***"
    stored = json.dumps([list(row) for row in account.store.query("SELECT * FROM automation_runs")])
    assert "s3cr3t" not in stored and "s3cr3t" not in account.runs().to_string()


def test_definitions_are_checked_and_idempotent(account: Account) -> None:
    with lab(account) as (server, punch, _):
        draft = punch.action("Get users (formatted)")
        with pytest.raises(ValidationError, match="Draft"):
            account.add_automation(name="x", when="login", action=draft, inputs={"page": "1"})
        clock = punch.action("Punch clock")
        with pytest.raises(ValidationError, match="When must be one of"):
            account.add_automation(name="x", when="lunch", action=clock, inputs={"user_id": "1"})
        with pytest.raises(ValidationError, match="not inputs"):
            account.add_automation(name="x", when="login", action=clock, inputs={"userid": "1"})
        with pytest.raises(ValidationError, match="fill in"):
            account.add_automation(name="x", when="login", action=clock, inputs={})
        first = login_automation(account, punch)
        again = login_automation(account, punch)
        assert first.id == again.id and len(account.automations()) == 1
        changed = account.add_automation(
            name="Punch in on login", when="login", action=clock, inputs={"user_id": "{{agent.id}}"}
        )
        assert changed.version == first.version + 1
        # the runner notices the edited definition
        assert account.login(3)[0].request["url"].endswith("/user/3/punch-clock")
        assert "When: an agent logs in" in str(changed)


def test_variables_for_the_picker(account: Account) -> None:
    with lab(account) as (server, punch, _):
        engine = Automations(account)
        offered = engine.variables()
        assert punch.external_id_variable in offered
        assert {"{{agent.name}}", "{{event.timestamp}}", "{{account.name}}"} <= set(offered)
        assert punch.external_id_variable not in engine.variables(7)  # no External ID


def test_reset_clears_automations_and_runs(account: Account) -> None:
    with lab(account) as (server, punch, _):
        login_automation(account, punch)
        account.login(1)
    account.reset()
    assert account.automations() == []
    assert account.runs().empty
    assert account.automation_engine.agent_states() == {}


def test_day_schedule_is_deterministic_and_drives_the_clock(account: Account) -> None:
    one = day_schedule(range(1, 6), day="2026-03-02", seed=3)
    assert one == day_schedule(range(1, 6), day="2026-03-02", seed=3)
    assert one != day_schedule(range(1, 6), day="2026-03-02", seed=4)
    assert [e.at for e in one] == sorted(e.at for e in one)
    for agent_id in range(1, 6):
        names = [e.name for e in one if e.agent_id == agent_id and e.name != "status"]
        assert names == ["login", "logout", "login", "logout"]
    clock = SimulatedClock("2026-03-02T00:00:00Z")
    with lab(account, now=clock) as (server, punch, _):
        login_automation(account, punch)
        login_automation(account, punch, when="logout", name="Punch out on logout")
        runs = account.automation_engine.run_events(one, clock=clock)
    punches = [e for e in one if e.name != "status"]
    assert [r.outcome for r in runs] == ["success"] * len(punches)
    assert [p["time"] for p in server.ledger.records()] == [e.at for e in punches]


def test_every_event_is_recorded_even_when_a_later_one_is_bad(account: Account) -> None:
    with lab(account) as (server, punch, _):
        login_automation(account, punch)
        events = [
            Event("login", 1, "2026-03-02T08:00:00+00:00"),
            Event("login", 99, "2026-03-02T08:01:00+00:00"),
        ]
        with pytest.raises(ValidationError, match="no agent 99"):
            account.automation_engine.run_events(events)
    assert list(account.runs()["agent_id"]) == [1]


def test_an_unknown_event_is_refused() -> None:
    with pytest.raises(ValidationError, match="lunch"):
        Event("lunch", 1, "2026-03-02T08:00:00+00:00")
    with pytest.raises(ValidationError, match="needs the new status"):
        Event("status", 1, "2026-03-02T08:00:00+00:00")
    with pytest.raises(ValidationError, match="attempts"):
        RetryPolicy(attempts=0)


def test_runs_survive_a_new_account_object(tmp_path) -> None:
    store = Store(tmp_path / "lab.sqlite3")
    account = Account(store)
    with lab(account) as (server, punch, _):
        login_automation(account, punch)
        account.login(1)
    assert list(Account(store).runs()["outcome"]) == ["success"]
    store.close()


def test_exercise_check_explains_what_is_still_wrong(account: Account) -> None:

    server = MockServer(mode="live")
    base = server.mount(f"http://automation-{next(_hosts)}.punchlab")
    try:
        punch = account.add_connection(name="Punch Clock", description="d", base_path=base)
        punch.add_tutorial_actions()
        feedback = check_punch_automation(account, punch)
        assert not feedback.ok and "still a Draft" in str(feedback)
        clock = punch.action("Punch clock").publish()
        assert "no Automation" in str(check_punch_automation(account, punch))
        account.add_automation(
            name="Punch", when="logout", action=clock, inputs={"user_id": "{{agent.id}}"}
        )
        assert "should run When 'an agent logs in'" in str(check_punch_automation(account, punch))
        account.add_automation(
            name="Punch", when="login", action=clock, inputs={"user_id": "{{agent.id}}"}
        )
        feedback = check_punch_automation(account, punch)
        assert "Talkdesk agent's id" in str(feedback) and punch.external_id_variable in str(
            feedback
        )
        account.add_automation(
            name="Punch", when="login", action=clock, inputs={"user_id": punch.external_id_variable}
        )
        assert check_punch_automation(account, punch).ok
    finally:
        server.unmount()


def test_input_schema_defaults_are_rendered_into_the_body_and_replayed(account: Account) -> None:
    with lab(account, faults=Faults(error_rate=1.0)) as (server, punch, _):
        with_body = punch.add_action(
            name="Punch with email",
            description="sends the agent's email in the body",
            method="POST",
            path="/user/{{user_id}}/punch-clock",
            input_schema={
                "type": "object",
                "properties": {
                    "email": {"type": "string", "title": "Email", "default": "{{agent.email}}"},
                    "source": {"type": "string", "title": "Source", "default": "talkdesk"},
                },
            },
        ).publish()
        account.add_automation(
            name="Punch with email",
            when="login",
            action=with_body,
            inputs={"user_id": punch.external_id_variable, "source": "{{account.name}}"},
        )
        first = account.login(2)[0]
        expected = {"email": "user+2@talkdesk.com", "source": "punchlab sandbox"}
        assert first.outcome == "error" and first.request["body"] == expected
        server.faults = None
        (replayed,) = account.replay_failed()
        assert replayed.outcome == "success" and replayed.request["body"] == expected


def test_deactivated_agent_is_skipped(account: Account) -> None:
    with lab(account) as (server, punch, seen):
        login_automation(account, punch)
        ghost = account.add_agent(name="Old Timer", email="old@example.com", active=False)
        runs = account.login(ghost)
        assert [r.outcome for r in runs] == ["skipped"] and "deactivated" in runs[0].message
        assert seen == []


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
