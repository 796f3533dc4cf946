from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from punchlab.errors import ValidationError
from punchlab.mock.live import LiveApi, PunchLedger, generate_users, load_users_csv, split_path
from punchlab.mock.messages import MockRequest
from punchlab.mock.server import MockServer
from punchlab.store import Store

TUTORIAL_USERS = [
    {"id": 1, "name": "Barbara Banh", "email": "user+1@talkdesk.com"},
    {"id": 2, "name": "Steven Herrera", "email": "user+2@talkdesk.com"},
    {"id": 3, "name": "Gregory Dearing", "email": "user+3@talkdesk.com"},
    {"id": 4, "name": "Patty Raines", "email": "user+4@talkdesk.com"},
    {"id": 5, "name": "Ricardo Smith", "email": "user+5@talkdesk.com"},
    {"id": 6, "name": "Clarence Hull", "email": "user+6@talkdesk.com"},
    {"id": 7, "name": "Donald MCants", "email": "user+7@talkdesk.com"},
]


class Clock:
    """A clock that moves one minute a call, from 08:00 UTC."""

    def __init__(self) -> None:
        self.moment = datetime(2023, 8, 11, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.moment += timedelta(minutes=1)
        return self.moment


def live(users=TUTORIAL_USERS, **options) -> MockServer:
    return MockServer(mode="live", users=users, **options)


def test_pages_like_the_tutorial(reach) -> None:
    with reach(live()) as http:
        first = http.get("/users/formatted", params={"page": 1})
        second = http.get("/users/formatted", params={"page": 2}).json()
        past = http.get("/users/formatted", params={"page": 3}).json()
        raw = http.get("/users/not-formatted", params={"page": 1}).json()
    assert first.status_code == 200
    assert first.headers["content-type"] == "application/json"
    page = first.json()
    assert (page["count"], page["total"]) == (5, 7)
    assert list(page["users"][0]) == ["name", "id", "email"]
    assert page["users"][0] == {"name": "Barbara Banh", "id": 1, "email": "user+1@talkdesk.com"}
    assert [u["id"] for u in second["users"]] == [6, 7] and second["count"] == 2
    assert past == {"count": 0, "total": 7, "users": []}
    assert list(raw["users"][4]) == ["name", "punch_clock_id", "punch_clock_email"]
    assert raw["users"][4]["punch_clock_email"] == "user+5@talkdesk.com"


def test_page_errors_are_plain_text_400(reach) -> None:
    with reach(live()) as http:
        missing = http.get("/users/formatted")
        answers = [http.get("/users/not-formatted", params={"page": p}) for p in ("0", "-1", "x")]
        too_big = http.get("/users/formatted", params={"page": 1, "per_page": 5000})
    assert (missing.status_code, missing.text) == (400, "No page was specified.")
    assert missing.headers["content-type"].startswith("text/plain")
    for answer in answers:
        assert answer.status_code == 400
        assert "page must be a positive integer" in answer.text
    assert too_big.status_code == 400 and "per_page" in too_big.text


def test_page_size_option_and_query() -> None:
    server = live(generate_users(23), page_size=10)
    with server.client() as http:
        assert http.get("/users/formatted?page=3").json()["count"] == 3
        answer = http.get("/users/formatted?page=2&page_size=20").json()
        assert [u["id"] for u in answer["users"]] == [21, 22, 23]
        assert http.get("/users/formatted?page=5&per_page=5").json()["count"] == 3


def test_pages_over_a_hundred_thousand_users() -> None:
    api = LiveApi(generate_users(100_000, seed=3))
    answer = api.respond(MockRequest.build("GET", "/users/formatted?page=20000"))
    page = json.loads(answer.body)
    assert page["total"] == 100_000
    assert [u["id"] for u in page["users"]] == [99_996, 99_997, 99_998, 99_999, 100_000]


def test_generated_users_are_repeatable() -> None:
    users = generate_users(50, seed=4)
    assert users == generate_users(50, seed=4)
    assert users != generate_users(50, seed=5)
    assert [u["id"] for u in users] == list(range(1, 51))
    assert all(u["email"] == f"user+{u['id']}@talkdesk.com" for u in users)
    assert all(len(u["name"].split()) == 2 for u in users)


def test_users_from_csv(tmp_path: Path) -> None:
    good = tmp_path / "users.csv"
    good.write_text("id,name,email\n10,Ana Silva,ana@example.com\n11,Rui Costa,rui@example.com\n")
    assert load_users_csv(good)[1] == {"id": 11, "name": "Rui Costa", "email": "rui@example.com"}
    with live(str(good)).client() as http:
        assert http.get("/users/formatted?page=1").json()["total"] == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id,name,email\n1,A B,a@x.io\nx,C D,c@x.io\n", "line 3"),
        ("id,name,email\n1,A B,a@x.io\n1,C D,c@x.io\n", "appears twice"),
        ("id,name,email\n1,A B,not-an-email\n", "not a valid email"),
        ("id,name\n1,A B\n", "header"),
    ],
)
def test_bad_csv_names_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(ValidationError, match=message) as caught:
        load_users_csv(path)
    assert "bad.csv" in str(caught.value)


def test_punches_alternate_in_and_out(reach) -> None:
    server = live(now=Clock())
    with reach(server) as http:
        first = http.post("/user/1/punch-clock")
        second = http.post("/user/1/punch-clock").json()
        third = http.post("/user/1/punch-clock").json()
        ledger = http.get("/punches", params={"user_id": 1}).json()
        everyone = http.get("/punches").json()
    assert first.status_code == 200
    checked_in = first.json()
    assert checked_in == {
        "name": "Barbara Banh",
        "check_in_time": "2023-08-11T08:01:00+00:00",
        "type": "in",
        "id": 1,
        "user_id": 1,
    }
    assert second["type"] == "out"
    assert second["check_in_time"] == "2023-08-11T08:01:00+00:00"
    assert second["check_out_time"] == "2023-08-11T08:02:00+00:00"
    assert third["type"] == "in" and "check_out_time" not in third
    assert [p["type"] for p in ledger] == ["in", "out", "in"]
    assert everyone == ledger == server.ledger.records()


def test_punch_uses_the_real_utc_time() -> None:
    with live().client() as http:
        before = datetime.now(UTC).replace(microsecond=0)
        stamp = http.post("/user/2/punch-clock").json()["check_in_time"]
    assert stamp.endswith("+00:00")
    assert before <= datetime.fromisoformat(stamp) <= datetime.now(UTC)


@pytest.mark.parametrize(
    "path", ["/user/99/punch-clock", "/user/..%2F1/punch-clock", "/user/x/punch-clock"]
)
def test_unknown_user_is_404_json(reach, path: str) -> None:
    with reach(live()) as http:
        answer = http.post(path)
    assert answer.status_code == 404
    assert answer.json()["error"]["name"] == "userNotFound"


def test_encoded_digit_names_the_user_and_slash_never_escapes() -> None:
    assert split_path("/user/..%2F1/punch-clock") == ["user", "../1", "punch-clock"]
    assert split_path("/user/%31/punch-clock") == ["user", "1", "punch-clock"]
    assert split_path("/user/%zz/punch-clock") is None
    with live().client() as http:
        assert http.post("/user/%31/punch-clock").json()["name"] == "Barbara Banh"


def test_unknown_route_and_wrong_method() -> None:
    with live().client() as http:
        assert http.get("/nowhere").status_code == 404
        wrong = http.get("/user/1/punch-clock")
        assert wrong.status_code == 405 and wrong.headers["allow"] == "POST"
        assert http.get("/punches?user_id=abc").status_code == 400


def test_ledger_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "lab.sqlite3"
    store = Store(path)
    with live(store=store).client() as http:
        http.post("/user/4/punch-clock")
    store.close()
    reopened = Store(path)
    server = live(store=reopened)
    with server.client() as http:
        answer = http.post("/user/4/punch-clock").json()
    assert answer["type"] == "out"
    assert [p["type"] for p in server.ledger.records(user_id=4)] == ["in", "out"]
    assert "live_punches" in reopened.tables()
    reopened.close()


@pytest.mark.parametrize("store", [None, "memory"])
def test_ledger_is_thread_safe(store) -> None:
    ledger = PunchLedger(Store(memory=True) if store else None)

    def punch_many() -> None:
        for _ in range(50):
            ledger.punch(1, "Barbara Banh")

    threads = [threading.Thread(target=punch_many) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    records = ledger.records()
    assert len(records) == len(ledger) == 200
    assert [r["type"] for r in records] == ["in", "out"] * 100
    assert sorted(r["id"] for r in records) == list(range(1, 201))


def test_default_users_come_from_the_collection() -> None:
    collection = pytest.importorskip("punchlab.mock.collection")
    expected = collection.load_collection(
        Path(__file__).parents[2] / "data" / "time_punching_integration.postman_collection.json"
    ).users()
    with MockServer(mode="live").client() as http:
        page = http.get("/users/formatted?page=1").json()
    assert page["total"] == len(expected) == 7
    assert page["users"][0] == {"name": "Barbara Banh", "id": 1, "email": "user+1@talkdesk.com"}


def test_bad_users_are_refused() -> None:
    with pytest.raises(ValidationError, match="user 1"):
        LiveApi([{"id": 1, "name": "A", "email": "a@x"}, {"id": 1, "name": "B", "email": "b@x"}])
    with pytest.raises(ValidationError, match="page_size"):
        LiveApi([], page_size=0)
