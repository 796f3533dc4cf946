"""One rule for ids in live mode: ASCII digits, 1 to MAX_ID; the limit is said, never hidden."""

from __future__ import annotations

import pytest

from punchlab import LiveApi, MockServer, ValidationError, generate_users
from punchlab.mock.live import MAX_ID, MAX_USERS, parse_id


def test_a_query_integer_past_the_limit_is_told_the_real_limit() -> None:
    with MockServer(mode="live").client() as http:
        for url in ("/users/formatted?page=", "/punches?user_id="):
            answer = http.get(url + "1" * 19)
            assert answer.status_code == 400
            assert str(MAX_ID) in answer.text
        assert http.get(f"/users/formatted?page={MAX_ID}").json()["count"] == 0


def test_every_listed_user_can_punch_and_out_of_rule_ids_are_refused() -> None:
    api = LiveApi([{"id": MAX_ID, "name": "Last", "email": "last@example.com"}])
    with MockServer(mode="live", users=api.users).client() as http:
        listed = http.get("/users/formatted?page=1").json()["users"]
        assert [u["id"] for u in listed] == [MAX_ID]
        assert http.post(f"/user/{MAX_ID}/punch-clock").status_code == 200
    for bad in (10**30, MAX_ID + 1, 0, -3, "²", "1e3", True, 2.5):
        with pytest.raises(ValidationError, match="user 0"):
            LiveApi([{"id": bad, "name": "X", "email": "x@example.com"}])


def test_parse_id_is_the_one_rule() -> None:
    assert [parse_id(v) for v in ("7", " 7 ", 7, str(MAX_ID))] == [7, 7, 7, MAX_ID]
    for bad in ("0", "-1", "٣", "²", "1" * 19, 10**30, None, 1.0, True, ""):
        assert parse_id(bad) is None


def test_generated_users_have_an_upper_bound() -> None:
    with pytest.raises(ValidationError, match="users"):
        generate_users(MAX_USERS + 1)
