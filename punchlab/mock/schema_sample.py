"""Example values from schemas: what an OpenAPI import saves where a document has no example.

The same schema always gives the same value: its own `example`, `examples[0]`, `default`,
`const` or first `enum` where it has one, else a value of its type and format.

```python
sample({"type": "object", "properties": {"at": {"type": "string", "format": "date"}}})
# {'at': '2026-01-05'}
```
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

__all__ = ["sample", "schema_type"]

_DEPTH = 12  # nesting generated into an example before it stops (deep schemas stay readable)
_FORMATS = {
    "date-time": "2026-01-05T09:00:00Z",
    "date": "2026-01-05",
    "time": "09:00:00",
    "email": "user@example.com",
    "idn-email": "user@example.com",
    "uuid": "3f1c1a4e-8d2b-4c6a-9b7e-2d5f0a1c9e42",
    "uri": "https://example.com",
    "url": "https://example.com",
    "uri-reference": "/example",
    "hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "byte": "c3RyaW5n",
    "binary": "",
    "password": "********",
}


def sample(schema: Any, *, skip: str = "writeOnly", depth: int = 0) -> Any:
    """A deterministic example value for a resolved schema (the same schema, the same value).

    Takes the schema's own `example`/`examples`/`default`/`const`/first `enum` where it has
    one; properties marked `skip` (`"writeOnly"` in responses, `"readOnly"` in requests) are
    left out.

    ```python
    sample({"type": "object", "properties": {"at": {"type": "string", "format": "date"}}})
    # {'at': '2026-01-05'}
    ```
    """
    if not isinstance(schema, Mapping) or depth > _DEPTH:
        return None
    for key in ("example", "default", "const"):
        if key in schema:
            return copy.deepcopy(schema[key])
    if isinstance(schema.get("examples"), list) and schema["examples"]:
        return copy.deepcopy(schema["examples"][0])
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return copy.deepcopy(schema["enum"][0])
    if isinstance(schema.get("allOf"), list):
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            value = sample(part, skip=skip, depth=depth + 1)
            if not isinstance(value, dict):
                return value
            merged.update(value)
        own = {k: v for k, v in schema.items() if k != "allOf"}
        if own.get("properties"):
            merged.update(sample(own, skip=skip, depth=depth) or {})
        return merged
    for key in ("oneOf", "anyOf"):
        options = schema.get(key)
        if isinstance(options, list) and options:
            chosen = next((o for o in options if schema_type(o) != "null"), options[0])
            return sample(chosen, skip=skip, depth=depth + 1)
    kind = schema_type(schema)
    if kind == "object":
        properties = schema.get("properties") or {}
        value = {
            name: sample(prop, skip=skip, depth=depth + 1)
            for name, prop in properties.items()
            if not (isinstance(prop, Mapping) and prop.get(skip))
        }
        extra = schema.get("additionalProperties")
        if not properties and isinstance(extra, Mapping) and extra:
            value["additionalProp"] = sample(extra, skip=skip, depth=depth + 1)
        return value
    if kind == "array":
        count = min(max(int(schema.get("minItems") or 1), 1), 20)
        return [sample(schema.get("items"), skip=skip, depth=depth + 1) for _ in range(count)]
    if kind == "string":
        text = _FORMATS.get(str(schema.get("format")), "string")
        low, high = schema.get("minLength"), schema.get("maxLength")
        if isinstance(low, int) and len(text) < low:
            text += "x" * (low - len(text))
        if isinstance(high, int) and len(text) > high:
            text = text[:high]
        return text
    if kind in ("integer", "number"):
        value = schema.get("minimum")
        if value is None and isinstance(schema.get("exclusiveMinimum"), int | float):
            value = schema["exclusiveMinimum"] + 1
        if value is None:
            value = 0
        high = schema.get("maximum")
        if isinstance(high, int | float) and value > high:
            value = high
        return int(value) if kind == "integer" else value
    if kind == "boolean":
        return True
    return None


def schema_type(schema: Any) -> str | None:
    """The type a schema describes (the non-null one of an OpenAPI 3.1 pair), or None."""
    if not isinstance(schema, Mapping):
        return None
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        if "properties" in schema or "additionalProperties" in schema:
            return "object"
        if "items" in schema:
            return "array"
    return kind
