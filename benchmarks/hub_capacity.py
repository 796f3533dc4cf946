"""A room on one JupyterHub: memory and start time per attendee, and the sizing they imply.

    .venv/bin/python benchmarks/hub_capacity.py [--users 5] [--write docs/workshop.md]

A real hub (tests/hub/hubrun.py: the shipped deploy config, the simple local-process spawner,
configurable-http-proxy from `.tools/`) on 127.0.0.1. For each attendee in turn: start their
server through the REST API (seconds until ready), run the heart of the course in their kernel
(tests/hub/course_steps.py), then read the resident memory (RSS) of their single-user server
plus its kernel, and the CPU seconds both used. The sizing for 30, 100 and 200 attendees follows
from the largest attendee measured:

- memory = attendees x (RSS per attendee x 1.25 headroom) + the hub and its proxy;
- cores = enough that every attendee's server start and course steps (CPU seconds, measured) fit
  into a 2-minute "everybody run the first cells now" window, and at least 1 core per 25 attendees
  for the typing and reading in between.

`--write FILE` replaces the table between `<!-- sizing:start -->` and `<!-- sizing:end -->`.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.hub.course_steps import COURSE  # noqa: E402
from tests.hub.hubrun import Hub, proxy_command  # noqa: E402

HEADROOM = 1.25
BURST_SECONDS = 120
USERS_PER_CORE = 25
MB = 1024 * 1024


def server_process(name: str) -> psutil.Process:
    """`name`'s single-user server (the spawner sets JUPYTERHUB_USER in its environment)."""
    for process in psutil.process_iter(["cmdline"]):
        if "jupyterhub-singleuser" not in " ".join(process.info["cmdline"] or []):
            continue
        try:
            if process.environ().get("JUPYTERHUB_USER") == name:
                return process
        except psutil.Error:
            continue
    raise LookupError(f"no single-user server for {name}")


def tree(process: psutil.Process) -> list[psutil.Process]:
    return [process, *process.children(recursive=True)]


def rss_mb(processes: list[psutil.Process]) -> float:
    return sum(p.memory_info().rss for p in processes) / MB


def cpu_seconds(processes: list[psutil.Process]) -> float:
    return sum(sum(p.cpu_times()[:2]) for p in processes)


def measure(users: int) -> dict:
    names = [f"attendee{n}" for n in range(1, users + 1)]
    rows = []
    with tempfile.TemporaryDirectory() as folder, Hub(Path(folder)) as hub:
        hub.add_users(names)
        for name in names:
            start = hub.start_server(name)
            server = server_process(name)
            began = time.perf_counter()
            hub.run(name, COURSE.format(name=name))
            course = time.perf_counter() - began
            processes = tree(server)
            rows.append(
                {
                    "name": name,
                    "start_s": start,
                    "course_s": course,
                    "rss_mb": rss_mb(processes),
                    "cpu_s": cpu_seconds(processes),
                    "processes": len(processes),
                }
            )
        hub_tree = tree(psutil.Process(hub.process.pid))
        user_pids = {p.pid for name in names for p in tree(server_process(name))}
        overhead = rss_mb([p for p in hub_tree if p.pid not in user_pids])
    return {"rows": rows, "hub_mb": overhead}


def sizing(result: dict) -> list[tuple[int, float, int]]:
    per_user_mb = max(r["rss_mb"] for r in result["rows"]) * HEADROOM
    cpu = max(r["cpu_s"] for r in result["rows"])
    table = []
    for attendees in (30, 100, 200):
        memory_gb = (attendees * per_user_mb + result["hub_mb"]) / 1024
        cores = max(
            math.ceil(attendees * cpu / BURST_SECONDS), math.ceil(attendees / USERS_PER_CORE)
        )
        table.append((attendees, memory_gb, cores))
    return table


def markdown(result: dict) -> str:
    rows = result["rows"]
    per_user = max(r["rss_mb"] for r in rows)
    lines = [
        f"Measured by `benchmarks/hub_capacity.py` on a 2-core machine (load average "
        f"{os.getloadavg()[0]:.1f} while measuring), {len(rows)} attendees one after another:",
        "",
        "| per attendee | median | largest |",
        "|---|---:|---:|",
        f"| server start (s) | {statistics.median(r['start_s'] for r in rows):.1f} "
        f"| {max(r['start_s'] for r in rows):.1f} |",
        f"| course steps in the kernel (s) | {statistics.median(r['course_s'] for r in rows):.1f} "
        f"| {max(r['course_s'] for r in rows):.1f} |",
        f"| RSS of server + kernel (MB) | {statistics.median(r['rss_mb'] for r in rows):.0f} "
        f"| {per_user:.0f} |",
        f"| CPU seconds, start + course | {statistics.median(r['cpu_s'] for r in rows):.1f} "
        f"| {max(r['cpu_s'] for r in rows):.1f} |",
        "",
        f"The hub and its proxy: {result['hub_mb']:.0f} MB. Sizing: memory = attendees x "
        f"{per_user:.0f} MB x {HEADROOM} headroom + the hub; cores = every attendee's CPU seconds "
        f"within a {BURST_SECONDS} s burst, and at least one core per {USERS_PER_CORE} attendees.",
        "",
        "| attendees | memory | cores | route |",
        "|---:|---:|---:|---|",
    ]
    routes = {
        30: "laptops (`make lab`), or one server with The Littlest JupyterHub",
        100: "one server with The Littlest JupyterHub",
        200: "Kubernetes with Zero to JupyterHub (deploy/values.yaml)",
    }
    for attendees, memory_gb, cores in sizing(result):
        lines.append(f"| {attendees} | {memory_gb:.0f} GB | {cores} | {routes[attendees]} |")
    return "\n".join(lines)


def write_into(path: Path, text: str) -> None:
    content = path.read_text()
    pattern = re.compile(r"(<!-- sizing:start -->\n).*?(\n<!-- sizing:end -->)", re.S)
    if not pattern.search(content):
        raise SystemExit(f"{path}: no <!-- sizing:start --> ... <!-- sizing:end --> markers")
    path.write_text(pattern.sub(lambda m: m.group(1) + text + m.group(2), content))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=5)
    parser.add_argument("--write", type=Path, help="a Markdown file with sizing markers")
    args = parser.parse_args()
    if proxy_command() is None:
        raise SystemExit("configurable-http-proxy is missing: npm install --prefix .tools ...")
    result = measure(args.users)
    print("| attendee | start s | course s | RSS MB | CPU s | processes |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in result["rows"]:
        print(
            f"| {r['name']} | {r['start_s']:.1f} | {r['course_s']:.1f} | {r['rss_mb']:.0f} "
            f"| {r['cpu_s']:.1f} | {r['processes']} |"
        )
    text = markdown(result)
    print()
    print(text)
    if args.write:
        write_into(args.write, text)
        print(f"\nwritten into {args.write}")


if __name__ == "__main__":
    main()
