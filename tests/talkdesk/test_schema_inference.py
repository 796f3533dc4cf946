"""Schemas from examples (GenSON + Talkdesk's rules) and from OpenAPI schema objects."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft7Validator

from punchlab.errors import ValidationError
from punchlab.mock.collection import Collection, load_collection
from punchlab.mock.openapi import load_openapi
from punchlab.talkdesk.action import check_schema
from punchlab.talkdesk.schema_inference import schema_from_example, schema_from_openapi, title_of

ROOT = Path(__file__).resolve().parents[2]

# -- properties over any JSON ---------------------------------------------------------------------

SCALARS = [
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
]
ANY_JSON = st.recursive(
    st.one_of(SCALARS),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=25,
)
# lists of one kind of scalar: what a consistent API answers
ONE_KIND_LIST = st.sampled_from(SCALARS).flatmap(lambda kind: st.lists(kind, max_size=4))
CONSISTENT = st.recursive(
    st.one_of(*SCALARS, ONE_KIND_LIST),
    lambda inner: st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(ANY_JSON, st.lists(ANY_JSON, max_size=2))
def test_any_json_validates_against_the_schema_inferred_from_it(value, more) -> None:
    schema = schema_from_example(value, *more)
    Draft7Validator.check_schema(schema)
    validator = Draft7Validator(schema)
    for example in (value, *more):
        assert not list(validator.iter_errors(example)), (example, schema)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=6), CONSISTENT, max_size=5))
def test_a_consistent_object_gets_a_schema_talkdesk_accepts_as_it_is(body) -> None:
    schema = schema_from_example(body)
    assert check_schema(schema, where="inferred") == schema
    assert Draft7Validator(schema).is_valid(body)


# -- every example body of the repository's collections ------------------------------------------


def _collections() -> list[tuple[str, Collection]]:
    """Every collection of the repository: Postman files, and OpenAPI documents imported."""
    found = []
    for path in sorted([*ROOT.glob("data/*.json"), *ROOT.glob("tests/**/*.json")]):
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "item" in data and "info" in data:
            found.append((path.name, load_collection(path)))
    for path in sorted([*ROOT.glob("data/*.openapi.yaml"), *ROOT.glob("tests/**/*.openapi.yaml")]):
        found.append((path.name, load_openapi(path)))
    return found


def _bodies() -> list[tuple[str, list]]:
    """Per request, the JSON object bodies of its examples and of the requests they sent."""
    found = []
    for name, collection in _collections():
        for request in collection.requests():
            answers = [e.json() for e in request.examples() if isinstance(e.json(), dict)]
            sent = [
                json.loads(body["raw"])
                for body in [request.request.get("body")]
                + [e.request.get("body") for e in request.examples()]
                if isinstance(body, dict) and body.get("mode") == "raw" and body.get("raw")
            ]
            for kind, bodies in (("answers", answers), ("sent", sent)):
                bodies = [b for b in bodies if isinstance(b, dict)]
                if bodies:
                    found.append((f"{name}:{request.name}:{kind}", bodies))
    return found


BODIES = _bodies()


def test_the_repository_has_example_bodies() -> None:
    names = {name for name, _ in _collections()}
    assert {
        "workforce_vendor.openapi.yaml",
        "time_punching_integration.postman_collection.json",
    } <= names
    assert len(names) >= 4 and len(BODIES) >= 20


@pytest.mark.parametrize("bodies", [b for _, b in BODIES], ids=[name for name, _ in BODIES])
def test_every_example_body_gets_a_schema_that_passes_the_labs_check(bodies) -> None:
    for body in bodies:
        schema = schema_from_example(body)
        assert check_schema(schema, where="inferred") == schema
        assert Draft7Validator(schema).is_valid(body)
    merged = schema_from_example(*bodies)  # the pages of one request, merged
    check_schema(merged, where="merged")
    assert all(Draft7Validator(merged).is_valid(body) for body in bodies)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_any_pages_of_one_request_merge_into_a_valid_schema(data) -> None:
    _, bodies = data.draw(st.sampled_from(BODIES))
    pages = data.draw(st.lists(st.sampled_from(bodies), min_size=1, max_size=4))
    schema = schema_from_example(*pages)
    check_schema(schema, where="merged")
    assert all(Draft7Validator(schema).is_valid(page) for page in pages)


# -- what the rules do, case by case --------------------------------------------------------------


def test_integers_stay_integers_and_pages_merge() -> None:
    page_1 = {"count": 5, "users": [{"id": 1, "name": "Barbara Banh"}]}
    page_2 = {"count": 2, "users": [{"id": 6, "name": "Clarence Hull", "tz": "UTC"}]}
    schema = schema_from_example(page_1, page_2)
    items = schema["properties"]["users"]["items"]
    assert schema["properties"]["count"] == {"title": "Count", "type": "integer"}
    assert items["properties"]["id"]["type"] == "integer"
    assert items["required"] == ["id", "name"]  # tz is on one page only
    assert items["title"] == "Items" and schema["title"] == "Root"
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert schema_from_example({"n": 1}, {"n": 1.5})["properties"]["n"]["type"] == "number"


def test_a_nullable_property_is_a_pair_with_null_and_never_required() -> None:
    schema = schema_from_example({"next_offset": 5}, {"next_offset": None}, title="Page")
    assert schema["title"] == "Page"
    assert schema["properties"]["next_offset"]["type"] == ["integer", "null"]
    assert "required" not in schema
    only_null = schema_from_example({"tz": None})["properties"]["tz"]
    assert only_null["type"] == ["string", "null"] and "guess" in only_null["$comment"]
    check_schema(schema_from_example({"tz": None}), where="t")


def test_an_empty_list_still_gets_items() -> None:
    schema = schema_from_example({"tags": []})
    assert schema["properties"]["tags"]["items"]["title"] == "Items"
    check_schema(schema, where="t")


def test_two_types_for_one_property_are_kept_and_named_by_the_check() -> None:
    schema = schema_from_example({"id": 1}, {"id": "A7"})
    assert Draft7Validator(schema).is_valid({"id": 1}) and Draft7Validator(schema).is_valid(
        {"id": "A7"}
    )
    with pytest.raises(ValidationError, match=r"properties\.id.*not supported"):
        check_schema(schema, where="output schema")


def test_titles_read_like_labels() -> None:
    assert title_of("user_id") == "User ID"
    assert title_of("checkInTime") == "Check in time"
    assert title_of("punch_clock_email") == "Punch clock email"
    assert title_of("count") == "Count"


# -- OpenAPI schema objects -----------------------------------------------------------------------

DOCUMENT = {
    "openapi": "3.0.3",
    "components": {
        "schemas": {
            "Base": {
                "type": "object",
                "required": ["employee_id"],
                "properties": {"employee_id": {"type": "integer", "format": "int64"}},
            },
            "Employee": {
                "allOf": [
                    {"$ref": "#/components/schemas/Base"},
                    {
                        "type": "object",
                        "required": ["work_email", "manager"],
                        "properties": {
                            "work_email": {"type": "string", "format": "email"},
                            "manager": {"type": "string", "nullable": True},
                            "status": {"type": "string", "enum": ["active", "on_leave"]},
                            "hired": {"type": "string", "format": "date", "example": "2024-01-02"},
                        },
                    },
                ]
            },
            "Page": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "users": {"type": "array", "items": {"$ref": "#/components/schemas/Employee"}},
                    "next_offset": {"type": ["integer", "null"]},
                    "score": {"type": "number", "minimum": 0, "exclusiveMinimum": True},
                },
            },
            "Node": {
                "type": "object",
                "properties": {"child": {"$ref": "#/components/schemas/Node"}},
            },
            "Mixed": {
                "type": "object",
                "properties": {"value": {"oneOf": [{"type": "string"}, {"type": "integer"}]}},
            },
        }
    },
}


def test_an_openapi_schema_becomes_talkdesk_valid_and_says_what_it_loosened() -> None:
    schema, loosened = schema_from_openapi({"$ref": "#/components/schemas/Page"}, document=DOCUMENT)
    assert check_schema(schema, where="t") == schema
    assert schema["title"] == "Page"
    employee = schema["properties"]["users"]["items"]
    assert employee["required"] == ["employee_id", "work_email"]  # manager is nullable
    assert employee["properties"]["employee_id"] == {"title": "Employee ID", "type": "integer"}
    assert employee["properties"]["manager"]["type"] == ["string", "null"]
    assert employee["properties"]["work_email"]["format"] == "email"
    assert employee["properties"]["hired"]["examples"] == ["2024-01-02"]
    assert schema["properties"]["next_offset"]["type"] == ["integer", "null"]
    assert schema["properties"]["score"]["exclusiveMinimum"] == 0
    assert "minimum" not in schema["properties"]["score"]
    text = "\n".join(loosened)
    assert "format int64 dropped" in text
    assert "manager: no longer required" in text
    assert "additionalProperties dropped" in text
    valid = {"users": [{"employee_id": 1, "work_email": "a@b.c", "manager": None}], "score": 1}
    assert Draft7Validator(schema).is_valid(valid)


def test_what_cannot_become_one_talkdesk_type_is_refused_with_its_path() -> None:
    with pytest.raises(ValidationError, match=r"\$ref cycle .*Node"):
        schema_from_openapi({"$ref": "#/components/schemas/Node"}, document=DOCUMENT)
    with pytest.raises(
        ValidationError, match=r"\$\.properties\.value.*oneOf mixes integer and string"
    ):
        schema_from_openapi(DOCUMENT["components"]["schemas"]["Mixed"], document=DOCUMENT)
    with pytest.raises(ValidationError, match="only local"):
        schema_from_openapi({"$ref": "other.yaml#/X"})
    with pytest.raises(ValidationError, match="points to nothing"):
        schema_from_openapi({"$ref": "#/components/schemas/Nope"}, document=DOCUMENT)
    with pytest.raises(ValidationError, match="root must"):
        schema_from_openapi({"type": "array", "items": {"type": "string"}})


def test_objects_offered_as_alternatives_are_merged_and_listed() -> None:
    schema, loosened = schema_from_openapi(
        {
            "type": "object",
            "properties": {
                "who": {
                    "anyOf": [
                        {
                            "type": "object",
                            "required": ["id", "a"],
                            "properties": {"id": {"type": "string"}, "a": {"type": "string"}},
                        },
                        {
                            "type": "object",
                            "required": ["id"],
                            "properties": {"id": {"type": "string"}, "b": {"type": "integer"}},
                        },
                        {"type": "null"},
                    ]
                }
            },
        }
    )
    who = schema["properties"]["who"]
    assert who["type"] == ["object", "null"] and who["required"] == ["id"]
    assert set(who["properties"]) == {"id", "a", "b"}
    assert any("anyOf of 2 merged" in line for line in loosened)


def test_an_array_of_anything_keeps_untyped_items_and_says_so() -> None:
    schema, loosened = schema_from_openapi(
        {"type": "object", "properties": {"tags": {"type": "array"}}}
    )
    assert schema["properties"]["tags"]["items"]["title"] == "Items"
    assert loosened == [
        "$.properties.tags: items of any type: untyped 'items' (Talkdesk needs the key)"
    ]
    assert Draft7Validator(schema).is_valid({"tags": [1, "a", None]})
