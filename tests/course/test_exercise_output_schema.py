"""Notebook 07's exercise check: an output schema Talkdesk accepts, and every page validates."""

from __future__ import annotations

import punchlab
from punchlab.course.exercises import check_output_schema

PAGES = [
    {"users": [{"employee_id": 1001, "full_name": "Barbara Banh"}], "next_offset": 5},
    {"users": [], "next_offset": None},
]


def test_the_check_names_talkdesks_rule_and_the_answer_that_would_fail() -> None:
    pasted = {
        "type": "object",
        "required": ["users", "next_offset"],
        "properties": {
            "users": {"type": "array", "title": "Users"},
            "next_offset": {"type": "integer"},
        },
    }
    feedback = check_output_schema(pasted, PAGES)
    assert not feedback.ok and len(feedback.problems) == 2
    assert "an array needs 'items'" in feedback.problems[0]
    assert feedback.problems[1].startswith("example 2 does not validate at $.next_offset")
    assert "None is not of type 'integer'" in feedback.problems[1]


def test_a_schema_from_the_pages_themselves_passes() -> None:
    done = check_output_schema(punchlab.schema_from_example(*PAGES), PAGES)
    assert done.ok and str(done) == "✔ Output schema: all good"
    assert punchlab.check_output_schema is check_output_schema


def test_not_a_schema_at_all() -> None:
    assert "give a schema" in check_output_schema(None, PAGES).problems[0]
    broken = check_output_schema({"type": "object", "required": "users"}, PAGES)
    assert broken.problems == [
        "Talkdesk refuses it: output schema $.required: not a valid draft-07 schema: "
        "'users' is not of type 'array'."
    ]
