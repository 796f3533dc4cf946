"""Automations at scale: 10,000 login/logout events against the live mock, every one recorded.

A sandbox account with N agents (all with External IDs), a Connection to `MockServer(mode="live")`
mounted in-process, the Punch clock Action published, and two Automations (punch on login, punch
on logout). The events alternate login/logout per agent; each runs its Automation, which renders
`{{agent.connection_<id>.external_id}}`, calls the mock and leaves a run record.

    .venv/bin/python benchmarks/automation_events.py [--events 10000] [--agents 100] [--file]

`--file` keeps the lab's state in a SQLite file (WAL) instead of memory. Target: under 5 s.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from punchlab import Account, MockServer, Store
from punchlab.talkdesk.action import EXECUTIONS_PER_SECOND
from punchlab.talkdesk.automation import Event


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--agents", type=int, default=100)
    parser.add_argument("--file", action="store_true", help="a SQLite file instead of memory")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        store = Store(Path(scratch) / "lab.sqlite3") if args.file else Store(memory=True)
        account = Account(store)
        server = MockServer(mode="live", users=args.agents)
        base = server.mount("http://bench-automation.punchlab")
        for user in server.engine.users:
            account.add_agent(name=user["name"], email=user["email"])
        punch = account.add_connection(name="Punch Clock", description="bench", base_path=base)
        punch.add_tutorial_actions()
        clock = punch.action("Punch clock").publish()
        account.set_external_ids(punch, {a.id: str(a.id) for a in account.agents()})
        for when in ("login", "logout"):
            account.add_automation(
                name=f"Punch on {when}",
                when=when,
                action=clock,
                inputs={"user_id": punch.external_id_variable},
            )
        ids = [agent.id for agent in account.agents()]
        start = datetime(2026, 3, 2, 8, tzinfo=UTC)
        # Talkdesk runs 50 Action executions a second per account: beyond that they fail
        # with 429 unsent, so the events are spread at 50 a second to time real calls
        events = [
            Event(
                "login" if (i // len(ids)) % 2 == 0 else "logout",
                ids[i % len(ids)],
                (start + timedelta(seconds=i // EXECUTIONS_PER_SECOND)).isoformat(),
            )
            for i in range(args.events)
        ]
        started = time.perf_counter()
        runs = account.automation_engine.run_events(events)
        elapsed = time.perf_counter() - started
        recorded = store.query("SELECT COUNT(*) FROM automation_runs")[0][0]
        outcomes = store.query(
            "SELECT outcome, COUNT(*) AS n FROM automation_runs GROUP BY outcome"
        )
        server.unmount()
        store.close()

    print(
        f"events: {args.events}  agents: {args.agents}  store: {'file' if args.file else 'memory'}"
    )
    print(f"total: {elapsed:.2f} s  ({args.events / elapsed:,.0f} events/s)")
    print(f"runs returned: {len(runs)}  run records: {recorded}  punches: {len(server.ledger)}")
    print("outcomes: " + ", ".join(f"{row['outcome']}={row['n']}" for row in outcomes))
    ok = recorded == args.events and elapsed < 5.0
    print("target (< 5 s, every event recorded):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
