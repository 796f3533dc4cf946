"""The Replay engine: what it answers (research §2) and the tutorial collection end to end."""

from __future__ import annotations

import json
import re
import tracemalloc
import uuid

import pytest

import punchlab
from punchlab import CollectionError
from punchlab.home import TUTORIAL_COLLECTION, data_file
from punchlab.mock.messages import MockRequest
from punchlab.mock.replay import NOT_FOUND_BODY, Replay
from tests.postman import collection, example

NOT_FOUND = {
    "error": {
        "name": "mockRequestNotFoundError",
        "message": "Double check your method and the request path and try again.",
        "header": "No matching requests",
    }
}


@pytest.fixture(scope="module")
def tutorial() -> Replay:
    return punchlab.Replay(data_file(TUTORIAL_COLLECTION))


def call(mock: Replay, method: str, target: str, **kwargs):
    return mock.respond(MockRequest.build(method, target, **kwargs))


def header(response, name: str) -> list[str]:
    return [v for k, v in response.headers if k.lower() == name.lower()]


# ---------------------------------------------------------------- the tutorial collection


def test_tutorial_pages(tutorial: Replay) -> None:
    page_1 = call(tutorial, "GET", "/users/formatted?page=1")
    assert (page_1.status, page_1.example) == (200, "page 1")
    assert header(page_1, "content-type") == ["application/json"]
    assert [u["id"] for u in json.loads(page_1.body)["users"]] == [1, 2, 3, 4, 5]
    page_2 = call(tutorial, "GET", "/users/formatted?page=2")
    assert [u["email"] for u in json.loads(page_2.body)["users"]] == [
        "user+6@talkdesk.com",
        "user+7@talkdesk.com",
    ]
    not_formatted = json.loads(call(tutorial, "GET", "/users/not-formatted?page=2").body)
    assert not_formatted["users"][0]["punch_clock_id"] == 6


def test_tutorial_page_past_the_last_answers_like_a_real_page(tutorial: Replay) -> None:
    # ?page=4: both page examples only partially match the query (score 100 + 0 + 5), the
    # "no page" example misses a key (100 - 1 + 5). The tie goes to the first 200: page 1.
    response = call(tutorial, "GET", "/users/formatted?page=4")
    assert (response.status, response.example, response.score) == (200, "page 1", 105)
    assert json.loads(response.body)["total"] == 7
    table = tutorial.explain(MockRequest.build("GET", "/users/formatted?page=4"))
    rows = table.set_index(["item", "example"])
    assert rows.loc[("users/formatted", "page 2"), "dropped"] == "tie lost"
    assert rows.loc[("users/formatted", "no page"), "total"] == 104
    assert rows.loc[("users/punch-clock", "user 1"), "dropped"] == "method POST"
    assert table["chosen"].sum() == 1
    assert "-0.0" not in table.to_string()  # a partial query match scores 0, never -0.0


def test_tutorial_no_page_is_a_400(tutorial: Replay) -> None:
    response = call(tutorial, "GET", "/users/formatted")
    assert (response.status, response.body) == (400, b"No page was specified.")
    assert header(response, "content-type") == ["text/plain; charset=utf-8"]  # friendly default


def test_tutorial_punch_for_user_3(tutorial: Replay) -> None:
    response = call(tutorial, "POST", "/user/3/punch-clock")
    assert (response.status, response.example) == (200, "user 3")  # no `code`: 200
    assert json.loads(response.body)["name"] == "Gregory Dearing"


def test_tutorial_unknown_path_is_postmans_404(tutorial: Replay) -> None:
    response = call(tutorial, "GET", "/nothing/here/at/all")
    assert response.status == 404
    assert response.body == NOT_FOUND_BODY
    assert json.loads(response.body) == NOT_FOUND
    assert b": " not in response.body  # compact, as the cloud sends it
    assert header(response, "content-type") == ["application/json"]
    assert (response.example, response.score) == (None, None)


# ---------------------------------------------------------------- status and headers


def test_status_codes_pass_through_or_come_from_the_status_text() -> None:
    data = collection(
        example("odd", "{{url}}/odd", code=449),
        example("named", "{{url}}/named", code=None, status="Not Found"),
        example("bare", "{{url}}/bare", code=None),
    )
    mock = Replay(data)
    assert call(mock, "GET", "/odd").status == 449
    assert call(mock, "GET", "/named").status == 404
    assert call(mock, "GET", "/bare").status == 200


def test_response_headers_are_cleaned_and_repeats_kept() -> None:
    headers = [
        {"key": "Content-Type", "value": "application/json"},
        {"key": "Content-Length", "value": "999"},
        {"key": "Content-Encoding", "value": "gzip"},
        {"key": "Transfer-Encoding", "value": "chunked"},
        {"key": "Connection", "value": "keep-alive"},
        {"key": "Keep-Alive", "value": "timeout=5"},
        {"key": "Set-Cookie", "value": "a=1"},
        {"key": "Set-Cookie", "value": "b=2"},
        {"key": "X-Off", "value": "no", "disabled": True},
    ]
    response = call(Replay(collection(example("e", "{{url}}/x", header=headers))), "GET", "/x")
    assert response.headers == [
        ("Content-Type", "application/json"),
        ("Set-Cookie", "a=1"),
        ("Set-Cookie", "b=2"),
        ("Access-Control-Allow-Origin", "*"),
    ]


@pytest.mark.parametrize(
    ("language", "body", "strict", "expected"),
    [
        ("json", "{}", False, "application/json"),
        ("xml", "<a/>", False, "application/xml"),
        ("html", "<p>", False, "text/html"),
        ("text", "hi", False, "text/plain"),
        (None, '{"a": 1}', False, "application/json"),
        (None, "plain words", False, "text/plain; charset=utf-8"),
        ("json", "{}", True, "text/html; charset=utf-8"),
    ],
)
def test_content_type_inference(language, body, strict, expected) -> None:
    data = collection(example("e", "{{url}}/x", body=body, _postman_previewlanguage=language))
    assert header(call(Replay(data, strict=strict), "GET", "/x"), "content-type") == [expected]


def test_an_example_content_type_is_kept() -> None:
    data = collection(
        example("e", "{{url}}/x", header=[{"key": "content-type", "value": "text/csv"}])
    )
    assert header(call(Replay(data, strict=True), "GET", "/x"), "content-type") == ["text/csv"]


def test_204_has_no_body() -> None:
    data = collection(example("e", "{{url}}/x", code=204, body="ignored"))
    response = call(Replay(data), "GET", "/x")
    assert (response.status, response.body, header(response, "content-type")) == (204, b"", [])


# ---------------------------------------------------------------- CORS


def test_cors_origin_added_unless_the_example_sets_it() -> None:
    data = collection(
        example("open", "{{url}}/open"),
        example(
            "own",
            "{{url}}/own",
            header=[{"key": "Access-Control-Allow-Origin", "value": "https://a.example"}],
        ),
    )
    mock = Replay(data)
    assert header(call(mock, "GET", "/open"), "access-control-allow-origin") == ["*"]
    assert header(call(mock, "GET", "/own"), "access-control-allow-origin") == ["https://a.example"]
    assert (
        header(call(Replay(data, cors=False), "GET", "/open"), "access-control-allow-origin") == []
    )


def test_preflight_is_answered_unless_strict_or_an_options_example_matches() -> None:
    data = collection(example("e", "{{url}}/x", method="POST"))
    asked = {
        "Origin": "https://app.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-token",
    }
    response = call(Replay(data), "OPTIONS", "/x", headers=asked)
    assert response.status == 204
    assert header(response, "access-control-allow-methods") == ["POST"]
    assert header(response, "access-control-allow-headers") == ["content-type,x-token"]
    assert header(response, "access-control-allow-origin") == ["*"]
    assert call(Replay(data, strict=True), "OPTIONS", "/x", headers=asked).status == 404
    with_options = collection(example("opts", "{{url}}/x", method="OPTIONS", body="mine"))
    assert call(Replay(with_options), "OPTIONS", "/x", headers=asked).body == b"mine"


# ---------------------------------------------------------------- substitution


def test_variables_then_captures_then_helpers_then_dynamic() -> None:
    body = (
        '{"env": "{{stage}}", "id": "{{userId}}", "name": {{$body \'user.name\'}}, '
        '"page": "{{$queryParams \'page\'}}", "agent": "{{$headers \'x-agent\'}}", '
        '"seg": "{{$pathSegments \'1\'}}", "dflt": "{{$queryParams \'nope\' \'none\'}}", '
        '"gone": "{{$headers \'nope\'}}", "unknown": "{{mystery}}", "uuid": "{{$guid}}"}'
    )
    data = collection(
        example(
            "e",
            "{{url}}/users/{{userId}}",
            method="POST",
            body=body,
            header=[{"key": "X-Stage", "value": "{{stage}}-{{userId}}"}],
        ),
        variables={"stage": "lab", "url": "http://mock"},
    )
    sent = b'{"user": {"name": "\\"Ana\\""}}'
    response = call(Replay(data), "POST", "/users/42?page=3", headers={"X-Agent": "007"}, body=sent)
    text = response.body.decode()
    assert '"name": "Ana"' in text  # helpers insert raw text (no JSON quoting)
    rest = json.loads(text.replace('"name": "Ana"', '"name": 0'))
    assert rest["env"] == "lab"
    assert rest["id"] == "42"
    assert (rest["page"], rest["agent"], rest["seg"]) == ("3", "007", "42")
    assert (rest["dflt"], rest["gone"]) == ("none", "")
    assert rest["unknown"] == "{{mystery}}"  # unknown tokens stay literal
    uuid.UUID(rest["uuid"])
    assert header(response, "x-stage") == ["lab-42"]


def test_environment_wins_over_collection_variables() -> None:
    data = collection(example("e", "{{url}}/x", body="{{stage}}"), variables={"stage": "lab"})
    assert call(Replay(data, environment={"stage": "prod"}), "GET", "/x").body == b"prod"


def test_whole_body_helper_is_not_rendered_again() -> None:
    data = collection(example("echo", "{{url}}/echo", method="POST", body="{{$body}}"))
    response = call(Replay(data), "POST", "/echo", body=b"hi {{$guid}}")
    assert response.body == b"hi {{$guid}}"


def test_dynamic_variables_are_fresh_for_each_occurrence() -> None:
    # "|" separates the values: names and cities may contain spaces
    body = (
        "{{$randomUUID}}|{{$randomUUID}}|{{$timestamp}}|{{$isoTimestamp}}|{{$randomInt}}|"
        "{{$randomBoolean}}|{{$randomAlphaNumeric}}|{{$randomFirstName}}|{{$randomLastName}}|"
        "{{$randomFullName}}|{{$randomEmail}}|{{$randomCity}}|{{$randomPrice}}"
    )
    mock = Replay(collection(example("e", "{{url}}/x", body=body)))
    words = call(mock, "GET", "/x").body.decode().split("|")
    first, second, stamp, iso, number, boolean, alnum = words[:7]
    assert first != second
    uuid.UUID(first)
    assert stamp.isdigit() and len(stamp) == 10
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", iso)
    assert 0 <= int(number) <= 1000
    assert boolean in ("true", "false")
    assert len(alnum) == 1 and alnum.isalnum()
    assert "@" in words[-3] and re.fullmatch(r"\d+\.\d\d", words[-1])
    assert "{{" not in "|".join(words)
    assert call(mock, "GET", "/x").body.decode().split("|")[0] != first


# ---------------------------------------------------------------- delay, errors, cache


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("250", 0.25), ("1", 0.001), ("180000", 180.0), ("0", 0.0), ("180001", 0.0), ("x", 0.0)],
)
def test_delay_header(value, seconds) -> None:
    mock = Replay(collection(example("e", "{{url}}/x")))
    assert call(mock, "GET", "/x", headers={"x-mock-response-delay": value}).delay == seconds


def test_respond_never_raises() -> None:
    data = collection(example("e", "{{url}}/x/{{id}}", method="POST", body="{{$body 'a.b'}}"))
    mock = Replay(data)
    odd = [
        MockRequest("POST", "/x/1", body=b"\xff\xfe not json"),
        MockRequest("POST", "/x/%zz%", body=b"[1, 2"),
        MockRequest("BREW", "", query=(("", ""),)),
        MockRequest("POST", "/x/1", headers=(("x-mock-response-code", "abc"),)),
        MockRequest("POST", "/x/1", headers=(("x-mock-match-request-headers", ",,"),)),
    ]
    for request in odd:
        assert 200 <= mock.respond(request).status < 600
    assert mock.respond(odd[0]).body == b""  # unresolved helper with no default


def test_cached_decisions_respect_selector_headers_and_bodies() -> None:
    data = collection(
        example("ok", "{{url}}/x", method="POST", body="ok"),
        example("bad", "{{url}}/x", method="POST", code=400, body="bad"),
        example(
            "json",
            "{{url}}/x",
            method="POST",
            body="json",
            request_body={"mode": "raw", "raw": '{"a": 1}'},
            header=[{"key": "Content-Type", "value": "text/plain"}],
        ),
    )
    mock = Replay(data)
    for _ in range(2):  # the second round is answered from the cache
        assert call(mock, "POST", "/x").body == b"ok"
        assert call(mock, "POST", "/x", headers={"x-mock-response-code": "400"}).body == b"bad"
        assert call(mock, "POST", "/x", body=b'{"a": 1}').body == b"json"
        assert call(mock, "POST", "/x", body=b'{"a": 2}').body == b"ok"


def test_explain_lists_every_candidate(tutorial: Replay) -> None:
    table = tutorial.explain(MockRequest.build("POST", "/user/9/punch-clock"))
    assert list(table.columns) == [
        "item",
        "example",
        "method",
        "code",
        "step",
        "path",
        "query",
        "body",
        "total",
        "chosen",
        "dropped",
    ]
    assert len(table) == 13
    chosen = table[table["chosen"]].iloc[0]
    assert (chosen["example"], chosen["step"], chosen["path"], chosen["total"]) == (
        "user 1",
        "ids",
        -21,
        94,
    )


def test_replay_accepts_a_collection_a_path_or_a_dict() -> None:
    path = data_file(TUTORIAL_COLLECTION)
    loaded = punchlab.load_collection(path)
    for source in (loaded, path, str(path), json.loads(path.read_text())):
        assert call(Replay(source), "GET", "/users/formatted?page=2").example == "page 2"


# ---------------------------------------------------------------- header values


def test_a_static_header_value_outside_ascii_is_refused_at_load() -> None:
    data = collection(
        example(
            "a",
            "{{url}}/a",
            header=[{"key": "X-Ok", "value": "1"}, {"key": "X-Name", "value": "Zoë"}],
        )
    )
    with pytest.raises(CollectionError, match="X-Name") as caught:
        Replay(data)
    assert caught.value.where == "item[0].response[0].header[1]"


# ---------------------------------------------------------------- replay cache


def test_cached_decisions_do_not_decide_cors_preflights() -> None:
    mock = Replay(collection(example("a", "{{url}}/a")))
    plain = MockRequest.build("OPTIONS", "/nothing")
    preflight = MockRequest.build(
        "OPTIONS", "/nothing", headers={"access-control-request-method": "PUT"}
    )
    assert mock.respond(plain).status == 404
    answer = mock.respond(preflight)
    assert answer.status == 204
    assert ("Access-Control-Allow-Methods", "PUT") in answer.headers
    assert mock.respond(plain).status == 404


def test_the_decision_cache_does_not_keep_request_bodies() -> None:
    data = collection(
        example("a", "{{url}}/a", method="POST", request_body={"mode": "raw", "raw": "x"})
    )
    mock = Replay(data, match_body=True)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for n in range(16):
            body = bytes([65 + n]) * (512 * 1024)
            mock.respond(MockRequest.build("POST", "/a", body=body))
            del body
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert kept < 1024 * 1024, f"{kept} bytes kept after 8 MB of bodies"
