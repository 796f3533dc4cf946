from __future__ import annotations

import punchlab
from punchlab.exercises import Feedback, check_mapping
from punchlab.mapping import FieldMapping
from punchlab.widgets import MappingEditor


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
