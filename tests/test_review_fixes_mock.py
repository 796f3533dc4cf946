"""The mock server: errors, CORS, delays, request translation, header values, mounts."""

from __future__ import annotations

import json
import socket
import sqlite3
import threading
import time
from pathlib import Path

import httpx
import pytest
from postman import collection, example

from punchlab.faults import Faults
from punchlab.inprocess import client, mounted
from punchlab.messages import MockRequest, MockResponse
from punchlab.mock import MAX_BODY_BYTES, MockServer
from punchlab.mock_auth import AuthRequirement, RequireApiKey
from punchlab.store import Store


def live(**options) -> MockServer:
    return MockServer(mode="live", **options)


# ---------------------------------------------------------------- errors and CORS


def test_every_error_answer_is_postman_shaped_json_with_cors(reach) -> None:
    cases = [
        (live(auth=RequireApiKey("k")), "get", {}, 401, "authenticationError"),
        (live(faults=Faults(error_rate=1.0, error_status=503)), "get", {}, 503, "serverError"),
        (live(), "post", {"content": b"x" * (MAX_BODY_BYTES + 1)}, 400, "payloadTooLarge"),
    ]
    for server, method, options, status, name in cases:
        with reach(server) as http:
            answer = getattr(http, method)("/users/formatted?page=1", **options)
        assert answer.status_code == status
        assert answer.headers["content-type"] == "application/json"
        assert answer.headers["access-control-allow-origin"] == "*"
        assert answer.json()["error"]["name"] == name


def test_rate_limit_answer_has_cors_and_retry_after(reach) -> None:
    server = live(faults=Faults(rate_limit=1, clock=lambda: 1000.0))
    with reach(server) as http:
        assert http.get("/users/formatted?page=1").status_code == 200
        limited = http.get("/users/formatted?page=1")
    assert limited.status_code == 429
    assert limited.headers["access-control-allow-origin"] == "*"
    assert int(limited.headers["retry-after"]) >= 1
    assert limited.json()["error"]["name"] == "rateLimitError"


def test_error_builder() -> None:
    response = MockResponse.error(401, "authenticationError", "no", headers=[("WWW-X", "y")])
    assert json.loads(response.body) == {"error": {"name": "authenticationError", "message": "no"}}
    assert ("WWW-X", "y") in response.headers
    assert ("Access-Control-Allow-Origin", "*") in response.headers


def test_delay_header_overrides_the_configured_latency() -> None:
    server = live(faults=Faults(latency=5.0))
    request = MockRequest.build(
        "GET", "/users/formatted?page=1", headers={"x-mock-response-delay": "20"}
    )
    assert server.respond(request).delay == pytest.approx(0.02)
    assert server.respond(MockRequest.build("GET", "/users/formatted?page=1")).delay == 5.0
    ignored = MockRequest.build(
        "GET", "/users/formatted?page=1", headers={"x-mock-response-delay": "0"}
    )
    assert server.respond(ignored).delay == 5.0  # out of range: ignored, latency stays


def test_multipart_part_with_a_binary_type_and_no_filename_is_matched(reach) -> None:
    data = collection(
        example(
            "upload",
            "{{url}}/upload",
            method="POST",
            body='{"ok": true}',
            request_body={"mode": "formdata", "formdata": [{"key": "note", "value": "hi"}]},
        )
    )
    server = MockServer(data, replay_options={"match_body": True})
    body = (
        b'--XyZ\r\nContent-Disposition: form-data; name="note"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\nhi\r\n--XyZ--\r\n"
    )
    with reach(server) as http:
        answer = http.post(
            "/upload", content=body, headers={"content-type": "multipart/form-data; boundary=XyZ"}
        )
    assert answer.status_code == 200 and answer.json() == {"ok": True}


# ---------------------------------------------------------------- one request translator


@pytest.mark.parametrize(
    "target", ["/users/%zz?page=1", "/user/%ff/punch-clock", "/users/formatted?page=%ff"]
)
def test_malformed_targets_get_the_same_400_both_ways(target: str) -> None:
    for server in (live(), MockServer()):
        with server.serve(port=0) as running:
            raw = f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
            with socket.create_connection(("127.0.0.1", running.port), timeout=5) as sock:
                sock.sendall(raw)
                over_http = b""
                while chunk := sock.recv(65536):
                    over_http += chunk
        in_process = server.transport().handle_request(httpx.Request("GET", "http://m" + target))
        head, _, body = over_http.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 400") and in_process.status_code == 400
        assert json.loads(body) == in_process.json()
        assert in_process.json()["error"]["name"] == "badRequest"


def test_raw_targets_outside_ascii_are_percent_encoded_like_httpx() -> None:
    request = MockRequest.from_raw("GET", "/users/zoë".encode(), "q=zoë".encode(), [], b"")
    assert request.path == "/users/zo%C3%AB" and request.query == (("q", "zoë"),)
    sent = httpx.Request("GET", "http://m/users/zoë?q=zoë")
    assert sent.url.raw_path == b"/users/zo%C3%AB?q=zo%C3%AB"


# ---------------------------------------------------------------- header values


def test_a_rendered_header_value_is_percent_encoded(reach) -> None:
    data = collection(
        example("a", "{{url}}/a", header=[{"key": "X-Echo", "value": "{{$queryParams 'name'}}"}])
    )
    with reach(MockServer(data)) as http:
        answer = http.get("/a", params={"name": "Zoë"})
    assert answer.status_code == 200 and answer.headers["x-echo"] == "Zo%C3%AB"


class _Unsendable(AuthRequirement):
    """An extension that answers with a header value no HTTP/1.1 server can encode."""

    def check(self, request: MockRequest) -> MockResponse | None:
        return MockResponse(200, [("X-Note", "Ω")], b"{}")


def test_the_asgi_app_answers_json_500_when_a_response_cannot_be_sent() -> None:
    with live(auth=_Unsendable()).serve(port=0) as running:
        answer = httpx.get(f"{running.url}/users/formatted?page=1")
        assert answer.status_code == 500
        assert answer.json()["error"]["name"] == "internalError"
        assert answer.headers["access-control-allow-origin"] == "*"


# ---------------------------------------------------------------- blocking responders


def test_a_locked_store_does_not_stall_other_requests(tmp_path: Path) -> None:
    store = Store(tmp_path / "lab.sqlite3")
    server = live(store=store)
    blocker = sqlite3.connect(tmp_path / "lab.sqlite3", isolation_level=None)
    with server.serve(port=0) as running:
        blocker.execute("BEGIN IMMEDIATE")  # another notebook holds the write lock
        punched: list[int] = []
        punch = threading.Thread(
            target=lambda: punched.append(
                httpx.post(f"{running.url}/user/1/punch-clock", timeout=30).status_code
            )
        )
        punch.start()
        time.sleep(0.3)  # the punch is now waiting on SQLite's busy timeout
        started = time.monotonic()
        page = httpx.get(f"{running.url}/users/formatted?page=1", timeout=30)
        waited = time.monotonic() - started
        blocker.execute("ROLLBACK")
        punch.join(timeout=30)
    blocker.close()
    assert page.status_code == 200 and waited < 2.0, f"the page waited {waited:.1f} s"
    assert punched == [200] and len(server.ledger.records()) == 1


# ---------------------------------------------------------------- mounts


def test_unmounting_one_server_leaves_the_one_mounted_since() -> None:
    base = "http://rerun.punchlab"
    first, second = live(), live(users=3)
    first.mount(base)
    second.mount(base)  # a re-run cell mounts a new server at the same URL
    first.unmount()
    assert mounted(base)
    with client() as http:
        assert http.get(f"{base}/users/formatted?page=1").json()["total"] == 3
    second.unmount()
    assert not mounted(base)
