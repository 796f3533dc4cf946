"""The live mock against a Postman collection of `pm.test` checks, run by newman."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.mock.test_cli import free_port, wait_for

ROOT = Path(__file__).resolve().parents[1]
CONTRACT = ROOT / "tests" / "contract"


def newman() -> str | None:
    local = ROOT / ".tools" / "node_modules" / ".bin" / "newman"
    return str(local) if local.exists() else shutil.which("newman")


@pytest.mark.skipif(
    newman() is None, reason="newman is not installed (.ci/run installs it into .tools/ with npm)"
)
def test_live_mode_passes_the_newman_contract(tmp_path: Path) -> None:
    port = free_port()  # live mode over the tutorial collection's users
    command = [sys.executable, "-m", "punchlab.cli", "serve", "--mode", "live"]
    server = subprocess.Popen(
        [*command, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/users/formatted?page=1", server)
        result = subprocess.run(
            [
                newman(),
                "run",
                str(CONTRACT / "live_api.postman_collection.json"),
                "--env-var",
                f"baseUrl=http://127.0.0.1:{port}",
                "--reporters",
                "cli,json",
                "--reporter-json-export",
                str(tmp_path / "report.json"),
                "--reporter-cli-no-banner",
                "--color",
                "off",
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=15)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    stats = json.loads((tmp_path / "report.json").read_text())["run"]["stats"]
    assert stats["assertions"] == {"total": 16, "pending": 0, "failed": 0}
    assert stats["requests"]["total"] == 11
