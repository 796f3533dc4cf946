"""Schemas for Actions, from example bodies or from an OpenAPI document.

Talkdesk wants an Action's input and output schema as JSON Schema draft-07 with its own rules
(`punchlab.talkdesk.action.check_schema`): an object at the root, a `type` and a `title` on every
property, a nullable property as a pair with `"null"` that is not required, `items` on every
array. A learner usually pastes a response into a web generator and then fixes it by hand; here
GenSON infers the schema and a second pass makes it follow those rules.

```python
page_1 = {"count": 5, "total": 7, "users": [{"id": 1, "name": "Barbara Banh"}]}
page_2 = {"count": 2, "total": 7, "users": [{"id": 6, "name": "Clarence Hull", "tz": None}]}
schema = schema_from_example(page_1, page_2)          # several pages merge into one schema
schema["properties"]["users"]["items"]["properties"]["tz"]
# {'title': 'Tz', 'type': ['string', 'null'], '$comment': 'only null was seen: ...'}

document = yaml.safe_load(data_file("workforce_vendor.openapi.yaml").read_text())
schema, loosened = schema_from_openapi(
    {"$ref": "#/components/schemas/EmployeePage"}, document=document
)
loosened      # ['$.properties.next_offset: no longer required (Talkdesk: a nullable ...)']
```
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from ..errors import ValidationError
from .action import SCHEMA_TYPES, check_schema

__all__ = [
    "DRAFT_07",
    "OpenApiSchema",
    "schema_from_example",
    "schema_from_openapi",
    "title_of",
]

DRAFT_07 = "http://json-schema.org/draft-07/schema#"
_ONLY_NULL = 'only null was seen: "string" is a guess, check it'
_NO_ITEMS = "no item was seen: the items' type is unknown"
_NO_ITEMS_TYPE = "the document allows items of any type"
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_ACRONYMS = {"id": "ID", "url": "URL", "uri": "URI", "api": "API", "utc": "UTC"}


def title_of(name: str) -> str:
    """A property or parameter name as a title: `user_id` → `User ID`, `checkInTime` →
    `Check in time`. Talkdesk shows it as the field's label."""
    words = _WORD.findall(str(name)) or [str(name)]
    shown = [_ACRONYMS.get(w.lower(), w.lower()) for w in words]
    text = " ".join(shown)
    return text[:1].upper() + text[1:]


# -- from examples --------------------------------------------------------------------------------


def schema_from_example(example: Any, /, *more: Any, title: str = "Root") -> dict[str, Any]:
    """A draft-07 schema that every example validates against, following Talkdesk's rules.

    Pass one body, or several (pages of a list, successes of one request): GenSON merges them,
    a key is `required` when every example has it, integers stay `integer` unless a fraction
    is seen. Then every property gets a `title`, a property seen as `null` becomes a pair with
    `"null"` and is not required, a property only ever `null` becomes `["string", "null"]`
    and an array with no item seen gets untyped `items` (both say so in a `$comment`).

    When the examples are objects whose every property keeps one type (besides `null`), the
    schema passes `check_schema` as it is. A property seen with two types (`1` here, `"1"`
    there) keeps both, so the examples still validate; `check_schema` then names it, because
    Talkdesk allows one type per property and only a person can say which.

    ```python
    schema_from_example({"name": "Barbara Banh", "check_in_time": "2023-08-11T08:10:09+00:00"})
    ```
    """
    from genson import SchemaBuilder

    builder = SchemaBuilder(schema_uri=DRAFT_07)
    for body in (example, *more):
        builder.add_object(body)
    inferred = builder.to_schema()
    inferred.pop("$schema", None)
    schema = {"$schema": DRAFT_07, "title": title, **_talkdesk(inferred)}
    return schema


def _talkdesk(schema: dict[str, Any]) -> dict[str, Any]:
    """GenSON's output, recursively, made to follow Talkdesk's rules (titles added later)."""
    if "anyOf" in schema:
        return {"anyOf": [_talkdesk(option) for option in schema["anyOf"]]}
    kinds = schema.get("type")
    out: dict[str, Any] = {}
    if kinds == "null" or kinds == ["null"]:
        out["type"] = ["string", "null"]
        out["$comment"] = _ONLY_NULL
    elif kinds is not None:
        out["type"] = kinds
    real = [k for k in ([kinds] if isinstance(kinds, str) else kinds or []) if k != "null"]
    if "object" in real:
        properties = schema.get("properties") or {}
        nullable = {name for name, prop in properties.items() if _may_be_null(prop)}
        out["properties"] = {
            name: {"title": title_of(name), **_talkdesk(prop)} for name, prop in properties.items()
        }
        required = [name for name in schema.get("required", ()) if name not in nullable]
        if required:
            out["required"] = required
    if "array" in real:
        items = schema.get("items")
        if items is None:
            out["items"] = {"title": "Items", "$comment": _NO_ITEMS}
        else:
            out["items"] = {"title": "Items", **_talkdesk(items)}
    return out


def _may_be_null(schema: Mapping[str, Any]) -> bool:
    kinds = schema.get("type")
    if isinstance(kinds, str):
        return kinds == "null"
    if isinstance(kinds, list):
        return "null" in kinds
    return any(_may_be_null(option) for option in schema.get("anyOf", ()))


# -- from OpenAPI ---------------------------------------------------------------------------------


class OpenApiSchema(NamedTuple):
    """What `schema_from_openapi` gives: the draft-07 `schema`, and what it had to `loosen`."""

    schema: dict[str, Any]
    loosened: list[str]


# Draft-07's own formats; OpenAPI's int32, int64, float, double, byte, binary, password and
# others are annotations draft-07 does not know, so they are dropped (and listed).
_DRAFT_07_FORMATS = frozenset(
    "date-time date time email idn-email hostname idn-hostname ipv4 ipv6 uri uri-reference "
    "iri iri-reference uri-template json-pointer relative-json-pointer regex".split()
)
# Draft-07 keywords kept as they are (after their subschemas are converted).
_KEPT = frozenset(
    "title description default enum const multipleOf maximum minimum maxLength minLength "
    "pattern maxItems minItems uniqueItems maxProperties minProperties examples".split()
)
# OpenAPI annotations with no draft-07 meaning: dropped silently, they constrain nothing.
_ANNOTATIONS = frozenset(
    "discriminator readOnly writeOnly xml externalDocs deprecated example $comment".split()
)


def schema_from_openapi(
    schema: Mapping[str, Any],
    *,
    document: Mapping[str, Any] | None = None,
    title: str | None = None,
) -> OpenApiSchema:
    """An OpenAPI 3.0 or 3.1 schema object as a Talkdesk-valid draft-07 schema.

    `document` is the OpenAPI document its local `$ref`s (`#/components/schemas/...`) point
    into (the schema itself when left out). Converted: `$ref`s inlined (a cycle is refused),
    3.0 `nullable` and 3.1 `["x", "null"]` into Talkdesk's pair, `allOf` merged, `anyOf` and
    `oneOf` of objects merged, 3.0 boolean `exclusiveMinimum`/`exclusiveMaximum`, `example`
    into `examples`, a `title` on every property. The result is never stricter than the
    document: what draft-07 or Talkdesk cannot say is dropped and listed in `loosened`
    (a nullable property made optional, an OpenAPI-only `format`, `additionalProperties`,
    merged alternatives, untyped array items). What cannot be loosened into one Talkdesk type
    (a property that is a string or an object) is a `ValidationError` naming its JSON path.

    ```python
    schema, loosened = schema_from_openapi(
        document["components"]["schemas"]["EmployeePage"], document=document
    )
    ```
    """
    if not isinstance(schema, Mapping):
        raise ValidationError("an OpenAPI schema object must be a JSON object", where="$")
    converter = _OpenApi(document if document is not None else schema)
    converted = converter.convert(schema, "$", ())
    root_title = title or converted.pop("title", None) or _ref_name(schema) or "Root"
    converted.pop("title", None)
    result = {"$schema": DRAFT_07, "title": root_title, **converted}
    checked = check_schema(result, where="converted schema")
    return OpenApiSchema(checked or result, converter.loosened)


def _ref_name(schema: Mapping[str, Any]) -> str | None:
    ref = schema.get("$ref")
    return title_of(str(ref).rsplit("/", 1)[-1]) if isinstance(ref, str) else None


class _OpenApi:
    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        self.loosened: list[str] = []

    def loosen(self, where: str, what: str) -> None:
        self.loosened.append(f"{where}: {what}")

    def resolve(self, ref: Any, where: str, seen: tuple[str, ...]) -> tuple[Any, tuple[str, ...]]:
        if not isinstance(ref, str) or not ref.startswith("#"):
            raise ValidationError(
                f"only local $refs (#/...) can be resolved, not {ref!r}", where=where
            )
        if ref in seen:
            chain = " -> ".join((*seen, ref))
            raise ValidationError(
                f"$ref cycle ({chain}): a Talkdesk schema cannot refer to itself", where=where
            )
        target: Any = self.document
        for part in ref[1:].split("/")[1:] if ref != "#" else []:
            part = part.replace("~1", "/").replace("~0", "~")
            if isinstance(target, Mapping) and part in target:
                target = target[part]
            elif isinstance(target, list) and part.isdigit() and int(part) < len(target):
                target = target[int(part)]
            else:
                raise ValidationError(f"$ref {ref!r} points to nothing", where=where)
        return target, (*seen, ref)

    def convert(self, schema: Any, where: str, seen: tuple[str, ...]) -> dict[str, Any]:
        if schema is True or schema == {}:
            raise ValidationError(
                "any value is allowed here, but Talkdesk needs one type: give it a type",
                where=where,
            )
        if not isinstance(schema, Mapping):
            raise ValidationError("a schema must be a JSON object", where=where)
        while "$ref" in schema:  # 3.0 ignores siblings of $ref; 3.1 keeps them: keep them too
            target, seen = self.resolve(schema["$ref"], where, seen)
            if not isinstance(target, Mapping):
                raise ValidationError(f"$ref {schema['$ref']!r} is not a schema", where=where)
            siblings = {k: v for k, v in schema.items() if k != "$ref"}
            schema = {**target, **siblings}
        schema = self.merge_all_of(schema, where, seen)
        schema = self.merge_alternatives(schema, where, seen)
        out: dict[str, Any] = {}
        kind, nullable = self.type_of(schema, where)
        out["type"] = [kind, "null"] if nullable else kind
        for key, value in schema.items():
            if key in _KEPT:
                out[key] = copy.deepcopy(value)
            elif key == "example":
                out["examples"] = [copy.deepcopy(value)]
            elif key == "format":
                if value in _DRAFT_07_FORMATS:
                    out["format"] = value
                else:
                    self.loosen(where, f"format {value} dropped (not a draft-07 format)")
            elif key in ("exclusiveMinimum", "exclusiveMaximum"):
                self.exclusive(key, value, schema, out)
            elif key == "additionalProperties" and value is not True and value != {}:
                self.loosen(where, "additionalProperties dropped (Talkdesk ignores extra keys)")
            elif key == "patternProperties":
                self.loosen(where, "patternProperties dropped")
            elif key in ("not", "if", "then", "else", "dependencies", "dependentRequired"):
                self.loosen(where, f"{key} dropped")
        if nullable and "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
        if kind == "object":
            properties = schema.get("properties") or {}
            out["properties"] = {}
            for name, prop in properties.items():
                here = f"{where}.properties.{name}"
                converted = self.convert(prop, here, seen)
                converted.setdefault("title", title_of(name))
                out["properties"][name] = {"title": converted.pop("title"), **converted}
            required = []
            for name in schema.get("required") or []:
                prop = out["properties"].get(name)
                if prop is not None and isinstance(prop["type"], list):
                    self.loosen(
                        f"{where}.properties.{name}",
                        "no longer required (Talkdesk: a nullable property cannot be required)",
                    )
                else:
                    required.append(name)
            if required:
                out["required"] = required
        elif kind == "array":
            items = schema.get("items")
            if items is None or items is True or items == {}:
                self.loosen(where, "items of any type: untyped 'items' (Talkdesk needs the key)")
                out["items"] = {"title": "Items", "$comment": _NO_ITEMS_TYPE}
                return out
            converted = self.convert(items, f"{where}.items", seen)
            out["items"] = {"title": converted.pop("title", "Items"), **converted}
        return out

    @staticmethod
    def exclusive(key: str, value: Any, schema: Mapping[str, Any], out: dict[str, Any]) -> None:
        bound = "minimum" if key == "exclusiveMinimum" else "maximum"
        if value is True and bound in schema:  # 3.0: a flag on minimum/maximum
            out[key] = schema[bound]
            out.pop(bound, None)
        elif isinstance(value, int | float) and not isinstance(value, bool):  # 3.1: a number
            out[key] = value

    def type_of(self, schema: Mapping[str, Any], where: str) -> tuple[str, bool]:
        kinds = schema.get("type")
        nullable = schema.get("nullable") is True
        if isinstance(kinds, list):
            nullable = nullable or "null" in kinds
            real = [k for k in kinds if k != "null"]
        elif isinstance(kinds, str):
            real = [] if kinds == "null" else [kinds]
            nullable = nullable or kinds == "null"
        elif "properties" in schema:
            real = ["object"]
        elif "items" in schema:
            real = ["array"]
        else:
            real = []
        if set(real) == {"integer", "number"}:
            real = ["number"]
        if len(real) != 1 or real[0] not in SCHEMA_TYPES:
            what = " or ".join(real) if real else "of no type"
            raise ValidationError(
                f"a value {what} cannot be one Talkdesk type ({', '.join(SCHEMA_TYPES)}, "
                'or a pair with "null"); choose one',
                where=where,
            )
        return real[0], nullable

    def merge_all_of(
        self, schema: Mapping[str, Any], where: str, seen: tuple[str, ...]
    ) -> Mapping[str, Any]:
        if "allOf" not in schema:
            return schema
        merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        for i, part in enumerate(schema["allOf"]):
            here = f"{where}.allOf[{i}]"
            while isinstance(part, Mapping) and "$ref" in part:
                target, seen = self.resolve(part["$ref"], here, seen)
                part = {**target, **{k: v for k, v in part.items() if k != "$ref"}}
            if not isinstance(part, Mapping):
                raise ValidationError("an allOf entry must be a schema", where=here)
            part = self.merge_all_of(part, here, seen)
            for key, value in part.items():
                if key == "properties":
                    merged["properties"] = {**merged.get("properties", {}), **value}
                elif key == "required":
                    merged["required"] = [*merged.get("required", []), *value]
                elif key == "type" and "type" in merged and merged["type"] != value:
                    raise ValidationError(
                        f"allOf asks for type {merged['type']!r} and {value!r}", where=here
                    )
                else:
                    merged.setdefault(key, value)
        if "required" in merged:
            merged["required"] = list(dict.fromkeys(merged["required"]))
        return merged

    def merge_alternatives(
        self, schema: Mapping[str, Any], where: str, seen: tuple[str, ...]
    ) -> Mapping[str, Any]:
        keyword = "oneOf" if "oneOf" in schema else "anyOf" if "anyOf" in schema else None
        if keyword is None:
            return schema
        options = []
        nullable = False
        for i, option in enumerate(schema[keyword]):
            here = f"{where}.{keyword}[{i}]"
            while isinstance(option, Mapping) and "$ref" in option:
                target, seen = self.resolve(option["$ref"], here, seen)
                option = {**target, **{k: v for k, v in option.items() if k != "$ref"}}
            option = self.merge_all_of(option, here, seen)
            if isinstance(option, Mapping) and option.get("type") == "null":
                nullable = True
                continue
            options.append(option)
        rest = {k: v for k, v in schema.items() if k != keyword}
        if nullable:
            rest["nullable"] = True
        if len(options) == 1:
            return {**options[0], **rest}
        kinds = {self.type_of(option, where)[0] for option in options}
        if len(kinds) != 1:
            raise ValidationError(
                f"{keyword} mixes {' and '.join(sorted(kinds))}: Talkdesk needs one type here",
                where=where,
            )
        merged: dict[str, Any] = {**rest, "type": kinds.pop()}
        properties: dict[str, Any] = {}
        required: set[str] | None = None
        for option in options:
            properties.update(option.get("properties") or {})
            need = set(option.get("required") or ())
            required = need if required is None else required & need
        if properties:
            merged["properties"] = properties
        if required:
            merged["required"] = sorted(required)
        self.loosen(
            where, f"{keyword} of {len(options)} merged (the properties of any, required by all)"
        )
        return merged
