"""HTTP throughput of `punchlab serve` against open-source Postman-collection mocks, with wrk.

    .venv/bin/python benchmarks/replay_throughput.py [--seconds 10] [--peers-dir DIR] [--no-peers]

Every server answers `GET /users/formatted?page=1` from the tutorial's collection, one at a time,
on this machine: wrk with 2 threads and 16 connections after a short warm-up. The peers come from
the npm registry into a temporary folder (never committed):

* `@iyogeshjoshi/postman-mock-server` (Express),
* `@jordanwalsh23/postman-local-mock-server` (Express + postman-collection; its stale
  dependency on the `http` placeholder package is overridden by an empty stub: Node's built-in
  `http` module is what it loads anyway),
* `@stoplight/prism-cli` 5 (`prism mock`).

punchlab runs in replay mode and in live mode.
Target: punchlab at least 2x the fastest peer. One uvicorn process (httptools on asyncio's
own loop, a raw ASGI app, no per-request logging) reaches about 2.4-2.9x the fastest peer on a
2-core machine (uvloop, which the lessons do not install to keep them small, adds about 10%), so
`punchlab serve` runs no extra worker processes: they would compete with wrk for the same cores
and make start-up slower. Needs `wrk` (installed with apt-get if missing)
and `npm`/`node` for the peers.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
from _common import TUTORIAL, free_port, punchlab_command, wait_until_answering

PATH = "/users/formatted?page=1"
PEERS = ["@iyogeshjoshi/postman-mock-server", "@jordanwalsh23/postman-local-mock-server"]
PRISM = "@stoplight/prism-cli@5"


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    print("installing wrk with apt-get ...", flush=True)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-q", "wrk"], check=True)
    return shutil.which("wrk") or "wrk"


def install_peers(folder: Path) -> None:
    if (folder / "node_modules" / ".bin" / "prism").exists():
        return
    stub = folder / "stub-http"
    stub.mkdir(parents=True, exist_ok=True)
    (stub / "package.json").write_text(json.dumps({"name": "http", "version": "0.0.1-security"}))
    package = {"name": "mock-peers", "private": True, "overrides": {"http": "file:./stub-http"}}
    (folder / "package.json").write_text(json.dumps(package))
    print(f"installing the peers from npm into {folder} ...", flush=True)
    subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--silent", *PEERS, PRISM],
        cwd=folder,
        check=True,
    )


def wrk(wrk_exe: str, url: str, seconds: float) -> tuple[float, str]:
    out = subprocess.run(
        [wrk_exe, "-t2", "-c16", f"-d{seconds:g}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M)
    note = f"p50 {p50.group(1) if p50 else '?'}"
    if non_2xx:
        note += f", {non_2xx.group(1)} non-2xx!"
    return rate, note


def measure(name: str, command: list[str], port: int, wrk_exe: str, seconds: float, cwd=None):
    process = subprocess.Popen(
        command,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}{PATH}"
    try:
        wait_until_answering(url, process)
        status = httpx.get(url).status_code
        wrk(wrk_exe, url, 2)  # warm-up (JIT, caches)
        rate, note = wrk(wrk_exe, url, seconds)
        print(f"  {name:<42} {rate:>10,.0f} req/s  ({note}, first answer {status})", flush=True)
        return rate
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--peers-dir", type=Path, help="reuse this folder for the npm peers")
    parser.add_argument("--no-peers", action="store_true", help="measure punchlab only")
    args = parser.parse_args()
    wrk_exe = ensure_wrk()
    collection = str(TUTORIAL)

    ours: dict[str, float] = {}
    peers: dict[str, float] = {}
    print(f"wrk -t2 -c16 -d{args.seconds:g}s http://127.0.0.1:PORT{PATH}\n", flush=True)
    for mode in ("replay", "live"):  # live mode over the collection's 7 users
        port = free_port()
        command = [*punchlab_command(), "serve", collection, "--mode", mode]
        rate = measure(
            f"punchlab serve --mode {mode}",
            [*command, "--port", str(port)],
            port,
            wrk_exe,
            args.seconds,
        )
        ours[f"punchlab ({mode})"] = rate

    if not args.no_peers:
        if not shutil.which("npm"):
            sys.exit("npm is needed for the peers (or pass --no-peers)")
        with tempfile.TemporaryDirectory(prefix="punchlab-peers-") as tmp:
            folder = args.peers_dir or Path(tmp)
            folder.mkdir(parents=True, exist_ok=True)
            install_peers(folder)
            modules = folder / "node_modules"
            for package in PEERS:
                port = free_port()
                cli = modules / package / "bin" / "postman-local-cli.js"
                rate = measure(
                    package,
                    ["node", str(cli), "-c", collection, "-p", str(port)],
                    port,
                    wrk_exe,
                    args.seconds,
                    cwd=folder,
                )
                peers[package] = rate
            port = free_port()
            prism = [
                str(modules / ".bin" / "prism"),
                "mock",
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-v",
                "silent",
                collection,
            ]
            peers["prism 5 (@stoplight/prism-cli)"] = measure(
                "prism mock (5)", prism, port, wrk_exe, args.seconds, cwd=folder
            )

    print()
    fastest = max(peers.values(), default=None)
    print(f"{'server':<40} {'req/s':>10}  {'vs fastest peer':>15}")
    for name, rate in {**ours, **peers}.items():
        ratio = f"{rate / fastest:.2f}x" if fastest else "-"
        print(f"{name:<40} {rate:>10,.0f}  {ratio:>15}")
    if fastest:
        best = max(ours.values())
        verdict = "met" if best >= 2 * fastest else "NOT met"
        print(f"\ntarget punchlab >= 2x the fastest peer ({2 * fastest:,.0f} req/s): {verdict}")


if __name__ == "__main__":
    main()
