"""`make lab` on a fresh copy of the repository, by both routes a learner's machine may take.

uv (bootstrapped with pip into `.tools/uv` when not on PATH) installs what `uv.lock` pins; pip
installs from `pyproject.toml`. Either way the learner gets the lessons' packages without the
test tools, and JupyterLab opens on notebook 00 without asking about Jupyter news.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import httpx
import pytest

from tests.setup.learner import ROOT, fresh_checkout, installed, lab, size_mb

NOTIFICATION = "@jupyterlab/apputils-extension:notification"
TEST_TOOLS = ("pytest", "playwright", "ruff", "nbmake", "jupyterhub")
LEARNER_VENV_MB = 400  # the size a learner downloads and keeps (README: Quick start)


def uv() -> str:
    """uv from this environment (the test extra installs it)."""
    local = Path(sys.executable).with_name("uv")
    return str(local) if local.exists() else "uv"


def test_uv_lock_matches_pyproject() -> None:
    result = subprocess.run(
        [uv(), "lock", "--check"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, f"uv.lock is stale, run `make lock`:\n{result.stderr}"


def locked_versions() -> dict[str, set[str]]:
    """Each package's versions in uv.lock (more than one where Python versions fork)."""
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    pinned: dict[str, set[str]] = {}
    for package in lock["package"]:
        if "version" in package:
            pinned.setdefault(package["name"], set()).add(package["version"])
    return pinned


def check_lab(url: str) -> None:
    """JupyterLab answers, opens on notebook 00, and will not ask about news."""
    base, _, query = url.partition("/lab?")
    token = query.removeprefix("token=")
    headers = {"Authorization": f"token {token}"}
    home = httpx.get(f"{base}/", headers=headers)
    assert home.status_code == 302
    assert home.headers["location"].rstrip("?").endswith("/lab/tree/00_setup_check.ipynb")
    settings = httpx.get(f"{base}/lab/api/settings/{NOTIFICATION}", headers=headers)
    assert settings.status_code == 200
    # lab-settings/punchlab.json, installed with punchlab, turns the defaults to "never ask"
    defaults = settings.json()["schema"]["properties"]
    assert defaults["fetchNews"]["default"] == "false"
    assert defaults["checkForUpdates"]["default"] is False
    assert settings.json()["raw"] in ("{}", "")


@pytest.mark.parametrize("installer", ["auto", "pip"])
def test_make_lab_on_a_fresh_copy(installer: str, tmp_path: Path) -> None:
    checkout = fresh_checkout(tmp_path / "punchlab")
    with lab(checkout, installer=installer) as url:
        check_lab(url)
    packages = installed(checkout)
    assert {"punchlab", "jupyterlab", "ipywidgets", "pandas"} <= set(packages)
    assert not set(TEST_TOOLS) & set(packages), "make lab installed test tools"
    assert "jupyter-server-proxy" not in packages, "make lab installed the hub's room extra"
    assert (checkout / ".venv" / ".installed-lab").exists()
    assert not (checkout / ".venv" / ".installed-test").exists()
    if installer == "auto":  # uv: exactly the versions uv.lock pins, and no pip in the venv
        pinned = locked_versions()
        differ = {n: v for n, v in packages.items() if v not in pinned.get(n, set())}
        assert not differ, f"not the locked versions: {differ}"
        assert "pip" not in packages
        # after JupyterLab has run (its bytecode included); the locked set makes it repeatable
        venv_mb = size_mb(checkout / ".venv")
        assert venv_mb <= LEARNER_VENV_MB, f"the learner's .venv is {venv_mb:.0f} MB"
    else:
        assert "pip" in packages
