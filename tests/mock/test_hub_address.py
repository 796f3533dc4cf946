"""Under JupyterHub the mock gives a browser its address; `punchlab serve` takes a free port."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest

from punchlab import MockServer
from tests.mock.test_cli import free_port, wait_for

HUB = {"JUPYTERHUB_SERVICE_PREFIX": "/user/ana/"}


def test_a_running_mock_says_its_browser_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/ana/")
    monkeypatch.delenv("JUPYTERHUB_PUBLIC_URL", raising=False)
    with MockServer(mode="live").serve() as running:
        assert httpx.get(f"{running.url}/users/formatted?page=1").status_code == 200
        assert running.public_url == f"/user/ana/proxy/{running.port}"
    monkeypatch.delenv("JUPYTERHUB_SERVICE_PREFIX")
    with MockServer(mode="live").serve() as running:
        assert running.public_url == running.url


def test_punchlab_serve_prints_the_hub_address_under_a_hub() -> None:
    port = free_port()
    env = {**os.environ, **HUB}
    command = [sys.executable, "-m", "punchlab.cli", "serve", "--mode", "live", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert wait_for(f"http://127.0.0.1:{port}/users/formatted?page=1", process).is_success
    finally:
        process.terminate()
        out, _ = process.communicate(timeout=15)
    assert f"through JupyterHub: /user/ana/proxy/{port}" in out


def test_punchlab_serve_takes_a_free_port_under_a_hub() -> None:
    env = {**os.environ, **HUB}
    command = [sys.executable, "-m", "punchlab.cli", "serve", "--mode", "live"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    try:
        banner = process.stdout.readline()
        url = banner.split()[-1]
        assert url != "http://127.0.0.1:4010"
        assert httpx.get(f"{url}/users/formatted?page=1").status_code == 200
    finally:
        process.terminate()
        process.communicate(timeout=15)
