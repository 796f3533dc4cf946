from __future__ import annotations

import punchlab
from punchlab.course.exercises import Feedback, check_mapping
from punchlab.course.widgets import MappingEditor
from punchlab.talkdesk.mapping import FieldMapping


def test_check_mapping_says_what_is_still_wrong(tutorial_users_pages) -> None:
    users = tutorial_users_pages["not-formatted"][1]["users"]
    expected = tutorial_users_pages["formatted"][1]["users"]
    feedback = check_mapping({"name": "name", "id": "punch_clock_id | str"}, users, expected)
    assert not feedback.ok
    assert feedback.problems == [
        "`id` is read from `punch_clock_id` but users[0] gives '1' where 1 is expected; "
        "check the transform (str).",
        "`email` is not mapped; Agent Sync matches on email — pick `punch_clock_email`.",
    ]
    assert str(feedback).startswith("✘ Agent Sync mapping: 2 things to fix\n  - `id` is read")

    editor = MappingEditor(users)
    editor.suggest_button.click()
    editor.sources["email"].value = "name"
    feedback = check_mapping(editor, users, expected)
    assert feedback.problems == [
        "`email` is mapped from `name`; Agent Sync matches on email — pick `punch_clock_email`."
    ]
    editor.sources["email"].value = "punch_clock_email"
    editor.transforms["email"].value = "upper"
    assert (
        "users[0] gives 'USER+1@TALKDESK.COM'" in check_mapping(editor, users, expected).problems[0]
    )
    editor.transforms["email"].value = "lower"
    done = check_mapping(editor, users, expected)
    assert done.ok and str(done) == "✔ Agent Sync mapping: all good"
    assert done._repr_markdown_() == "**✔ Agent Sync mapping**: all good"


def test_check_mapping_when_no_key_holds_the_values() -> None:
    users = [{"who": "Ann", "n": 1}]
    expected = [{"name": "Ann", "id": 1, "email": "ann@x.io"}]
    feedback = check_mapping(FieldMapping.suggest(users), users, expected)
    assert isinstance(feedback, Feedback) and punchlab.check_mapping is check_mapping
    assert feedback.problems[0] == "`name` is not mapped; the name shows who the user is in the " \
        "sync report — pick `who`."  # fmt: skip
    assert feedback.problems[-1] == (
        "`email` is not mapped; Agent Sync matches on email — no source key holds it."
    )


NOT_FORMATTED = [
    {"name": "Barbara Banh", "punch_clock_id": 1, "punch_clock_email": "user+1@talkdesk.com"},
    {"name": "Steven Herrera", "punch_clock_id": 2, "punch_clock_email": "user+2@talkdesk.com"},
]


FORMATTED = [
    {"name": "Barbara Banh", "id": 1, "email": "user+1@talkdesk.com"},
    {"name": "Steven Herrera", "id": 2, "email": "user+2@talkdesk.com"},
]


def test_check_mapping_turns_typos_into_hints() -> None:
    feedback = check_mapping({"email": "punch_clock_email | lowercase"}, NOT_FORMATTED, FORMATTED)
    assert not feedback.ok and "lowercase" in feedback.problems[0]
    assert "lower" in feedback.problems[0]  # the known transforms are listed
    short = check_mapping({"email": "punch_clock_email"}, NOT_FORMATTED, FORMATTED[:1])
    assert not short.ok and "2 users but 1 expected" in short.problems[0]
