"""An Action's schemas are refused when saved if a `$ref` points nowhere or they nest too deep."""

from __future__ import annotations

import copy
import json

import pytest

from punchlab import Account, ValidationError
from punchlab.home import data_file

FORMATTED = json.loads(data_file("tutorial_actions.json").read_text())["actions"][0][
    "output_schema"
]


@pytest.fixture
def punch(account: Account, mounted_api):
    """A Connection to the live mock (its Actions are what is checked)."""
    return account.add_connection(name="Punch", description="mock", base_path=mounted_api[1])


def _save(punch, schema):
    return punch.add_action(
        name="Users",
        description="the users",
        path="/users/formatted?page={{page}}",
        parameters={"page": "integer"},
        output_schema=schema,
    )


@pytest.mark.parametrize(
    "ref", ["#/definitions/nowhere", "#/properties/count/nope", "other.json", "http://x.test/s"]
)
def test_a_ref_that_points_nowhere_is_refused_with_its_json_path(punch, ref: str) -> None:
    schema = copy.deepcopy(FORMATTED)
    schema["properties"]["count"] = {"$ref": ref, "type": "integer", "title": "Count"}
    with pytest.raises(ValidationError, match=r"\$\.properties\.count") as caught:
        _save(punch, schema)
    assert ref in str(caught.value)
    assert punch.actions() == []


def test_a_ref_that_resolves_is_kept_and_the_action_runs(punch) -> None:
    schema = copy.deepcopy(FORMATTED)
    schema["definitions"] = {"count": {"type": "integer", "minimum": 0}}
    schema["properties"]["count"] = {"$ref": "#/definitions/count", "type": "integer", "title": "C"}
    action = _save(punch, schema)
    result = action.test({"page": 1})
    assert result.ok, result


def test_a_property_named_ref_is_not_a_reference(punch) -> None:
    schema = copy.deepcopy(FORMATTED)
    schema["properties"]["$ref"] = {"type": "string", "title": "A field called $ref"}
    assert _save(punch, schema).output_schema["properties"]["$ref"]["type"] == "string"


def test_a_schema_nested_thousands_of_levels_is_refused(punch) -> None:
    schema = copy.deepcopy(FORMATTED)
    deep: dict = {"type": "object", "title": "Deep"}
    node = deep
    for _ in range(3000):
        node["properties"] = {"x": {"type": "object", "title": "X"}}
        node = node["properties"]["x"]
    schema["properties"]["deep"] = deep
    with pytest.raises(ValidationError, match="nest"):
        _save(punch, schema)
