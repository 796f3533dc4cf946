"""Field mapping: turn any users payload into the users Agent Sync expects (`id`, `name`, `email`).

The tutorial's "Get users (not formatted)" Action answers with `punch_clock_id` and
`punch_clock_email`; Agent Sync needs the shape of "Get users (formatted)". A `FieldMapping` says,
for each target field, where its value comes from (a source path) and how to clean it (named
transforms), and is checked against the formatted Action's output schema before it is used.

```python
mapping = FieldMapping({"id": "punch_clock_id", "name": "name",
                        "email": "punch_clock_email | strip | lower"})
mapping.apply([{"name": "Ann", "punch_clock_id": 1, "punch_clock_email": " User+1@talkdesk.com"}])
# [{'name': 'Ann', 'id': 1, 'email': 'user+1@talkdesk.com'}]
```

Source paths are dotted (`contact.email`), with list indexes (`emails[0]` or `emails.0`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from ..errors import MappingError
from ..home import TUTORIAL_ACTIONS, data_file
from .schemas import QUICK_TYPES, compiled

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "TRANSFORMS",
    "FieldMapping",
    "FieldRule",
    "source_keys",
    "users_schema",
]

# The users schemas are the output schemas of the tutorial's two "Get users" Actions.
_USERS_ACTIONS = {
    "formatted": "Get users (formatted)",
    "not_formatted": "Get users (not formatted)",
}

_MISSING = object()


@cache
def _schemas() -> dict[str, Any]:
    spec = json.loads(data_file(TUTORIAL_ACTIONS).read_text(encoding="utf-8"))
    by_name = {action["name"]: action["output_schema"] for action in spec["actions"]}
    return {key: by_name[name] for key, name in _USERS_ACTIONS.items()}


def users_schema(name: str = "formatted") -> dict[str, Any]:
    """The output schema of a tutorial "Get users" Action: `"formatted"` or `"not_formatted"`
    (from `data/tutorial_actions.json`)."""
    schemas = _schemas()
    if name not in schemas:
        raise KeyError(f"no users schema {name!r}; choose 'formatted' or 'not_formatted'")
    return schemas[name]


def _item_schema() -> dict[str, Any]:
    return users_schema("formatted")["properties"]["users"]["items"]


def target_fields() -> tuple[str, ...]:
    """The fields of one formatted user, in the schema's order (`name`, `id`, `email`)."""
    return tuple(_item_schema()["properties"])


# --- transforms -----------------------------------------------------------------------------


def _to_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is a boolean, not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return int(value.strip())
    raise ValueError(f"{value!r} is not a whole number")


def _text_op(op: Callable[[str], str]) -> Callable[[Any], Any]:
    def apply(value: Any) -> Any:
        if not isinstance(value, str):
            raise ValueError(f"{value!r} is not text")
        return op(value)

    return apply


def _to_str(value: Any) -> str:
    if value is None:
        raise ValueError("None has no text")
    return str(value)


TRANSFORMS: dict[str, Callable[[Any], Any]] = {
    "str": _to_str,
    "int": _to_int,
    "strip": _text_op(str.strip),
    "lower": _text_op(str.lower),
    "upper": _text_op(str.upper),
    "title": _text_op(str.title),
}
"""Named transforms a mapping may apply, in the order written (`"mail | strip | lower"`)."""


# --- source paths ---------------------------------------------------------------------------

_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _parse_path(path: str) -> tuple[str | int, ...]:
    path = path.strip()
    steps: list[str | int] = []
    end = 0
    for match in _STEP.finditer(path):
        between = path[end : match.start()]
        if between not in ("", "."):
            break
        key, index = match.groups()
        steps.append(int(index) if index is not None else key)
        end = match.end()
    if not path or end != len(path):
        raise MappingError(f"{path!r} is not a source path (use a.b, a[0] or a.0)", where="mapping")
    return tuple(steps)


def _resolve(node: Any, steps: tuple[str | int, ...]) -> Any:
    for step in steps:
        if isinstance(node, Mapping):
            key = step if isinstance(step, str) else str(step)
            if key not in node:
                return _MISSING
            node = node[key]
        elif isinstance(node, list) and (isinstance(step, int) or step.isdigit()):
            index = int(step)
            if index >= len(node):
                return _MISSING
            node = node[index]
        else:
            return _MISSING
    return node


def source_keys(users: Iterable[Any], *, sample: int = 50) -> list[str]:
    """The dotted source paths seen in the first `sample` users (nested objects and first items).

    ```python
    >>> source_keys([{"name": "Ann", "contact": {"mail": "a@x.io"}, "tags": ["x"]}])
    ['name', 'contact.mail', 'tags[0]']
    ```
    """
    seen: dict[str, None] = {}

    def walk(node: Any, prefix: str) -> None:
        if isinstance(node, Mapping):
            for key, value in node.items():
                walk(value, f"{prefix}.{key}" if prefix else str(key))
        elif isinstance(node, list) and node and prefix:
            walk(node[0], f"{prefix}[0]")
        elif prefix:
            seen[prefix] = None

    for i, user in enumerate(users):
        if i >= sample:
            break
        walk(user, "")
    return list(seen)


# --- the mapping ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldRule:
    """Where one target field comes from: a source path and the transforms applied in order."""

    source: str
    transforms: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "_steps", _parse_path(self.source))
        for name in self.transforms:
            if name not in TRANSFORMS:
                raise MappingError(
                    f"unknown transform {name!r}; choose from {', '.join(TRANSFORMS)}",
                    where=f"mapping.{self.source}",
                )

    @classmethod
    def parse(cls, spec: str | FieldRule | Sequence[Any]) -> FieldRule:
        """A rule from `"path"`, `"path | strip | lower"`, `("path", "lower")` or
        `("path", ["strip", "lower"])`."""
        if isinstance(spec, FieldRule):
            return spec
        if isinstance(spec, str):
            source, *transforms = (part.strip() for part in spec.split("|"))
            return cls(source, tuple(transforms))
        if isinstance(spec, Sequence) and len(spec) == 2:
            source, transforms = spec
            if transforms is None:
                transforms = ()
            elif isinstance(transforms, str):
                transforms = (transforms,)
            return cls(str(source), tuple(transforms))
        raise MappingError(f"{spec!r} is not a source path or (path, transform)", where="mapping")

    def __str__(self) -> str:
        return " | ".join((self.source, *self.transforms))

    def read(self, users: Iterable[Any], *, missing: Any = None) -> list[Any]:
        """This rule's value for each user, transforms applied; `missing` where there is none."""
        values = []
        for user in users:
            value = _resolve(user, self._steps)  # type: ignore[attr-defined]
            try:
                for name in self.transforms if value is not _MISSING else ():
                    value = TRANSFORMS[name](value)
            except (TypeError, ValueError):
                value = _MISSING
            values.append(missing if value is _MISSING else value)
        return values


class FieldMapping:
    """A declarative map from Agent Sync's fields (`id`, `name`, `email`) to source paths.

    ```python
    mapping = FieldMapping({"id": "punch_clock_id", "name": "name", "email": "punch_clock_email"})
    mapping.validate(users)          # MappingError naming user, source path and target field
    mapping.preview(users)           # a DataFrame of the mapped users
    FieldMapping.suggest(users)      # a guess from the key names
    ```

    A target may be left out (or `None`) while the mapping is being built; `validate` reports it.
    """

    def __init__(self, fields: Mapping[str, str | FieldRule | Sequence[Any] | None]) -> None:
        targets = target_fields()
        rules: dict[str, FieldRule] = {}
        for target, spec in fields.items():
            if target not in targets:
                raise MappingError(
                    f"`{target}` is not a field of Agent Sync's users ({', '.join(targets)})",
                    where="mapping",
                )
            if spec is not None and spec != "":
                rules[target] = FieldRule.parse(spec)
        self.rules = {target: rules[target] for target in targets if target in rules}

    @classmethod
    def identity(cls) -> FieldMapping:
        """The mapping for users already in the formatted shape."""
        return cls({target: target for target in target_fields()})

    @classmethod
    def suggest(cls, sample_users: Iterable[Any]) -> FieldMapping:
        """Guess each target's source from key names (`punch_clock_email` → `email`)."""
        keys = source_keys(sample_users)
        synonyms = {"email": ("mail", "e_mail"), "name": ("full_name", "display_name")}
        fields: dict[str, str | None] = {}
        for target in target_fields():
            leaf = {key: re.split(r"[.\[]", key)[-1].lower() for key in keys}
            ranked = (
                [k for k in keys if leaf[k] == target],
                [k for k in keys if re.search(rf"(^|_){target}$", leaf[k])],
                [k for k in keys if leaf[k] in synonyms.get(target, ())],
                [k for k in keys if target in leaf[k]],
            )
            fields[target] = next((group[0] for group in ranked if group), None)
        return cls(fields)

    def to_dict(self) -> dict[str, str]:
        """The mapping as plain strings (`{"email": "punch_clock_email | lower"}`)."""
        return {target: str(rule) for target, rule in self.rules.items()}

    def __repr__(self) -> str:
        return f"FieldMapping({self.to_dict()!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FieldMapping) and self.rules == other.rules

    # -- applying --------------------------------------------------------------------------

    def _columns(self, users: Sequence[Any], *, limit: int) -> tuple[dict[str, list], list[str]]:
        """Each target's values, and the problems (at most `limit`), one column at a time."""
        problems = [
            f"`{target}` is not mapped; pick the source key that holds it"
            for target in target_fields()
            if target not in self.rules
        ]
        columns: dict[str, list] = {}
        for target, rule in self.rules.items():
            steps = rule._steps  # type: ignore[attr-defined]
            if len(steps) == 1 and isinstance(steps[0], str):
                key = steps[0]  # the common case, kept to one fast comprehension
                values = [
                    u.get(key, _MISSING) if isinstance(u, dict) else _resolve(u, steps)
                    for u in users
                ]
            else:
                values = [_resolve(u, steps) for u in users]
            bad = [i for i, v in enumerate(values) if v is _MISSING]
            if bad and len(problems) < limit:
                more = f"; {len(bad) - 1} more users lack it too" if len(bad) > 1 else ""
                problems.append(
                    f"users[{bad[0]}].{rule.source}: missing (the source of `{target}`){more}"
                )
            if bad:
                continue
            for name in rule.transforms:
                fn = TRANSFORMS[name]
                try:
                    values = [fn(v) for v in values]
                except (TypeError, ValueError):
                    values = self._transform_slowly(values, fn, name, rule, target, problems, limit)
                    break
            else:
                columns[target] = values
        return columns, problems

    @staticmethod
    def _transform_slowly(values, fn, name, rule, target, problems, limit) -> list:
        for i, value in enumerate(values):
            try:
                fn(value)
            except (TypeError, ValueError) as exc:
                if len(problems) < limit:
                    problems.append(
                        f"users[{i}].{rule.source}: `{name}` failed: {exc} "
                        f"(the source of `{target}`)"
                    )
        return values

    def _check(self, users: Sequence[Any], *, limit: int) -> tuple[dict[str, list], list[str]]:
        if isinstance(users, Mapping) or not isinstance(users, Sequence):
            raise MappingError("users must be a list of user objects", where="users")
        columns, problems = self._columns(users, limit=limit)
        if not problems:
            problems = _schema_problems(columns, len(users), self.rules, limit=limit)
        return columns, problems

    def problems(self, users: Sequence[Any], *, limit: int = 20) -> list[str]:
        """Everything that stops this mapping from producing valid users (empty when it works)."""
        return self._check(users, limit=limit)[1]

    def validate(self, users: Sequence[Any]) -> None:
        """Raise `MappingError` for the first problem (its `where` names user and source path)."""
        problems = self.problems(users, limit=1)
        if problems:
            where, _, message = problems[0].partition(": ")
            if message:
                raise MappingError(message, where=where)
            raise MappingError(problems[0], where="mapping")

    def frame(self, users: Sequence[Any]) -> pd.DataFrame:
        """The mapped users as a DataFrame (columns `name`, `id`, `email`), validated first."""
        import pandas as pd

        columns, problems = self._check(users, limit=1)
        if problems:
            self.validate(users)  # raises with the same first problem
        return pd.DataFrame(columns, columns=list(target_fields()))

    def apply(self, users: Sequence[Any]) -> list[dict[str, Any]]:
        """The mapped users as plain dicts, validated first."""
        columns, problems = self._check(users, limit=1)
        if problems:
            self.validate(users)
        names = list(columns)
        return [dict(zip(names, row, strict=True)) for row in zip(*columns.values(), strict=True)]

    def preview(self, users: Sequence[Any], *, rows: int = 10) -> pd.DataFrame:
        """The first `rows` users mapped, `—` where a field cannot be produced (never raises)."""
        import pandas as pd

        head = list(users[:rows]) if isinstance(users, Sequence) else []
        data = {
            target: rule.read(head, missing="—") if rule else ["—"] * len(head)
            for target in target_fields()
            for rule in [self.rules.get(target)]
        }
        return pd.DataFrame(data, columns=list(target_fields()))


# --- schema check ---------------------------------------------------------------------------

# Keywords the column-wise check covers; any other keyword sends every user to Draft7Validator.
_FAST_KEYWORDS = {"$id", "title", "type", "default", "required", "properties", "description"}


def _validator() -> Any:
    return compiled(_item_schema())[1]


def _schema_problems(
    columns: dict[str, list], count: int, rules: dict[str, FieldRule], *, limit: int
) -> list[str]:
    """Check the mapped users against the formatted user schema.

    Draft7Validator checks one user in ~12 µs, too slow for 100,000; when the schema uses only
    `type`s and `required`, a column-wise check finds the offending users and Draft7Validator
    words the problem for each of them.
    """
    schema = _item_schema()
    props = schema["properties"]
    fast = set(schema) <= _FAST_KEYWORDS and all(
        set(p) <= _FAST_KEYWORDS - {"required", "properties"} and p.get("type") in QUICK_TYPES
        for p in props.values()
    )
    if fast:
        suspects: set[int] = set()
        for target, values in columns.items():
            ok = QUICK_TYPES[props[target]["type"]]
            suspects.update(i for i, v in enumerate(values) if not ok(v))
        indexes: Iterable[int] = sorted(suspects)
    else:
        indexes = range(count)
    problems: list[str] = []
    names = list(columns)
    for i in indexes:
        user = {name: columns[name][i] for name in names}
        for error in sorted(_validator().iter_errors(user), key=lambda e: list(e.path)):
            target = error.path[0] if error.path else None
            rule = rules.get(target) if target else None
            source = f".{rule.source}" if rule else ""
            via = f" (via {' | '.join(rule.transforms)})" if rule and rule.transforms else ""
            field = f"`{target}` " if target else ""
            problems.append(f"users[{i}]{source}: {field}{error.message}{via}")
            if len(problems) >= limit:
                return problems
    return problems
