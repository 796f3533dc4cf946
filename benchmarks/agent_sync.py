"""Agent Sync at scale: 100,000 external users synced onto 100,000 agents.

The users come page by page (1,000 a page) from an in-process paginated users API over HTTP
(`punchlab.inprocess`), in the not-formatted shape, so the run covers pagination, field mapping
with transforms, schema validation, vectorised email matching and one apply of every External ID.

    .venv/bin/python benchmarks/agent_sync.py [--users 100000] [--page-size 1000] [--tracemalloc]

Targets: under 3 s end to end, peak memory under 1 GiB. Peak RSS is the whole process (Python,
pandas, the generated data); `--tracemalloc` also reports the Python allocations of the sync
itself (slower while tracing).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
import tracemalloc

import httpx
import pandas as pd

from punchlab.inprocess import client, mount, unmount
from punchlab.sync import agent_sync, http_fetcher

BASE = "http://bench-users.punchlab"


def users_api(users: list[dict], page_size: int) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        size = int(request.url.params.get("page_size", page_size))
        chunk = users[(page - 1) * size : page * size]
        body = json.dumps({"count": len(chunk), "total": len(users), "users": chunk})
        return httpx.Response(200, content=body, headers={"content-type": "application/json"})

    return httpx.MockTransport(handle)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--tracemalloc", action="store_true")
    args = parser.parse_args(argv)
    n = args.users

    # external users: every 5th email in a different case with spaces; agents: the same people,
    # plus 1% of agents with no external user, and 10% already synced (half of them to a stale ID)
    users = [
        {
            "name": f"User {i}",
            "punch_clock_id": i,
            "punch_clock_email": f" USER+{i}@TalkDesk.com"
            if i % 5 == 0
            else f"user+{i}@talkdesk.com",
        }
        for i in range(1, n + 1)
    ]
    agent_ids = range(1, n + 1)
    agents = pd.DataFrame(
        {
            "id": agent_ids,
            "name": [f"Agent {i}" for i in agent_ids],
            "email": [
                f"user+{i}@talkdesk.com" if i % 100 else f"someone.else{i}@talkdesk.com"
                for i in agent_ids
            ],
            "active": True,
            "external_id": [
                (str(i) if i % 20 else str(i + 1)) if i % 10 == 0 else None for i in agent_ids
            ],
        }
    )
    mapping = {"id": "punch_clock_id", "name": "name", "email": "punch_clock_email | strip"}
    applied: dict[int, str] = {}

    mount(BASE, users_api(users, args.page_size))
    try:
        if args.tracemalloc:
            tracemalloc.start()
        start = time.perf_counter()
        with client() as http:
            report = agent_sync(
                http_fetcher(f"{BASE}/users/not-formatted", client=http,
                             params={"page_size": args.page_size}),
                agents,
                applied.update,
                mapping=mapping,
                progress=False,
            )  # fmt: skip
        elapsed = time.perf_counter() - start
        traced = tracemalloc.get_traced_memory()[1] if args.tracemalloc else None
    finally:
        unmount(BASE)

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rss_mib = rss / 1024 if sys.platform != "darwin" else rss / 2**20
    print(f"Agent Sync: {n:,} users x {len(agents):,} agents, page size {args.page_size}")
    print(f"  {report.summary}")
    print(f"  stopped: {report.stop_reason}")
    print(f"  time end to end: {elapsed:.2f} s   (target < 3 s)")
    print(f"  peak RSS of the process: {rss_mib:.0f} MiB   (target < 1024 MiB)")
    if traced is not None:
        print(f"  peak traced by tracemalloc during the sync: {traced / 2**20:.0f} MiB")
    expected = n - n // 100 - (n // 10 - n // 20)  # unmatched agents, and unchanged ones
    fast = elapsed < 3 or args.tracemalloc  # tracing slows Python several times over
    ok = len(applied) == expected and fast and rss_mib < 1024
    print("  OK" if ok else f"  NOT OK (applied {len(applied):,}, expected {expected:,})")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
