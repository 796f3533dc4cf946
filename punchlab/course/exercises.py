"""Checks for the notebooks' exercises: they say precisely what is still wrong, and how to fix it.

```python
feedback = check_mapping(editor.mapping, not_formatted_users, formatted_users)
feedback          # ✘ 1 thing to fix: `email` is mapped from `name`; Agent Sync matches on email …
feedback.ok       # False
```
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import MappingError, ValidationError
from ..talkdesk.automation import TRIGGERS
from ..talkdesk.mapping import TRANSFORMS, FieldMapping, FieldRule, source_keys, target_fields
from ..templates import TOKEN, placeholders

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
            return f"**✔ {_markdown(self.title)}**: all good"
        items = "\n".join(f"- {_markdown(p)}" for p in self.problems)
        return f"**✘ {_markdown(self.title)}**: still to fix\n\n{items}"


def _markdown(text: str) -> str:
    """`text` for Markdown: `<`, `>` and `&` escaped outside `code spans` (HTML would eat them)."""
    parts = text.split("`")
    for i in range(0, len(parts), 2):  # even parts are outside code spans
        parts[i] = html.escape(parts[i], quote=False)
    return "`".join(parts)


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
    title = "Agent Sync mapping"
    if len(users) != len(expected):
        return Feedback(
            title, [f"{len(users)} users but {len(expected)} expected results: pass the same page."]
        )
    try:
        mapping = getattr(answer, "mapping", answer)
        if not isinstance(mapping, FieldMapping):
            mapping = FieldMapping(mapping)
    except MappingError as exc:  # a typo in a field, path or transform is a hint, not a crash
        return Feedback(title, [f"{exc} (transforms: {', '.join(TRANSFORMS)})."])
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
    from ..talkdesk.action import ActionState

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
    # `{{ agent.… }}` with spaces is the same variable: compare the names, not the text
    if placeholders(value) != placeholders(variable) or TOKEN.sub("", value).strip():
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


# -- notebooks 02 and 03: aligned example emails (step 2.6), the Punch clock Action (step 3.6) --

__all__ += ["check_aligned_emails", "check_punch_clock_action"]

_PUNCH_PATH = "/user/{{user_id}}/punch-clock"
_PUNCH_FIELDS = {"name": "Name", "check_in_time": "Check-in Time"}


def _agent_emails(agents: Any) -> dict[str, str]:
    """`{name: email}` from an `Account`, `Agent` objects or `{"name", "email"}` mappings."""
    if hasattr(agents, "agents"):
        agents = agents.agents()
    found: dict[str, str] = {}
    for agent in agents:
        name = agent["name"] if isinstance(agent, Mapping) else agent.name
        email = agent["email"] if isinstance(agent, Mapping) else agent.email
        found[str(name)] = str(email)
    return found


def check_aligned_emails(collection: Any, agents: Any) -> Feedback:
    """Check tutorial step 2.6 on an edited copy of the tutorial collection.

    Every mock user, in both users endpoints and on every page, must carry the email of the
    agent with the same name (compared as Agent Sync does: trimmed, lower-case), and the
    collection must still be one Postman can import.

    ```python
    check_aligned_emails(edited, account)   # ✘ … user 6 (Clarence Hull) still has …
    ```
    """
    from ..errors import PunchlabError
    from ..home import TUTORIAL_COLLECTION, data_file
    from ..mock.collection import load_collection
    from ..talkdesk.account import normalise_email

    title = "Step 2.6, emails aligned with the agents"
    by_name = _agent_emails(agents)
    original = load_collection(data_file(TUTORIAL_COLLECTION), validate=False)
    problems: list[str] = []
    stale: dict[tuple[int, str, str, str], list[str]] = {}  # (id, name, found, wanted) -> pages
    no_agent: dict[int, str] = {}
    for before in original.examples():
        body = before.json()
        if not isinstance(body, dict) or not isinstance(body.get("users"), list):
            continue
        where = f"{before.item_name} · {before.name}"
        try:
            after = collection.example(before.item_name, before.name)
        except PunchlabError:
            problems.append(f"the example {where} is gone; edit its emails, keep the example.")
            continue
        edited = after.json()
        if not isinstance(edited, dict) or not isinstance(edited.get("users"), list):
            problems.append(f"the body of {where} is no longer JSON with a `users` list.")
            continue
        id_key, email_key = (
            ("id", "email") if "id" in body["users"][0] else ("punch_clock_id", "punch_clock_email")
        )
        entries = {e.get(id_key): e for e in edited["users"] if isinstance(e, Mapping)}
        for user in body["users"]:
            user_id, name = user[id_key], user["name"]
            entry = entries.get(user_id)
            if entry is None:
                problems.append(
                    f"user {user_id} ({name}) is missing from {where}; keep every user."
                )
                continue
            wanted = by_name.get(name)
            if wanted is None:
                no_agent[user_id] = name
                continue
            found = entry.get(email_key)
            if not isinstance(found, str) or normalise_email(found) != normalise_email(wanted):
                stale.setdefault((user_id, name, str(found), wanted), []).append(where)
    for (user_id, name, found, wanted), pages in sorted(stale.items()):
        problems.append(
            f"user {user_id} ({name}) still has {found!r} in {', '.join(pages)}; the agent's "
            f"email is {wanted!r} (Agent Sync matches on email: edit both endpoints, every page)."
        )
    for user_id, name in sorted(no_agent.items()):
        problems.append(f"user {user_id} ({name}) has no agent with that name among the agents.")
    invalid = collection.validate()
    if invalid:
        where, message = invalid[0]
        problems.append(
            f"the collection no longer passes the v2.1 schema at {where or 'its root'}: "
            f"{message}; Postman would refuse to import it."
        )
    return Feedback(title, problems)


def check_punch_clock_action(action: Any) -> Feedback:
    """Check tutorial step 3.6: the *Punch clock* Action (an `Action` or its `definition()`).

    ```python
    check_punch_clock_action(punch.action("Punch clock"))   # ✘ … `method` is GET …
    ```
    """
    from ..templates import placeholders, render

    title = "Step 3.6, the Punch clock Action"
    if action is None:
        return Feedback(title, ["there is no Action yet: create it with `punch.add_action(...)`."])
    spec = action if isinstance(action, Mapping) else action.definition()
    problems: list[str] = []
    if str(spec.get("name", "")).strip().casefold() != "punch clock":
        problems.append(
            f"the Name is {spec.get('name')!r}; call it 'Punch clock', the Action the "
            "Automation of step 4 runs."
        )
    method = str(spec.get("method", "GET")).upper()
    if method != "POST":
        problems.append(
            f"the method is {method}; a punch records something, and the collection's "
            "users/punch-clock request is a POST."
        )
    path = str(spec.get("path", ""))
    names = placeholders(path)
    if "user_id" not in names:
        found = f"it has {', '.join('{{' + n + '}}' for n in names)}" if names else "it has none"
        problems.append(
            f"the relative path {path!r} needs the parameter {{{{user_id}}}} ({found}): step "
            "4.3.1 fills the User ID field with the agent's External ID."
        )
    else:
        sent = render(path, {"user_id": "7"})
        if sent.split("?")[0] != "/user/7/punch-clock":
            problems.append(
                f"for user 7 the relative path gives {sent!r}; the mock serves "
                f"'/user/7/punch-clock', so the path is {_PUNCH_PATH!r}."
            )
    if spec.get("input_schema"):
        problems.append("the input schema should stay empty: the punch sends no body.")
    schema = spec.get("output_schema")
    if not isinstance(schema, Mapping):
        problems.append(
            "there is no output schema: step 3.6.3 gives one with `name` and `check_in_time`."
        )
        return Feedback(title, problems)
    properties = schema.get("properties") or {}
    required = schema.get("required") or []
    for key, label in _PUNCH_FIELDS.items():
        prop = properties.get(key)
        if not isinstance(prop, Mapping):
            problems.append(f"the output schema has no property `{key}` (a string, {label!r}).")
            continue
        if prop.get("type") != "string":
            problems.append(
                f"`{key}` has type {prop.get('type')!r}; the mock sends a string, so use 'string'."
            )
        if prop.get("title") != label:
            problems.append(
                f"`{key}` has the title {prop.get('title')!r}; the tutorial's is {label!r}."
            )
        if key not in required:
            problems.append(f"`{key}` is not in `required`; every punch answer has it.")
    return Feedback(title, problems)


# -- notebook 01: the agents Agent Sync will match (step 1) ------------------------------------

__all__ += ["check_agents"]

_MANGLED = "email protected"  # how the tutorial's web page hides an address: "[email protected]"


def _agent_rows(agents: Any) -> tuple[list[tuple[str, Any, Any]], list[str]]:
    """`(where, name, email)` rows from an Account, a CSV `Path`, CSV text or rows; or problems."""
    from pathlib import Path

    from ..csvfile import read_rows, rows_from_text

    if hasattr(agents, "agents"):
        return [(f"agent {a.id}", a.name, a.email) for a in agents.agents()], []
    if isinstance(agents, Path | str):
        columns = {"required": ("name", "email")}
        try:
            if isinstance(agents, Path):
                found = read_rows(agents, **columns)
            else:
                found = rows_from_text(agents.lstrip("\n"), **columns)
        except ValidationError as exc:
            return [], [f"the CSV needs a header line with `name` and `email` columns; {exc}."]
        return [(f"line {n}", row["name"], row["email"]) for n, row in found], []
    rows = []
    for n, agent in enumerate(agents):
        if isinstance(agent, Mapping):
            rows.append((f"row {n}", agent.get("name"), agent.get("email")))
        else:
            rows.append((f"row {n}", agent.name, agent.email))
    return rows, []


def check_agents(agents: Any, users: Sequence[Mapping[str, Any]]) -> Feedback:
    """Check tutorial step 1 for Agent Sync: one agent per punch-clock user, same Name and Email.

    `agents` is an `Account`, a CSV file (a `Path`), CSV text (a `str`, header `name,email`) or
    rows (`{"name", "email"}` mappings or `Agent`s); `users` are the punch-clock users as *Get
    users (formatted)* lists them (`id`, `name`, `email`). Every row must pass Talkdesk's Add New
    Agent rules (Name and Email mandatory, a real address, one email per agent), and every user
    needs an agent with the same name and the user's email (compared as Agent Sync does).

    ```python
    check_agents(new_hires_csv, new_users)   # ✘ … line 3 (Diego Souza): 'user9@talkdesk.com' …
    ```
    """
    from ..errors import ValidationError
    from ..store import Store
    from ..talkdesk.account import Account, normalise_email

    title = "Step 1, agents for Agent Sync"
    rows, problems = _agent_rows(agents)
    if problems:
        return Feedback(title, problems)
    scratch = Account(Store(memory=True))  # the account's own rules, on a throw-away copy
    found: list[tuple[int, str]] = []  # (row number, problem): reported in the rows' order
    valid: list[tuple[int, str, str, str]] = []
    refused: set[str] = set()
    seen: dict[str, str] = {}
    try:
        for index, (where, name, email) in enumerate(rows):
            label = f"{where} ({name.strip()})" if isinstance(name, str) and name.strip() else where
            if isinstance(email, str) and _MANGLED in email:
                found.append(
                    (
                        index,
                        f"{label}: {email.strip()!r} is how the tutorial's web page hides an "
                        "address; type the real one, `user+<n>@talkdesk.com` with n the user's id.",
                    )
                )
                refused.update(str(x).strip().casefold() for x in (name, email) if x)
                continue
            key = normalise_email(email) if isinstance(email, str) else ""
            if key in seen:
                found.append(
                    (index, f"{label}: {email.strip()!r} appears twice (also at {seen[key]}).")
                )
                continue
            try:
                agent = scratch.add_agent(name=name, email=email)
            except ValidationError as error:
                found.append((index, f"{label}: {str(error).partition(': ')[2]}."))
                refused.update(str(x).strip().casefold() for x in (name, email) if x)
                continue
            seen[key] = where
            valid.append((index, label, agent.name, agent.email))
    finally:
        scratch.store.close()
    by_email = {normalise_email(email): (i, label, name) for i, label, name, email in valid}
    by_name = {name.casefold(): (i, label, email) for i, label, name, email in valid}
    for user in users:
        user_id, name, email = user["id"], str(user["name"]), str(user["email"])
        match = by_email.get(normalise_email(email))
        if match is not None:
            if match[2] != name:
                found.append(
                    (
                        match[0],
                        f"{match[1]} has user {user_id}'s email but the Name {match[2]!r}; the "
                        f"punch clock calls this person {name!r}.",
                    )
                )
            continue
        same_name = by_name.get(name.casefold())
        if same_name is not None:
            found.append(
                (
                    same_name[0],
                    f"{same_name[1]} has the email {same_name[2]!r}, but punch-clock user "
                    f"{user_id} has {email!r}: Agent Sync matches on email, so {name} would get "
                    "no External ID.",
                )
            )
        elif name.casefold() not in refused and normalise_email(email) not in refused:
            found.append(
                (
                    len(rows),
                    f"no agent for punch-clock user {user_id}: add Name {name!r}, Email {email!r}.",
                )
            )
    problems = [text for _, text in sorted(found, key=lambda item: item[0])]
    return Feedback(title, problems)


# -- notebook 07: an output schema Talkdesk accepts -------------------------------------------

__all__ += ["check_output_schema"]


def check_output_schema(schema: Any, examples: Sequence[Any]) -> Feedback:
    """Check an output schema against Talkdesk's rules and against the answers it must accept.

    Talkdesk's rules are `punchlab.talkdesk.action.check_schema`'s (its first problem is
    reported, with its JSON path); then each example answer must validate, or the Action would
    end in `validation_error` on it (the first error of each is reported).

    ```python
    check_output_schema(pasted_schema, [page_1, page_2, page_3])   # ✘ … needs a 'title' …
    ```
    """
    from jsonschema import Draft7Validator

    from ..talkdesk.action import check_schema

    title = "Output schema"
    if not isinstance(schema, Mapping) or not schema:
        return Feedback(title, ["give a schema: a JSON object with `type`, `properties`, ..."])
    problems: list[str] = []
    try:
        check_schema(schema, where="output schema")
    except ValidationError as exc:
        problems.append(f"Talkdesk refuses it: {exc}.")
        if "draft-07" in str(exc):
            return Feedback(title, problems)
    validator = Draft7Validator(schema)
    for i, example in enumerate(examples):
        error = next(iter(sorted(validator.iter_errors(example), key=lambda e: e.json_path)), None)
        if error is not None:
            problems.append(
                f"example {i + 1} does not validate at {error.json_path}: {error.message}; "
                "the Action would end in validation_error on this answer."
            )
    return Feedback(title, problems)
