"""Draft Actions from the requests of a collection (a Postman file, or an imported OpenAPI).

Tutorial steps 3.4-3.6 type each Action by hand: a name, the relative path with `{{param}}`s and
their types, an output schema pasted from a generator. `add_actions_from` reads all of it from a
collection's requests and saved examples instead, and says what a person still has to check.

```python
collection = load_collection(data_file(TUTORIAL_COLLECTION))
table = punch.add_actions_from(collection, {"users/punch-clock": "Punch clock"})
table[["request", "action", "path", "parameters", "to_check"]]
```

For each request:

* **Relative path**: the request's path without the host (its Connection's base path). A
  `:name` or `{{name}}` segment is a parameter; so is a literal segment that differs between
  the request and its examples, or that is a number (`/user/1/punch-clock` →
  `/user/{{user_id}}/punch-clock`, named after the segment before it). A query value becomes a
  `{{key}}` parameter, unless it is the same in the request and in at least two examples
  (`limit=5` stays as it is).
* **Parameter types**: the path variable's Postman `type` when it has one (`number` becomes
  `integer` when every example value is whole); an ID (`id`, `*_id`) is a `string`, as
  External IDs are; otherwise the example values (`1`, `2` → `integer`). A parameter with no
  type and no value is a `string` and is listed in `to_check`.
* **Input schema**: `schema_from_example` of the JSON bodies of the request and its examples'
  requests (none for GET and DELETE). **Output schema**: of the success (2xx) examples' JSON
  bodies, merged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote

from ..errors import ValidationError
from ..mock.collection import Collection, Request, url_query
from ..templates import TOKEN, placeholders, render
from .action import _NAME, check_schema
from .schema_inference import schema_from_example, title_of

if TYPE_CHECKING:
    import pandas as pd

    from ..store import Store
    from .action import Action

__all__ = ["COLUMNS", "ActionDraft", "DraftTarget", "add_actions_from", "draft_action"]

COLUMNS = [
    "request",
    "action",
    "result",
    "method",
    "path",
    "parameters",
    "input_schema",
    "output_schema",
    "to_check",
]
_VERBS = {"GET": "Get", "POST": "Post to", "PUT": "Update", "PATCH": "Update", "DELETE": "Delete"}
_LOOKS_LIKE_ID = re.compile(
    r"\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE
)
_INTEGER = re.compile(r"[+-]?\d+")
_POSTMAN_TYPES = {"string": "string", "boolean": "boolean", "number": "number"}


class DraftTarget(Protocol):
    """What `add_actions_from` needs of a Connection (which imports this module)."""

    @property
    def store(self) -> Store: ...

    def actions(self) -> list[Action]: ...

    def add_action(self, **fields: Any) -> Action: ...


@dataclass
class ActionDraft:
    """What `draft_action` reads from one request: the fields of `Connection.add_action`,
    plus `to_check`, what a person should look at before publishing."""

    request: str
    name: str
    description: str
    method: str
    path: str
    parameters: dict[str, dict[str, str]] = field(default_factory=dict)
    input_schema: dict[str, Any] | None = None
    output_schema: dict[str, Any] | None = None
    to_check: list[str] = field(default_factory=list)

    def fields(self) -> dict[str, Any]:
        """The keyword arguments of `Connection.add_action`."""
        return {
            "name": self.name,
            "description": self.description,
            "method": self.method,
            "path": self.path,
            "parameters": self.parameters,
            "input_schema": self.input_schema,
            "output_schema": self.output_schema,
        }


# -- one request ----------------------------------------------------------------------------------


def _segments(url: Any, variables: Mapping[str, Any]) -> list[str]:
    """The path segments of a request URL, without its host (`:name`s and `{{name}}`s kept)."""
    if isinstance(url, Mapping) and isinstance(url.get("path"), list | str):
        path = url["path"]
        parts = path.split("/") if isinstance(path, str) else path
        texts = [str(p.get("value") or "") if isinstance(p, Mapping) else str(p) for p in parts]
    else:
        raw = url.get("raw", "") if isinstance(url, Mapping) else str(url or "")
        raw = str(raw).split("#", 1)[0].split("?", 1)[0]
        if "://" in raw:
            raw = raw.split("://", 1)[1]
            raw = raw[raw.find("/") :] if "/" in raw else ""
        elif raw.startswith("{{"):
            raw = raw[raw.find("}}") + 2 :]
        elif not raw.startswith("/"):
            raw = raw[raw.find("/") :] if "/" in raw else ""
        texts = raw.split("/")
    known = {k: v for k, v in variables.items() if v is not None}
    return [render(text, known) for text in texts if text]


def _path_values(url: Any) -> dict[str, str]:
    found = {}
    for entry in (url.get("variable") if isinstance(url, Mapping) else None) or []:
        if isinstance(entry, Mapping) and entry.get("key") is not None:
            value = entry.get("value")
            found[str(entry["key"])] = "" if value is None else str(value)
    return found


def _path_types(url: Any) -> dict[str, str]:
    found = {}
    for entry in (url.get("variable") if isinstance(url, Mapping) else None) or []:
        if isinstance(entry, Mapping) and entry.get("type") in _POSTMAN_TYPES:
            found[str(entry["key"])] = _POSTMAN_TYPES[entry["type"]]
    return found


def _kind_of(values: Iterable[str]) -> str | None:
    seen = [v.strip() for v in values if v is not None and v.strip() and not TOKEN.search(v)]
    if not seen:
        return None
    if all(_INTEGER.fullmatch(v) for v in seen):
        return "integer"
    try:
        [float(v) for v in seen]
        return "number"
    except ValueError:
        pass
    if all(v in ("true", "false") for v in seen):
        return "boolean"
    return "string"


def _values_of(key: str, bodies: Iterable[Any]) -> list[Any]:
    """Every value of `key` anywhere in these JSON bodies."""
    found: list[Any] = []
    stack = list(bodies)
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if key in value:
                found.append(value[key])
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return found


def _json_kind(values: Sequence[Any]) -> str | None:
    kinds = set()
    for value in values:
        if isinstance(value, bool):
            kinds.add("boolean")
        elif isinstance(value, int):
            kinds.add("integer")
        elif isinstance(value, float):
            kinds.add("number")
        elif isinstance(value, str):
            kinds.add("string")
    if kinds == {"integer", "number"}:
        return "number"
    return kinds.pop() if len(kinds) == 1 else None


def _is_id(name: str) -> bool:
    return name.lower() == "id" or name.lower().endswith("_id") or name.endswith("Id")


def _parameter_name(text: str) -> str:
    name = re.sub(r"\W+", "_", text).strip("_") or "param"
    return name if _NAME.fullmatch(name) else f"p_{name}"


def _singular(word: str) -> str:
    word = re.sub(r"\W+", "_", word).strip("_").lower()
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _body_json(request: Mapping[str, Any]) -> tuple[Any, str | None]:
    """`(parsed JSON body, problem)`; `(None, None)` when there is no body."""
    body = request.get("body")
    if not isinstance(body, Mapping) or body.get("disabled"):
        return None, None
    mode = body.get("mode")
    if mode != "raw":
        has_fields = bool(body.get(mode)) if isinstance(mode, str) else False
        if has_fields:
            return None, f"the body is {mode}: Talkdesk Actions send JSON, so no input schema"
        return None, None
    raw = str(body.get("raw") or "")
    if not raw.strip():
        return None, None
    try:
        return json.loads(raw), None
    except ValueError:
        return None, "the body is not JSON (Postman variables in it?): no input schema"


def action_name(request: Request) -> str:
    """A Talkdesk-style name: the request's own name when it reads as words ("List
    employees"), else the method and the request's path words (`users/formatted` →
    "Get users (formatted)")."""
    name = request.name.strip()
    if name and "/" not in name and not name.startswith(":"):
        return name[:1].upper() + name[1:]
    source = name or request.path
    words = [w for w in re.split(r"[/\s]+", source) if w and not w.startswith((":", "{{"))]
    words = [w.replace("-", " ").replace("_", " ") for w in words] or ["request"]
    text = f"{_VERBS.get(request.method, request.method.title())} {words[0]}"
    return text + (f" ({' '.join(words[1:])})" if words[1:] else "")


def draft_action(request: Request, *, name: str | None = None) -> ActionDraft:
    """Read one request (and its saved examples) as an Action (see the module docstring).

    ```python
    draft = draft_action(collection.requests()[2], name="Punch clock")
    draft.path, draft.parameters        # '/user/{{user_id}}/punch-clock', {'user_id': ...}
    ```
    """
    variables = request.collection.variables
    method = request.method
    checks: list[str] = []
    where = request.name or request.where
    examples = request.examples()
    urls = [request.request.get("url")] + [example.url for example in examples]

    # the path: which segments are parameters, and what values each took
    route = _segments(urls[0], variables)
    # an error example may be filed under another path (the tutorial's "no page" one is)
    others = [_segments(e.url, variables) for e in examples if 200 <= e.code < 300]
    others = [segs for segs in others if len(segs) == len(route)]
    values: dict[str, list[str]] = {}
    declared: dict[str, str] = {}
    for url in urls:
        for key, value in _path_values(url).items():
            values.setdefault(key, []).append(value)
        for key, kind in _path_types(url).items():
            declared.setdefault(key, kind)
    parts: list[str] = []
    for i, segment in enumerate(route):
        if segment.startswith(":") and len(segment) > 1:
            parameter = _parameter_name(segment[1:].split(".", 1)[0])
        elif len(placeholders(segment)) == 1 and segment.startswith("{{"):
            parameter = _parameter_name(placeholders(segment)[0])
        else:
            seen = [segment] + [segs[i] for segs in others]
            varies = len(set(seen)) > 1
            if not varies and not _LOOKS_LIKE_ID.fullmatch(segment):
                parts.append(quote(segment, safe="-._~!$&'()*+,;=:@"))
                continue
            before = [p for p in route[:i] if not p.startswith(":") and "{{" not in p]
            parameter = _parameter_name(f"{_singular(before[-1])}_id" if before else "id")
            while f"{{{{{parameter}}}}}" in parts:
                parameter += "_2"
            values.setdefault(parameter, []).extend(seen)
        parts.append(f"{{{{{parameter}}}}}")
    path = "/" + "/".join(parts)

    # the query: a value that is the same everywhere stays; any other becomes a parameter
    example_queries = [dict(url_query(url, variables)) for url in urls[1:]]
    query = []
    for key, value in url_query(urls[0], variables):
        if TOKEN.search(value):
            query.append(f"{key}={value}")
            for name_ in placeholders(value):
                values.setdefault(_parameter_name(name_), [])
            continue
        seen = [value] + [q[key] for q in example_queries if key in q]
        if len(seen) >= 3 and len(set(seen)) == 1:
            query.append(f"{quote(key)}={quote(value)}")
            checks.append(f"{key}={value} kept as it is (the same in every example)")
            continue
        parameter = _parameter_name(key)
        if parameter != key:
            checks.append(f"query key {key!r} became the parameter {{{{{parameter}}}}}")
        values.setdefault(parameter, []).extend(seen)
        query.append(f"{quote(key)}={{{{{parameter}}}}}")
    if query:
        path += "?" + "&".join(query)

    successes = [e for e in examples if 200 <= e.code < 300]
    sent = [_body_json(source)[0] for source in [request.request] + [e.request for e in examples]]
    answers = [e.json() for e in successes if e.json() is not None]
    parameters: dict[str, dict[str, str]] = {}
    for parameter in placeholders(path):
        kind = declared.get(parameter)
        # a key of the same name in a body (`employee_id: 1001`) tells the JSON type
        in_bodies = _json_kind(_values_of(parameter, [*sent, *answers]))
        from_examples = _kind_of(values.get(parameter, [])) or in_bodies
        if kind == "number" and from_examples == "integer":
            kind = "integer"
        elif kind == "number":
            checks.append(f"{{{{{parameter}}}}} is a number: is it an integer? (no example says)")
        if kind is None and in_bodies is not None:
            kind = in_bodies
        if kind is None and _is_id(parameter):
            kind = "string"  # an ID is text, even when it looks like a number
        if kind is None:
            kind = from_examples
        if kind is None:
            kind = "string"
            checks.append(f"{{{{{parameter}}}}} has no type and no example value: string assumed")
        parameters[parameter] = {"type": kind, "title": title_of(parameter)}

    # the bodies: what is sent, and what comes back
    input_schema = None
    bodies = []
    for source in [request.request] + [example.request for example in examples]:
        body, problem = _body_json(source)
        if problem and problem not in checks:
            checks.append(problem)
        if body is not None:
            bodies.append(body)
    if bodies and method in ("GET", "DELETE"):
        checks.append(f"a {method} request sends no body in Talkdesk: its body was left out")
    elif bodies:
        input_schema = _schema(bodies, "input", checks)

    output_schema = None
    if answers:
        output_schema = _schema(answers, "output", checks)
    elif successes:
        checks.append("no success example has a JSON body: no output schema")
    else:
        checks.append("no success (2xx) example: no output schema")

    description = request.request.get("description")
    if isinstance(description, Mapping):
        description = description.get("content")
    text = str(description or "").strip().split("\n\n", 1)[0].replace("\n", " ")
    if not text:
        text = f"{method} {path}, from the request {where!r} of {request.collection.name!r}."
    return ActionDraft(
        request="/".join((*request.folder, request.name)),
        name=name or action_name(request),
        description=text,
        method=method,
        path=path,
        parameters=parameters,
        input_schema=input_schema,
        output_schema=output_schema,
        to_check=checks,
    )


def _schema(bodies: Sequence[Any], which: str, checks: list[str]) -> dict[str, Any] | None:
    if not all(isinstance(body, dict) for body in bodies):
        checks.append(
            f"the {which} is not a JSON object: Talkdesk's schemas describe an object, "
            f"so no {which} schema"
        )
        return None
    schema = schema_from_example(*bodies)
    try:
        check_schema(schema, where=f"{which} schema")
    except ValidationError as exc:
        checks.append(f"no {which} schema: {exc}")
        return None
    return schema


# -- many requests --------------------------------------------------------------------------------


def _chosen(
    collection: Collection, requests: Sequence[str] | Mapping[str, str] | None
) -> list[tuple[Request, str | None]]:
    every = collection.requests()
    if requests is None:
        return [(request, None) for request in every]
    if isinstance(requests, str):
        requests = [requests]
    names = requests if isinstance(requests, Mapping) else dict.fromkeys(requests)
    chosen = []
    for wanted, name in names.items():
        found = [r for r in every if wanted in (r.name, "/".join((*r.folder, r.name)))]
        if not found:
            known = ", ".join(repr("/".join((*r.folder, r.name))) for r in every)
            raise ValidationError(
                f"no request {wanted!r} in {collection.name!r} (it has {known})",
                where="requests",
            )
        chosen.extend((request, name) for request in found)
    return chosen


def add_actions_from(
    connection: DraftTarget,
    collection: Collection,
    requests: Sequence[str] | Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """One Draft Action of `connection` per request of `collection`; a table of what was done.

    `requests`: all of them (`None`), some by name (`["users/formatted"]`, folder paths work
    too), or a dict from request to Action name (`{"users/punch-clock": "Punch clock"}`). An
    Action of the same name that is still a Draft is updated; a published one is left as it is
    (`result` says so). The table has one row per request: `request`, `action`, `result`
    (`created`, `updated`, `unchanged` or `not saved: ...`), `method`, `path`, `parameters`
    (`page: integer`), `input_schema` and `output_schema` (the top-level properties),
    `to_check` (what a person should look at before publishing, empty when nothing).

    Every Action is saved in one transaction: an unexpected failure saves none of them.

    ```python
    table = punch.add_actions_from(load_collection("vendor.postman_collection.json"))
    table[table["to_check"] != ""]
    ```
    """
    import pandas as pd

    chosen = _chosen(collection, requests)
    drafts = [draft_action(request, name=name) for request, name in chosen]
    taken: dict[str, int] = {}
    for draft in drafts:  # two requests with one name: "Name", "Name (2)"
        count = taken[draft.name] = taken.get(draft.name, 0) + 1
        if count > 1:
            draft.name = f"{draft.name} ({count})"
    existing = {action.name: action for action in connection.actions()}
    rows = []
    with connection.store.transaction():
        for draft in drafts:
            before = existing.get(draft.name)
            try:
                saved: Action = connection.add_action(**draft.fields())
            except ValidationError as exc:
                result = f"not saved: {exc}"
            else:
                if before is None:
                    result = "created"
                elif before.definition() == saved.definition():
                    result = "unchanged"
                else:
                    result = "updated"
            rows.append(
                {
                    "request": draft.request,
                    "action": draft.name,
                    "result": result,
                    "method": draft.method,
                    "path": draft.path,
                    "parameters": ", ".join(
                        f"{k}: {v['type']}" for k, v in draft.parameters.items()
                    ),
                    "input_schema": _outline(draft.input_schema),
                    "output_schema": _outline(draft.output_schema),
                    "to_check": "; ".join(draft.to_check),
                }
            )
    return pd.DataFrame(rows, columns=COLUMNS)


def _outline(schema: Mapping[str, Any] | None) -> str:
    if not schema:
        return ""
    return ", ".join(schema.get("properties") or {})
