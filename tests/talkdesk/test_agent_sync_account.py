"""Agent Sync at the Talkdesk level: a users Action of a Connection, against the Account."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import httpx
import pandas as pd
import pytest

from punchlab.errors import MappingError, SyncError, ValidationError
from punchlab.home import data_file
from punchlab.inprocess import mount, unmount
from punchlab.mock.live import generate_users
from punchlab.mock.openapi import load_openapi
from punchlab.mock.server import MockServer
from punchlab.talkdesk.account import Account
from punchlab.talkdesk.action import Action, ActionResult
from punchlab.talkdesk.agent_sync import agent_sync

_hosts = itertools.count(1)
MAPPING = {"id": "punch_clock_id", "name": "name", "email": "punch_clock_email"}


@pytest.fixture(params=["in-process", "http"])
def base_of(request) -> Iterator[Callable[[MockServer], str]]:
    """The base path of a MockServer: mounted in-process, or served on a real localhost port."""
    cleanups: list[Callable[[], None]] = []

    def start(server: MockServer) -> str:
        if request.param == "in-process":
            base = server.mount(f"http://sync-{next(_hosts)}.punchlab")
            cleanups.append(server.unmount)
            return base
        running = server.serve(port=0)
        running.start()
        cleanups.append(running.stop)
        return running.url

    yield start
    for cleanup in cleanups:
        cleanup()


def connect(account: Account, base: str, *, publish: bool = True) -> tuple[Action, Action]:
    punch = account.add_connection(name="Punch Clock", description="The mock", base_path=base)
    formatted, raw, _ = punch.add_tutorial_actions()
    if publish:
        formatted.publish(), raw.publish()
    return formatted, raw


def external_ids(account: Account, action: Action) -> dict[int, str | None]:
    frame = account.agents_frame(connection=action.connection)
    return dict(zip(frame["id"], frame["external_id"], strict=True))


def test_sync_from_the_formatted_action_onto_the_account(account: Account, base_of) -> None:
    account.add_tutorial_agents()
    users, _ = connect(account, base_of(MockServer(mode="live")))

    dry = agent_sync(users, account, dry_run=True)
    assert dry.counts["new"] == 7 and not dry.applied
    assert set(external_ids(account, users).values()) == {None}

    report = agent_sync(users, account)
    assert report.applied and report.pages == 2
    assert report.stop_reason == "read 7 of 7 users (total)"
    assert external_ids(account, users) == {i: str(i) for i in range(1, 8)}
    agent = account.agent("user+3@talkdesk.com")
    assert agent.variables()[f"connection_{users.connection.id}"] == {"external_id": "3"}

    again = agent_sync(users, account)
    assert again.counts["unchanged"] == 7 and again.updates == {} and not again.applied
    assert again.summary.endswith("nothing to change")
    runs = users.runs()
    assert runs["outcome"].eq("success").all() and not runs["test"].any()


def test_a_draft_action_is_tested_page_by_page(account: Account) -> None:
    account.add_tutorial_agents()
    server = MockServer(mode="live")
    users, _ = connect(
        account, server.mount(f"http://draft-{next(_hosts)}.punchlab"), publish=False
    )
    try:
        report = agent_sync(users, account, dry_run=True)
    finally:
        server.unmount()
    assert report.counts["matched"] == 7
    assert users.runs()["test"].all()


def failing_page(server: MockServer, page: str, response: httpx.Response) -> httpx.MockTransport:
    """The server's transport, except that `?page=<page>` gets `response`."""
    inner = server.transport()

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("page") == page:
            return response
        return inner.handle_request(request)

    return httpx.MockTransport(handle)


def test_a_page_failing_part_way_changes_no_external_id(account: Account) -> None:
    account.add_agents(pd.DataFrame({"name": "Agent", "email": [u["email"] for u in USERS_30]}))
    server = MockServer(mode="live", users=USERS_30, page_size=5)
    base = f"http://fails-{next(_hosts)}.punchlab"
    mount(base, server.transport())
    users, _ = connect(account, base)
    account.set_external_ids(users.connection, {1: "1", 2: "old"})
    before = external_ids(account, users)
    broken = httpx.Response(503, text="Service Unavailable: the punch clock is napping " * 20)
    mount(base, failing_page(server, "3", broken))
    try:
        with pytest.raises(SyncError) as caught:
            agent_sync(users, account)
    finally:
        unmount(base)
    error = caught.value
    assert (error.page, error.status) == (3, 503)
    message = str(error)
    assert message.startswith("page 3 (3) failed: HTTP 503 Action 'Get users (formatted)' gave")
    assert "body: 'Service Unavailable: the punch clock is napping" in message
    assert message.endswith("nothing was applied") and len(message) < 600
    assert external_ids(account, users) == before
    assert users.runs()["outcome"].tolist() == ["success", "success", "error"]


USERS_30 = generate_users(30, seed=3)


def test_an_answer_that_breaks_the_output_schema_names_the_user(account: Account) -> None:
    account.add_tutorial_agents()
    server = MockServer(mode="live")
    base = f"http://schema-{next(_hosts)}.punchlab"
    page_2 = {
        "count": 2,
        "total": 7,
        "users": [
            {"name": "Maria", "id": 6, "email": "user+6@talkdesk.com"},
            {"name": "Ana", "id": "seven", "email": "user+7@talkdesk.com"},
        ],
    }
    mount(base, failing_page(server, "2", httpx.Response(200, json=page_2)))
    users, _ = connect(account, base)
    try:
        with pytest.raises(
            SyncError, match=r"page 2 \(2\) failed: HTTP 200 .*validation_error"
        ) as e:
            agent_sync(users, account)
    finally:
        unmount(base)
    assert "$.users[1].id: 'seven' is not of type 'integer'" in str(e.value)
    assert set(external_ids(account, users).values()) == {None}


def test_replay_answers_page_1_past_the_end_and_the_sync_still_stops(account: Account) -> None:
    account.add_tutorial_agents()
    server = MockServer()  # replay: the collection's examples, as Postman's mock answers
    users, _ = connect(account, server.mount(f"http://replay-{next(_hosts)}.punchlab"))
    try:
        page_1 = users.run({"page": 1}).data["users"]
        page_3 = users.run({"page": 3}).data["users"]
        report = agent_sync(users, account)
    finally:
        server.unmount()
    assert page_3 == page_1  # no example for page 3: the best partial match is page 1
    assert report.pages == 2 and report.stop_reason == "read 7 of 7 users (total)"
    assert report.counts["new"] == 7


def test_not_formatted_needs_a_mapping_and_changes_nothing_without_it(
    account: Account, base_of
) -> None:
    account.add_tutorial_agents()
    _, raw = connect(account, base_of(MockServer(mode="live")))
    with pytest.raises(MappingError) as caught:
        agent_sync(raw, account)
    assert caught.value.where == "page 1"
    assert "users[0].id: missing (the source of `id`)" in str(caught.value)
    assert set(external_ids(account, raw).values()) == {None}
    report = agent_sync(raw, account, mapping=MAPPING)
    assert report.counts["new"] == 7
    assert external_ids(account, raw) == {i: str(i) for i in range(1, 8)}


def test_exact_match_pitfall_and_conflicts_with_the_account(account: Account) -> None:
    account.add_agent(name="Barbara", email="User+1@TalkDesk.com")
    account.add_agent(name="Steven", email="user+2@talkdesk.com")
    account.add_agent(name="Gregory", email="user+3@talkdesk.com")
    people = generate_users(3)
    people.append({"id": 4, "name": "Gregory's twin", "email": "USER+3@talkdesk.com "})
    server = MockServer(mode="live", users=people)
    users, _ = connect(account, server.mount(f"http://pitfall-{next(_hosts)}.punchlab"))
    try:
        exact = agent_sync(users, account, match="exact", dry_run=True)
        report = agent_sync(users, account)
    finally:
        server.unmount()
    assert exact.updates == {2: "2", 3: "3"}  # exact: neither User+1 nor the twin's email match
    assert exact.unmatched_agents["agent_email"].tolist() == ["User+1@TalkDesk.com"]
    assert report.updates == {1: "1", 2: "2"}
    assert report.conflicts["side"].tolist() == ["agent", "external user", "external user"]
    assert report.conflicts["reason"].tolist()[1] == "its email is on several users"
    assert account.external_id(3, users.connection) is None  # never guessed


def test_sync_needs_a_connection_and_no_apply_with_an_account(account: Account) -> None:
    with pytest.raises(ValueError, match="pass connection="):
        agent_sync(lambda page: {"users": []}, account)
    punch = account.add_connection(name="P", description="d", base_path="http://x.test")
    with pytest.raises(ValueError, match="leave out apply="):
        agent_sync(lambda page: {"users": []}, account, print, connection=punch)


# --- bulk agents --------------------------------------------------------------------------


def test_add_agents_in_bulk_from_a_frame_or_dicts(account: Account) -> None:
    n = 5_000
    frame = pd.DataFrame(
        {
            "name": [f"Agent {i}" for i in range(n)],
            "email": [f"agent+{i}@talkdesk.com" for i in range(n)],
            "active": [i % 2 == 0 for i in range(n)],
        }
    )
    added = account.add_agents(frame)
    assert len(added) == n and added[10].email == "agent+10@talkdesk.com"
    assert not added[1].active
    again = account.add_agents(frame.head(3).to_dict("records"))  # idempotent
    assert [a.id for a in again] == [a.id for a in added[:3]]
    more = account.add_agents([{"name": "Zoe", "email": "zoe@talkdesk.com"}])
    assert more[0].active and len(account.agents_frame()) == n + 1


@pytest.mark.parametrize(
    ("rows", "where", "message"),
    [
        ([("Ana", "ana@x.io"), ("", "bo@x.io")], "row 1, Name", "Name is mandatory"),
        ([("Ana", "ana@x.io"), ("Bo", None)], "row 1, Email", "Email is mandatory"),
        ([("Ana", "ana@x.io"), ("Bo", "bo@localhost")], "row 1, Email", "not a valid email"),
        ([("Ana", "ana@x.io"), ("Bo", " ANA@x.io")], "row 1, Email", r"twice \(also at row 0\)"),
        ([("Ana", "ana@x.io"), ("Bo", "user+1@talkdesk.com")], "row 1, Email", "belongs to"),
    ],
)
def test_a_bad_row_adds_no_agent_and_is_named(account: Account, rows, where, message) -> None:
    account.add_agent(name="Barbara", email="user+1@talkdesk.com")
    frame = pd.DataFrame(rows, columns=["name", "email"])
    with pytest.raises(ValidationError, match=message) as caught:
        account.add_agents(frame)
    assert caught.value.where == where
    assert account.agents_frame()["email"].tolist() == ["user+1@talkdesk.com"]


def test_add_agents_needs_name_and_email_columns(account: Account) -> None:
    with pytest.raises(ValidationError, match="missing column"):
        account.add_agents(pd.DataFrame({"name": ["Ana"]}))


# --- the output schema check on a big page ------------------------------------------------


def run_one_page(account: Account, people: list[dict]) -> ActionResult:
    """Test "Get users (formatted)" against an API that answers `people` as one page."""
    body = {"count": len(people), "total": len(people), "users": people}
    base = f"http://one-page-{next(_hosts)}.punchlab"
    mount(base, httpx.MockTransport(lambda request: httpx.Response(200, json=body)))
    users, _ = connect(account, base, publish=False)
    try:
        return users.test(page=1)
    finally:
        unmount(base)


@pytest.mark.parametrize(
    ("change", "outcome", "path"),
    [
        ({}, "success", None),
        ({"id": 999.0}, "success", None),  # draft-07: a whole float is an integer
        ({"id": True}, "validation_error", "$.users[999].id"),
        ({"email": 5}, "validation_error", "$.users[999].email"),
        ({"email": None}, "validation_error", "$.users[999].email"),
        ({"name": ["Ana"]}, "validation_error", "$.users[999].name"),
    ],
)
def test_a_1000_user_page_is_checked_to_the_last_user(account: Account, change, outcome, path):
    people = generate_users(1000)
    people[999] = {**people[999], **change}
    result = run_one_page(account, people)
    assert result.outcome == outcome
    assert [issue.path for issue in result.errors] == ([path] if path else [])
    if outcome == "success":
        assert result.data["users"][999]["id"] == people[999]["id"]


def test_a_missing_required_user_field_is_found(account: Account) -> None:
    people = generate_users(1000)
    del people[500]["email"]
    people[700]["extra"] = "kept out of the data"
    result = run_one_page(account, people)
    assert [str(issue) for issue in result.errors] == [
        "output $.users[500]: 'email' is a required property"
    ]
    assert "extra" not in result.data["users"][700]


def test_an_offset_action_starts_at_zero_and_a_link_style_is_refused(account: Account) -> None:
    account.add_tutorial_agents()
    people = generate_users(7)

    def by_offset(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params["offset"])
        body = {"users": people[offset : offset + 3]}
        if offset + 3 < len(people):
            body["next_offset"] = offset + 3
        return httpx.Response(200, json=body)

    base = f"http://offset-{next(_hosts)}.punchlab"
    mount(base, httpx.MockTransport(by_offset))
    punch = account.add_connection(name="Offsets", description="d", base_path=base)
    schema = {
        "type": "object",
        "properties": {
            "next_offset": {"type": "integer", "title": "Next offset"},
            "users": {"type": "array", "title": "Users", "items": {"type": "object"}},
        },
    }
    users = punch.add_action(
        name="Users by offset",
        description="Users, three at a time",
        path="/users?offset={{offset}}",
        parameters={"offset": "integer"},
        output_schema=schema,
    )
    no_cursor = punch.add_action(
        name="Users by offset, no cursor in the schema",
        description="The same API, with next_offset left out of the output schema",
        path="/users?offset={{offset}}",
        parameters={"offset": "integer"},
        output_schema={**schema, "properties": {"users": schema["properties"]["users"]}},
    )
    try:
        report = agent_sync(users, account, style="offset")
        with pytest.raises(ValueError, match="not a next link"):
            agent_sync(users, account, style="next")
        with pytest.raises(ValueError, match="no 'next_offset' property"):
            agent_sync(no_cursor, account, style="offset")  # would stop after page 1
    finally:
        unmount(base)
    assert report.pages == 3 and report.stop_reason == "page 3 had no next_offset"
    assert account.external_id(7, punch) == "7"
    assert users.runs()["url"].str.endswith(("offset=0", "offset=3", "offset=6")).all()


def test_agent_sync_pages_through_the_vendor_openapi_document_in_replay_mode(
    account: Account,
) -> None:
    account.add_tutorial_agents()  # the vendor's employees 1001 to 1010 include their emails
    collection = load_openapi(data_file("workforce_vendor.openapi.yaml"))
    with MockServer(collection).serve() as running:
        vendor = account.add_connection(
            name="ShiftLedger", description="The vendor, replayed", base_path=f"{running.url}/v1"
        )
        employees = vendor.add_action(
            name="List employees",
            description="Employees, five at a time",
            path="/employees?offset={{offset}}&limit=5",
            parameters={"offset": "integer"},
            output_schema={
                "type": "object",
                "title": "Root",
                "properties": {
                    "users": {"type": "array", "title": "Users", "items": {"type": "object"}},
                    "next_offset": {"type": ["integer", "null"], "title": "Next offset"},
                },
            },
        )
        report = agent_sync(
            employees,
            account,
            style="offset",
            mapping={"id": "employee_id", "name": "full_name", "email": "work_email"},
        )
    assert (report.pages, report.stop_reason) == (3, "page 3 had no next_offset")
    frame = account.agents_frame(connection=vendor)
    by_email = dict(zip(frame["email"], frame["external_id"], strict=True))
    assert by_email["user+1@talkdesk.com"] == "1001"
    assert by_email["user+5@talkdesk.com"] == "1006"
    assert by_email["user+7@talkdesk.com"] == "1010"
    assert sum(value is not None for value in by_email.values()) == 7
