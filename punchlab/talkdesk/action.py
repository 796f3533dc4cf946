"""Actions: one HTTP call of a Connection, with typed parameters and JSON schemas.

Tutorial steps 3.4-3.6: Name, Description, a relative path with `{{param}}` placeholders, an
input schema (the JSON request body) and an output schema (what comes back), then Publish.

```python
users = punch.add_action(
    name="Get users (formatted)",
    description="One page of users in Agent Sync's format",
    path="/users/formatted?page={{page}}",
    parameters={"page": "integer"},
    output_schema=schema,                       # JSON Schema draft-07, checked when saved
)
result = users.test(page=1)                     # a Draft can be tested...
result.outcome, result.status, result.data      # ('success', 200, {...})
users.publish()                                 # ...and, once published, no longer edited
```

States: **Draft** (editable, testable) → `publish()` → **Active** (immutable, runnable) →
`deprecate()` → **Deprecated** (still runnable) → `end_of_life()` → **End of Life** (no longer
runs or tests; its run log stays).

Talkdesk runs at most 50 Action executions a second per account (`EXECUTIONS_PER_SECOND`):
a run beyond them fails with 429 without being sent, and only the Action's execution log
(`action.runs()`) shows it; `ActionResult.rate_limited` says so.

Entry points for Agent Sync and Automations:

* `action.run(params, *, body=None, variables=None, attempt=1, at=None) -> ActionResult`
  runs a published Action (`at`: when, for the limit per second; default now). Parameter
  values (and the input schema's `default`s) may be `{{ }}` templates, rendered with
  `variables` (for example `{"agent": agent.variables()}`); a missing variable is a
  `validation_error` before any HTTP call.
* `ActionResult`: `outcome` (`success`, `error`, `timeout`, `validation_error`), `status`,
  `data` (the response projected onto the output schema), `errors` (`Issue`s with a JSON path
  such as `$.users[3].email`), `request` (as sent, secrets masked), `duration`, `attempt`.
* `action.runs()`: the run log as a DataFrame.
"""

from __future__ import annotations

import html
import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol, Self
from urllib.parse import quote

import httpx

from ..errors import PunchlabError, TemplateError, ValidationError
from ..templates import MISSING, placeholders, render, render_value
from ..times import utc_iso
from .schemas import compiled

if TYPE_CHECKING:
    import pandas as pd

    from ..store import Store

__all__ = [
    "EXECUTIONS_PER_SECOND",
    "OUTCOMES",
    "Action",
    "ActionConnection",
    "ActionResult",
    "ActionState",
    "Issue",
    "check_schema",
    "ensure_tables",
]

OUTCOMES = ("success", "error", "timeout", "validation_error")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
PARAMETER_TYPES = ("string", "integer", "number", "boolean")
SCHEMA_TYPES = ("string", "integer", "number", "boolean", "array", "object")
TIMEOUT_RANGE = (5.0, 30.0)
# Talkdesk's account-wide rate limit (its Connections rate limits page).
EXECUTIONS_PER_SECOND = 50
_RATE_LIMITED = "429 Too Many Requests: over the account's 50 Action executions a second"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BODY_PREVIEW = 2000


class ActionConnection(Protocol):
    """What an Action uses of its Connection (a `punchlab.talkdesk.connection.Connection`).

    The Connection creates its Actions, so the dependency points from `connection` to this
    module; an Action only needs this much of it.
    """

    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def base_path(self) -> str: ...
    @property
    def auth(self) -> Any: ...  # a `connection.Auth`: an `httpx.Auth` naming its `secret_headers`
    @property
    def store(self) -> Store: ...

    @classmethod
    def load(cls, store: Store, name_or_id: str | int) -> Self: ...

    def client(self, *, timeout: float) -> httpx.Client: ...


_DDL = """
CREATE TABLE IF NOT EXISTS actions (
    id INTEGER PRIMARY KEY,
    connection_id INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    definition TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'Draft',
    UNIQUE (connection_id, name)
);
CREATE TABLE IF NOT EXISTS action_runs (
    id INTEGER PRIMARY KEY,
    action_id INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
    started_at TEXT NOT NULL,
    test INTEGER NOT NULL,
    attempt INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    status INTEGER,
    duration REAL NOT NULL,
    message TEXT NOT NULL,
    request TEXT,
    errors TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS action_runs_executed ON action_runs (started_at)
    WHERE test = 0 AND (status IS NULL OR status != 429 OR request IS NOT NULL);
"""


def ensure_tables(store: Store) -> None:
    """Create the tables of Actions and their runs (needs the connections table)."""
    store.ensure("actions", _DDL)


class ActionState(StrEnum):
    """An Action's state, as Talkdesk names it."""

    DRAFT = "Draft"
    ACTIVE = "Active"
    DEPRECATED = "Deprecated"
    END_OF_LIFE = "End of Life"


@dataclass(frozen=True)
class Issue:
    """One validation problem: `source` is `params`, `input` or `output`; `path` a JSON path."""

    source: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.source} {self.path}: {self.message}"


# -- schemas -------------------------------------------------------------------------------------


def check_schema(schema: Any, *, where: str) -> dict[str, Any] | None:
    """Check an input or output schema: valid draft-07, and Talkdesk's rules.

    Talkdesk's rules: the root is an object; every property has a `type` (one of string,
    integer, number, boolean, array, object, or a pair with `"null"`, which cannot be required)
    and a `title`; an array has `items`. An empty schema (`None` or `{}`) means "none".
    """
    if schema is None or schema == {}:
        return None
    if not isinstance(schema, Mapping):
        raise ValidationError("a schema must be a JSON object", where=where)
    from jsonschema import Draft7Validator
    from jsonschema.exceptions import SchemaError

    refs = _references(schema, where)  # first: it refuses a nesting too deep to check
    try:
        Draft7Validator.check_schema(schema)
    except SchemaError as exc:
        raise ValidationError(
            f"not a valid draft-07 schema: {exc.message}", where=f"{where} {exc.json_path}"
        ) from exc
    _check_references(schema, refs, where)
    if schema.get("type") != "object":
        raise ValidationError('the root must have "type": "object"', where=f"{where} $")
    _check_properties(schema, f"{where} $")
    return json.loads(json.dumps(schema))


MAX_SCHEMA_DEPTH = 64  # levels of nested objects and arrays in a schema
# keywords whose value maps names to subschemas (a "$ref" key there is a name, not a reference)
_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "definitions", "dependencies"})
# keywords whose value is data, never a schema
_DATA_KEYWORDS = frozenset({"enum", "const", "default", "examples", "required"})


def _references(schema: Mapping[str, Any], where: str) -> list[tuple[str, str]]:
    """Every `$ref` in `schema` as `(JSON path, reference)`; refuses a nesting too deep."""
    found = []
    stack: list[tuple[Any, str, int, bool]] = [(schema, "$", 1, True)]
    while stack:
        value, path, depth, is_schema = stack.pop()
        if depth > MAX_SCHEMA_DEPTH:
            raise ValidationError(
                f"the schema nests more than {MAX_SCHEMA_DEPTH} levels deep",
                where=f"{where} {path}",
            )
        if isinstance(value, Mapping):
            if is_schema and isinstance(value.get("$ref"), str):
                found.append((path, value["$ref"]))
            for key, sub in value.items():
                if is_schema and key in _DATA_KEYWORDS:
                    continue
                stack.append(
                    (sub, f"{path}.{key}", depth + 1, not (is_schema and key in _SCHEMA_MAPS))
                )
        elif isinstance(value, list):
            for index, sub in enumerate(value):
                stack.append((sub, f"{path}[{index}]", depth + 1, is_schema))
    return found


def _check_references(schema: Mapping[str, Any], refs: list[tuple[str, str]], where: str) -> None:
    """Refuse a `$ref` that does not resolve inside the schema itself (the lab is offline)."""
    if not refs:
        return
    from referencing import Registry
    from referencing.exceptions import Unresolvable
    from referencing.jsonschema import DRAFT7

    resolver = Registry().resolver_with_root(DRAFT7.create_resource(schema))
    for path, ref in refs:
        try:
            resolver.lookup(ref)
        except Unresolvable as exc:
            raise ValidationError(
                f"$ref {ref!r} points nowhere in this schema ({type(exc).__name__})",
                where=f"{where} {path}",
            ) from exc


def _check_properties(schema: Mapping[str, Any], at: str) -> None:
    required = set(schema.get("required", ()))
    for name, prop in (schema.get("properties") or {}).items():
        here = f"{at}.properties.{name}"
        if not isinstance(prop, Mapping):
            raise ValidationError("a property must be an object", where=here)
        for key in ("type", "title"):
            if key not in prop:
                raise ValidationError(f"every property needs a {key!r} (Talkdesk)", where=here)
        kinds = prop["type"] if isinstance(prop["type"], list) else [prop["type"]]
        real = [k for k in kinds if k != "null"]
        if len(real) != 1 or real[0] not in SCHEMA_TYPES or len(kinds) > 2:
            raise ValidationError(
                f"type {prop['type']!r} is not supported: use one of {', '.join(SCHEMA_TYPES)}, "
                'or a pair with "null"',
                where=here,
            )
        if len(kinds) == 2 and name in required:
            raise ValidationError('a property that may be "null" cannot be required', where=here)
        if real[0] == "array":
            items = prop.get("items")
            if not isinstance(items, Mapping):
                raise ValidationError("an array needs 'items'", where=here)
            if items.get("type") == "object":
                _check_properties(items, f"{here}.items")
        elif real[0] == "object":
            _check_properties(prop, here)


def _project(value: Any, schema: Mapping[str, Any]) -> Any:
    """`value` keeping only what the schema declares (Talkdesk ignores undeclared fields)."""
    properties = schema.get("properties")
    if isinstance(value, dict) and isinstance(properties, Mapping):
        return {k: _project(value[k], properties[k]) for k in properties if k in value}
    items = schema.get("items")
    if isinstance(value, list) and isinstance(items, Mapping):
        leaves = items.get("properties")
        if isinstance(leaves, Mapping) and not any(
            isinstance(p, Mapping) and ("properties" in p or "items" in p) for p in leaves.values()
        ):  # a list of flat objects (a page of users): one comprehension, no recursion
            keys = tuple(leaves)
            return [{k: v[k] for k in keys if k in v} if isinstance(v, dict) else v for v in value]
        return [_project(v, items) for v in value]
    return value


def _schema_issues(value: Any, schema: Mapping[str, Any], source: str) -> list[Issue]:
    quick, validator = compiled(schema)
    if quick is not None and quick(value):
        return []
    found = [Issue(source, e.json_path, e.message) for e in validator.iter_errors(value)]
    return sorted(found, key=lambda issue: issue.path)


# -- parameters ----------------------------------------------------------------------------------


def _parameters(path: str, given: Mapping[str, Any] | None) -> dict[str, dict[str, str]]:
    names = placeholders(path)
    for name in names:
        if not _NAME.fullmatch(name):
            raise ValidationError(
                f"{{{{{name}}}}} is not a parameter name (letters, digits, _)",
                where="Relative path",
            )
    given = dict(given or {})
    unknown = [name for name in given if name not in names]
    if unknown:
        raise ValidationError(
            f"{unknown} are not in the relative path {path!r}", where="Path Parameters"
        )
    found: dict[str, dict[str, str]] = {}
    for name in names:
        spec = given.get(name, "string")
        spec = {"type": spec} if isinstance(spec, str) else dict(spec)
        kind = spec.get("type", "string")
        if kind not in PARAMETER_TYPES:
            raise ValidationError(
                f"type {kind!r} is not one of {', '.join(PARAMETER_TYPES)}",
                where=f"Path Parameters, {name}",
            )
        found[name] = {"type": kind, "title": spec.get("title") or name}
    return found


def _coerce(value: Any, kind: str) -> Any:
    """`value` as a parameter of type `kind`, or ValueError. Text boxes send strings."""
    text = value.strip() if isinstance(value, str) else None
    if kind == "string":
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return str(value)
    elif kind == "integer":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if text is not None and re.fullmatch(r"[+-]?\d+", text):
            return int(text)
    elif kind == "number":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
        if text is not None:
            try:
                return float(text)
            except ValueError:
                pass
    elif kind == "boolean":
        if isinstance(value, bool):
            return value
        if text in ("true", "false"):
            return text == "true"
    raise ValueError(f"expected {kind}, got {value!r}")


def _segment(text: str) -> str:
    # every reserved character encoded: a value cannot add a path segment or a query parameter
    return quote(text, safe="")


# -- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionResult:
    """What running an Action gave. Secrets in `request` read `'***'`.

    ```python
    result = users.test(page=1)
    if not result.ok:
        print(result.outcome, result.status, [str(e) for e in result.errors])
    ```

    `duration` is in seconds; `body` is the start of the response text (for errors).
    """

    action: str
    outcome: str
    status: int | None = None
    data: Any = None
    errors: tuple[Issue, ...] = ()
    request: Mapping[str, Any] | None = None
    duration: float = 0.0
    attempt: int = 1
    message: str = ""
    body: str = ""
    test: bool = False
    started_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())
    rate_limited: bool = False  # over the account's executions a second: never sent

    @property
    def ok(self) -> bool:
        return self.outcome == "success"

    def __str__(self) -> str:
        status = f" {self.status}" if self.status is not None else ""
        took = f"{self.duration * 1000:.0f} ms"
        return f"{self.action}: {self.outcome}{status} in {took}: {self.message}"

    def _repr_html_(self) -> str:
        colour = {"success": "#1a7f37", "timeout": "#9a6700"}.get(self.outcome, "#cf222e")
        esc = html.escape
        rows = [
            ("outcome", f'<b style="color:{colour}">{esc(self.outcome)}</b>'),
            ("HTTP status", esc(str(self.status if self.status is not None else "—"))),
            ("duration", f"{self.duration * 1000:.0f} ms"),
            ("message", esc(self.message)),
        ]
        if self.request:
            rows.append(
                (
                    "request",
                    f"<code>{esc(self.request['method'])} {esc(self.request['url'])}</code>",
                )
            )
            headers = "\n".join(f"{k}: {v}" for k, v in self.request["headers"].items())
            rows.append(
                ("headers", f"<details><summary>show</summary><pre>{esc(headers)}</pre></details>")
            )
            if self.request.get("body") is not None:
                rows.append(
                    ("body sent", f"<pre>{esc(json.dumps(self.request['body'], indent=2))}</pre>")
                )
        if self.errors:
            items = "".join(
                f"<li><code>{esc(e.path)}</code> ({esc(e.source)}): {esc(e.message)}</li>"
                for e in self.errors
            )
            rows.append(("errors", f"<ul>{items}</ul>"))
        if self.data is not None:
            text = json.dumps(self.data, indent=2, ensure_ascii=False)
            if len(text) > 3000:
                text = text[:3000] + "\n…"
            rows.append(("data", f"<pre>{esc(text)}</pre>"))
        elif self.body:
            rows.append(("response", f"<pre>{esc(self.body)}</pre>"))
        cells = "".join(
            f'<tr><th style="text-align:left">{k}</th><td style="text-align:left">{v}</td></tr>'
            for k, v in rows
        )
        return f"<div><b>{esc(self.action)}</b><table>{cells}</table></div>"


# -- the Action ----------------------------------------------------------------------------------


@dataclass(eq=False)
class Action:
    """An Action of a Connection (create one with `Connection.add_action`).

    ```python
    clock = punch.action("Punch clock").publish()
    result = clock.run({"user_id": "3"})       # or clock.test(user_id="3") while a Draft
    ```
    """

    id: int
    connection: ActionConnection = field(repr=False)
    name: str
    description: str
    method: str
    path: str
    parameters: dict[str, dict[str, str]]
    input_schema: dict[str, Any] | None
    output_schema: dict[str, Any] | None
    timeout: float
    state: ActionState = ActionState.DRAFT

    def __repr__(self) -> str:
        return f"<Action {self.name!r} {self.method} {self.path} ({self.state})>"

    @property
    def url_preview(self) -> str:
        """The Connection's base path followed by the relative path, as Talkdesk previews it."""
        return self.connection.base_path + self.path

    def definition(self) -> dict[str, Any]:
        """The Action's editable fields."""
        return {
            "name": self.name,
            "description": self.description,
            "method": self.method,
            "path": self.path,
            "parameters": self.parameters,
            "input_schema": self.input_schema,
            "output_schema": self.output_schema,
            "timeout": self.timeout,
        }

    @classmethod
    def save(
        cls,
        connection: ActionConnection,
        *,
        name: str,
        description: str,
        path: str,
        method: str = "GET",
        parameters: Mapping[str, Any] | None = None,
        input_schema: Mapping[str, Any] | None = None,
        output_schema: Mapping[str, Any] | None = None,
        timeout: float = 10.0,
    ) -> Action:
        """Create a Draft, or update the Draft with this name (the upsert behind
        `Connection.add_action`). A published Action can only be saved unchanged."""
        name = name.strip() if isinstance(name, str) else ""
        if not name:
            raise ValidationError("Name is mandatory", where="Action")
        where = f"Action {name!r}"
        description = description.strip() if isinstance(description, str) else ""
        if not description:
            raise ValidationError("Description is mandatory", where=where)
        path = path.strip() if isinstance(path, str) else ""
        if not path or "://" in path:
            raise ValidationError(
                "the relative path is what follows the base path, like /users/formatted",
                where=f"{where}, Relative path",
            )
        path = path if path.startswith("/") else "/" + path
        method = str(method).strip().upper()
        if method not in METHODS:
            raise ValidationError(
                f"{method!r} is not one of {', '.join(METHODS)}", where=f"{where}, method"
            )
        if (
            not isinstance(timeout, int | float)
            or not TIMEOUT_RANGE[0] <= timeout <= TIMEOUT_RANGE[1]
        ):
            raise ValidationError(
                f"timeout must be between 5 and 30 seconds, not {timeout!r}",
                where=f"{where}, timeout",
            )
        try:
            params = _parameters(path, parameters)
        except ValidationError as exc:
            raise ValidationError(str(exc), where=where) from exc
        inputs = check_schema(input_schema, where=f"{where}, input schema")
        outputs = check_schema(output_schema, where=f"{where}, output schema")
        if inputs and inputs.get("properties") and method in ("GET", "DELETE"):
            raise ValidationError(
                f"a {method} request has no body: leave the input schema empty", where=where
            )
        definition = {
            "name": name,
            "description": description,
            "method": method,
            "path": path,
            "parameters": params,
            "input_schema": inputs,
            "output_schema": outputs,
            "timeout": float(timeout),
        }
        store = connection.store
        with store.transaction() as db:
            row = db.execute(
                "SELECT id, definition, state FROM actions WHERE connection_id = ? AND name = ?",
                (connection.id, name),
            ).fetchone()
            if row is None:
                db.execute(
                    "INSERT INTO actions (connection_id, name, definition) VALUES (?, ?, ?)",
                    (connection.id, name, json.dumps(definition)),
                )
            elif row["state"] == ActionState.DRAFT.value:
                db.execute(
                    "UPDATE actions SET definition = ? WHERE id = ?",
                    (json.dumps(definition), row["id"]),
                )
            elif json.loads(row["definition"]) != definition:
                raise ValidationError(
                    f"it is {row['state']} and can no longer be edited; give the new version "
                    "another name",
                    where=where,
                )
        return cls.load(connection, name)

    @classmethod
    def load(cls, connection: ActionConnection, name_or_id: str | int) -> Action:
        """The stored Action of `connection` with this name or id."""
        column = "name" if isinstance(name_or_id, str) else "id"
        rows = connection.store.query(
            f"SELECT * FROM actions WHERE connection_id = ? AND {column} = ?",
            (connection.id, name_or_id),
        )
        if not rows:
            raise ValidationError(
                f"no action {name_or_id!r} on connection {connection.name!r}", where="Action"
            )
        definition = json.loads(rows[0]["definition"])
        return cls(
            id=rows[0]["id"],
            connection=connection,
            state=ActionState(rows[0]["state"]),
            **definition,
        )

    def refresh(self) -> Action:
        """Re-read this Action and its Connection from the Store.

        Another cell may have edited or published the Action, or fixed the Connection's base
        path or auth since this object was made.
        """
        connection = type(self.connection).load(self.connection.store, self.connection.id)
        stored = Action.load(connection, self.id)
        self.connection = connection
        for name in ("name", *self.definition(), "state"):
            setattr(self, name, getattr(stored, name))
        return self

    # -- states --------------------------------------------------------------------------------

    def _move(self, to: ActionState, *, allowed_from: ActionState) -> Action:
        self.refresh()
        if self.state is to:
            return self
        where = f"Action {self.name!r}"
        # Check and change in one transaction: another cell may save or publish in between.
        with self.connection.store.transaction() as db:
            row = db.execute(
                "SELECT state, definition FROM actions WHERE id = ?", (self.id,)
            ).fetchone()
            if row is None:
                raise ValidationError("it was deleted", where=where)
            current = ActionState(row["state"])
            if current is to:  # another cell got there first
                self.state = to
                return self
            if current is not allowed_from:
                raise ValidationError(f"a {current} action cannot become {to}", where=where)
            if json.loads(row["definition"]) != self.definition():
                raise ValidationError(
                    f"it was edited while becoming {to}; review (and test) it, then try again",
                    where=where,
                )
            cursor = db.execute(
                "UPDATE actions SET state = ? WHERE id = ? AND state = ?",
                (to.value, self.id, allowed_from.value),
            )
            if cursor.rowcount != 1:
                raise ValidationError(f"it is no longer {allowed_from}", where=where)
        self.state = to
        return self

    def publish(self) -> Action:
        """Draft → Active. The Action can then run from Automations but no longer be edited."""
        return self._move(ActionState.ACTIVE, allowed_from=ActionState.DRAFT)

    def deprecate(self) -> Action:
        """Active → Deprecated: it still runs, but it "will eventually stop working"."""
        return self._move(ActionState.DEPRECATED, allowed_from=ActionState.ACTIVE)

    def end_of_life(self) -> Action:
        """Deprecated → End of Life: it no longer runs (nor tests); its run log stays."""
        return self._move(ActionState.END_OF_LIFE, allowed_from=ActionState.DEPRECATED)

    def _refuse_end_of_life(self) -> None:
        if self.state is ActionState.END_OF_LIFE:
            raise ValidationError(
                "it is End of Life and no longer runs (its run log stays: action.runs())",
                where=f"Action {self.name!r}",
            )

    # -- running -------------------------------------------------------------------------------

    def test(
        self,
        params: Mapping[str, Any] | None = None,
        /,
        *,
        body: Mapping[str, Any] | None = None,
        variables: Mapping[str, Any] | None = None,
        **named: Any,
    ) -> ActionResult:
        """Run the Action as Talkdesk's Test button does (`action.test(page=1)`), in any state
        but End of Life."""
        self.refresh()
        self._refuse_end_of_life()
        return self._execute({**(params or {}), **named}, body, variables, attempt=1, test=True)

    def run(
        self,
        params: Mapping[str, Any] | None = None,
        /,
        *,
        body: Mapping[str, Any] | None = None,
        variables: Mapping[str, Any] | None = None,
        attempt: int = 1,
        client: httpx.Client | None = None,
        at: datetime | str | None = None,
    ) -> ActionResult:
        """Run a published Action (Active or Deprecated): the entry point for Automations.

        `client`: an open `punchlab.inprocess.client()` to send with, left open (a batch of
        Automation events shares one); by default each run opens and closes its own. The
        Connection's auth and the Action's timeout apply either way.

        `at`: when the execution happens (an Automation passes its event's time; default
        now). The account runs at most `EXECUTIONS_PER_SECOND` in one second: a run beyond
        them is recorded as an `error` with status 429 and `rate_limited=True`, never sent.
        """
        self.refresh()
        if self.state is ActionState.DRAFT:
            raise ValidationError(
                "a Draft can only be tested; publish it before it runs",
                where=f"Action {self.name!r}",
            )
        self._refuse_end_of_life()
        started = utc_iso(at, where="at") if at is not None else datetime.now(UTC).isoformat()
        if self._over_limit(started):
            limited = ActionResult(
                action=self.name,
                outcome="error",
                status=429,
                attempt=attempt,
                message=_RATE_LIMITED,
                started_at=started,
                rate_limited=True,
            )
            return self._record(limited)
        return self._execute(
            dict(params or {}),
            body,
            variables,
            attempt=attempt,
            test=False,
            client=client,
            started_at=started,
        )

    def _over_limit(self, started_at: str) -> bool:
        """Whether the account already ran `EXECUTIONS_PER_SECOND` in `started_at`'s second.

        Every Connection of an account shares its Store, so the runs counted are the account's;
        tests and runs refused by the limit do not count.
        """
        second = started_at[:19]  # YYYY-MM-DDTHH:MM:SS, then a fraction or the offset
        count = self.connection.store.query(  # answered from the partial index alone
            "SELECT COUNT(*) FROM action_runs WHERE started_at >= ? AND started_at < ? "
            "AND test = 0 AND (status IS NULL OR status != 429 OR request IS NOT NULL)",
            (second, second + "~"),
        )[0][0]
        return count >= EXECUTIONS_PER_SECOND

    def _inputs(
        self, params: Mapping[str, Any], body: Mapping[str, Any] | None, variables: Any
    ) -> tuple[dict[str, Any], Any, list[Issue]]:
        issues: list[Issue] = []
        values: dict[str, Any] = {}
        context = variables if variables is not None else {}
        for name in params:
            if name not in self.parameters:
                issues.append(Issue("params", f"$.{name}", f"not a parameter of {self.path!r}"))
        for name, spec in self.parameters.items():
            value = params.get(name, MISSING)
            try:
                if isinstance(value, str):
                    value = render(value, context, missing="error")
                if value is MISSING or value is None or value == "":
                    issues.append(Issue("params", f"$.{name}", "a value is required"))
                    continue
                values[name] = _coerce(value, spec["type"])
            except (TemplateError, ValueError) as exc:
                issues.append(Issue("params", f"$.{name}", str(exc)))
        issues.extend(self._segment_issues(values))
        payload: Any = None
        schema = self.input_schema
        if schema:
            given = body or {}
            defaults = {  # a value in `body` wins, so its default is never rendered
                k: p["default"]
                for k, p in (schema.get("properties") or {}).items()
                if "default" in p and k not in given
            }
            try:
                payload = {**render_value(defaults, context, missing="error"), **given}
            except TemplateError as exc:
                issues.append(Issue("input", "$", str(exc)))
            else:
                issues.extend(_schema_issues(payload, schema, "input"))
        elif body:
            issues.append(Issue("input", "$", "this Action has no input schema, so no body"))
        return values, payload, issues

    def _segment_issues(self, values: Mapping[str, Any]) -> list[Issue]:
        """Path segments that values would make empty, `.` or `..`: an HTTP client collapses
        them (`/user/../punch-clock` is sent as `/punch-clock`), so such values are refused."""
        issues = []
        route = self.path.partition("?")[0]
        for segment in route.split("/"):
            names = [name for name in placeholders(segment) if name in values]
            if not names:
                continue
            text = render(segment, values, encode=_segment)
            if text in ("", ".", ".."):
                issues.extend(
                    Issue("params", f"$.{name}", f"{text!r} cannot be a path segment")
                    for name in names
                )
        return issues

    def _execute(
        self,
        params: Mapping[str, Any],
        body: Mapping[str, Any] | None,
        variables: Any,
        *,
        attempt: int,
        test: bool,
        client: httpx.Client | None = None,
        started_at: str | None = None,
    ) -> ActionResult:
        start = time.monotonic()
        common = {
            "action": self.name,
            "attempt": attempt,
            "test": test,
            "started_at": started_at or datetime.now(UTC).isoformat(),
        }
        connection = self.connection
        values, payload, issues = self._inputs(params, body, variables)
        if issues:
            result = ActionResult(
                outcome="validation_error",
                errors=tuple(issues),
                message=f"{len(issues)} problem(s) before sending: {issues[0]}",
                duration=time.monotonic() - start,
                **common,
            )
            return self._record(result)
        target = render(self.path, values, missing="error", encode=_segment)
        sent: httpx.Request | None = None
        url = connection.base_path + target
        try:
            if client is None:
                with connection.client(timeout=self.timeout) as http:
                    sent = http.build_request(self.method, url, json=payload)
                    response = http.send(sent)
            else:
                sent = client.build_request(self.method, url, json=payload, timeout=self.timeout)
                response = client.send(sent, auth=connection.auth)
        except (httpx.HTTPError, httpx.InvalidURL, PunchlabError) as exc:
            timed_out = isinstance(exc, httpx.TimeoutException)
            result = ActionResult(
                outcome="timeout" if timed_out else "error",
                message=(
                    f"no answer within {self.timeout:g} s"
                    if timed_out
                    else _unreachable(connection.base_path, exc)
                ),
                request=self._masked(sent, payload, connection),
                duration=time.monotonic() - start,
                **common,
            )
            return self._record(result)
        duration = time.monotonic() - start
        result = self._read(response, payload, connection, duration, common)
        return self._record(result)

    def _read(
        self,
        response: httpx.Response,
        payload: Any,
        connection: ActionConnection,
        duration: float,
        common: dict[str, Any],
    ) -> ActionResult:
        request = self._masked(response.request, payload, connection)
        text = response.text
        base = {
            "status": response.status_code,
            "request": request,
            "duration": duration,
            "body": text[:_BODY_PREVIEW],
            **common,
        }
        try:
            data = response.json() if text.strip() else None
            is_json = True
        except ValueError:
            data, is_json = None, False
        if not response.is_success:
            reason = response.reason_phrase or "error"
            return ActionResult(
                outcome="error", data=data, message=f"{response.status_code} {reason}", **base
            )
        schema = self.output_schema
        if not schema:
            return ActionResult(outcome="success", data=data, message="OK", **base)
        if not is_json or data is None:
            issue = Issue("output", "$", "the response is not JSON")
            return ActionResult(
                outcome="validation_error", errors=(issue,), message=str(issue), **base
            )
        issues = _schema_issues(data, schema, "output")
        projected = _project(data, schema)
        if issues:
            return ActionResult(
                outcome="validation_error",
                data=projected,
                errors=tuple(issues),
                message=f"{len(issues)} output schema error(s), first {issues[0]}",
                **base,
            )
        return ActionResult(outcome="success", data=projected, message="OK", **base)

    @staticmethod
    def _masked(
        request: httpx.Request | None, payload: Any, connection: ActionConnection
    ) -> dict[str, Any] | None:
        if request is None:
            return None
        secret = set(connection.auth.secret_headers)
        headers = {k: ("***" if k.lower() in secret else v) for k, v in request.headers.items()}
        url = request.url
        if url.userinfo:  # refused in a base path; never recorded even if one slips through
            url = url.copy_with(userinfo=b"")
        return {
            "method": request.method,
            "url": str(url),
            "headers": headers,
            "body": payload,
        }

    def _record(self, result: ActionResult) -> ActionResult:
        self.connection.store.execute(
            "INSERT INTO action_runs (action_id, started_at, test, attempt, outcome, status, "
            "duration, message, request, errors) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                self.id,
                result.started_at,
                int(result.test),
                result.attempt,
                result.outcome,
                result.status,
                result.duration,
                result.message,
                json.dumps(result.request) if result.request else None,
                json.dumps([vars(issue) for issue in result.errors]),
            ),
        )
        return result

    def runs(self) -> pd.DataFrame:
        """This Action's run log, oldest first (requests have their secrets masked)."""
        import pandas as pd

        rows = self.connection.store.query(
            "SELECT * FROM action_runs WHERE action_id = ? ORDER BY id", (self.id,)
        )
        records = [
            {
                "run": row["id"],
                "started_at": row["started_at"],
                "test": bool(row["test"]),
                "attempt": row["attempt"],
                "outcome": row["outcome"],
                "status": row["status"],
                "duration_ms": round(row["duration"] * 1000, 1),
                "url": json.loads(row["request"])["url"] if row["request"] else None,
                "message": row["message"],
            }
            for row in rows
        ]
        columns = [
            "run",
            "started_at",
            "test",
            "attempt",
            "outcome",
            "status",
            "duration_ms",
            "url",
            "message",
        ]
        frame = pd.DataFrame.from_records(records, columns=columns)
        frame["status"] = frame["status"].astype("Int64")  # 200, not 200.0; no status is <NA>
        return frame

    def export(self) -> dict[str, Any]:
        """The Action as Talkdesk's Add action panel asks for it."""
        return {
            "name": self.name,
            "description": self.description,
            "method": self.method,
            "relative_path": self.path,
            "url_preview": self.url_preview,
            "path_parameters": [
                {"name": name, "display_name": spec["title"], "type": spec["type"]}
                for name, spec in self.parameters.items()
            ],
            "input_schema": self.input_schema,
            "output_schema": self.output_schema,
            "timeout": self.timeout,
            "status": self.state.value,
        }


def _unreachable(base_path: str, exc: Exception) -> str:
    """What a learner reads when the Connection's base path does not answer at all."""
    if not isinstance(exc, httpx.TransportError):
        return f"{type(exc).__name__}: {exc}"
    return (
        f"nothing answers at {base_path}: the mock API is not running there (stopped by "
        "server.unmount() or a kernel restart?). Start it again: re-run the cell that mounts "
        "or serves it, then retry. "
        f"[{type(exc).__name__}]"
    )
