"""Talkdesk's fourth Action state (End of Life) and its 50 executions a second per account."""

from __future__ import annotations

import pytest

from punchlab.errors import ValidationError
from punchlab.talkdesk.action import EXECUTIONS_PER_SECOND, ActionState
from punchlab.talkdesk.agent_sync import agent_sync
from punchlab.talkdesk.automation import Event

EIGHT = "2026-03-02T08:00:00+00:00"


@pytest.fixture
def floor(account, mock_api):
    """60 agents with External IDs, the live mock, and a login Automation punching the clock."""
    server, base = mock_api(users=60)
    for user in server.engine.users:
        account.add_agent(name=user["name"], email=user["email"])
    punch = account.add_connection(name="Punch Clock", description="mock", base_path=base)
    punch.add_tutorial_actions()
    clock = punch.action("Punch clock").publish()
    account.set_external_ids(punch, {agent.id: str(agent.id) for agent in account.agents()})
    account.add_automation(
        name="Punch in", when="login", action=clock, inputs={"user_id": punch.external_id_variable}
    )
    return server, punch, clock


def test_end_of_life_comes_after_deprecated_and_no_longer_runs(floor, account) -> None:
    _, punch, clock = floor
    with pytest.raises(ValidationError, match="a Active action cannot become End of Life"):
        clock.end_of_life()
    assert clock.run({"user_id": "1"}).ok
    clock.deprecate().end_of_life()
    assert clock.state is ActionState.END_OF_LIFE
    assert punch.action("Punch clock").state is ActionState.END_OF_LIFE  # stored
    with pytest.raises(ValidationError, match="End of Life and no longer runs"):
        clock.run({"user_id": "1"})
    with pytest.raises(ValidationError, match="End of Life and no longer runs"):
        clock.test(user_id="1")
    assert list(clock.runs()["outcome"]) == ["success"]  # the run log stays
    with pytest.raises(ValidationError, match="cannot become Active"):
        clock.publish()
    with pytest.raises(ValidationError, match="End of Life"):
        account.add_automation(
            name="Again", when="logout", action=clock, inputs={"user_id": "{{agent.id}}"}
        )
    # the Automation made while it was Active now records why nothing was sent
    [run] = account.login(1, at=EIGHT)
    assert run.outcome == "error" and "End of Life" in run.message
    assert punch.export()["actions"][2]["status"] == "End of Life"


def test_beyond_fifty_executions_a_second_only_the_execution_log_shows_429(floor, account):
    server, _, clock = floor
    logins = [Event("login", agent.id, EIGHT) for agent in account.agents()]
    runs = account.automation_engine.run_events(logins)
    assert len(runs) == 60 and {run.outcome for run in runs} == {"success"}  # the Automation's view
    log = clock.runs()
    assert (log["outcome"] == "success").sum() == EXECUTIONS_PER_SECOND == 50
    limited = log[log["status"] == 429]
    assert len(limited) == 10 and set(limited["outcome"]) == {"error"}
    assert limited["url"].isna().all()  # never sent
    assert limited["message"].str.contains("50 Action executions a second").all()
    assert len(server.ledger) == 50  # ten punches are missing
    assert account.replay_failed() == []  # nothing at the Automation to replay

    # the next second has room again; tests never count
    assert clock.test(user_id="1").ok
    later = clock.run({"user_id": "1"}, at="2026-03-02T08:00:01Z")
    assert later.ok and not later.rate_limited
    again = clock.run({"user_id": "1"}, at=EIGHT)
    assert again.rate_limited and again.status == 429 and again.request is None


def test_the_limit_is_per_account_across_connections(floor, account, mock_api) -> None:
    _, _, clock = floor
    _, other_base = mock_api()
    other = account.add_connection(name="Other", description="mock", base_path=other_base)
    users = other.add_tutorial_actions()[0].publish()
    for _ in range(EXECUTIONS_PER_SECOND):
        assert users.run({"page": 1}, at=EIGHT).ok
    assert clock.run({"user_id": "1"}, at=EIGHT).rate_limited


def test_agent_sync_waits_for_the_next_second_when_the_limit_refuses_a_page(account, mock_api):
    # 120 one-user pages answered in-process take well under two seconds, so at least one
    # second holds more than 50 of them: the limit refuses pages, and the sync must wait
    server, base = mock_api(users=120, page_size=1)
    for user in server.engine.users:
        account.add_agent(name=user["name"], email=user["email"])
    punch = account.add_connection(name="Punch Clock", description="mock", base_path=base)
    users = punch.add_tutorial_actions()[0].publish()
    report = agent_sync(users, account)
    assert report.pages == 120 and len(report.matched) == 120
    log = users.runs()
    refused = log[log["status"] == 429]
    assert len(refused) >= 1 and refused["url"].isna().all()
    assert (log["outcome"] == "success").sum() == 120  # every page, once it was its turn
