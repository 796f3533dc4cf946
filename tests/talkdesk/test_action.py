from __future__ import annotations

import copy
import json

import httpx
import pytest

from punchlab.errors import ValidationError
from punchlab.home import TUTORIAL_COLLECTION, data_file
from punchlab.mock.auth import RequireApiKey
from punchlab.mock.collection import load_collection
from punchlab.mock.faults import Faults
from punchlab.mock.server import MockServer
from punchlab.store import Store
from punchlab.talkdesk.account import Account
from punchlab.talkdesk.action import Action, ActionState, check_schema
from punchlab.talkdesk.connection import ApiKeyAuth, BasicAuth

TUTORIAL = json.loads(data_file("tutorial_actions.json").read_text(encoding="utf-8"))
FORMATTED = TUTORIAL["actions"][0]["output_schema"]


@pytest.fixture
def punch(account: Account, mounted_api):
    api, base = mounted_api
    return account.add_connection(name="Punch Clock", description="The mock", base_path=base)


@pytest.fixture
def api(mounted_api):
    return mounted_api[0]


def test_tutorial_actions_fix_the_tutorials_slips() -> None:
    by_name = {a["name"]: a for a in TUTORIAL["actions"]}
    assert list(by_name) == ["Get users (formatted)", "Get users (not formatted)", "Punch clock"]
    assert by_name["Get users (not formatted)"]["path"] == "/users/not-formatted?page={{page}}"
    assert by_name["Punch clock"]["input_schema"] is None
    assert by_name["Punch clock"]["output_schema"]["required"] == ["name", "check_in_time"]
    assert any("not-formatted" in note for note in TUTORIAL["notes"])
    for action in TUTORIAL["actions"]:
        check_schema(action["output_schema"], where=action["name"])


def test_tutorial_actions_are_created_once_and_run(punch, api) -> None:
    created = punch.add_tutorial_actions()
    assert [a.id for a in punch.add_tutorial_actions()] == [a.id for a in created]
    formatted, not_formatted, clock = created
    assert formatted.state is ActionState.DRAFT
    assert formatted.parameters == {"page": {"type": "integer", "title": "Page"}}
    page2 = formatted.test(page="2")  # a text box sends a string; the type makes it an integer
    assert page2.outcome == "success" and page2.data["users"][0]["email"] == "user+6@talkdesk.com"
    raw = not_formatted.test(page=1)
    assert raw.ok and raw.data["users"][0] == {
        "name": "Barbara Banh",
        "punch_clock_id": 1,
        "punch_clock_email": "user+1@talkdesk.com",
    }
    punched = clock.test(user_id="3")
    assert punched.ok and punched.data["name"] == "Gregory Dearing"
    assert (api.requests[-1].method, api.requests[-1].path) == ("POST", "/user/3/punch-clock")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda s: s["properties"]["count"].pop("title"),
            r"properties.count: every property needs a 'title'",
        ),
        (
            lambda s: s["properties"]["users"]["items"]["properties"]["email"].pop("type"),
            r"users.items.properties.email: every property needs a 'type'",
        ),
        (lambda s: s["properties"]["users"].pop("items"), "an array needs 'items'"),
        (lambda s: s["properties"]["count"].update(type="strng"), "not a valid draft-07 schema"),
        (lambda s: s["properties"]["count"].update(type=["string", "integer"]), "not supported"),
        (lambda s: s["properties"]["count"].update(type=["integer", "null"]), "cannot be required"),
        (lambda s: s.update(type="array"), "root must have"),
    ],
)
def test_schemas_are_checked_when_saved(punch, change, message: str) -> None:
    schema = copy.deepcopy(FORMATTED)
    change(schema)
    with pytest.raises(ValidationError, match=message):
        punch.add_action(
            name="Users",
            description="d",
            path="/users/formatted?page={{page}}",
            output_schema=schema,
        )
    assert punch.actions() == []


def test_action_fields_are_checked(punch) -> None:
    ok = {"name": "A", "description": "d", "path": "/users/formatted?page={{page}}"}
    for bad, message in [
        ({"timeout": 4}, "between 5 and 30"),
        ({"timeout": 31}, "between 5 and 30"),
        ({"method": "FETCH"}, "not one of"),
        ({"description": ""}, "Description is mandatory"),
        ({"path": "http://x.test/users"}, "relative path"),
        ({"parameters": {"pages": "integer"}}, "not in the relative path"),
        ({"parameters": {"page": "array"}}, "not one of string"),
        (
            {
                "input_schema": {
                    "type": "object",
                    "properties": {"a": {"type": "string", "title": "A"}},
                }
            },
            "has no body",
        ),
    ]:
        with pytest.raises(ValidationError, match=message):
            punch.add_action(**{**ok, **bad})
    assert punch.add_action(**ok, timeout=5).timeout == 5.0
    assert punch.add_action(**{**ok, "path": "users/{{id}}"}).path == "/users/{{id}}"


def test_output_is_validated_with_json_paths_and_projected(account: Account, mock_api) -> None:
    collection = load_collection(data_file(TUTORIAL_COLLECTION))
    page = collection.example("users/formatted", "page 1").json()
    page["users"][3]["email"] = 4  # a broken fourth user
    page["users"][0]["extra"] = "not in the schema"
    collection.set_example_body("users/formatted", "page 1", page)
    _, base = mock_api(collection=collection, mode="replay")
    punch = account.add_connection(name="Punch Clock", description="The mock", base_path=base)
    users = punch.add_action(
        name="Users",
        description="d",
        path="/users/formatted?page={{page}}",
        parameters={"page": "integer"},
        output_schema=FORMATTED,
    )
    result = users.test(page=1)
    assert result.outcome == "validation_error" and result.status == 200
    assert [(e.source, e.path) for e in result.errors] == [("output", "$.users[3].email")]
    assert "is not of type 'string'" in result.errors[0].message
    assert "extra" not in result.data["users"][0]  # projected onto the output schema
    assert "$.users[3].email" in result._repr_html_()


def test_values_are_encoded_per_segment(punch, api) -> None:
    clock = punch.add_tutorial_actions()[2]
    result = clock.test(user_id="../users/formatted?page=1")
    sent = api.requests[-1]
    assert sent.path == "/user/..%2Fusers%2Fformatted%3Fpage%3D1/punch-clock"
    assert (result.outcome, result.status) == ("error", 404)
    query = punch.add_action(name="Q", description="d", path="/users/formatted?page={{page}}")
    query.test(page="1&page=2")
    assert api.requests[-1].query == (("page", "1&page=2"),)


def test_bad_parameters_never_reach_the_api(punch, api) -> None:
    formatted = punch.add_tutorial_actions()[0]
    for params, message in [
        ({}, "a value is required"),
        ({"page": "two"}, "expected integer"),
        ({"page": 1, "size": 5}, "not a parameter"),
    ]:
        result = formatted.test(params)
        assert result.outcome == "validation_error" and result.request is None
        assert message in str(result.errors[0]) and result.errors[0].source == "params"
    assert api.requests == []


def test_states_draft_active_deprecated(punch) -> None:
    formatted = punch.add_tutorial_actions()[0]
    with pytest.raises(ValidationError, match="publish it before it runs"):
        formatted.run({"page": 1})
    with pytest.raises(ValidationError, match="cannot become Deprecated"):
        formatted.deprecate()
    assert formatted.publish().state is ActionState.ACTIVE
    assert formatted.publish().state is ActionState.ACTIVE  # re-running the cell is harmless
    assert punch.action(formatted.name).state is ActionState.ACTIVE
    assert formatted.run({"page": 1}, attempt=2).attempt == 2
    # an Active action can be saved unchanged (re-run cell), never edited
    punch.add_tutorial_actions()
    definition = formatted.definition()
    assert punch.add_action(**definition).id == formatted.id
    with pytest.raises(ValidationError, match="can no longer be edited"):
        punch.add_action(**{**definition, "timeout": 20})
    formatted.deprecate()
    assert formatted.run({"page": 2}).ok
    with pytest.raises(ValidationError, match="cannot become Active"):
        formatted.publish()
    log = formatted.runs()
    assert log["test"].tolist() == [False, False] and log["attempt"].tolist() == [2, 1]
    assert log["outcome"].tolist() == ["success", "success"]
    assert log["status"].dtype == "Int64" and log["status"].tolist() == [200, 200]  # not 200.0


def test_templates_in_parameters_and_input_defaults(account: Account, punch, api) -> None:
    account.add_tutorial_agents()
    account.set_external_ids(punch, {2: "2"})
    clock = punch.add_action(
        name="Punch with body",
        description="d",
        method="POST",
        path="/user/{{user_id}}/punch-clock",
        input_schema={
            "type": "object",
            "required": ["agent_email", "event"],
            "properties": {
                "agent_email": {
                    "title": "Agent email",
                    "type": "string",
                    "default": "{{agent.email}}",
                },
                "event": {"title": "Event", "type": "string", "default": "login"},
            },
        },
    ).publish()
    params = {"user_id": punch.external_id_variable}
    result = clock.run(params, variables={"agent": account.agent(2).variables()})
    assert result.ok and result.data["name"] == "Steven Herrera"
    assert json.loads(api.requests[-1].body) == {
        "agent_email": "user+2@talkdesk.com",
        "event": "login",
    }
    assert result.request["body"]["agent_email"] == "user+2@talkdesk.com"
    calls = len(api.requests)
    missing = clock.run(params, variables={"agent": account.agent(3).variables()})
    assert missing.outcome == "validation_error" and len(api.requests) == calls
    assert f"connection_{punch.id}.external_id" in missing.errors[0].message
    wrong = clock.run({"user_id": "2"}, body={"event": 5}, variables={"agent": {"email": "e"}})
    assert [(e.source, e.path) for e in wrong.errors] == [("input", "$.event")]


def test_timeout_over_http(account: Account) -> None:
    api = MockServer(mode="live", auth=RequireApiKey("k"), faults=Faults(latency=5.5))
    with api.serve() as running:
        base = running.url
        punch = account.add_connection(
            name="P", description="d", base_path=base, auth=ApiKeyAuth("k")
        )
        users = punch.add_action(
            name="Slow", description="d", path="/users/formatted?page=1", timeout=5
        )
        result = users.test()
    assert result.outcome == "timeout" and result.status is None
    assert result.duration >= 5
    assert result.request["headers"]["x-api-key"] == "***"


def test_unreachable_server_is_an_error_result(account: Account) -> None:
    with MockServer(mode="live").serve() as running:
        base = running.url  # once the block ends, the port is free again
    punch = account.add_connection(name="Gone", description="d", base_path=base)
    result = punch.add_action(name="A", description="d", path="/users/formatted?page=1").test()
    assert result.outcome == "error" and result.status is None and "ConnectError" in result.message
    assert result.message.startswith(f"nothing answers at {base}: the mock API is not running")


def test_export_has_everything_but_secrets(account: Account, mounted_api) -> None:
    _, base = mounted_api
    punch = account.add_connection(
        name="Punch Clock", description="d", base_path=base, auth=ApiKeyAuth("s3cr3t")
    )
    punch.add_tutorial_actions()[0].publish()
    exported = json.loads(punch.export_json())
    assert exported["connection"]["authentication"] == {"key": "***", "header": "X-API-Key"}
    assert exported["connection"]["authentication_type"] == "X-API-Key"
    assert [a["status"] for a in exported["actions"]] == ["Active", "Draft", "Draft"]
    assert exported["actions"][2]["path_parameters"] == [
        {"name": "user_id", "display_name": "User ID", "type": "string"}
    ]
    assert exported["actions"][0]["output_schema"] == FORMATTED
    assert "s3cr3t" not in punch.export_json()


def test_an_action_object_follows_the_store(punch) -> None:
    users = punch.add_tutorial_actions()[0]
    for action in punch.actions():  # other objects for the same Actions
        action.publish()
    assert users.run({"page": 1}).ok and users.state is ActionState.ACTIVE


@pytest.mark.parametrize("value", [".", ".."])
def test_a_path_parameter_cannot_leave_its_segment_over_http(value: str) -> None:
    seen: list[str] = []
    server = MockServer(mode="live", log=seen.append)
    account = Account(Store(memory=True))
    with server.serve(port=0) as running:
        punch = account.add_connection(name="Punch", description="mock", base_path=running.url)
        clock = punch.add_tutorial_actions()[2]
        result = clock.test(user_id=value)
        assert result.outcome == "validation_error"
        assert [issue.path for issue in result.errors] == ["$.user_id"]
        assert seen == []  # no HTTP call at all
        assert clock.test(user_id="3").ok  # a real id still goes through
    assert [record["user_id"] for record in server.ledger.records()] == [3]


def test_a_query_parameter_may_be_a_dot() -> None:
    account = Account(Store(memory=True))
    with MockServer(mode="live").serve(port=0) as running:
        punch = account.add_connection(name="Punch", description="mock", base_path=running.url)
        action = punch.add_action(
            name="Find",
            description="dots are fine in a query",
            path="/users/formatted?page={{page}}&q={{q}}",
            parameters={"page": "integer", "q": "string"},
        )
        assert action.test(page=1, q="..").status == 200


def test_run_records_never_hold_url_credentials() -> None:
    account = Account(Store(memory=True))
    with MockServer(mode="live").serve(port=0) as running:
        punch = account.add_connection(
            name="Punch",
            description="mock",
            base_path=running.url,
            auth=BasicAuth("admin", "hunter2"),
        )
        clock = punch.add_tutorial_actions()[2]
        url = httpx.URL(running.url)
        # a base path stored before credentials were refused in it
        punch.store.execute(
            "UPDATE connections SET base_path = ? WHERE id = ?",
            (f"http://admin:hunter2@{url.host}:{url.port}", punch.id),
        )
        result = clock.test(user_id="1")
    assert result.ok
    assert "hunter2" not in json.dumps(result.request)
    assert "hunter2" not in clock.runs().to_string()


def _racing(monkeypatch, change) -> None:
    """Run `change` (another cell's edit) right after an Action re-reads the Store."""
    original = Action.refresh

    def refresh_then_change(self: Action) -> Action:
        original(self)
        monkeypatch.setattr(Action, "refresh", original)
        change()
        return self

    monkeypatch.setattr(Action, "refresh", refresh_then_change)


def test_publish_refuses_a_draft_edited_since_it_was_read(monkeypatch) -> None:
    account = Account(Store(memory=True))
    punch = account.add_connection(name="Punch", description="m", base_path="http://m.punchlab")
    action = punch.add_action(name="Users", description="v1", path="/users")
    _racing(monkeypatch, lambda: punch.add_action(name="Users", description="v2", path="/other"))
    with pytest.raises(ValidationError, match="edited") as caught:
        action.publish()
    assert caught.value.where == "Action 'Users'"
    assert punch.action("Users").state is ActionState.DRAFT


def test_publish_names_the_state_another_cell_moved_it_to(monkeypatch) -> None:
    account = Account(Store(memory=True))
    punch = account.add_connection(name="Punch", description="m", base_path="http://m.punchlab")
    action = punch.add_action(name="Users", description="v1", path="/users")
    other = punch.action("Users")
    _racing(monkeypatch, lambda: other.publish().deprecate())
    with pytest.raises(ValidationError, match="a Deprecated action cannot become Active"):
        action.publish()
    assert punch.action("Users").state is ActionState.DEPRECATED


def test_publish_is_idempotent_when_another_cell_published_first(monkeypatch) -> None:
    account = Account(Store(memory=True))
    punch = account.add_connection(name="Punch", description="m", base_path="http://m.punchlab")
    action = punch.add_action(name="Users", description="v1", path="/users")
    _racing(monkeypatch, punch.action("Users").publish)
    assert action.publish().state is ActionState.ACTIVE
