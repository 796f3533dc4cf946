"""Checks for the notebooks' exercises: they say precisely what is still wrong, and how to fix it.

```python
feedback = check_mapping(editor.mapping, not_formatted_users, formatted_users)
feedback          # ✘ 1 thing to fix: `email` is mapped from `name`; Agent Sync matches on email …
feedback.ok       # False
```
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .mapping import FieldMapping, FieldRule, source_keys, target_fields

__all__ = ["Feedback", "check_mapping"]

_ABSENT = object()

# Why each Agent Sync field matters, for the hints.
_PURPOSE = {
    "email": "Agent Sync matches on email",
    "id": "the id becomes the agent's External ID",
    "name": "the name shows who the user is in the sync report",
}


@dataclass
class Feedback:
    """The verdict of an exercise check: `ok`, and the `problems` still to fix."""

    title: str
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def __str__(self) -> str:
        if self.ok:
            return f"✔ {self.title}: all good"
        count = len(self.problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        return f"✘ {self.title}: {count} thing{'s' if count > 1 else ''} to fix\n{lines}"

    __repr__ = __str__

    def _repr_markdown_(self) -> str:
        if self.ok:
            return f"**✔ {self.title}**: all good"
        items = "\n".join(f"- {p}" for p in self.problems)
        return f"**✘ {self.title}**: still to fix\n\n{items}"


def _holder(users: Sequence[Any], expected: list[Any]) -> str | None:
    """The source key whose values are the expected ones (exactly, else up to case and spaces)."""
    columns = {key: FieldRule(key).read(users, missing=_ABSENT) for key in source_keys(users)}

    def loose(values: Sequence[Any]) -> list[Any]:
        return [str(v).strip().casefold() if v is not _ABSENT else v for v in values]

    for same in (lambda got: list(got) == expected, lambda got: loose(got) == loose(expected)):
        for key, got in columns.items():
            if same(got):
                return key
    return None


def check_mapping(
    answer: FieldMapping | Mapping[str, Any] | Any,
    users: Sequence[Any],
    expected: Sequence[Mapping[str, Any]],
) -> Feedback:
    """Check a mapping (or a `MappingEditor`, or a dict) that should turn `users` into `expected`.

    Each wrong field gets one precise hint: not mapped, mapped from the wrong key (naming the
    right one), or the right key with a transform that changes the values.
    """
    mapping = getattr(answer, "mapping", answer)
    if not isinstance(mapping, FieldMapping):
        mapping = FieldMapping(mapping)
    title = "Agent Sync mapping"
    produced = mapping.preview(users, rows=len(users))
    problems: list[str] = []
    for target in target_fields():
        want = [user[target] for user in expected]
        right = _holder(users, want)
        pick = f"pick `{right}`" if right else "no source key holds it"
        rule = mapping.rules.get(target)
        if rule is None:
            problems.append(f"`{target}` is not mapped; {_PURPOSE[target]} — {pick}.")
            continue
        if right is not None and rule.source != right:
            problems.append(
                f"`{target}` is mapped from `{rule.source}`; {_PURPOSE[target]} — {pick}."
            )
            continue
        got = produced[target].tolist()
        if got != want:
            i = next(i for i, (g, w) in enumerate(zip(got, want, strict=True)) if g != w)
            steps = " | ".join(rule.transforms) or "no transform"
            problems.append(
                f"`{target}` is read from `{rule.source}` but users[{i}] gives {got[i]!r} where "
                f"{want[i]!r} is expected; check the transform ({steps})."
            )
    return Feedback(title, problems)
