from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

PUNCHLAB = [sys.executable, "-m", "punchlab.cli"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, timeout: float = 15.0) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        try:
            return httpx.get(url, timeout=1)
        except httpx.TransportError:
            time.sleep(0.05)
    raise AssertionError(f"no answer from {url}")


def start(*options: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    process = subprocess.Popen(
        [*PUNCHLAB, "serve", *options, "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return process, port


def stop(process: subprocess.Popen) -> tuple[int, str, str]:
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=15)
    return process.returncode, out, err


def test_live_serve_prints_url_answers_and_stops_on_ctrl_c() -> None:
    process, port = start("--mode", "live", "--users", "12", "--page-size", "4", "--log")
    try:
        answer = wait_for(f"http://127.0.0.1:{port}/users/formatted?page=3", process)
        punch = httpx.post(f"http://127.0.0.1:{port}/user/12/punch-clock")
    finally:
        status, out, err = stop(process)
    assert answer.status_code == 200
    assert answer.json()["count"] == 4 and answer.json()["total"] == 12
    assert punch.json()["type"] == "in"
    assert status == 0, err
    assert f"http://127.0.0.1:{port}" in out.splitlines()[0]
    assert "/user/{user_id}/punch-clock" in out
    assert "GET /users/formatted?page=3 route=users/formatted -> 200" in err
    assert "Traceback" not in err


def test_error_rate_and_delay_options() -> None:
    process, port = start("--mode", "live", "--users", "3", "--error-rate", "1", "--delay", "50")
    try:
        started = time.perf_counter()
        answer = wait_for(f"http://127.0.0.1:{port}/users/formatted?page=1", process)
        elapsed = time.perf_counter() - started
    finally:
        stop(process)
    assert answer.status_code == 500
    assert elapsed >= 0.05


def test_no_request_log_without_the_flag() -> None:
    process, port = start("--mode", "live", "--users", "3")
    try:
        wait_for(f"http://127.0.0.1:{port}/users/formatted?page=1", process)
    finally:
        status, _, err = stop(process)
    assert status == 0 and "users/formatted" not in err


@pytest.mark.parametrize("content", [None, "{not json", json.dumps({"item": "nope"})])
def test_broken_collection_is_one_line_and_exit_2(tmp_path: Path, content: str | None) -> None:
    pytest.importorskip("punchlab.mock.collection")
    path = tmp_path / "broken.postman_collection.json"
    if content is not None:
        path.write_text(content)
    result = subprocess.run(
        [*PUNCHLAB, "serve", str(path), "--port", str(free_port())],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "broken.postman_collection.json" in lines[0]


def test_bad_users_csv_style_options_are_refused() -> None:
    result = subprocess.run(
        [*PUNCHLAB, "serve", "--mode", "live", "--users", "0"], capture_output=True, text=True
    )
    assert result.returncode == 2 and "positive integer" in result.stderr


def test_replay_serve_answers_the_tutorials_examples() -> None:
    pytest.importorskip("punchlab.mock.replay")
    process, port = start()
    try:
        answer = wait_for(f"http://127.0.0.1:{port}/users/formatted?page=1", process)
    finally:
        status, out, _ = stop(process)
    assert answer.status_code == 200 and answer.json()["count"] == 5
    assert status == 0 and "/users/formatted" in out


@pytest.mark.parametrize(
    "build",
    [
        "MockServer(mode='live', users=5)",
        "MockServer(_load_quickly(None))",  # replay
    ],
)
def test_serve_start_up_path_imports_nothing_heavy(build: str) -> None:
    if "live" not in build:
        pytest.importorskip("punchlab.mock.replay")
    heavy = ("pandas", "ipywidgets", "jupyter", "jsonschema", "matplotlib")
    code = (
        "import sys; import punchlab.cli; from punchlab.mock.cli import _load_quickly; "
        "from punchlab.mock.server import MockServer; "
        f"server = {build}; server.routes(); server.asgi; "
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {heavy}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_port_zero_prints_the_real_port_and_rate_limit_answers_429() -> None:
    process = subprocess.Popen(
        [*PUNCHLAB, "serve", "--mode", "live", "--users", "3", "--port", "0", "--rate-limit", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = process.stdout.readline()
        url = first.split("listening on ")[1].strip()
        assert not url.endswith(":0")
        statuses = [wait_for(f"{url}/users/formatted?page=1", process).status_code]
        statuses += [httpx.get(f"{url}/users/formatted?page=1").status_code for _ in range(2)]
    finally:
        status, _, err = stop(process)
    assert statuses == [200, 200, 429]
    assert status == 0, err


def test_port_in_use_is_one_line_and_exit_1() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [*PUNCHLAB, "serve", "--mode", "live", "--users", "3", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"punchlab serve: cannot listen on http://127.0.0.1:{port}: Address already in use"
    ]
