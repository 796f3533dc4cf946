"""Replay mode with a 10,000-example collection: load time and the time of any first request.

Run: `.venv/bin/python benchmarks/replay_large_collection.py [--examples 10000]`.

The collection is generated (never committed): a third of the examples are pages of
`GET /users/formatted?page=N`, a third `POST /user/N/punch-clock` for N users, and the rest one
path each (`GET /reports/r<N>`). It prints the load time (`load_collection` with the schema
check, then `Replay`) and, over real HTTP to `MockServer.serve()`, the first answer to each kind
of request (its decision not cached yet), the median of 50 more distinct ones, and a 404.
Targets (issue 11): load under 2 s, every request under 5 ms.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from punchlab import MockRequest, MockServer, load_collection

SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"


def example(name: str, method: str, raw: str, path: list[str], query: list, body: dict) -> dict:
    url = {"raw": raw, "host": ["{{baseUrl}}"], "path": path}
    if query:
        url["query"] = [{"key": k, "value": v} for k, v in query]
    return {
        "name": name,
        "originalRequest": {"method": method, "header": [], "url": url},
        "status": "OK",
        "code": 200,
        "header": [{"key": "Content-Type", "value": "application/json"}],
        "body": json.dumps(body),
    }


def collection(n: int) -> dict:
    third = n // 3
    pages = [
        example(
            f"page {p}",
            "GET",
            f"{{{{baseUrl}}}}/users/formatted?page={p}",
            ["users", "formatted"],
            [("page", str(p))],
            {"count": 1, "total": third, "users": [{"id": p, "name": f"User {p}"}]},
        )
        for p in range(1, third + 1)
    ]
    punches = [
        example(
            f"user {u}",
            "POST",
            f"{{{{baseUrl}}}}/user/{u}/punch-clock",
            ["user", str(u), "punch-clock"],
            [],
            {"user_id": u, "type": "in"},
        )
        for u in range(1, third + 1)
    ]
    reports = [
        example(
            f"report {r}",
            "GET",
            f"{{{{baseUrl}}}}/reports/r{r}",
            ["reports", f"r{r}"],
            [],
            {"report": r},
        )
        for r in range(1, n - 2 * third + 1)
    ]

    def item(name: str, method: str, responses: list[dict]) -> dict:
        return {
            "name": name,
            "request": {"method": method, "url": "{{baseUrl}}/" + name},
            "response": responses,
        }

    return {
        "info": {"name": "large", "schema": SCHEMA},
        "item": [
            item("users/formatted", "GET", pages),
            item("user/punch-clock", "POST", punches),
            item("reports", "GET", reports),
        ],
        "variable": [{"key": "baseUrl", "value": "http://localhost"}],
    }


def timed(http: httpx.Client, method: str, url: str) -> tuple[float, int]:
    started = time.perf_counter()
    answer = http.request(method, url)
    return (time.perf_counter() - started) * 1000, answer.status_code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=10_000)
    args = parser.parse_args()
    n, third = args.examples, args.examples // 3
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "large.postman_collection.json"
        path.write_text(json.dumps(collection(n)))
        loads = []
        for _ in range(3):  # the first includes compiling the schema check once per process
            started = time.perf_counter()
            loaded = load_collection(path)
            validated = time.perf_counter() - started
            server = MockServer(loaded)
            engine = server.engine  # builds the replay engine and its index
            loads.append((validated, time.perf_counter() - started))
    print(f"{n:,} examples, {engine!r}")
    for label, (validated, built) in zip(("first", "second", "third"), loads, strict=True):
        print(f"  {label} load: load_collection (schema checked) {validated:.2f} s, ", end="")
        print(f"with Replay built {built:.2f} s (target < 2 s)")
    kinds = {
        "GET page (query match)": ("GET", lambda i: f"/users/formatted?page={third - i}"),
        "GET page past the end": ("GET", lambda i: f"/users/formatted?page={10**6 + i}"),
        "POST punch, known user": ("POST", lambda i: f"/user/{third - i}/punch-clock"),
        "POST punch, unknown id": ("POST", lambda i: f"/user/{10**6 + i}/punch-clock"),
        "GET report (exact path)": ("GET", lambda i: f"/reports/r{n - 2 * third - i}"),
        "GET report (fuzzy path)": ("GET", lambda i: f"/report/r{n - 2 * third - i}"),
        "GET unknown path (404)": ("GET", lambda i: f"/nothing/here/{i}"),
        "DELETE (404, no method)": ("DELETE", lambda i: f"/users/formatted?page={i + 1}"),
    }
    print("over HTTP, ms (first: its decision not cached yet); engine: the match alone, µs")
    print(f"{'request':28} {'status':>6} {'first':>7} {'median':>7} {'max':>7} {'engine µs':>10}")
    worst = 0.0
    with server.serve() as running, httpx.Client(base_url=running.url) as http:
        http.get("/users/formatted?page=1")  # a warm connection
        for label, (method, url) in kinds.items():
            first, status = timed(http, method, url(0))
            rest = [timed(http, method, url(i))[0] for i in range(1, 51)]
            worst = max(worst, first, *rest)
            started = time.perf_counter()
            for i in range(51, 101):
                engine._decide(MockRequest.build(method, url(i)))
            alone = (time.perf_counter() - started) / 50 * 1e6
            print(
                f"{label:28} {status:>6} {first:7.2f} {statistics.median(rest):7.2f} "
                f"{max(rest):7.2f} {alone:10.0f}"
            )
    print(f"slowest answer: {worst:.2f} ms over HTTP (target < 5 ms)")
    tutorial = MockServer()
    with tutorial.serve() as running, httpx.Client(base_url=running.url) as http:
        http.get("/users/formatted?page=1")
        baseline = [timed(http, "GET", "/users/formatted?page=2")[0] for _ in range(50)]
    print(
        f"baseline, the tutorial's 6 examples over HTTP: median "
        f"{statistics.median(baseline):.2f} ms, max {max(baseline):.2f} ms (machine noise)"
    )


if __name__ == "__main__":
    main()
