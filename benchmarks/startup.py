"""Start-up time of `punchlab serve`: from exec to the first successful HTTP answer.

    .venv/bin/python benchmarks/startup.py [--runs 20] [--mode live|replay] [--users N]

Target: median under 300 ms.
"""

from __future__ import annotations

import argparse
import signal
import statistics
import subprocess
import time

import httpx
from _common import free_port, punchlab_command


def once(mode: str, extra: list[str]) -> float:
    port = free_port()
    url = f"http://127.0.0.1:{port}/users/formatted?page=1"
    started = time.perf_counter()
    process = subprocess.Popen(
        [*punchlab_command(), "serve", "--mode", mode, *extra, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(process.stderr.read().decode())
            try:
                if httpx.get(url, timeout=1).status_code == 200:
                    return time.perf_counter() - started
            except httpx.TransportError:
                time.sleep(0.002)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--mode", choices=("live", "replay"), default="replay")
    parser.add_argument("--users", type=int, help="live mode: N generated users")
    args = parser.parse_args()
    extra = ["--users", str(args.users)] if args.users else []
    once(args.mode, extra)  # warm the file cache
    times = sorted(once(args.mode, extra) * 1000 for _ in range(args.runs))
    p90 = times[min(len(times) - 1, round(0.9 * (len(times) - 1)))]
    print(f"punchlab serve --mode {args.mode}: {args.runs} runs, exec -> first 200 answer")
    print(f"  median {statistics.median(times):6.1f} ms")
    print(f"  p90    {p90:6.1f} ms")
    print(f"  min    {times[0]:6.1f} ms   max {times[-1]:6.1f} ms   (target: median < 300 ms)")


if __name__ == "__main__":
    main()
