from __future__ import annotations

import math
from collections.abc import Iterator

import httpx
import pandas as pd
import pytest

import punchlab
from punchlab.inprocess import client, mount, unmount
from punchlab.talkdesk.agent_sync import SyncReport, agent_sync, http_fetcher, match_users, paginate
from punchlab.talkdesk.mapping import FieldMapping

BASE = "http://users-api.punchlab"


def make_users(n: int, *, start: int = 1) -> list[dict]:
    return [
        {"name": f"User {i}", "id": i, "email": f"user+{i}@talkdesk.com"}
        for i in range(start, start + n)
    ]


def users_api(users: list[dict], *, page_size: int, fail_page: int | None = None):
    """A paginated users API: `?page=N&page_size=K` with count/total, or offsets and links."""

    def handle(request: httpx.Request) -> httpx.Response:
        query = request.url.params
        size = int(query.get("page_size", page_size))
        if request.url.path.endswith(("/offset", "/linked")):
            start = int(query.get("offset", 0))
            number = start // size + 1
        else:
            if "page" not in query:
                return httpx.Response(400, text="No page was specified.")
            number = int(query["page"])
            start = (number - 1) * size
        if number == fail_page:
            return httpx.Response(500, text="upstream exploded " + "x" * 500)
        chunk = users[start : start + size]
        body: dict = {"count": len(chunk), "total": len(users), "users": chunk}
        if start + size < len(users):
            body["next_offset"] = start + size
            body["_links"] = {"next": {"href": f"/users/linked?offset={start + size}"}}
        return httpx.Response(200, json=body)

    return httpx.MockTransport(handle)


@pytest.fixture
def http_users() -> Iterator:
    mounted: list[str] = []

    def serve(users: list[dict], **options) -> str:
        mount(BASE, users_api(users, **options))
        mounted.append(BASE)
        return BASE

    yield serve
    for base in mounted:
        unmount(base)


class AgentTable:
    """Agents and their External IDs for one Connection, as a sync target in these tests."""

    def __init__(self, emails: list[str]) -> None:
        self.frame = pd.DataFrame(
            {
                "id": range(100, 100 + len(emails)),
                "name": [f"Agent {i}" for i in range(len(emails))],
                "email": emails,
                "active": True,
                "external_id": pd.Series([None] * len(emails), dtype=object),
            }
        )
        self.calls: list[dict[int, str]] = []

    def set_external_ids(self, updates: dict[int, str]) -> None:
        self.calls.append(dict(updates))
        ids = self.frame["id"].map(updates)
        self.frame["external_id"] = ids.where(ids.notna(), self.frame["external_id"])


def replay_fetcher(pages: dict[int, dict]):
    """Like the replay mock: a page past the last example answers with page 1."""
    asked: list = []

    def fetch(page):
        asked.append(page)
        return pages.get(page, pages[1])

    fetch.asked = asked
    return fetch


# --- pagination ---------------------------------------------------------------------------


def test_page_style_stops_at_total_on_the_tutorial_pages(tutorial_users_pages) -> None:
    fetch = replay_fetcher(tutorial_users_pages["formatted"])
    pages = paginate(fetch)
    users = pages.users()
    assert [u["id"] for u in users] == [1, 2, 3, 4, 5, 6, 7]
    assert fetch.asked == [1, 2]
    assert pages.stop_reason == "read 7 of 7 users (total)"
    assert pages.pages_read == 2
    assert len(pages.users()) == 7 and pages.users_read == 7  # read again from the start


def test_a_repeated_page_stops_the_sync_and_says_why(tutorial_users_pages) -> None:
    without_total = {n: {"users": b["users"]} for n, b in tutorial_users_pages["formatted"].items()}
    fetch = replay_fetcher(without_total)
    pages = paginate(fetch)
    assert len(pages.users()) == 7
    assert fetch.asked == [1, 2, 3]
    assert pages.stop_reason.startswith("page 3 repeats page 1 (the same users)")


def test_an_empty_page_ends_page_style() -> None:
    data = {1: {"users": make_users(2)}, 2: {"users": []}}
    pages = paginate(data.__getitem__)
    assert len(pages.users()) == 2
    assert pages.stop_reason == "page 2 was empty"


def test_offset_and_next_link_styles_with_a_fetcher() -> None:
    users = make_users(5)

    def by_offset(offset):
        start = offset or 0
        body = {"users": users[start : start + 2]}
        if start + 2 < len(users):
            body["next_offset"] = start + 2
        return body

    pages = paginate(by_offset, style="offset")
    assert [p.cursor for p in pages] == [None, 2, 4]
    assert pages.stop_reason == "page 3 had no next_offset"

    links = {  # cursor -> (first user, next link): absolute, then relative, then none
        None: (0, "http://x/p?c=a"),
        "http://x/p?c=a": (2, "?c=b"),
        "http://x/p?c=b": (4, None),
    }

    def by_link(cursor):
        start, nxt = links[cursor]
        return {"users": users[start : start + 2], "_links": {"next": {"href": nxt}}}

    pages = paginate(by_link, style="next")
    assert [p.cursor for p in pages] == [None, "http://x/p?c=a", "http://x/p?c=b"]
    assert pages.users_read == 5
    assert pages.stop_reason == "page 3 had no next link"


def test_loop_guard_raises_instead_of_paging_forever() -> None:
    pages = paginate(lambda page: {"users": make_users(1, start=page)}, max_pages=5)
    with pytest.raises(punchlab.SyncError, match="max_pages=5 pages"):
        pages.users()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (["not", "an", "object"], "the body is list"),
        ({"people": []}, "the body has no 'users' list"),
    ],
)
def test_a_body_without_users_is_a_sync_error(body, message: str) -> None:
    with pytest.raises(punchlab.SyncError, match=f"page 1 \\(1\\) failed: {message}") as caught:
        paginate(lambda page: body).users()
    assert caught.value.page == 1


def test_page_style_through_an_httpx_client(http_users) -> None:
    base = http_users(make_users(2500), page_size=1000)
    with client() as http:
        pages = paginate(http_fetcher(f"{base}/users/formatted", client=http))
        sizes = [len(p.users) for p in pages]
    assert sizes == [1000, 1000, 500]
    assert pages.stop_reason == "read 2500 of 2500 users (total)"


def test_offset_and_link_styles_through_an_httpx_client(http_users) -> None:
    base = http_users(make_users(25), page_size=10)
    with client() as http:
        by_offset = paginate(
            http_fetcher(f"{base}/users/offset", client=http, param="offset"), style="offset"
        )
        assert [p.cursor for p in by_offset] == [None, 10, 20]
        by_link = paginate(http_fetcher(f"{base}/users/linked", client=http), style="next")
        users = by_link.users()
    assert [u["id"] for u in users] == list(range(1, 26))
    assert by_link.stop_reason == "page 3 had no next link"


def test_a_failing_page_names_page_status_and_body_and_applies_nothing(http_users) -> None:
    base = http_users(make_users(50), page_size=10, fail_page=3)
    agents = AgentTable([u["email"] for u in make_users(50)])
    with client() as http, pytest.raises(punchlab.SyncError) as caught:
        agent_sync(
            http_fetcher(f"{base}/users", client=http), agents.frame, agents.set_external_ids
        )
    error = caught.value
    assert (error.page, error.status) == (3, 500)
    assert str(error).startswith("page 3 (3) failed: HTTP 500 Internal Server Error; body")
    assert "body: 'upstream exploded xxx" in str(error) and "nothing was applied" in str(error)
    assert len(str(error)) < 600
    assert agents.calls == []
    assert agents.frame["external_id"].isna().all()


def test_the_tutorials_missing_page_answer_is_a_sync_error(http_users) -> None:
    base = http_users(make_users(3), page_size=10)
    with client() as http, pytest.raises(punchlab.SyncError, match="No page was specified"):
        paginate(http_fetcher(f"{base}/users", client=http, param="p")).users()


def test_progress_bar_only_for_many_pages(capsys) -> None:
    users = make_users(60)

    def fetch(page):
        return {"total": 60, "users": users[(page - 1) * 2 : page * 2]}

    paginate(fetch).users()
    assert "Agent Sync" in capsys.readouterr().err  # 30 pages: shown
    paginate(fetch, progress=False).users()
    assert capsys.readouterr().err == ""
    few = {1: {"total": 2, "users": users[:2]}}
    paginate(few.__getitem__).users()
    assert capsys.readouterr().err == ""
    paginate(few.__getitem__, progress=True).users()
    assert "1/1" in capsys.readouterr().err


# --- matching -----------------------------------------------------------------------------


def users_frame(rows: list[tuple[int, str]]) -> pd.DataFrame:
    return pd.DataFrame({"id": [i for i, _ in rows], "name": "x", "email": [e for _, e in rows]})


def test_insensitive_match_trims_and_casefolds_exact_shows_the_pitfall() -> None:
    agents = AgentTable(["user+1@talkdesk.com", "user+2@talkdesk.com"]).frame
    users = users_frame([(1, " User+1@TalkDesk.com"), (2, "user+2@talkdesk.com")])
    insensitive = match_users(users, agents)
    assert insensitive.updates == {100: "1", 101: "2"}
    exact = match_users(users, agents, match="exact")
    assert exact.updates == {101: "2"}
    assert exact.unmatched_users["user_email"].tolist() == [" User+1@TalkDesk.com"]
    assert exact.unmatched_agents["agent_id"].tolist() == [100]
    with pytest.raises(ValueError, match="'insensitive' or 'exact'"):
        match_users(users, agents, match="fuzzy")


def test_conflicts_on_either_side_are_reported_and_never_matched() -> None:
    agents = AgentTable(
        ["a@x.io", "dup@x.io", "DUP@x.io ", "b@x.io", "c@x.io", "d@x.io", None]
    ).frame
    users = users_frame(
        [(1, "a@x.io"), (2, "dup@x.io"), (3, "b@x.io"), (4, "B@x.io"), (5, "c@x.io"),
         (5, "d@x.io"), (6, "e@x.io"), (7, "")]
    )  # fmt: skip
    report = match_users(users, agents)
    assert report.updates == {100: "1"}
    conflicts = report.conflicts
    assert conflicts[conflicts["side"] == "agent"]["id"].tolist() == [103, 104, 105, 101, 102]
    reasons = dict(zip(conflicts["email"], conflicts["reason"], strict=False))
    assert reasons["dup@x.io"] == "several agents have its email"
    assert reasons["DUP@x.io "] == "its email is on several agents"
    assert reasons["B@x.io"] == "its email is on several users"
    assert reasons["d@x.io"] == "its ID is on several external users"
    assert reasons["c@x.io"] == "its ID is on several external users"
    assert report.unmatched_users["external_id"].tolist() == ["6", "7"]
    assert report.unmatched_agents["agent_id"].tolist() == [106]
    assert report.counts["users"] == 8


def test_new_changed_unchanged() -> None:
    table = AgentTable(["a@x.io", "b@x.io", "c@x.io"])
    table.frame["external_id"] = ["1", "9", None]
    report = match_users(users_frame([(1, "a@x.io"), (2, "b@x.io"), (3, "c@x.io")]), table.frame)
    assert report.matched.set_index("agent_id")["change"].to_dict() == {
        100: "unchanged",
        101: "changed",
        102: "new",
    }
    assert report.updates == {101: "2", 102: "3"}
    assert report.matched.loc[1, "previous_external_id"] == "9"


# --- the whole sync -----------------------------------------------------------------------


def test_sync_applies_once_and_a_rerun_is_idempotent(tutorial_users_pages) -> None:
    emails = [f"user+{i}@talkdesk.com" for i in (1, 2, 3, 4, 6)] + ["nobody@talkdesk.com"]
    agents = AgentTable(emails)
    fetch = replay_fetcher(tutorial_users_pages["formatted"])
    first = agent_sync(fetch, agents.frame, agents.set_external_ids)
    assert agents.calls == [{100: "1", 101: "2", 102: "3", 103: "4", 104: "6"}]
    assert first.applied and first.pages == 2
    assert first.summary == (
        "7 users from 2 pages: 5 matched (5 new, 0 changed, 0 unchanged), 2 users with no "
        "agent, 1 agent with no user, 0 conflicting rows; set 5 External IDs"
    )
    second = agent_sync(fetch, lambda: agents.frame, agents.set_external_ids)
    assert len(agents.calls) == 1  # nothing to change, apply not called
    assert set(second.matched["change"]) == {"unchanged"} and second.updates == {}
    assert second.summary.endswith("5 unchanged), 2 users with no agent, 1 agent with no user, "
                                   "0 conflicting rows; nothing to change")  # fmt: skip
    html = second._repr_html_()
    assert "<h4>External users with no agent</h4>" in html and "read 7 of 7 users" in html


def test_dry_run_reports_without_applying(tutorial_users_pages) -> None:
    agents = AgentTable(["user+1@talkdesk.com"])
    report = agent_sync(
        replay_fetcher(tutorial_users_pages["formatted"]), agents.frame, dry_run=True
    )
    assert isinstance(report, SyncReport)
    assert report.updates == {100: "1"} and not report.applied
    assert report.summary.endswith("dry run: would set 1 External ID")
    with pytest.raises(ValueError, match="dry_run=True"):
        agent_sync(replay_fetcher(tutorial_users_pages["formatted"]), agents.frame)


def test_not_formatted_fails_validation_then_syncs_with_a_mapping(tutorial_users_pages) -> None:
    agents = AgentTable([f"user+{i}@talkdesk.com" for i in range(1, 8)])
    fetch = replay_fetcher(tutorial_users_pages["not-formatted"])
    with pytest.raises(punchlab.MappingError) as caught:
        agent_sync(fetch, agents.frame, agents.set_external_ids)
    assert caught.value.where == "page 1"
    assert "users[0].id: missing (the source of `id`)" in str(caught.value)
    assert agents.calls == []
    mapping = {"id": "punch_clock_id", "name": "name", "email": "punch_clock_email"}
    report = agent_sync(fetch, agents.frame, agents.set_external_ids, mapping=mapping)
    assert agents.calls == [{100 + i: str(i + 1) for i in range(7)}]
    assert report.mapping.to_dict() == mapping


def test_a_bad_user_on_page_3_applies_nothing() -> None:
    users = make_users(30)
    users[25]["email"] = None
    agents = AgentTable([u["email"] for u in make_users(30)])
    with pytest.raises(punchlab.MappingError) as caught:
        agent_sync(
            lambda page: {"total": 30, "users": users[(page - 1) * 10 : page * 10]},
            agents.frame,
            agents.set_external_ids,
        )
    assert str(caught.value).startswith(
        "page 3: users[5].email: `email` None is not of type 'string'"
    )
    assert agents.calls == []


def test_sync_at_scale_is_vectorised_and_correct(http_users) -> None:
    n = 20_000
    users = make_users(n)
    for user in users[::7]:
        user["email"] = user["email"].upper()
    base = http_users(users, page_size=1000)
    agents = AgentTable([f"user+{i}@talkdesk.com" for i in range(1, n + 1)])
    with client() as http:
        report = agent_sync(
            http_fetcher(f"{base}/users", client=http),
            agents.frame,
            agents.set_external_ids,
            progress=False,
        )
    assert report.pages == math.ceil(n / 1000)
    assert len(agents.calls[0]) == n
    assert (agents.frame["external_id"] == (agents.frame["id"] - 99).astype(str)).all()


def test_a_body_that_is_not_json_shows_status_and_body() -> None:
    base = "http://not-json.punchlab"
    mount(base, httpx.MockTransport(lambda request: httpx.Response(200, text="<html>hi")))
    try:
        with client() as http, pytest.raises(punchlab.SyncError) as caught:
            paginate(http_fetcher(f"{base}/users", client=http)).users()
    finally:
        unmount(base)
    assert str(caught.value).startswith("page 1 (1) failed: HTTP 200 ValueError: the body is not")
    assert caught.value.body == "<html>hi" and caught.value.status == 200


def test_an_id_kept_by_an_unmatched_agent_is_a_conflict_not_a_move() -> None:
    table = AgentTable(["left@x.io", "a@x.io", "b@x.io", "c@x.io"])
    table.frame["external_id"] = ["1", None, "2", None]  # agent 100 keeps "1": no user matches it
    users = users_frame([(1, "a@x.io"), (2, "c@x.io"), (3, "b@x.io")])
    report = match_users(users, table.frame)
    # user 1 -> agent 101 would put "1" on two agents; user 2 -> agent 103 is fine, since
    # agent 102 moves from "2" to "3" in the same sync
    assert report.updates == {102: "3", 103: "2"}
    held = report.conflicts
    assert held["side"].tolist() == ["agent", "external user"]
    assert held["id"].tolist() == [101, "1"]
    assert held["reason"].tolist() == [
        "its user's ID is the External ID of agent 100, which keeps it",
        "its ID is the External ID of agent 100, which keeps it",
    ]
    assert report.unmatched_agents["agent_id"].tolist() == [100]
    assert report.counts["users"] == 3


def test_whole_number_float_ids_become_plain_external_ids() -> None:
    import pandas as pd

    users = FieldMapping.identity().frame(
        [{"id": 1, "name": "A", "email": "a@x.io"}, {"id": 2.0, "name": "B", "email": "b@x.io"}]
    )
    agents = pd.DataFrame(
        [
            {"id": 10, "name": "A", "email": "a@x.io", "active": True, "external_id": None},
            {"id": 11, "name": "B", "email": "B@x.io", "active": True, "external_id": None},
        ]
    )
    assert match_users(users, agents).updates == {10: "1", 11: "2"}


def test_sync_and_the_account_normalise_emails_alike() -> None:
    import pandas as pd

    from punchlab.emails import normalise_email

    # casefold would turn "ß" into "ss"; the account's rule (lower-case) keeps them apart
    users = pd.DataFrame([{"id": 3, "name": "S", "email": "STRASSE@x.io"}])
    agents = pd.DataFrame(
        [{"id": 11, "name": "S", "email": "straße@x.io", "active": True, "external_id": None}]
    )
    assert normalise_email("STRASSE@x.io") != normalise_email("straße@x.io")
    assert match_users(users, agents).updates == {}


def test_an_opaque_offset_with_a_slash_is_not_taken_for_a_link() -> None:
    seen: list[httpx.Request] = []

    def api(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if "offset" not in request.url.params:
            user = {"id": 1, "name": "A", "email": "a@x.io"}
            return httpx.Response(200, json={"users": [user], "next_offset": "YWJj/ZA=="})
        return httpx.Response(200, json={"users": []})

    base = "http://opaque-offsets.punchlab"
    mount(base, httpx.MockTransport(api))
    try:
        with client() as http:
            fetch = http_fetcher(base + "/users", client=http, param="offset")
            list(paginate(fetch, style="offset"))
    finally:
        unmount(base)
    assert [r.url.path for r in seen] == ["/users", "/users"]
    assert seen[1].url.params["offset"] == "YWJj/ZA=="
