"""Postman's matching rules, end to end: the same requests answered by the replay engine
directly, through the in-process httpx transport, and over real localhost HTTP (uvicorn)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import httpx
import pytest

from punchlab.mock.messages import MockRequest
from punchlab.mock.server import MockServer
from tests.postman import collection, example

JSON = [{"key": "Content-Type", "value": "application/json"}]

RULES = collection(
    example("get m", "{{url}}/m", body="get"),
    example("post m", "{{url}}/m", method="POST", body="post"),
    example("c ok", "{{url}}/c", body="ok"),
    example("c missing", "{{url}}/c", code=404, body="missing"),
    example("by name", "{{url}}/named", body="named"),
    example("by id", "{{url}}/ided", body="ided", id="7f3c1a52-2b44-4c7e-9a51-1c2d3e4f5a6b"),
    example("exact", "{{url}}/exact", body="exact"),
    example("case", "{{url}}/CaseY", body="case"),
    example("wildcard", "{{url}}/users/{{userId}}/orders", body="orders of {{userId}}"),
    example("id segment", "{{url}}/items/42", body="item"),
    example("distance", "{{url}}/colour", body="colour"),
    example("page 1", "{{url}}/q?page=1", body="one"),
    example("page 2", "{{url}}/q?page=2", body="two"),
    example(
        "body a",
        "{{url}}/b",
        method="POST",
        body="a",
        request_header=JSON,
        request_body={"mode": "raw", "raw": '{"a": 1}'},
    ),
    example(
        "body b",
        "{{url}}/b",
        method="POST",
        body="b",
        request_header=JSON,
        request_body={"mode": "raw", "raw": '{"a": 2}'},
    ),
    example("tenant a", "{{url}}/t", body="ta", request_header=[{"key": "X-Tenant", "value": "a"}]),
    example("tenant b", "{{url}}/t", body="tb", request_header=[{"key": "X-Tenant", "value": "b"}]),
    example("tie 500", "{{url}}/tie", code=500, body="broken"),
    example("tie 200", "{{url}}/tie", body="fine"),
    example(
        "no code", "{{url}}/nocode", code=None, body='{"ok": true}', _postman_previewlanguage="json"
    ),
)

# (method, target, headers, body) -> (status, example body)
CASES = [
    ("GET", "/m", {}, b"", 200, "get"),  # method filter
    ("POST", "/m", {}, b"", 200, "post"),
    ("GET", "/c", {"x-mock-response-code": "404"}, b"", 404, "missing"),  # code filter
    ("GET", "/anything", {"x-mock-response-name": "by name"}, b"", 200, "named"),  # name
    (
        "GET",
        "/x",
        {"x-mock-response-id": "12345-7f3c1a52-2b44-4c7e-9a51-1c2d3e4f5a6b"},
        b"",
        200,
        "ided",
    ),
    ("GET", "/exact/", {}, b"", 200, "exact"),  # trailing slash
    ("GET", "/casey", {}, b"", 200, "case"),  # case
    ("GET", "/users/carol/orders", {}, b"", 200, "orders of carol"),  # wildcard + capture
    ("GET", "/items/77", {}, b"", 200, "item"),  # ID-like segment
    ("GET", "/color", {}, b"", 200, "colour"),  # document distance
    ("GET", "/q?page=2", {}, b"", 200, "two"),  # query scoring
    ("GET", "/q?page=1", {}, b"", 200, "one"),
    (
        "POST",
        "/b",
        {"content-type": "application/json", "x-mock-match-request-body": "true"},
        b'{"a": 2}',
        200,
        "b",
    ),  # body matching
    ("GET", "/t", {"x-tenant": "b", "x-mock-match-request-headers": "x-tenant"}, b"", 200, "tb"),
    ("GET", "/tie", {}, b"", 200, "fine"),  # ties prefer 200
    ("GET", "/nocode", {}, b"", 200, '{"ok": true}'),  # no code: 200
]


@pytest.fixture(scope="module", params=["engine", "in-process", "http"])
def send(request) -> Iterator[Callable[..., tuple[int, str, dict[str, str]]]]:
    server = MockServer(RULES)
    if request.param == "engine":

        def direct(method, target, headers, body):
            answer = server.respond(MockRequest.build(method, target, headers=headers, body=body))
            return answer.status, answer.body.decode(), {k.lower(): v for k, v in answer.headers}

        yield direct
        return
    if request.param == "in-process":
        http = server.client()
        context = None
    else:
        context = server.serve(port=0)
        running = context.__enter__()
        http = httpx.Client(base_url=running.url)
    try:

        def over_http(method, target, headers, body):
            answer = http.request(method, target, headers=headers, content=body)
            return answer.status_code, answer.text, dict(answer.headers)

        yield over_http
    finally:
        http.close()
        if context is not None:
            context.__exit__(None, None, None)


@pytest.mark.parametrize(
    ("method", "target", "headers", "body", "status", "expected"),
    CASES,
    ids=[f"{c[0]} {c[1]}" + (f" {sorted(c[2])[0]}" if c[2] else "") for c in CASES],
)
def test_rule(send, method, target, headers, body, status, expected) -> None:
    got_status, got_body, _ = send(method, target, headers, body)
    assert (got_status, got_body) == (status, expected)


def test_not_found_body_content_type_and_cors(send) -> None:
    status, body, headers = send("GET", "/nowhere/at/all", {}, b"")
    assert status == 404
    assert json.loads(body)["error"]["name"] == "mockRequestNotFoundError"
    assert headers["content-type"].startswith("application/json")
    status, _, headers = send("GET", "/nocode", {}, b"")
    assert headers["content-type"].startswith("application/json")  # from the preview language
    assert headers["access-control-allow-origin"] == "*"
