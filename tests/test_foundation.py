from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx

import punchlab
from punchlab.cli import main
from punchlab.course.check import run_env_check
from punchlab.inprocess import client, mount, mounted, unmount


def test_public_api_is_declared() -> None:
    for name in punchlab.__all__:
        assert hasattr(punchlab, name), name


def test_tutorial_collection_ships_with_restored_emails() -> None:
    path = punchlab.data_file("time_punching_integration.postman_collection.json")
    text = path.read_text(encoding="utf-8")
    assert "user+7@talkdesk.com" in text
    assert "[email" not in text
    assert json.loads(text)["info"]["name"] == "Time Punching Integration"


def test_lab_home_follows_the_environment(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PUNCHLAB_HOME", str(tmp_path / "lab"))
    assert punchlab.lab_home() == tmp_path / "lab"
    assert (tmp_path / "lab").is_dir()


def test_env_check_passes_here(capsys) -> None:
    results = run_env_check(raise_exc=True)
    assert {r.name for r in results} >= {"python", "httpx", "pandas", "in-process HTTP"}
    assert "[ OK ] python" in capsys.readouterr().out


def test_in_process_mounts_route_by_host() -> None:
    base = "http://test-mount.punchlab"
    mount(base, httpx.MockTransport(lambda r: httpx.Response(201, text=r.url.path)))
    try:
        assert mounted(base + "/deep/path")
        with client() as http:
            response = http.post(base + "/x")
        assert (response.status_code, response.text) == (201, "/x")
    finally:
        unmount(base)
    assert not mounted(base)


def test_cli_check_exits_zero(capsys) -> None:
    assert main(["check"]) == 0
    assert "[ OK ]" in capsys.readouterr().out


def test_console_script_is_installed() -> None:
    exe = Path(sys.executable).with_name("punchlab")
    out = subprocess.run([str(exe), "--help"], capture_output=True, text=True, check=True).stdout
    assert "check" in out


def test_import_punchlab_stays_light() -> None:
    heavy = ("pandas", "ipywidgets", "matplotlib", "jsonschema", "yaml", "openapi_spec_validator")
    code = (
        f"import sys, punchlab, punchlab.cli; print(sorted(m for m in {heavy} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_cli_reset_restores_the_tutorial_start(tmp_path: Path, monkeypatch, capsys) -> None:
    from punchlab.store import Store
    from punchlab.talkdesk.account import Account

    monkeypatch.setenv("PUNCHLAB_HOME", str(tmp_path))
    store = Store.default()
    account = Account(store)
    account.add_tutorial_agents()
    account.add_agent(name="Workshop Guest", email="guest@example.com")
    account.add_connection(name="Punch Clock", description="mock", base_path="http://mock.punchlab")
    store.close()

    assert main(["reset"]) == 0
    out = capsys.readouterr().out
    assert f"Reset the lab at {tmp_path / 'lab.sqlite3'}" in out and "8 agents" in out

    store = Store.default()
    try:
        emails = [agent.email for agent in Account(store).agents()]
        assert emails == [f"user+{n}@talkdesk.com" for n in range(1, 8)]
        assert Account(store).connections() == []
    finally:
        store.close()
