"""The one `{{ }}` renderer, shared by Postman examples, Action paths and Automations.

A token is `{{name}}`; names are looked up exactly first, then as a dotted path into nested
mappings (`{{agent.connection_1.external_id}}`) and lists (`{{users.0.email}}`). Only keys and
indexes are followed, never Python attributes, so a template cannot reach into objects.
Unknown tokens are kept as written (Postman's rule) or raise `TemplateError` with
`missing="error"` (an Automation's rule).

```python
>>> render("/user/{{user_id}}/punch-clock", {"user_id": 7})
'/user/7/punch-clock'
>>> render("{{agent.name}}", {"agent": {"name": "Barbara Banh"}})
'Barbara Banh'
```
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Literal

from .errors import TemplateError

__all__ = ["TOKEN", "MISSING", "lookup", "placeholders", "render", "render_value"]

# Postman's SDK grammar: the shortest run of non-brace characters between double braces.
TOKEN = re.compile(r"{{([^{}]*?)}}")
_MAX_ROUNDS = 19  # Postman resolves nested tokens at most this many times

MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING"})()

Variables = Mapping[str, Any] | Callable[[str], Any]


def lookup(variables: Variables, name: str) -> Any:
    """The value of `name`, or `MISSING`. A callable resolver returns `MISSING` itself.

    A dotted name follows mapping keys and integer indexes into lists and tuples, nothing else.
    """
    if callable(variables):
        return variables(name)
    if name in variables:
        return variables[name]
    node: Any = variables
    for part in name.split("."):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list | tuple) and part.isdecimal() and int(part) < len(node):
            node = node[int(part)]
        else:
            return MISSING
    return node


def placeholders(template: str) -> list[str]:
    """The distinct token names in `template`, in order of appearance."""
    return list(dict.fromkeys(m.strip() for m in TOKEN.findall(template)))


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def render(
    template: str,
    variables: Variables,
    *,
    missing: Literal["keep", "error"] = "keep",
    encode: Callable[[str], str] | None = None,
) -> str:
    """Replace every `{{name}}` in `template`.

    `encode` is applied to each substituted value (for example URL-encoding a path segment).
    Only scalar values are substituted; `None` counts as missing.
    """
    if "{{" not in template:
        return template

    def replace(match: re.Match[str]) -> str:
        name = match.group(1).strip()
        value = lookup(variables, name)
        if value is MISSING or value is None or isinstance(value, Mapping | list | tuple):
            if missing == "error":
                raise TemplateError(name, template=template)
            return match.group(0)
        text = _text(value)
        return encode(text) if encode else text

    result = template
    for _ in range(_MAX_ROUNDS):
        rendered = TOKEN.sub(replace, result)
        if rendered == result or encode is not None:
            return rendered
        result = rendered
    return result


def render_value(
    value: Any, variables: Variables, *, missing: Literal["keep", "error"] = "keep"
) -> Any:
    """Render templates inside a JSON-like value.

    A string that is exactly one token takes the variable's own value and type
    (`"{{agent.id}}"` → `7`); other strings are rendered as text.
    """
    if isinstance(value, str):
        whole = TOKEN.fullmatch(value)
        if whole:
            found = lookup(variables, whole.group(1).strip())
            if found is not MISSING and found is not None:
                return found
        return render(value, variables, missing=missing)
    if isinstance(value, Mapping):
        return {k: render_value(v, variables, missing=missing) for k, v in value.items()}
    if isinstance(value, list):
        return [render_value(v, variables, missing=missing) for v in value]
    return value
