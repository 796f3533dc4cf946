"""The test suite (package tests + every notebook, as the last step of `make test` runs them; the
browser, hub and install-route tests run apart) N times in a row on a fresh clone, each run's time
and the slowest.

    .venv/bin/python benchmarks/suite_runs.py [--runs 20] [--timeout 300] [--load]

The clone is `git clone` of this checkout's committed HEAD into a temporary folder (uncommitted
changes are not in it). It runs with this environment's Python and packages, but imports the
clone's `punchlab`: PYTHONPATH points at the clone, for pytest and for the notebook kernels.
Each run gets a throw-away PUNCHLAB_HOME. `--load` keeps one extra process spinning on a core
for the whole measurement, as another job on the machine would. `--timeout` is the per-cell
allowance passed to nbmake: leave it long (300 s) to see a stall as a slow run instead of a
failed one.

Target (issue 15): with `--timeout 300 --load`, 20 runs, every one under 90 s on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT


def clone(into: Path) -> Path:
    target = into / "punchlab"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(target)], check=True)
    head = subprocess.run(
        ["git", "-C", str(target), "rev-parse", "--short", "HEAD"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    print(f"fresh clone of {ROOT} at {head} in {target}")
    return target


def suite_command(timeout: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-n",
        "2",
        "--nbmake",
        f"--nbmake-timeout={timeout}",
        "--durations=3",
        # as the third step of `make test`; the browser, hub and install-route tests run apart
        "--ignore=tests/browser",
        "--ignore=tests/hub",
        "--ignore=tests/setup",
        "tests",
        "notebooks",
    ]


def run_once(checkout: Path, command: list[str], log: Path) -> tuple[float, int]:
    with tempfile.TemporaryDirectory(prefix="punchlab-home-") as home:
        env = {**os.environ, "PUNCHLAB_HOME": home, "PYTHONPATH": str(checkout)}
        started = time.perf_counter()
        with log.open("wb") as out:
            # its own process group, so an interrupted measurement stops the xdist workers and
            # the kernels too
            suite = subprocess.Popen(
                command,
                cwd=checkout,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                status = suite.wait()
            except BaseException:
                os.killpg(suite.pid, signal.SIGTERM)
                suite.wait()
                raise
        return time.perf_counter() - started, status


def load_text() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--timeout", type=int, default=300, help="nbmake's per-cell timeout (s)")
    parser.add_argument("--load", action="store_true", help="keep one extra core busy")
    parser.add_argument("--limit", type=float, default=90.0, help="the time a run must stay under")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up as on Ctrl-C

    with tempfile.TemporaryDirectory(prefix="punchlab-suite-") as folder:
        checkout = clone(Path(folder))
        where = subprocess.run(
            [sys.executable, "-c", "import punchlab; print(punchlab.__file__)"],
            cwd=checkout / "notebooks",
            env={**os.environ, "PYTHONPATH": str(checkout)},
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        print(f"punchlab imported from {where}")
        command = suite_command(args.timeout)
        print("$", " ".join(command[1:]))
        spinner = None
        if args.load:
            spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
            print(f"--load: process {spinner.pid} keeps a core busy")
        times: list[float] = []
        failed = 0
        try:
            for number in range(1, args.runs + 1):
                log = Path(folder) / f"run-{number}.log"
                seconds, status = run_once(checkout, command, log)
                times.append(seconds)
                verdict = "passed" if status == 0 else f"FAILED (exit {status})"
                if status:
                    failed += 1
                    tail = log.read_text(errors="replace").splitlines()[-15:]
                    print("\n".join(f"    | {line}" for line in tail))
                print(f"run {number:2d}: {seconds:6.1f} s  {verdict}  ({load_text()})", flush=True)
        finally:
            if spinner is not None:
                spinner.kill()
                spinner.wait()
    over = sum(seconds >= args.limit for seconds in times)
    print(
        f"{len(times)} runs: max {max(times):.1f} s, median {statistics.median(times):.1f} s, "
        f"min {min(times):.1f} s; {over} at or over {args.limit:.0f} s; {failed} failed"
    )
    return 1 if failed or over else 0


if __name__ == "__main__":
    sys.exit(main())
