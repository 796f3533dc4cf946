"""Replay: header values checked at load, and what the decision cache keys on."""

from __future__ import annotations

import tracemalloc

import pytest
from postman import collection, example

from punchlab import CollectionError
from punchlab.messages import MockRequest
from punchlab.replay import Replay

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
