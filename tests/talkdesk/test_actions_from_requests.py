"""Draft Actions from a collection's requests: the tutorial's three, and what needs a person."""

from __future__ import annotations

import copy
import json

import pytest
from jsonschema import Draft7Validator

from punchlab.errors import ValidationError
from punchlab.home import TUTORIAL_ACTIONS, TUTORIAL_COLLECTION, data_file
from punchlab.mock.collection import load_collection
from punchlab.talkdesk.action import ActionState

TUTORIAL = {a["name"]: a for a in json.loads(data_file(TUTORIAL_ACTIONS).read_text())["actions"]}
NAMES = {
    "users/formatted": "Get users (formatted)",
    "users/not-formatted": "Get users (not formatted)",
    "users/punch-clock": "Punch clock",
}


def shape(schema):
    """What a schema accepts, without its titles, ids and defaults."""
    if not isinstance(schema, dict):
        return schema
    return {
        "type": schema.get("type"),
        "required": sorted(schema.get("required", [])),
        "properties": {k: shape(v) for k, v in (schema.get("properties") or {}).items()},
        "items": shape(schema.get("items")),
    }


@pytest.fixture
def collection():
    return load_collection(data_file(TUTORIAL_COLLECTION))


@pytest.fixture
def punch(account, mounted_api):
    _, base = mounted_api
    return account.add_connection(name="Punch Clock", description="The mock", base_path=base)


def test_the_tutorial_collection_gives_the_tutorials_three_actions(punch, collection) -> None:
    table = punch.add_actions_from(collection, NAMES)
    assert list(table["action"]) == list(TUTORIAL)
    assert list(table["result"]) == ["created"] * 3
    assert list(table["to_check"]) == ["", "", ""]
    for action in punch.actions():
        expected = TUTORIAL[action.name]
        assert action.state is ActionState.DRAFT
        assert action.method == expected["method"]
        assert action.path == expected["path"]
        assert action.parameters == expected["parameters"]
        assert action.input_schema is None
        assert shape(action.output_schema) == shape(expected["output_schema"])
        # every saved example of the request validates against the generated schema
        request = next(r for r in collection.requests() if NAMES[r.name] == action.name)
        for example in request.examples():
            if example.code == 200:
                assert Draft7Validator(action.output_schema).is_valid(example.json())


def test_the_generated_actions_run_against_the_mock(punch, collection, account) -> None:
    punch.add_actions_from(collection, NAMES)
    users = punch.action("Get users (formatted)").publish()
    first = users.run({"page": 1})
    assert first.ok and first.status == 200 and len(first.data["users"]) == 5
    clock = punch.action("Punch clock").publish()
    punched = clock.run({"user_id": "3"})
    assert punched.ok and punched.data["name"] == "Gregory Dearing"
    assert punched.request["url"].endswith("/user/3/punch-clock")


def test_names_come_from_the_requests_when_not_given(punch, collection) -> None:
    table = punch.add_actions_from(collection)
    assert list(table["action"]) == [
        "Get users (formatted)",
        "Get users (not formatted)",
        "Post to users (punch clock)",
    ]
    again = punch.add_actions_from(collection, ["users/formatted"])
    assert list(again["result"]) == ["unchanged"]


def test_a_published_action_is_left_as_it_is(punch, collection) -> None:
    punch.add_actions_from(collection, NAMES)
    published = punch.action("Punch clock").publish()
    edited = copy.deepcopy(collection.data)
    edited["item"][2]["request"]["url"]["query"] = [{"key": "verbose", "value": "1"}]
    table = punch.add_actions_from(load_collection(edited), {"users/punch-clock": "Punch clock"})
    assert table.loc[0, "result"].startswith("not saved:") and "Active" in table.loc[0, "result"]
    assert punch.action("Punch clock").definition() == published.definition()


def test_an_unknown_request_is_refused_before_anything_is_saved(punch, collection) -> None:
    with pytest.raises(ValidationError, match=r"no request 'users/nope'.*users/formatted"):
        punch.add_actions_from(collection, ["users/formatted", "users/nope"])
    assert punch.actions() == []


def _vendor(**url) -> dict:
    """A small collection of one POST with a JSON body, in Postman v2.1."""
    base = {"raw": "{{baseUrl}}/employees/:employee_id/clock-events", "host": ["{{baseUrl}}"]}
    request = {
        "method": "POST",
        "url": {**base, "path": ["employees", ":employee_id", "clock-events"], **url},
        "body": {"mode": "raw", "raw": json.dumps({"type": "in", "at": "2026-03-02T09:00:00Z"})},
    }
    answer = {"event_id": "CE-1", "employee_id": "E-1001", "type": "in", "at": "2026"}
    return {
        "info": {
            "name": "Vendor",
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
        },
        "variable": [{"key": "baseUrl", "value": "https://api.vendor.example/v1"}],
        "item": [
            {
                "name": "Punch in or out",
                "request": request,
                "response": [
                    {"name": "ok", "code": 201, "body": json.dumps(answer)},
                    {"name": "bad", "code": 422, "body": json.dumps({"code": "x"})},
                ],
            }
        ],
    }


def test_a_body_becomes_the_input_schema_and_a_path_variable_keeps_its_type(punch) -> None:
    typed = [{"key": "employee_id", "value": "E-1001", "type": "string"}]
    table = punch.add_actions_from(load_collection(_vendor(variable=typed)))
    action = punch.action("Punch in or out")
    assert table.loc[0, "to_check"] == ""
    assert action.path == "/employees/{{employee_id}}/clock-events"  # the host's /v1 is not in it
    assert action.parameters == {"employee_id": {"type": "string", "title": "Employee ID"}}
    assert action.input_schema["required"] == ["at", "type"]
    assert action.output_schema["required"] == ["at", "employee_id", "event_id", "type"]
    assert "code" not in action.output_schema["properties"]  # from the 2xx example only


def test_an_untyped_parameter_is_a_string_to_check(punch) -> None:
    untyped = [{"key": "shift", "value": ""}]
    data = _vendor(variable=untyped)
    data["item"][0]["request"]["url"]["path"] = ["shifts", ":shift"]
    table = punch.add_actions_from(load_collection(data))
    assert punch.action("Punch in or out").parameters["shift"]["type"] == "string"
    assert "{{shift}} has no type and no example value" in table.loc[0, "to_check"]


def test_a_number_variable_with_whole_examples_is_an_integer(punch) -> None:
    data = _vendor(variable=[{"key": "year", "value": "2026", "type": "number"}])
    data["item"][0]["request"]["url"]["path"] = ["reports", ":year"]
    punch.add_actions_from(load_collection(data))
    assert punch.action("Punch in or out").parameters["year"]["type"] == "integer"


def test_a_constant_query_value_stays_and_a_varying_one_becomes_a_parameter(punch) -> None:
    def url(offset):
        return {
            "raw": f"{{{{baseUrl}}}}/employees?offset={offset}&limit=5",
            "host": ["{{baseUrl}}"],
            "path": ["employees"],
            "query": [{"key": "offset", "value": offset}, {"key": "limit", "value": "5"}],
        }

    data = _vendor()
    data["item"][0]["request"] = {"method": "GET", "url": url("0")}
    data["item"][0]["response"] = [
        {
            "name": f"page {o}",
            "code": 200,
            "originalRequest": {"method": "GET", "url": url(o)},
            "body": json.dumps({"users": [], "next_offset": None}),
        }
        for o in ("0", "5")
    ]
    table = punch.add_actions_from(load_collection(data))
    action = punch.action("Punch in or out")
    assert action.path == "/employees?offset={{offset}}&limit=5"
    assert action.parameters == {"offset": {"type": "integer", "title": "Offset"}}
    assert "limit=5 kept as it is" in table.loc[0, "to_check"]


def test_what_cannot_be_a_talkdesk_schema_is_left_for_a_person(punch) -> None:
    data = _vendor()
    data["item"][0]["response"] = [
        {"name": "a", "code": 201, "body": json.dumps({"id": 1})},
        {"name": "b", "code": 201, "body": json.dumps({"id": "A7"})},
    ]
    data["item"][0]["request"]["body"] = {"mode": "raw", "raw": '{"type": {{kind}}}'}
    table = punch.add_actions_from(load_collection(data))
    action = punch.action("Punch in or out")
    assert action.output_schema is None and action.input_schema is None
    assert "no output schema" in table.loc[0, "to_check"]
    assert "properties.id" in table.loc[0, "to_check"]
    assert "not JSON" in table.loc[0, "to_check"]
