"""`punchlab demo`: the whole tutorial, end to end, in the terminal — "is my laptop ready?".

Every step runs for real on a throw-away account (the lab's own state is never touched): the
tutorial's agents, the mock API on a real localhost port, the Connection and its three Actions,
Agent Sync from the not-formatted endpoint with a field mapping, the login and logout
Automations, and the time sheet of the punches they made.

```python
from punchlab.course.demo import run_demo
summary = run_demo()          # prints one line per step
summary["runs"]               # {'success': 14}
```
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

__all__ = ["STEPS", "run_demo"]

STEPS = (
    "Talkdesk agents",
    "Mock server",
    "Connection and Actions",
    "Agent Sync",
    "Automations",
    "Time sheet",
)
_DAY = "2026-03-02"


def run_demo(*, echo: Callable[[str], None] = print) -> dict[str, Any]:
    """Run every step of the tutorial once and return a summary of what each produced.

    A failing step raises its error after echoing which step it was.
    """
    from ..home import TUTORIAL_COLLECTION, data_file
    from ..mock.collection import load_collection
    from ..mock.messages import MockRequest
    from ..mock.server import MockServer
    from ..store import Store
    from ..talkdesk.account import Account
    from ..talkdesk.agent_sync import agent_sync
    from ..talkdesk.events import SimulatedClock
    from ..talkdesk.mapping import FieldMapping
    from ..talkdesk.timesheet import hours, shifts

    started = time.perf_counter()
    summary: dict[str, Any] = {}
    step = 0

    def done(text: str) -> None:
        echo(f"[{step}/{len(STEPS)}] {STEPS[step - 1]:<24} {text}")

    store = Store(memory=True)
    try:
        step = 1
        account = Account(store)
        agents = account.add_tutorial_agents()
        summary["agents"] = len(agents)
        done(f"{len(agents)} agents, {agents[0].email} ... {agents[-1].email}")

        step = 2
        collection = load_collection(data_file(TUTORIAL_COLLECTION))
        replay = MockServer(collection)
        answer = replay.respond(MockRequest.build("GET", "/users/formatted"))
        if answer.status != 400:
            raise RuntimeError(f"replay: a missing page answered {answer.status}, not 400")
        clock = SimulatedClock(f"{_DAY}T07:00:00Z")
        live = MockServer(collection, mode="live", now=clock)
        with live.serve(port=0) as running:
            examples = len(collection.examples())
            done(f"replayed {examples} examples; live API on {running.url}")

            step = 3
            punch = account.add_connection(
                name="Punch Clock", description="The time-punching mock API", base_path=running.url
            )
            actions = punch.add_tutorial_actions()
            tested = [action.test(page=1) for action in actions if "{{page}}" in action.path]
            failed = [r for r in tested if r.outcome != "success"]
            if failed:
                raise RuntimeError(f"Action test failed: {failed[0].message}")
            for action in actions:
                action.publish()
            done(f"{punch.name!r} with {len(actions)} Actions, tested and published")

            step = 4
            users = punch.action("Get users (not formatted)")
            sample = users.test(page=1).data["users"]
            report = agent_sync(users, account, mapping=FieldMapping.suggest(sample))
            summary["sync"] = report.counts
            done(report.summary)

            step = 5
            clock_action = punch.action("Punch clock")
            for when in ("login", "logout"):
                account.add_automation(
                    name=f"Punch clock on {when}",
                    when=when,
                    action=clock_action,
                    inputs={"user_id": punch.external_id_variable},
                )
            # the live mock stamps punches with `clock`: set it to each event's time
            for hour, event in (("08", account.login), ("17", account.logout)):
                for index, agent in enumerate(account.agents()):
                    clock.set(f"{_DAY}T{hour}:{index * 5:02d}:00Z")
                    event(agent, at=clock.now)
            outcomes = account.runs()["outcome"].value_counts().to_dict()
            summary["runs"] = outcomes
            done(", ".join(f"{n} {outcome}" for outcome, n in outcomes.items()) + " runs")
            if set(outcomes) != {"success"}:
                raise RuntimeError(f"not every Automation run succeeded: {outcomes}")

            step = 6
            table = shifts(live.ledger.records())
            per_agent = hours(table)
            summary["hours"] = float(per_agent["hours"].sum())
            closed = int((~table["open"]).sum())
            done(f"{len(table)} shifts ({closed} closed), {summary['hours']:.1f} hours in all")
    except Exception:
        echo(f"[{step}/{len(STEPS)}] {STEPS[step - 1]} failed:")
        raise
    finally:
        store.close()
    summary["seconds"] = round(time.perf_counter() - started, 2)
    echo(f"Ready: every step of the tutorial ran on this machine in {summary['seconds']:.1f} s.")
    return summary
