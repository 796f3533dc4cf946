from __future__ import annotations

import ipywidgets as widgets

import punchlab
from punchlab.course.widgets import MappingEditor
from punchlab.talkdesk.mapping import FieldMapping


def test_editor_builds_the_mapping_from_its_dropdowns(tutorial_users_pages) -> None:
    users = tutorial_users_pages["not-formatted"][1]["users"]
    editor = MappingEditor(users)
    assert isinstance(editor, widgets.VBox)
    row = editor.children[0]
    assert isinstance(row, widgets.HBox) and row.children[0].value == "name"
    assert editor.sources["email"].options == (
        ("—", ""),
        ("name", "name"),
        ("punch_clock_id", "punch_clock_id"),
        ("punch_clock_email", "punch_clock_email"),
    )
    assert editor.mapping == FieldMapping({})
    assert "`id` is not mapped" in editor.messages.value
    assert editor.preview_frame["email"].tolist() == ["—"] * 5

    editor.sources["name"].value = "name"
    editor.sources["id"].value = "punch_clock_id"
    editor.sources["email"].value = "name"  # the pitfall the exercise checks
    assert editor.problems == []  # a name is a string: valid, but wrong
    assert editor.preview_frame["email"].tolist()[0] == "Barbara Banh"

    editor.sources["email"].value = "punch_clock_email"
    editor.transforms["email"].value = "upper"
    assert editor.mapping.to_dict()["email"] == "punch_clock_email | upper"
    assert editor.preview_frame["email"][0] == "USER+1@TALKDESK.COM"
    editor.transforms["id"].value = "str"
    assert editor.problems[0].startswith("users[0].punch_clock_id: `id` '1' is not of type")
    assert "Not valid yet" in editor.messages.value
    editor.transforms["id"].value = ""
    editor.transforms["email"].value = "lower"
    assert editor.problems == [] and "✔ valid" in editor.messages.value
    assert editor.mapping.apply(users) == tutorial_users_pages["formatted"][1]["users"]


def test_suggest_button_and_a_starting_mapping(tutorial_users_pages) -> None:
    users = tutorial_users_pages["not-formatted"][2]["users"]
    editor = MappingEditor(users)
    editor.suggest_button.click()
    assert editor.mapping == FieldMapping.suggest(users)
    assert editor.problems == []

    start = FieldMapping({"email": "punch_clock_email | strip | lower", "id": "missing.path"})
    editor = MappingEditor(users, mapping=start)
    assert editor.transforms["email"].value == "strip | lower"
    assert editor.mapping == start
    assert editor.problems[0] == "`name` is not mapped; pick the source key that holds it"
    assert punchlab.MappingEditor is MappingEditor


def test_mapping_editor_ignores_a_transform_without_a_source(tutorial_users_pages) -> None:
    editor = MappingEditor(tutorial_users_pages["not-formatted"][1]["users"])
    editor.sources["email"].value = ""
    editor.transforms["email"].value = "lower"  # no traceback from the observer
    assert "email" not in editor.mapping.to_dict()
    assert editor.problems  # still not valid: email is unmapped
