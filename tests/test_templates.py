from __future__ import annotations

from urllib.parse import quote

import pytest

from punchlab import TemplateError, placeholders, render, render_value


def test_render_substitutes_names_and_dotted_paths() -> None:
    variables = {"user_id": 7, "agent": {"connection_3": {"external_id": "42"}}}
    assert render("/user/{{user_id}}/punch-clock", variables) == "/user/7/punch-clock"
    assert render("{{ agent.connection_3.external_id }}", variables) == "42"


def test_exact_name_wins_over_dotted_lookup() -> None:
    assert render("{{a.b}}", {"a.b": "flat", "a": {"b": "nested"}}) == "flat"


def test_unknown_tokens_are_kept_or_raise() -> None:
    assert render("{{url}}/users", {}) == "{{url}}/users"
    with pytest.raises(TemplateError, match=r"no value for \{\{agent.connection_9.external_id\}\}"):
        render("/user/{{agent.connection_9.external_id}}", {"agent": {}}, missing="error")


def test_none_and_containers_count_as_missing() -> None:
    assert render("{{x}}", {"x": None}) == "{{x}}"
    with pytest.raises(TemplateError):
        render("{{x}}", {"x": {"a": 1}}, missing="error")


def test_booleans_render_as_json() -> None:
    assert render("{{on}}", {"on": True}) == "true"


def test_nested_tokens_resolve_in_rounds() -> None:
    assert render("{{greeting}}", {"greeting": "hello {{name}}", "name": "Patty"}) == "hello Patty"


def test_encoded_values_never_escape_their_segment() -> None:
    path = render("/user/{{id}}/punch-clock", {"id": "../1"}, encode=lambda v: quote(v, safe=""))
    assert path == "/user/..%2F1/punch-clock"


def test_callable_resolver() -> None:
    assert render("{{a}}-{{b}}", lambda name: name.upper()) == "A-B"


def test_render_value_keeps_types_of_whole_tokens() -> None:
    variables = {"agent": {"id": 7, "name": "Ricardo Smith"}}
    value = {
        "user_id": "{{agent.id}}",
        "label": "agent {{agent.name}}",
        "items": ["{{agent.id}}", 3],
    }
    assert render_value(value, variables) == {
        "user_id": 7,
        "label": "agent Ricardo Smith",
        "items": [7, 3],
    }


def test_placeholders_in_order_without_duplicates() -> None:
    assert placeholders("/users/{{page}}?p={{ page }}&u={{user_id}}") == ["page", "user_id"]


# ---------------------------------------------------------------- templates


class _Agent:
    name = "Barbara"


def test_templates_follow_keys_and_indexes_never_attributes() -> None:
    variables = {"agent": {"name": "Barbara"}, "users": [{"email": "a@x"}], "obj": _Agent()}
    assert render("{{agent.name}} {{users.0.email}}", variables) == "Barbara a@x"
    assert render("{{agent.name.__class__}}", variables) == "{{agent.name.__class__}}"
    assert render("{{obj.name}}", variables) == "{{obj.name}}"
    assert render("{{users.1.email}}", variables) == "{{users.1.email}}"
