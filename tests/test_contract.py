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

from punchlab.mock.openapi import load_openapi
from tests.mock.test_cli import free_port, wait_for
from tests.mock.test_openapi import DOCUMENTS as OPENAPI_DOCUMENTS
from tests.mock.test_openapi import same_body

ROOT = Path(__file__).resolve().parents[1]
CONTRACT = ROOT / "tests" / "contract"


def newman() -> str | None:
    local = ROOT / ".tools" / "node_modules" / ".bin" / "newman"
    return str(local) if local.exists() else shutil.which("newman")


NEEDS_NEWMAN = pytest.mark.skipif(
    newman() is None, reason="newman is not installed (.ci/run installs it into .tools/ with npm)"
)


def run_newman(
    arguments: list[str],
    collection: Path,
    environment: dict[str, str],
    ready: str,
    tmp_path: Path,
) -> dict:
    """Serve `punchlab serve ARGUMENTS` on a free port and run `collection` on it with newman.

    `{port}` in the `environment` values and in the `ready` URL is the port. Returns the `run`
    of newman's JSON report."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "punchlab.cli", "serve", *arguments, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    variables = [
        f"{key}={value.replace('{port}', str(port))}" for key, value in environment.items()
    ]
    try:
        wait_for(ready.replace("{port}", str(port)), server)
        result = subprocess.run(
            [
                newman(),
                "run",
                str(collection),
                *(arg for pair in variables for arg in ("--env-var", pair)),
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
    return json.loads((tmp_path / "report.json").read_text())["run"]


@NEEDS_NEWMAN
def test_live_mode_passes_the_newman_contract(tmp_path: Path) -> None:
    run = run_newman(  # live mode over the tutorial collection's users
        ["--mode", "live"],
        CONTRACT / "live_api.postman_collection.json",
        {"baseUrl": "http://127.0.0.1:{port}"},
        "http://127.0.0.1:{port}/users/formatted?page=1",
        tmp_path,
    )
    assert run["stats"]["assertions"] == {"total": 16, "pending": 0, "failed": 0}
    assert run["stats"]["requests"]["total"] == 11


@NEEDS_NEWMAN
@pytest.mark.parametrize("name", OPENAPI_DOCUMENTS)
def test_newman_runs_each_imported_openapi_collection_on_punchlab_serve(
    name: str, tmp_path: Path
) -> None:
    collection = load_openapi(OPENAPI_DOCUMENTS[name])
    report = collection.import_report
    exported = collection.save(tmp_path / f"{name}.postman_collection.json")
    # replay mode over the exported file, as a learner would run it; newman gets the mock's
    # URL (with the server's path) and a value for each path variable, as an environment
    prefix = urlsplit(report.variables["baseUrl"]).path
    environment = {**report.variables, "baseUrl": "http://127.0.0.1:{port}" + prefix}
    run = run_newman([str(exported)], exported, environment, "http://127.0.0.1:{port}/", tmp_path)
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
