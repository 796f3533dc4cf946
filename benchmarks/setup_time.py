"""A learner's first minutes: fresh `git clone` to JupyterLab answering on `/lab`, and `.venv` size.

    .venv/bin/python benchmarks/setup_time.py [--routes uv,uv-path,pip] [--caches warm,empty]

Routes (the Makefile's INSTALLER): `uv` is what `make lab` does on a machine without uv (uv
installed with pip into `.tools/uv`, then `uv sync` from uv.lock); `uv-path` is a machine with
uv on PATH; `pip` is `INSTALLER=pip` (pip from pyproject.toml). Caches: `empty` runs with empty
package caches for uv and pip (fresh folders); `warm` after one untimed run with the user's own
caches. Each run: clone, `make .venv/.installed-lab` (install), then `make lab` until `/lab`
answers (start). Targets on a 2-core machine: warm <= 10 s, empty <= 30 s, `.venv` <= 400 MB.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.setup.learner import ROOT, fresh_checkout, isolated_env, lab, size_mb  # noqa: E402

UV = Path(sys.executable).with_name("uv")


def run_once(route: str, cache: str, work: Path) -> dict[str, float]:
    extra: dict[str, str] = {}
    if cache == "empty":
        extra |= {"UV_CACHE_DIR": str(work / "uv-cache"), "PIP_CACHE_DIR": str(work / "pip-cache")}
    if route == "uv-path":
        (work / "bin").mkdir()
        (work / "bin" / "uv").symlink_to(UV)
        extra["PATH"] = f"{work / 'bin'}{os.pathsep}{os.environ['PATH']}"
    installer = "pip" if route == "pip" else "auto"
    env = isolated_env(work, extra)
    started = time.perf_counter()
    checkout = fresh_checkout(work / "punchlab", clone=True)
    cloned = time.perf_counter()
    subprocess.run(
        ["make", "--no-print-directory", ".venv/.installed-lab", f"INSTALLER={installer}"],
        cwd=checkout,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    installed = time.perf_counter()
    with lab(checkout, installer=installer, env=env):
        answered = time.perf_counter()
    return {
        "clone": cloned - started,
        "install": installed - cloned,
        "start": answered - installed,
        "total": answered - started,
        "venv_mb": size_mb(checkout / ".venv"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--routes", default="uv,uv-path,pip")
    parser.add_argument("--caches", default="empty,warm")
    args = parser.parse_args()
    print(f"fresh clone of {ROOT} to JupyterLab on /lab (load average {os.getloadavg()[0]:.1f})")
    rows = []
    for route in args.routes.split(","):
        if route == "uv-path" and not UV.exists():
            print("uv-path: skipped, no uv next to this Python (make test installs it)")
            continue
        for cache in args.caches.split(","):
            if cache == "warm":  # fill the user's caches for this route first
                with tempfile.TemporaryDirectory() as folder:
                    run_once(route, "user", Path(folder))
            with tempfile.TemporaryDirectory() as folder:
                figures = run_once(route, cache, Path(folder))
            rows.append((route, cache, figures))
            print(
                f"  {route:<8} {cache:<6} {figures['total']:6.1f} s  ({figures['venv_mb']:.0f} MB)",
                flush=True,
            )
    print()
    print("| route | cache | clone s | install s | JupyterLab start s | total s | .venv MB |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for route, cache, f in rows:
        print(
            f"| {route} | {cache} | {f['clone']:.1f} | {f['install']:.1f} | {f['start']:.1f} "
            f"| {f['total']:.1f} | {f['venv_mb']:.0f} |"
        )
    print(
        f"\nload average after: {os.getloadavg()[0]:.1f} (2 cores); targets: warm <= 10 s, "
        "empty <= 30 s, .venv <= 400 MB"
    )


if __name__ == "__main__":
    main()
