"""Property-based: whatever the query parameters and path ids, the mocks answer 2xx or 4xx.

Hypothesis drives live mode (and replay mode) through the in-process httpx transport and a real
HTTP server; a 5xx or an exception from outside punchlab would be a bug.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from punchlab import MockServer

FIDDLY = st.sampled_from(
    ["0", "-1", "1" * 19, "999999999999999999", "1e3", " 2 ", "²", "٣", "%", "%zz", "\x00", "NaN"]
)
values = st.one_of(FIDDLY, st.text(max_size=30), st.integers().map(str))
queries = st.dictionaries(
    st.one_of(st.sampled_from(["page", "page_size", "per_page", "user_id"]), st.text(max_size=8)),
    values,
    max_size=4,
)
segments = st.one_of(FIDDLY, st.text(max_size=20), st.integers().map(str))
ROUTES = ["/users/formatted", "/users/not-formatted", "/punches", "/user/{id}/punch-clock"]
SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _check(answer: httpx.Response) -> None:
    assert answer.status_code < 500, answer.text
    if answer.headers.get("content-type", "").startswith("application/json"):
        json.loads(answer.content)


@pytest.fixture(scope="module")
def live() -> MockServer:
    return MockServer(mode="live", users=50)


@SETTINGS
@given(
    method=st.sampled_from(["GET", "POST", "PUT"]),
    route=st.sampled_from(ROUTES),
    user=segments,
    query=queries,
)
def test_live_mode_answers_any_query_and_path_id_in_process(
    live: MockServer, method: str, route: str, user: str, query: dict[str, str]
) -> None:
    path = route.replace("{id}", quote(user, safe=""))
    with live.client() as http:
        _check(http.request(method, path, params=query))


@SETTINGS
@given(raw=st.binary(max_size=40), query=st.binary(max_size=40))
def test_live_mode_answers_raw_bytes_in_the_target(
    live: MockServer, raw: bytes, query: bytes
) -> None:
    """Bytes as a client could send them, percent-escaped or not (malformed escapes too)."""
    target = "/user/" + quote(raw, safe="%") + "/punch-clock?" + quote(query, safe="%=&")
    with live.client() as http:
        _check(http.post(target))


def test_live_and_replay_over_real_http_answer_any_query(live: MockServer) -> None:
    @settings(max_examples=60, deadline=None)
    @given(route=st.sampled_from(ROUTES), user=segments, query=queries)
    def over(route: str, user: str, query: dict[str, str]) -> None:
        path = route.replace("{id}", quote(user, safe=""))
        for http in clients:
            _check(http.get(path, params=query))
            _check(http.post(path, params=query))

    replay = MockServer()
    with live.serve() as served_live, replay.serve() as served_replay:
        with (
            httpx.Client(base_url=served_live.url) as live_http,
            httpx.Client(base_url=served_replay.url) as replay_http,
        ):
            clients = (live_http, replay_http)
            over()
