"""A served mock keeps answering: idle and half-sent connections time out, heads are capped.

Everything here goes over real sockets to a real uvicorn server.
"""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import sys
import time
from urllib.parse import urlsplit

import httpx
import pytest

from punchlab import LocalServer, MockServer
from punchlab.mock.localserver import MAX_HEAD_BYTES


def _connect(url: str) -> socket.socket:
    parts = urlsplit(url)
    return socket.create_connection((parts.hostname, parts.port), timeout=10)


def _closed_by_server(sock: socket.socket, within: float) -> bool:
    """Whether the server closes `sock` (EOF, or a reset) within `within` seconds."""
    sock.settimeout(within)
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                return True
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


@pytest.mark.parametrize("sent", [b"", b"GET /users/formatted?page=1 HTTP/1.1\r\nHost: x\r\n"])
def test_idle_and_half_sent_connections_are_closed_after_the_timeout(sent: bytes) -> None:
    with LocalServer(MockServer(mode="live"), idle_timeout=0.5) as running:
        sock = _connect(running.url)
        sock.sendall(sent)
        assert _closed_by_server(sock, within=5.0)
        sock.close()


def test_a_slow_trickle_of_header_bytes_does_not_keep_a_connection_open() -> None:
    with LocalServer(MockServer(mode="live"), idle_timeout=1.0) as running:
        sock = _connect(running.url)
        started = time.monotonic()
        closed = False
        for byte in b"GET /users/formatted?page=1 HTTP/1.1\r\nX-Slow: " + b"a" * 40:
            try:
                sock.sendall(bytes([byte]))
            except OSError:
                closed = True
                break
            if _closed_by_server(sock, within=0.2):
                closed = True
                break
        assert closed and time.monotonic() - started < 5.0
        sock.close()


def test_a_half_sent_body_is_answered_408_after_the_timeout() -> None:
    with LocalServer(MockServer(mode="live"), idle_timeout=0.5) as running:
        sock = _connect(running.url)
        sock.sendall(
            b"POST /user/1/punch-clock HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12"
        )
        sock.settimeout(15.0)
        assert sock.recv(65536).startswith(b"HTTP/1.1 408")
        sock.close()


def test_a_10_mb_header_is_refused_and_the_server_goes_on() -> None:
    with LocalServer(MockServer(mode="live")) as running:
        sock = _connect(running.url)
        head = b"GET /users/formatted?page=1 HTTP/1.1\r\nHost: x\r\nX-Big: "
        status = b""
        try:
            sock.sendall(head + b"a" * 10_000_000 + b"\r\n\r\n")
        except OSError:
            pass  # the server closed the connection mid-way: a refusal too
        try:
            sock.settimeout(5.0)
            status = sock.recv(65536).split(b"\r\n", 1)[0]
        except OSError:
            pass
        sock.close()
        # 431, or nothing when the reset of the closed connection overtakes the answer
        assert status in (b"", b"HTTP/1.1 431 Request Header Fields Too Large")
        assert httpx.get(f"{running.url}/users/formatted?page=1").status_code == 200


def test_a_head_just_over_the_cap_is_answered_431() -> None:
    with LocalServer(MockServer(mode="live")) as running:
        big = "a" * (MAX_HEAD_BYTES + 1)
        answer = httpx.get(f"{running.url}/users/formatted?page=1", headers={"x-big": big})
        assert answer.status_code == 431
        small = "a" * (MAX_HEAD_BYTES // 2)
        answer = httpx.get(f"{running.url}/users/formatted?page=1", headers={"x-big": small})
        assert answer.status_code == 200


def test_the_server_answers_real_requests_with_hundreds_of_idle_sockets_open() -> None:
    with LocalServer(MockServer(mode="live")) as running:
        idle = [_connect(running.url) for _ in range(300)]
        try:
            with httpx.Client(base_url=running.url, timeout=5.0) as http:
                for page in range(1, 6):
                    assert http.get("/users/formatted", params={"page": page}).status_code == 200
        finally:
            for sock in idle:
                sock.close()


def test_punchlab_serve_under_a_256_file_limit_survives_300_idle_sockets() -> None:
    """The macOS default file limit: idle sockets must not lock out real requests."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    def small_file_limit() -> None:
        hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))

    command = [sys.executable, "-m", "punchlab.cli", "serve", "--mode", "live", "--port", str(port)]
    with subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        preexec_fn=small_file_limit,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    ) as process:
        idle: list[socket.socket] = []
        try:
            assert process.stdout is not None
            assert b"listening" in process.stdout.readline()
            url = f"http://127.0.0.1:{port}"
            idle = [_connect(url) for _ in range(300)]
            answer = httpx.get(f"{url}/users/formatted?page=1", timeout=10.0)
            assert answer.status_code == 200
        finally:
            for sock in idle:
                sock.close()
            process.terminate()
            process.wait(timeout=20)
