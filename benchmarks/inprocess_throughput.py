"""Requests per second through an `httpx.Client` over `MockServer.transport()` (no socket).

    .venv/bin/python benchmarks/inprocess_throughput.py [--seconds 5] [--mode live|replay]

Target: more than 5,000 requests/s.
"""

from __future__ import annotations

import argparse
import time

import httpx

from punchlab.mock.server import MockServer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--mode", choices=("live", "replay"), default="replay")
    args = parser.parse_args()
    server = MockServer(mode=args.mode)
    with httpx.Client(transport=server.transport(), base_url="http://mock.punchlab") as http:
        for _ in range(200):  # warm-up (match cache, code paths)
            http.get("/users/formatted?page=1")
        count, started = 0, time.perf_counter()
        deadline = started + args.seconds
        while time.perf_counter() < deadline:
            for _ in range(100):
                assert http.get("/users/formatted?page=1").status_code == 200
            count += 100
        elapsed = time.perf_counter() - started
    print(f"in-process ({args.mode} mode): {count} requests in {elapsed:.2f} s")
    print(f"  {count / elapsed:,.0f} requests/s   (target: > 5,000/s)")


if __name__ == "__main__":
    main()
