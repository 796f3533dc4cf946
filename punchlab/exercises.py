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

from .automation import TRIGGERS
from .mapping import FieldMapping, FieldRule, source_keys, target_fields

__all__ = ["Feedback", "check_mapping", "check_punch_automation"]

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


# -- tutorial step 4: the punch-clock Automation -----------------------------------------------


def check_punch_automation(account: Any, connection: Any, *, when: str = "login") -> Feedback:
    """Check that an Automation punches the clock of `connection` When an agent logs in.

    It must be enabled, run the Connection's published `/punch-clock` Action, and fill the
    User ID with the agent's External ID for that Connection (not the agent's own id).
    """
    from .action import ActionState

    variable = connection.external_id_variable
    title = f"Punch-clock Automation ({when})"
    clocks = [a for a in connection.actions() if a.path.endswith("/punch-clock")]
    if not clocks:
        return Feedback(title, [f"{connection.name!r} has no Punch clock Action: add it first."])
    if all(a.state is ActionState.DRAFT for a in clocks):
        return Feedback(
            title,
            [
                f"the Action {clocks[0].name!r} is still a Draft: publish it "
                "(`.publish()`) — Automations only run Active actions."
            ],
        )
    ids = {a.id for a in clocks}
    mine = [a for a in account.automations() if a.action_id in ids]
    if not mine:
        return Feedback(title, [f"no Automation runs {clocks[0].name!r} yet: add one."])
    matching = [a for a in mine if a.when == when]
    if not matching:
        other = mine[0]
        return Feedback(
            title,
            [
                f"{other.name!r} runs When {TRIGGERS[other.when]!r}; this one should run When "
                f"{TRIGGERS[when]!r}."
            ],
        )
    problems: list[str] = []
    automation = matching[0]
    value = str(automation.inputs.get("user_id", ""))
    if value != variable:
        if "agent.id" in value:
            problems.append(
                f"User ID is {value}: that is the Talkdesk agent's id, not the punch-clock "
                f"user's. Use the External ID for {connection.name!r}: {variable}."
            )
        else:
            problems.append(f"User ID is {value!r}; choose the External ID variable {variable}.")
    if not automation.enabled:
        problems.append(f"{automation.name!r} is disabled: its runs are all `skipped`.")
    return Feedback(title, problems)
