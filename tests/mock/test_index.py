"""The example index chooses exactly what `matching.select` chooses over every example."""

from __future__ import annotations

from urllib.parse import urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from punchlab import MockRequest
from punchlab.mock.index import ExampleIndex
from punchlab.mock.matching import Options, compile_target, select

# Paths and queries that meet every path step: exact, slash, case, wildcard, ids, distance.
PATHS = [
    "/users/formatted",
    "/users/Formatted",
    "/users/formatted/",
    "/users/not-formatted",
    "/user/1/punch-clock",
    "/user/2/punch-clock",
    "/user/{{id}}/punch-clock",
    "/user/{{id}}/punch-clocks",
    "/reports/r1234",
    "/reports/r1235",
    "/report/{{name}}",
    "/a/b/c",
    "/",
]
QUERIES = [[], [("page", "1")], [("page", "2")], [("page", "{{n}}")], [("page", "1"), ("x", "y")]]
REQUEST_PATHS = PATHS + [
    "/USERS/FORMATTED/",
    "/user/77/punch-clock",
    "/user/abc/punch-clock",
    "/users/formated",
    "/report/r1234",
    "/reports/r9999",
    "/nothing",
    "/users",
]
REQUEST_QUERIES = QUERIES + [[("page", "3")], [("x", "y")], [("page", "1"), ("page", "2")]]


@st.composite
def examples(draw: st.DrawFn) -> list:
    specs = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["GET", "POST"]),
                st.sampled_from(PATHS),
                st.sampled_from(QUERIES),
                st.sampled_from([200, 201, 404]),
                st.sampled_from([None, "ex-1", "ex-2"]),
                st.sampled_from([(), (("x-team", "a"),)]),
            ),
            min_size=1,
            max_size=40,
        )
    )
    return [
        compile_target(
            i,
            name=f"example {i % 7}",
            id=example_id,
            method=method,
            code=code,
            path=path,
            query=query,
            headers=list(headers),
        )
        for i, (method, path, query, code, example_id, headers) in enumerate(specs)
    ]


requests = st.builds(
    lambda method, path, query, headers: MockRequest.build(
        method, path + ("?" + urlencode(query) if query else ""), headers=list(headers)
    ),
    st.sampled_from(["GET", "POST", "DELETE"]),
    st.sampled_from(REQUEST_PATHS),
    st.sampled_from(REQUEST_QUERIES),
    st.lists(
        st.sampled_from(
            [
                ("x-mock-response-code", "201"),
                ("x-mock-response-name", "example 3"),
                ("x-mock-response-id", "ex-2"),
                ("x-mock-match-request-headers", "x-team"),
                ("x-team", "a"),
            ]
        ),
        max_size=2,
        unique_by=lambda kv: kv[0],
    ),
)
options = st.builds(
    Options,
    match_query=st.booleans(),
    match_wildcards=st.booleans(),
    fuzzy=st.booleans(),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(targets=examples(), request=requests, options=options)
def test_the_index_chooses_what_scoring_every_example_chooses(targets, request, options) -> None:
    full = select(request, targets, options)
    fast = ExampleIndex(targets).select(request, options)
    if full.winner is None:
        assert fast.winner is None
    else:
        assert fast.winner is not None
        assert fast.winner.target.index == full.winner.target.index
        assert fast.winner.total == full.winner.total
        assert fast.winner.captures == full.winner.captures
