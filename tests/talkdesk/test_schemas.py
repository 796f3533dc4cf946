from __future__ import annotations

import json

import pytest

from punchlab.home import TUTORIAL_ACTIONS, data_file
from punchlab.talkdesk.schemas import compiled, quick_check


def _tutorial_schemas() -> list[dict]:
    actions = json.loads(data_file(TUTORIAL_ACTIONS).read_text())["actions"]
    return [action["output_schema"] for action in actions]


@pytest.mark.parametrize("schema", _tutorial_schemas(), ids=lambda s: s.get("title", "schema"))
def test_quick_check_never_accepts_what_the_validator_rejects(schema: dict) -> None:
    quick, validator = compiled(schema)
    assert quick is not None, "the tutorial's schemas stay on the quick path"
    samples = [
        {"count": 1, "total": 1, "users": [{"name": "A", "id": 1, "email": "a@x.io"}]},
        {"count": 1, "total": 1, "users": [{"name": "A", "id": "1", "email": "a@x.io"}]},
        {"count": 1, "total": 1, "users": [{"name": "A", "id": True, "email": "a@x.io"}]},
        {"count": 1, "total": 1, "users": [{"name": "A", "punch_clock_id": 1}]},
        {"name": "Barbara Banh", "check_in_time": "2023-08-11T08:10:09+00:00"},
        {"name": "Barbara Banh"},
        {"count": 2.0, "total": 7, "users": []},
        [],
    ]
    for sample in samples:
        if quick(sample):
            assert validator.is_valid(sample), sample


def test_unknown_keywords_leave_the_quick_path() -> None:
    assert quick_check({"type": "string", "minLength": 3}) is None
    assert compiled({"type": "string", "minLength": 3})[0] is None
    assert compiled({"type": "string"})[1] is compiled({"type": "string"})[1]  # built once
