"""Every bad input to the `punchlab` command: one line naming the input, exit status 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from punchlab import CollectionError, MockServer, load_collection
from punchlab.home import TUTORIAL_COLLECTION, data_file

PUNCHLAB = [sys.executable, "-m", "punchlab.cli"]
EMPTY = {
    "info": {
        "name": "x",
        "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
    },
    "item": [],
}


def run(*args: str, home: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if home is not None:
        env["PUNCHLAB_HOME"] = str(home)
    return subprocess.run(
        [*PUNCHLAB, *args], capture_output=True, text=True, timeout=60, env=env, check=False
    )


def assert_refused(result: subprocess.CompletedProcess[str], *names: str) -> None:
    """Exit 2 and a single stderr line naming each of `names` (no traceback)."""
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1, result.stderr
    for name in names:
        assert name in lines[0]


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["--port", "70000"], ["--port", "70000"]),
        (["--port", "-1"], ["--port", "-1"]),
        (["--port", "http"], ["--port", "http"]),
        (["--delay", "inf"], ["--delay", "inf"]),
        (["--delay", "nan"], ["--delay", "nan"]),
        (["--delay", "-5"], ["--delay"]),
        (["--error-rate", "nan"], ["--error-rate", "nan"]),
        (["--rate-limit", "0"], ["--rate-limit"]),
        (["--mode", "live", "--users", "10000000000"], ["--users", "10000000000"]),
        (["--mode", "live", "--page-size", "100000"], ["--page-size", "100000"]),
        (["--mode", "sideways"], ["--mode", "sideways"]),
    ],
)
def test_bad_serve_options_are_one_line_and_exit_2(args: list[str], names: list[str]) -> None:
    assert_refused(run("serve", *args), *names)


def test_a_collection_nested_100000_levels_is_one_line_and_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "deep.postman_collection.json"
    depth = 100_000
    path.write_text(
        json.dumps(EMPTY)[:-3] + '[{"name":"f","item":' * depth + "[]" + "}]" * depth + "}"
    )
    assert_refused(run("serve", str(path)), "deep.postman_collection.json", "nested")


def test_a_collection_user_id_that_is_no_id_is_one_line_and_exit_2(tmp_path: Path) -> None:
    collection = json.loads(data_file(TUTORIAL_COLLECTION).read_text(encoding="utf-8"))
    example = collection["item"][0]["response"][0]
    body = json.loads(example["body"])
    body["users"][0]["id"] = 10**30
    example["body"] = json.dumps(body)
    path = tmp_path / "ids.postman_collection.json"
    path.write_text(json.dumps(collection))
    result = run("serve", str(path), "--mode", "live", "--port", "0")
    assert_refused(result, "ids.postman_collection.json", str(10**30), "body")


def test_a_lab_home_that_is_a_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    assert_refused(run("reset", home=blocker), "not-a-folder", "PUNCHLAB_HOME")


def test_a_superscript_id_is_not_a_user_and_never_crashes_the_live_mock(tmp_path: Path) -> None:
    collection = json.loads(data_file(TUTORIAL_COLLECTION).read_text(encoding="utf-8"))
    example = collection["item"][0]["response"][0]
    body = json.loads(example["body"])
    body["users"][0]["id"] = "²"
    example["body"] = json.dumps(body)
    ids = [user["id"] for user in load_collection(collection).users()]
    assert ids and "²" not in ids and all(isinstance(i, int) for i in ids)
    with MockServer(collection, mode="live").client() as http:
        assert http.post("/user/%C2%B2/punch-clock").status_code == 404


def test_load_collection_refuses_a_deep_mapping_with_its_own_error() -> None:
    data: dict = json.loads(json.dumps(EMPTY))
    node = data
    for _ in range(5000):
        node["item"] = [{"name": "f"}]
        node = node["item"][0]
    node["item"] = []
    with pytest.raises(CollectionError, match="nested"):
        load_collection(data)
