"""Postman's matching rules, one by one (research §1), through `select` and `Replay.respond`."""

from __future__ import annotations

import json
import math

import pytest

from punchlab.mock.matching import (
    Options,
    compile_target,
    is_id,
    levenshtein,
    path_segments,
    score_path,
    score_query,
    select,
)
from punchlab.mock.messages import MockRequest
from punchlab.mock.replay import Replay
from tests.postman import collection, example


def answer(data: dict, target: str, *, method: str = "GET", headers=None, body=b"", **options):
    response = Replay(data, **options).respond(
        MockRequest.build(method, target, headers=headers, body=body)
    )
    return response


def compiled(path: str, query=()):
    return compile_target(0, name="e", method="GET", code=200, path=path, query=query)


# ---------------------------------------------------------------- helpers


def test_levenshtein_and_ids() -> None:
    assert levenshtein("kitten", "sitting") == 3
    assert levenshtein("", "abc") == 3
    assert levenshtein("same", "same") == 0
    assert is_id("12345")
    assert is_id("0b4f3a46-7a2c-4f10-9c2e-6f6b0c1d2e3f")
    assert is_id("a1b2c3d4e5f6a7b8c9")  # long token with a digit
    assert not is_id("formatted")
    assert not is_id("abcdefghijklmnopqrstu")  # long, but no digit


def test_paths_are_percent_decoded_segment_wise() -> None:
    assert path_segments("/users/j%C3%BCrgen/a%2Fb") == ("users", "jürgen", "a/b")
    assert path_segments("") == ("",)
    assert path_segments("/a//b/") == ("a", "", "b", "")
    data = collection(example("umlaut", "{{url}}/users/jürgen", body="ü"))
    assert answer(data, "/users/j%C3%BCrgen").example == "umlaut"


# ---------------------------------------------------------------- step 2 and 3: method, selectors


def test_method_filter() -> None:
    data = collection(example("get", "{{url}}/things"))
    assert answer(data, "/things").status == 200
    assert answer(data, "/things", method="POST").status == 404
    assert answer(data, "/things", method="get").status == 200  # compared in upper case


def test_missing_method_defaults_to_get() -> None:
    data = collection(example("get", "{{url}}/things"))
    del data["item"][0]["response"][0]["originalRequest"]["method"]
    assert answer(data, "/things").example == "get"


def test_response_code_header_filters_then_matching_continues() -> None:
    data = collection(
        example("ok", "{{url}}/things", code=200),
        example("bad", "{{url}}/things", code=400),
        example("other bad", "{{url}}/elsewhere", code=400),
    )
    assert answer(data, "/things").example == "ok"
    response = answer(data, "/things", headers={"x-mock-response-code": "400"})
    assert (response.status, response.example) == (400, "bad")
    assert answer(data, "/things", headers={"x-mock-response-code": "500"}).status == 404


def test_response_id_selects_by_bare_id_or_uid_and_ignores_the_path() -> None:
    data = collection(
        example("one", "{{url}}/one", id="aaaa-1111"),
        example("two", "{{url}}/two", id="bbbb-2222"),
    )
    assert answer(data, "/one", headers={"x-mock-response-id": "bbbb-2222"}).example == "two"
    uid = {"x-mock-response-id": "12345678-bbbb-2222"}
    assert answer(data, "/anything/at/all", headers=uid).example == "two"
    missing = answer(data, "/one", headers={"x-mock-response-id": "nope"})
    assert missing.status == 404
    assert json.loads(missing.body)["error"]["name"] == "mockRequestNotFoundError"


def test_response_id_wins_over_name() -> None:
    data = collection(
        example("one", "{{url}}/one", id="i1"), example("two", "{{url}}/two", id="i2")
    )
    headers = {"x-mock-response-id": "i1", "x-mock-response-name": "two"}
    assert answer(data, "/two", headers=headers).example == "one"


def test_response_name_searches_the_whole_collection_and_prefers_200() -> None:
    data = collection(
        example("200", "{{url}}/callOne", body="one"),
        example("200", "{{url}}/callTwo", body="two"),
        example("shared", "{{url}}/x", code=500, body="error"),
        example("shared", "{{url}}/y", code=200, body="fine"),
    )
    # Postman issue #5660: the path is not considered, the first example named "200" answers.
    assert answer(data, "/callTwo", headers={"x-mock-response-name": "200"}).body == b"one"
    assert answer(data, "/x", headers={"x-mock-response-name": "shared"}).body == b"fine"
    assert answer(data, "/x", headers={"x-mock-response-name": "absent"}).status == 404


def test_response_name_fills_wildcards_by_position() -> None:
    data = collection(example("user", "{{url}}/users/{{userId}}", body="user {{userId}}"))
    response = answer(data, "/users/42", headers={"x-mock-response-name": "user"})
    assert response.body == b"user 42"


# ---------------------------------------------------------------- step 4: path


@pytest.mark.parametrize(
    ("example_path", "request_path", "step", "change"),
    [
        ("/users/formatted", "/users/formatted", "exact", 0),
        ("/users/formatted", "/users/formatted/", "trailing slash", -5),
        ("/users/formatted/", "/users/formatted", "trailing slash", -5),
        ("/users/formatted", "/Users/Formatted", "case", -10),
        ("/users/formatted", "/USERS/formatted/", "trailing slash + case", -15),
        ("/users/{{id}}/punch", "/users/carol/punch", "wildcard", -20),
        ("/user/1/punch-clock", "/user/3/punch-clock", "ids", -21),
        ("/user/1/punch-clock", "/user/3/punch-clock/", "trailing slash + ids", -25),
        ("/users/formatted", "/users/formated", "document distance", -30),
    ],
)
def test_the_eight_path_comparisons(example_path, request_path, step, change) -> None:
    found = score_path(path_segments(request_path), compiled(example_path).path)
    assert found is not None
    assert found[:2] == (step, change)


def test_wildcards_capture_one_whole_segment_only() -> None:
    path = compiled("/users/{{userId}}").path
    assert score_path(path_segments("/users/carol"), path) == ("wildcard", -20, {"userId": "carol"})
    assert score_path(path_segments("/users/another/segment"), path, fuzzy=False) is None
    assert score_path(path_segments("/users/carol"), path, wildcards=False, fuzzy=False) is None
    # only a whole-segment token is a wildcard; `{{id}}.json` is compared literally
    partial = compiled("/users/{{id}}.json").path
    assert score_path(path_segments("/users/7.json"), partial) is None
    assert score_path(path_segments("/users/{{id}}.json"), partial)[:2] == ("exact", 0)


def test_wildcard_capture_reaches_the_response_and_can_be_switched_off() -> None:
    data = collection(example("user", "{{url}}/users/{{userId}}", body='{"id": "{{userId}}"}'))
    assert answer(data, "/users/carol").body == b'{"id": "carol"}'
    assert answer(data, "/users/carol", match_wildcards=False, fuzzy=False).status == 404


def test_ids_are_replaced_in_place_not_removed() -> None:
    path = compiled("/a/1/b").path
    assert score_path(path_segments("/a/22/b"), path)[:2] == ("ids", -21)
    assert score_path(path_segments("/a/b"), path, fuzzy=False) is None
    uuid_path = compiled("/orders/0b4f3a46-7a2c-4f10-9c2e-6f6b0c1d2e3f").path
    assert score_path(path_segments("/orders/9"), uuid_path)[:2] == ("ids", -21)


def test_document_distance_needs_same_segment_count_and_is_switchable() -> None:
    path = compiled("/users/formatted").path
    assert score_path(path_segments("/users/formated"), path, fuzzy=False) is None
    assert score_path(path_segments("/users/xyz"), path) is None  # too different
    assert score_path(path_segments("/users/formated/x"), path) is None  # segment count differs
    data = collection(example("users", "{{url}}/users/formatted"))
    assert answer(data, "/users/formated").example == "users"
    assert answer(data, "/users/formated", fuzzy=False).status == 404


def test_a_better_path_step_wins() -> None:
    data = collection(
        example("user 1", "{{url}}/user/1/punch-clock", body="1"),
        example("user 2", "{{url}}/user/2/punch-clock", body="2"),
    )
    assert answer(data, "/user/2/punch-clock").body == b"2"  # exact beats "ids"
    assert answer(data, "/user/9/punch-clock").body == b"1"  # both "ids": document order


# ---------------------------------------------------------------- step 5: query


def test_query_scores() -> None:
    target = compiled("/x", [("a", "1"), ("b", "2")])
    assert score_query([("a", "1"), ("b", "2")], target)[0] == 10  # all match
    assert score_query([("a", "1"), ("b", "9")], target)[0] == 5  # 1 match of 2
    assert score_query([("a", "1")], target)[0] == 5  # 1 match, 1 missing
    partial = score_query([("a", "9"), ("b", "9")], target)[0]
    assert partial == 0 and math.copysign(1, partial) == 1  # partials, nothing missing: +0.0
    assert score_query([("c", "1")], target)[0] == -3  # three keys missing
    many = [(f"k{i}", "v") for i in range(15)]
    assert score_query(many, target)[0] == -10  # capped
    assert score_query([], compiled("/x"))[0] == 10  # neither side: +10 (decision 1)
    assert score_query([("a", "1")], compiled("/x"))[0] == -1


def test_encoded_example_query_values_compare_decoded() -> None:
    data = collection(example("spaced", "{{url}}/search?q=a%20b"))
    assert answer(data, "/search?q=a+b").score == 100 + 10 + 5


def test_repeated_query_keys_compare_as_multisets() -> None:
    target = compiled("/x", [("a", "1"), ("a", "2")])
    assert score_query([("a", "2"), ("a", "1")], target)[0] == 10
    assert score_query([("a", "1")], target)[0] == 0  # partial


def test_query_wildcard_value_matches_anything_and_captures() -> None:
    target = compiled("/x", [("page", "{{page}}")])
    assert score_query([("page", "7")], target) == (10, {"page": "7"})
    data = collection(example("paged", "{{url}}/items?page={{page}}", body="page {{page}}"))
    assert answer(data, "/items?page=7").body == b"page 7"


def test_disabled_query_entries_are_skipped() -> None:
    data = collection(example("x", "{{url}}/x?a=1"))
    data["item"][0]["response"][0]["originalRequest"]["url"]["query"][0]["disabled"] = True
    assert Replay(data).respond(MockRequest.build("GET", "/x")).score == 100 + 10 + 5


def test_query_picks_the_example_and_can_be_switched_off() -> None:
    data = collection(
        example("page 1", "{{url}}/users?page=1", body="1"),
        example("page 2", "{{url}}/users?page=2", body="2"),
    )
    assert answer(data, "/users?page=2").body == b"2"
    assert answer(data, "/users?page=2", match_query=False).body == b"1"


# ---------------------------------------------------------------- step 6: headers and body


def test_header_matching_from_config_and_per_request() -> None:
    data = collection(
        example("v1", "{{url}}/x", body="1", request_header=[{"key": "X-Version", "value": "1"}]),
        example("v2", "{{url}}/x", body="2", request_header=[{"key": "X-Version", "value": "2"}]),
    )
    assert answer(data, "/x", headers={"X-Version": "2"}).body == b"1"  # not matched: order
    configured = answer(data, "/x", headers={"X-Version": "2"}, match_headers=["x-version"])
    assert configured.body == b"2"
    per_request = {"X-Version": " 2 ", "x-mock-match-request-headers": "x-version"}
    assert answer(data, "/x", headers=per_request).body == b"2"
    assert answer(data, "/x", headers={"X-Version": "3"}, match_headers=["X-Version"]).status == 404


def test_disabled_example_headers_are_ignored_in_matching() -> None:
    data = collection(
        example(
            "x",
            "{{url}}/x",
            request_header=[{"key": "X-Version", "value": "1", "disabled": True}],
        )
    )
    assert answer(data, "/x", match_headers=["x-version"]).status == 200


def _json_body(value: object) -> dict:
    return {"mode": "raw", "raw": json.dumps(value), "options": {"raw": {"language": "json"}}}


def test_json_body_matching_ignores_media_type_parameters_and_layout() -> None:
    data = collection(
        example("a", "{{url}}/x", method="POST", body="A", request_body=_json_body({"n": 1})),
        example("b", "{{url}}/x", method="POST", body="B", request_body=_json_body({"n": 2})),
    )
    headers = {"Content-Type": "application/json; charset=utf-8"}
    sent = b'{\n  "n": 2\n}'
    assert answer(data, "/x", method="POST", headers=headers, body=sent, match_body=True).body == (
        b"B"
    )
    assert answer(data, "/x", method="POST", body=b'{"n": 3}', match_body=True).status == 404
    # per request: on, and off again on a mock configured with body matching
    on = {"x-mock-match-request-body": "true"}
    assert answer(data, "/x", method="POST", headers=on, body=b'{"n": 3}').status == 404
    off = {"x-mock-match-request-body": "false"}
    response = answer(data, "/x", method="POST", headers=off, body=b"{}", match_body=True)
    assert response.body == b"A"


def test_body_bonus_of_five_when_body_matching_is_off() -> None:
    data = collection(
        example("a", "{{url}}/x", method="POST", body="A", request_body=_json_body({"n": 1})),
        example("b", "{{url}}/x", method="POST", body="B", request_body=_json_body({"n": 2})),
    )
    response = answer(data, "/x", method="POST", body=b'{"n":2}')
    assert (response.body, response.score) == (b"B", 100 + 10 + 5)
    response = answer(data, "/x", method="POST", body=b'{"n":9}')
    assert (response.body, response.score) == (b"A", 100 + 10)


@pytest.mark.parametrize(
    ("request_body", "content_type", "sent", "matches"),
    [
        ({"mode": "raw", "raw": "line 1\r\nline 2"}, "text/plain", b"line 1\nline 2", True),
        ({"mode": "raw", "raw": "hello"}, "text/plain", b"hello!", False),
        (
            {"mode": "raw", "raw": '{"a": [1, 2]}'},
            "application/json; charset=utf-8",
            b'{"a":[1,2]}',
            True,
        ),
        ({"mode": "raw", "raw": '{"a": [1, 2]}'}, "text/plain", b'{"a":[1,2]}', False),
        (
            {
                "mode": "urlencoded",
                "urlencoded": [{"key": "a", "value": "1"}, {"key": "b", "value": "2"}],
            },
            "application/x-www-form-urlencoded",
            b"b=2&a=1",
            True,
        ),
        (
            {
                "mode": "urlencoded",
                "urlencoded": [
                    {"key": "a", "value": "1"},
                    {"key": "z", "value": "9", "disabled": True},
                ],
            },
            "application/x-www-form-urlencoded",
            b"a=1",
            True,
        ),
        (
            {"mode": "formdata", "formdata": [{"key": "name", "value": "Ana", "type": "text"}]},
            "multipart/form-data; boundary=XyZ",
            b'--XyZ\r\nContent-Disposition: form-data; name="name"\r\n\r\nAna\r\n--XyZ--\r\n',
            True,
        ),
        (
            {
                "mode": "graphql",
                "graphql": {"query": "{ user(id: 1) {\n name } }", "variables": "{}"},
            },
            "application/json",
            b'{"query": "{ user(id: 1) { name } }", "variables": {}}',
            True,
        ),
        ({"mode": "file", "file": {"src": "x.bin"}}, "application/octet-stream", b"x", False),
        ({"mode": "raw", "raw": ""}, "text/plain", b"", True),
    ],
)
def test_body_equality_per_mode(request_body, content_type, sent, matches) -> None:
    data = collection(example("e", "{{url}}/x", method="POST", request_body=request_body))
    response = answer(
        data,
        "/x",
        method="POST",
        headers={"Content-Type": content_type},
        body=sent,
        match_body=True,
    )
    assert (response.status == 200) is matches


# ---------------------------------------------------------------- step 7: ties


def test_ties_prefer_200_then_document_order() -> None:
    data = collection(
        example("error", "{{url}}/x", code=500, body="E"),
        example("first ok", "{{url}}/x", code=200, body="1"),
        example("second ok", "{{url}}/x", code=200, body="2"),
    )
    assert answer(data, "/x").example == "first ok"
    only_errors = collection(
        example("e1", "{{url}}/x", code=500), example("e2", "{{url}}/x", code=503)
    )
    assert answer(only_errors, "/x").example == "e1"


def test_select_reports_every_verdict() -> None:
    targets = [compiled("/a"), compile_target(1, name="p", method="POST", code=200, path="/a")]
    outcome = select(MockRequest.build("GET", "/a"), targets)
    assert outcome.winner is outcome.verdicts[0]
    assert outcome.verdicts[1].dropped == "method POST"
    assert outcome.how == "score"


# ---------------------------------------------------------------- variables in example URLs


def test_collection_and_environment_variables_resolve_example_paths() -> None:
    data = collection(
        example("accounts", "{{baseUrl}}/accounts/{{kind}}", body="{{kind}}"),
        variables={"baseUrl": "https://x.example.com/api/v1", "kind": "gold"},
    )
    assert answer(data, "/api/v1/accounts/gold").body == b"gold"
    assert answer(data, "/accounts/gold", fuzzy=False).status == 404
    env = answer(
        data,
        "/api/v2/accounts/silver",
        environment={"baseUrl": "http://h/api/v2", "kind": "silver"},
    )
    assert env.body == b"silver"  # the environment wins


def test_path_variables_with_and_without_values() -> None:
    data = collection(example("item", "{{url}}/items/:itemId", body="item {{itemId}}"))
    url = data["item"][0]["response"][0]["originalRequest"]["url"]
    url["variable"] = [{"key": "itemId", "value": "7"}]
    assert answer(data, "/items/7", fuzzy=False).score == 115
    url["variable"] = [{"key": "itemId", "value": ""}]
    # friendly: an empty `:itemId` works as a wildcard (decision 5); strict: it stays literal
    assert answer(data, "/items/abc").body == b"item abc"
    assert answer(data, "/items/abc", strict=True, fuzzy=False).status == 404


def test_header_values_can_compare_ignoring_case() -> None:
    target = compile_target(
        0, name="e", method="GET", code=200, path="/x", headers=[("Accept", "Application/JSON")]
    )
    request = MockRequest.build("GET", "/x", headers={"accept": "application/json"})
    assert select(request, [target], Options(match_headers=("accept",))).winner is None
    folded = Options(match_headers=("accept",), fold_header_values=True)
    assert select(request, [target], folded).winner is not None


def test_ties_can_be_sorted_by_id() -> None:
    targets = [
        compile_target(i, name=n, method="GET", code=200, path="/x", id=i_d)
        for i, (n, i_d) in enumerate([("later", "b-2"), ("earlier", "a-1")])
    ]
    request = MockRequest.build("GET", "/x")
    assert select(request, targets).winner.target.name == "later"  # document order
    by_id = select(request, targets, Options(sort_ties_by_id=True))
    assert by_id.winner.target.name == "earlier"
