"""Templates follow mapping keys and list indexes, never Python attributes."""

from __future__ import annotations

from punchlab.templates import render

# ---------------------------------------------------------------- templates


class _Agent:
    name = "Barbara"


def test_templates_follow_keys_and_indexes_never_attributes() -> None:
    variables = {"agent": {"name": "Barbara"}, "users": [{"email": "a@x"}], "obj": _Agent()}
    assert render("{{agent.name}} {{users.0.email}}", variables) == "Barbara a@x"
    assert render("{{agent.name.__class__}}", variables) == "{{agent.name.__class__}}"
    assert render("{{obj.name}}", variables) == "{{obj.name}}"
    assert render("{{users.1.email}}", variables) == "{{users.1.email}}"
