from __future__ import annotations

import asyncio
import base64
import json
import socket
import sqlite3
import threading
import time
from pathlib import Path

import httpx
import pytest

import punchlab
from punchlab.errors import ValidationError
from punchlab.inprocess import client, mounted
from punchlab.mock.auth import AuthRequirement, RequireApiKey, RequireBasic, RequireBearer
from punchlab.mock.faults import Faults
from punchlab.mock.live import generate_users
from punchlab.mock.messages import MAX_BODY_BYTES, MockRequest, MockResponse
from punchlab.mock.server import MockServer
from punchlab.store import Store
from tests.postman import collection, example

USERS = generate_users(7, seed=0)


def live(**options) -> MockServer:
    return MockServer(mode="live", users=USERS, **options)


class FakeTime:
    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def test_rate_limit_answers_postmans_429(reach) -> None:
    clock = FakeTime()
    server = live(faults=Faults(rate_limit=3, clock=clock))
    with reach(server) as http:
        statuses = [http.get("/users/formatted?page=1").status_code for _ in range(3)]
        refused = http.get("/users/formatted?page=1")
        clock.now += 20  # 3 a minute: one token back every 20 s
        again = http.get("/users/formatted?page=1")
    assert statuses == [200, 200, 200]
    assert refused.status_code == 429
    assert refused.json() == {
        "error": {
            "name": "rateLimitError",
            "message": f"Rate limit exceeded. Retry after {int(clock.now)}",
        }
    }
    assert refused.headers["retry-after"] == "20"
    assert again.status_code == 200


def test_error_rate_is_seeded_and_repeatable(reach) -> None:
    def run() -> list[int]:
        server = live(faults=Faults(error_rate=0.3, error_status=503, seed=11))
        with reach(server) as http:
            return [http.get("/users/formatted?page=1").status_code for _ in range(40)]

    first = run()
    assert first == run()
    assert set(first) == {200, 503}
    assert 4 <= first.count(503) <= 20


def test_injected_error_body() -> None:
    with live(faults=Faults(error_rate=1.0)).client() as http:
        answer = http.get("/users/formatted?page=1")
    assert answer.status_code == 500
    assert answer.json()["error"]["name"] == "serverError"


def test_latency_is_waited_by_both_transports(reach) -> None:
    server = live(faults=Faults(latency=(0.1, 0.15), seed=1))
    assert server.respond(MockRequest.build("GET", "/users/formatted?page=1")).delay >= 0.1
    with reach(server) as http:
        started = time.perf_counter()
        assert http.get("/users/formatted?page=1").status_code == 200
        assert time.perf_counter() - started >= 0.1


def test_async_transport_answers_and_waits() -> None:
    server = live(faults=Faults(latency=0.05))

    async def call() -> tuple[int, float]:
        async with httpx.AsyncClient(
            transport=server.async_transport(), base_url="http://mock.punchlab"
        ) as http:
            started = time.perf_counter()
            answer = await http.post("/user/2/punch-clock")
            return answer.status_code, time.perf_counter() - started

    status, elapsed = asyncio.run(call())
    assert status == 200 and elapsed >= 0.05


@pytest.mark.parametrize("bad", [{"latency": -1}, {"error_rate": 2}, {"error_status": 404}])
def test_bad_faults_are_refused(bad) -> None:
    with pytest.raises(ValidationError):
        Faults(**bad)


def test_api_key(reach) -> None:
    server = live(auth=RequireApiKey("s3cret-key"))
    with reach(server) as http:
        missing = http.get("/users/formatted?page=1")
        wrong = http.get("/users/formatted?page=1", headers={"X-API-Key": "nope"})
        right = http.get("/users/formatted?page=1", headers={"x-api-key": "s3cret-key"})
    assert missing.status_code == wrong.status_code == 401
    assert missing.json()["error"]["name"] == "authenticationError"
    assert "X-API-Key" in missing.json()["error"]["message"]
    assert right.status_code == 200
    assert "s3cret-key" not in repr(server) + repr(server.auth)


def test_basic(reach) -> None:
    server = live(auth=RequireBasic("lab", "pa55word"))
    with reach(server) as http:
        missing = http.get("/users/formatted?page=1")
        wrong = http.get("/users/formatted?page=1", auth=("lab", "guess"))
        garbage = http.get("/users/formatted?page=1", headers={"Authorization": "Basic %%%"})
        right = http.get("/users/formatted?page=1", auth=("lab", "pa55word"))
    assert missing.status_code == wrong.status_code == garbage.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Basic")
    assert right.status_code == 200
    assert "pa55word" not in repr(server.auth)


def test_bearer_token_endpoint_and_expiry(reach) -> None:
    clock = FakeTime()
    auth = RequireBearer("lab-client", "lab-secret", expires_in=60, clock=clock)
    server = live(auth=auth)
    with reach(server) as http:
        without = http.get("/users/formatted?page=1")
        form = {"grant_type": "client_credentials", "client_id": "lab-client"}
        issued = http.post("/oauth/token", data={**form, "client_secret": "lab-secret"})
        by_basic = http.post(
            "/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=("lab-client", "lab-secret"),
        )
        bad_secret = http.post("/oauth/token", data={**form, "client_secret": "x"})
        bad_grant = http.post(
            "/oauth/token", data={"grant_type": "password", "client_id": "lab-client"}
        )
        token = issued.json()["access_token"]
        bearer = {"Authorization": f"Bearer {token}"}
        allowed = http.get("/users/formatted?page=1", headers=bearer)
        forged = http.get("/users/formatted?page=1", headers={"Authorization": "Bearer forged"})
        clock.now += 61
        expired = http.get("/users/formatted?page=1", headers=bearer)
    assert without.status_code == 401
    assert issued.status_code == by_basic.status_code == 200
    assert issued.json() == {
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": 60,
        "scope": "punch-clock",
    }
    assert by_basic.json()["access_token"] != token
    assert bad_secret.status_code == 401 and bad_secret.json()["error"] == "invalid_client"
    assert bad_grant.status_code == 400
    assert bad_grant.json()["error"] == "unsupported_grant_type"
    assert allowed.status_code == 200
    assert forged.status_code == 401
    assert expired.status_code == 401 and "expired" in expired.json()["error"]["message"]
    assert "lab-secret" not in repr(auth)


def test_body_cap_is_400_as_in_postmans_cloud(reach) -> None:
    with reach(live()) as http:
        too_big = http.post("/user/1/punch-clock", content=b"x" * (MAX_BODY_BYTES + 1))
        fine = http.post("/user/1/punch-clock", content=b"x" * 1000)
    assert too_big.status_code == 400
    assert too_big.json()["error"]["name"] == "payloadTooLarge"
    assert "1 MB" in too_big.json()["error"]["message"]
    assert too_big.headers["access-control-allow-origin"] == "*"
    assert fine.status_code == 200


def test_mount_routes_the_shared_client() -> None:
    server = live()
    base = server.mount("http://mount-test.punchlab")
    try:
        assert mounted(base)
        with client() as http:
            assert http.get(f"{base}/users/formatted?page=2").json()["count"] == 2
    finally:
        server.unmount()
    assert not mounted(base)


def test_request_log_has_one_line_per_request() -> None:
    lines: list[str] = []
    server = live(log=lines.append, auth=RequireApiKey("k"))
    with server.client() as http:
        http.get("/users/formatted?page=1&api_key=leaky", headers={"X-API-Key": "k"})
        http.post("/user/99/punch-clock", headers={"X-API-Key": "k"})
    assert len(lines) == 2
    assert lines[0].startswith("GET /users/formatted?page=1&api_key=*** route=users/formatted")
    assert "-> 200" in lines[0] and lines[0].endswith(" ms")
    assert "-> 404" in lines[1]
    assert "leaky" not in "".join(lines)


def test_engine_failure_becomes_500_and_serving_goes_on() -> None:
    server = live()
    server.engine.ledger.punch = None  # break the punch clock on purpose
    with server.client() as http:
        assert http.post("/user/1/punch-clock").status_code == 500
        assert http.get("/users/formatted?page=1").status_code == 200


def test_live_mode_has_no_explain_and_bad_mode_is_refused() -> None:
    with pytest.raises(ValidationError, match="replay"):
        live().explain(MockRequest.build("GET", "/"))
    with pytest.raises(ValidationError, match="mode"):
        MockServer(mode="stub")


def test_public_names() -> None:
    for name in ("MockServer", "Faults", "RequireApiKey", "RequireBasic", "RequireBearer"):
        assert hasattr(punchlab, name)
    assert {"LiveApi", "PunchLedger", "generate_users"} <= set(punchlab.__all__)


def test_replay_mode_answers_the_tutorials_examples(reach) -> None:
    pytest.importorskip("punchlab.mock.replay")
    server = MockServer()
    with reach(server) as http:
        page = http.get("/users/formatted?page=2")
        missing = http.get("/users/formatted")
    assert page.status_code == 200 and page.json()["count"] == 2
    assert missing.status_code == 400 and missing.text == "No page was specified."
    table = server.explain(MockRequest.build("GET", "/users/formatted?page=2"))
    assert len(table) >= 1
    assert any("users" in path for _, path, _ in server.routes())


def test_replay_log_names_the_example() -> None:
    pytest.importorskip("punchlab.mock.replay")
    lines: list[str] = []
    with MockServer(log=lines.append).client() as http:
        http.get("/users/formatted?page=1")
    assert "example='page 1'" in lines[0] and "-> 200" in lines[0]


def test_basic_header_built_by_hand_also_passes() -> None:
    server = live(auth=RequireBasic("lab", "pw"))
    token = base64.b64encode(b"lab:pw").decode()
    answer = server.respond(
        MockRequest.build("GET", "/punches", headers={"Authorization": f"Basic {token}"})
    )
    assert answer.status == 200


def test_faults_and_auth_apply_to_replay_mode_too(reach) -> None:
    pytest.importorskip("punchlab.mock.replay")
    server = MockServer(faults=Faults(rate_limit=2, clock=FakeTime()), auth=RequireApiKey("k"))
    with reach(server) as http:
        refused = http.get("/users/formatted?page=1")
        allowed = http.get("/users/formatted?page=1", headers={"X-API-Key": "k"})
        limited = http.get("/users/formatted?page=1", headers={"X-API-Key": "k"})
    assert refused.status_code == 401
    assert allowed.status_code == 200 and allowed.json()["count"] == 5
    assert limited.status_code == 429
    assert limited.json()["error"]["name"] == "rateLimitError"


def test_replay_delay_header_is_waited() -> None:
    pytest.importorskip("punchlab.mock.replay")
    with MockServer().client() as http:
        started = time.perf_counter()
        answer = http.get("/users/formatted?page=1", headers={"x-mock-response-delay": "120"})
    assert answer.status_code == 200
    assert time.perf_counter() - started >= 0.12


@pytest.mark.parametrize("mode", ["replay", "live"])
def test_a_body_that_claims_json_and_is_not_gets_400(reach, mode: str) -> None:
    server = MockServer(mode=mode)
    with reach(server) as http:
        answer = http.post(
            "/user/1/punch-clock", content=b"{bad", headers={"Content-Type": "application/json"}
        )
        assert answer.status_code == 400
        error = answer.json()["error"]
        assert error["name"] == "invalidJsonBody" and "line 1, column 2" in error["message"]
        assert answer.headers["access-control-allow-origin"] == "*"
        # the server keeps answering, and valid JSON (or no body) still goes through
        fine = http.post(
            "/user/1/punch-clock", content=b"{}", headers={"Content-Type": "application/json"}
        )
        assert fine.status_code == 200
    if mode == "live":
        assert len(server.ledger) == 1  # the bad request punched nobody


def tutorial_live(**options) -> MockServer:
    return MockServer(mode="live", **options)


# ---------------------------------------------------------------- errors and CORS


def test_every_error_answer_is_postman_shaped_json_with_cors(reach) -> None:
    cases = [
        (tutorial_live(auth=RequireApiKey("k")), "get", {}, 401, "authenticationError"),
        (
            tutorial_live(faults=Faults(error_rate=1.0, error_status=503)),
            "get",
            {},
            503,
            "serverError",
        ),
        (tutorial_live(), "post", {"content": b"x" * (MAX_BODY_BYTES + 1)}, 400, "payloadTooLarge"),
    ]
    for server, method, options, status, name in cases:
        with reach(server) as http:
            answer = getattr(http, method)("/users/formatted?page=1", **options)
        assert answer.status_code == status
        assert answer.headers["content-type"] == "application/json"
        assert answer.headers["access-control-allow-origin"] == "*"
        assert answer.json()["error"]["name"] == name


def test_rate_limit_answer_has_cors_and_retry_after(reach) -> None:
    server = tutorial_live(faults=Faults(rate_limit=1, clock=lambda: 1000.0))
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
    server = tutorial_live(faults=Faults(latency=5.0))
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
    for server in (tutorial_live(), MockServer()):
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
    with tutorial_live(auth=_Unsendable()).serve(port=0) as running:
        answer = httpx.get(f"{running.url}/users/formatted?page=1")
        assert answer.status_code == 500
        assert answer.json()["error"]["name"] == "internalError"
        assert answer.headers["access-control-allow-origin"] == "*"


# ---------------------------------------------------------------- blocking responders


def test_a_locked_store_does_not_stall_other_requests(tmp_path: Path) -> None:
    store = Store(tmp_path / "lab.sqlite3")
    server = tutorial_live(store=store)
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
    first, second = tutorial_live(), tutorial_live(users=3)
    first.mount(base)
    second.mount(base)  # a re-run cell mounts a new server at the same URL
    first.unmount()
    assert mounted(base)
    with client() as http:
        assert http.get(f"{base}/users/formatted?page=1").json()["total"] == 3
    second.unmount()
    assert not mounted(base)
