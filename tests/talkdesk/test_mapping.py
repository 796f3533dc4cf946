from __future__ import annotations

import pytest

import punchlab
from punchlab.talkdesk.mapping import TRANSFORMS, FieldMapping, FieldRule, source_keys, users_schema


def not_formatted(n: int = 3) -> list[dict]:
    return [
        {"name": f"User {i}", "punch_clock_id": i, "punch_clock_email": f"user+{i}@talkdesk.com"}
        for i in range(1, n + 1)
    ]


def test_schemas_are_the_tutorials_two_output_schemas() -> None:
    formatted = users_schema()["properties"]["users"]["items"]
    assert formatted["required"] == ["name", "id", "email"]
    assert formatted["properties"]["id"]["type"] == "integer"
    raw = users_schema("not_formatted")["properties"]["users"]["items"]["required"]
    assert raw == ["name", "punch_clock_id", "punch_clock_email"]
    with pytest.raises(KeyError, match="formatted"):
        users_schema("nope")


def test_identity_maps_the_formatted_tutorial_page_unchanged(tutorial_users_pages) -> None:
    users = tutorial_users_pages["formatted"][1]["users"]
    assert FieldMapping.identity().apply(users) == users
    assert users[0]["email"] == "user+1@talkdesk.com"


def test_not_formatted_page_fails_identity_with_user_path_and_target(tutorial_users_pages) -> None:
    with pytest.raises(punchlab.MappingError) as caught:
        FieldMapping.identity().validate(tutorial_users_pages["not-formatted"][1]["users"])
    assert caught.value.where == "users[0].id"
    assert str(caught.value) == (
        "users[0].id: missing (the source of `id`); 4 more users lack it too"
    )


def test_suggest_guesses_from_key_names_and_maps_the_tutorial_page(tutorial_users_pages) -> None:
    users = tutorial_users_pages["not-formatted"][1]["users"]
    mapping = FieldMapping.suggest(users)
    assert mapping.to_dict() == {
        "name": "name",
        "id": "punch_clock_id",
        "email": "punch_clock_email",
    }
    assert mapping.apply(users) == tutorial_users_pages["formatted"][1]["users"]


def test_dotted_paths_list_indexes_and_transforms() -> None:
    users = [
        {"profile": {"full": " Ann Lee "}, "ids": ["7"], "emails": [{"value": "ANN@X.IO "}]},
        {"profile": {"full": "bob"}, "ids": ["8"], "emails": [{"value": "bob@x.io"}]},
    ]
    mapping = FieldMapping(
        {
            "name": "profile.full | strip | title",
            "id": ("ids[0]", "int"),
            "email": ("emails.0.value", ["strip", "lower"]),
        }
    )
    assert mapping.apply(users) == [
        {"name": "Ann Lee", "id": 7, "email": "ann@x.io"},
        {"name": "Bob", "id": 8, "email": "bob@x.io"},
    ]
    assert source_keys(users) == ["profile.full", "ids[0]", "emails[0].value"]
    assert FieldRule.parse("ids.1 | int").read(users, missing="?") == ["?", "?"]
    assert FieldRule.parse("profile.full | upper").read(users) == [" ANN LEE ", "BOB"]
    assert {"str", "int", "lower", "strip"} <= set(TRANSFORMS)


def test_missing_nested_source_names_user_and_path() -> None:
    users = not_formatted(4)
    del users[3]["punch_clock_email"]
    mapping = FieldMapping.suggest(users[:3])
    with pytest.raises(punchlab.MappingError, match=r"^users\[3\]\.punch_clock_email: missing"):
        mapping.apply(users)


def test_schema_types_are_checked_after_transforms() -> None:
    mapping = FieldMapping({"id": "punch_clock_id | str", "name": "name", "email": "name"})
    problems = mapping.problems(not_formatted(2))
    assert problems[0] == "users[0].punch_clock_id: `id` '1' is not of type 'integer' (via str)"
    assert len(problems) == 2
    wrong_type = not_formatted(3)
    wrong_type[2]["name"] = 42
    problems = FieldMapping.suggest(wrong_type).problems(wrong_type)
    assert problems == ["users[2].name: `name` 42 is not of type 'string'"]


def test_failed_transform_and_unmapped_target_are_reported() -> None:
    users = not_formatted(2)
    users[1]["punch_clock_id"] = "x9"
    mapping = FieldMapping({"id": "punch_clock_id | int", "name": "name", "email": None})
    problems = mapping.problems(users)
    assert problems[0] == "`email` is not mapped; pick the source key that holds it"
    assert problems[1].startswith("users[1].punch_clock_id: `int` failed:")
    with pytest.raises(punchlab.MappingError, match="`email` is not mapped"):
        mapping.validate(users)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"mail": "x"}, "`mail` is not a field of Agent Sync's users"),
        ({"email": "x | shout"}, "unknown transform 'shout'"),
        ({"email": "a..b"}, "is not a source path"),
        ({"email": 5}, "is not a source path or"),
    ],
)
def test_bad_mappings_fail_when_built(fields: dict, message: str) -> None:
    with pytest.raises(punchlab.MappingError, match=message):
        FieldMapping(fields)


def test_preview_never_raises_and_marks_what_cannot_be_mapped() -> None:
    users = not_formatted(3)
    del users[1]["punch_clock_email"]
    frame = FieldMapping.suggest(not_formatted(1)).preview(users, rows=2)
    assert list(frame.columns) == ["name", "id", "email"]
    assert frame["email"].tolist() == ["user+1@talkdesk.com", "—"]
    assert FieldMapping.identity().preview(users)["id"].tolist() == ["—"] * 3


def test_frame_is_validated_and_round_trips() -> None:
    mapping = FieldMapping.suggest(not_formatted(1))
    assert FieldMapping(mapping.to_dict()) == mapping
    assert FieldRule.parse("a | lower") == FieldRule("a", ("lower",))
    frame = mapping.frame(not_formatted(3))
    assert frame["id"].tolist() == [1, 2, 3]
    with pytest.raises(punchlab.MappingError):
        mapping.frame([{"name": "x"}])
    with pytest.raises(punchlab.MappingError, match="list of user objects"):
        mapping.frame({"users": []})
