"""newman against `punchlab serve`: the live mock with a collection of `pm.test` checks, and
the replay mock of every imported OpenAPI document's exported collection."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from test_cli_serve import free_port, wait_for
from test_openapi import DOCUMENTS as OPENAPI_DOCUMENTS
from test_openapi import same_body

from punchlab.openapi import load_openapi

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


@pytest.mark.skipif(
    newman() is None, reason="newman is not installed (.ci/run installs it into .tools/ with npm)"
)
@pytest.mark.parametrize("name", OPENAPI_DOCUMENTS)
def test_newman_runs_each_imported_openapi_collection_on_punchlab_serve(
    name: str, tmp_path: Path
) -> None:
    collection = load_openapi(OPENAPI_DOCUMENTS[name])
    report = collection.import_report
    exported = collection.save(tmp_path / f"{name}.postman_collection.json")
    port = free_port()  # replay mode over the exported file, as a learner would run it
    server = subprocess.Popen(
        [sys.executable, "-m", "punchlab.cli", "serve", str(exported), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}{urlsplit(report.variables['baseUrl']).path}"
    # the environment a learner would give newman: the mock's URL and a value per path variable
    environment = [f"{key}={value}" for key, value in {**report.variables, "baseUrl": base}.items()]
    try:
        wait_for(f"http://127.0.0.1:{port}/", server)
        result = subprocess.run(
            [
                newman(),
                "run",
                str(exported),
                *(arg for pair in environment for arg in ("--env-var", pair)),
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
            timeout=180,
        )
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=15)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    run = json.loads((tmp_path / "report.json").read_text())["run"]
    assert run["failures"] == []
    assert run["stats"]["requests"] == {
        "total": len(collection.requests()),
        "pending": 0,
        "failed": 0,
    }
    documented = {r.name: {(e.code, e.body) for e in r.examples()} for r in collection.requests()}
    answered = {
        e["item"]["name"]: (e["response"]["code"], bytes(e["response"]["stream"]["data"]).decode())
        for e in run["executions"]
    }
    # each request was answered with one of its own operation's saved examples
    assert answered.keys() == documented.keys()
    for item, (code, body) in answered.items():
        assert any(code == c and same_body(body, b) for c, b in documented[item]), (item, code)
