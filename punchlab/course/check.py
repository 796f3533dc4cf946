"""The environment check behind `notebooks/00_setup_check.ipynb` and `punchlab check`.

```python
from punchlab.course.check import run_env_check
results = run_env_check()          # prints one [ OK ] / [FAIL] line per check
assert all(r.ok for r in results)
```
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

__all__ = ["CheckResult", "REQUIRED", "run_env_check"]

MIN_PYTHON = (3, 11)
# distribution name -> import name
REQUIRED = {
    "jupyterlab": "jupyterlab",
    "ipywidgets": "ipywidgets",
    "httpx": "httpx",
    "pandas": "pandas",
    "jsonschema": "jsonschema",
    "uvicorn": "uvicorn",
    "tqdm": "tqdm",
    "matplotlib": "matplotlib",
}


@dataclass(frozen=True)
class CheckResult:
    """One line of the environment check."""

    name: str
    ok: bool
    detail: str

    def __str__(self) -> str:
        return f"[{' OK ' if self.ok else 'FAIL'}] {self.name}: {self.detail}"


def _python() -> str:
    version = ".".join(map(str, sys.version_info[:3]))
    if sys.version_info[:2] < MIN_PYTHON:
        raise RuntimeError(f"Python {version}, need {'.'.join(map(str, MIN_PYTHON))}+")
    return version


def _package(dist: str, module: str) -> Callable[[], str]:
    def check() -> str:
        __import__(module)
        return metadata.version(dist)

    return check


def _punchlab() -> str:
    # The package's own folder, read from here: the check sits below `punchlab/__init__.py`.
    return f"{metadata.version('punchlab')} from {Path(__file__).resolve().parents[1]}"


def _in_process_http() -> str:
    from punchlab.home import TUTORIAL_COLLECTION, data_file
    from punchlab.inprocess import client
    from punchlab.mock.server import MockServer

    data_file(TUTORIAL_COLLECTION)
    server = MockServer(mode="live")  # the live mock over the tutorial collection's users
    base = server.mount("http://setup-check.punchlab")
    try:
        with client() as http:
            page = http.get(f"{base}/users/formatted", params={"page": 1}).raise_for_status()
            punch = http.post(f"{base}/user/1/punch-clock").raise_for_status().json()
    finally:
        server.unmount()
    answer = page.json()
    if answer.get("count") != 5 or punch.get("type") != "in":
        raise RuntimeError(f"unexpected answers {answer!r} / {punch!r}")
    total = answer["total"]
    return f"the live mock answered in-process ({total} users from the tutorial's collection)"


def _pandas_table() -> str:
    import pandas as pd

    frame = pd.DataFrame([{"id": 1, "email": "user+1@talkdesk.com"}])
    return f"DataFrame of {frame.shape[0]} row x {frame.shape[1]} columns"


def run_env_check(*, raise_exc: bool = False, quiet: bool = False) -> list[CheckResult]:
    """Run every check, print one line each, and return the results.

    With `raise_exc=True` a failing check raises `RuntimeError` after all have run (for CI).
    """
    checks: list[tuple[str, Callable[[], str]]] = [("python", _python)]
    checks += [(dist, _package(dist, module)) for dist, module in REQUIRED.items()]
    checks += [
        ("punchlab", _punchlab),
        ("in-process HTTP", _in_process_http),
        ("pandas", _pandas_table),
    ]
    results = []
    for name, check in checks:
        try:
            results.append(CheckResult(name, True, check()))
        except Exception as exc:  # a check reports any failure as a [FAIL] line
            results.append(CheckResult(name, False, f"{type(exc).__name__}: {exc}"))
        if not quiet:
            print(results[-1])
    failed = [r.name for r in results if not r.ok]
    if raise_exc and failed:
        raise RuntimeError(f"environment check failed: {', '.join(failed)}")
    return results
