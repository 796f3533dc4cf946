"""`GET /punches` pages like the users endpoints, so a big ledger never goes out in one answer."""

from __future__ import annotations

import httpx
import pytest

from punchlab import MockServer, Store
from punchlab.mock.live import MAX_PAGE_SIZE


@pytest.fixture(params=["memory", "store"])
def server(request: pytest.FixtureRequest):
    store = Store(memory=True) if request.param == "store" else None
    yield MockServer(mode="live", users=3, store=store)
    if store is not None:
        store.close()


def test_punches_come_in_pages_with_count_and_total(server) -> None:
    with server.serve() as running, httpx.Client(base_url=running.url) as http:
        for _ in range(4):
            for user in (1, 2, 3):
                assert http.post(f"/user/{user}/punch-clock").status_code == 200
        first = http.get("/punches", params={"page": 1, "page_size": 5}).json()
        assert (first["count"], first["total"]) == (5, 12)
        assert [p["id"] for p in first["punches"]] == [1, 2, 3, 4, 5]
        third = http.get("/punches", params={"page": 3, "page_size": 5}).json()
        assert [p["id"] for p in third["punches"]] == [11, 12]
        mine = http.get("/punches", params={"page": 1, "user_id": 2}).json()
        assert mine["total"] == 4 and {p["user_id"] for p in mine["punches"]} == {2}
        assert http.get("/punches", params={"page": 9}).json()["count"] == 0
        assert http.get("/punches", params={"page": 0}).status_code == 400
        assert len(http.get("/punches").json()) == 12  # a small ledger: today's list


def test_a_ledger_past_a_thousand_punches_asks_for_a_page(server) -> None:
    with server.client() as http:
        for _ in range(MAX_PAGE_SIZE + 1):
            http.post("/user/1/punch-clock")
        answer = http.get("/punches")
        assert answer.status_code == 400 and "page" in answer.json()["error"]["message"]
        page = http.get("/punches", params={"page": 2, "page_size": MAX_PAGE_SIZE}).json()
        assert (page["count"], page["total"]) == (1, MAX_PAGE_SIZE + 1)
