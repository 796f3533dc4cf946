"""How long `Replay.respond` takes on the tutorial collection, cached and uncached.

Run: `.venv/bin/python benchmarks/replay_respond.py`. It prints microseconds per call; the served
mock's budget (22,000 req/s on 2 cores through uvicorn) leaves the engine a few microseconds.
"""

from __future__ import annotations

import timeit

from punchlab.home import TUTORIAL_COLLECTION, data_file
from punchlab.mock.messages import MockRequest
from punchlab.mock.replay import Replay

HEADERS = {"host": "127.0.0.1:8000", "user-agent": "wrk", "accept": "*/*"}
REQUESTS = {
    "GET /users/formatted?page=1": MockRequest.build(
        "GET", "/users/formatted?page=1", headers=HEADERS
    ),
    "GET /users/formatted (400)": MockRequest.build("GET", "/users/formatted", headers=HEADERS),
    "POST /user/3/punch-clock": MockRequest.build("POST", "/user/3/punch-clock", headers=HEADERS),
    "GET /nowhere (404)": MockRequest.build("GET", "/nowhere", headers=HEADERS),
}


def per_call(function, number: int) -> float:
    return min(timeit.repeat(function, number=number, repeat=5)) / number * 1e6


def main() -> None:
    mock = Replay(data_file(TUTORIAL_COLLECTION))
    print(f"{'request':32} {'cached µs':>10} {'uncached µs':>12}")
    for label, request in REQUESTS.items():
        mock.respond(request)
        cached = per_call(lambda request=request: mock.respond(request), 20000)

        def uncached(request=request) -> None:
            mock._cache.clear()
            mock.respond(request)

        print(f"{label:32} {cached:10.2f} {per_call(uncached, 500):12.1f}")


if __name__ == "__main__":
    main()
