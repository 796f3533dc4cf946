"""Automations: when an agent logs in or out, run an Active Action (tutorial step 4).

In Talkdesk (Builder > Automations) an Automation reads **In:** Talkdesk, **When:** an agent logs
in (or logs out, or changes status), **Then:** an Action of a Connection, with its inputs filled
from variables such as `{{agent.connection_<connection_id>.external_id}}`, then **Publish**.

```python
clock = punch.action("Punch clock").publish()
account.add_automation(
    name="Punch in on login",
    when="login",
    action=clock,
    inputs={"user_id": punch.external_id_variable},   # {{agent.connection_1.external_id}}
)
account.login("user+1@talkdesk.com")                # one run per matching Automation
account.runs()                                      # the run history, a DataFrame
```

Variables of an agent event (`event_variables`): `agent.id`, `agent.name`, `agent.email`,
`agent.connection_<id>.external_id` (one per Connection the agent has an External ID for),
`event.name`, `event.timestamp` (UTC ISO 8601), `event.status` and `account.name`.

Every event leaves one `Run` per Automation whose trigger matches, with an outcome from
`OUTCOMES`: the Action's (`success`, `error`, `timeout`, `validation_error`), `missing_variable`
(a variable is missing, e.g. an agent with no External ID: no HTTP call is made) or `skipped`
(the Automation is disabled, or the agent deactivated). Input-schema `default`s are rendered
with the same variables and sent as the body. A `RetryPolicy` retries 5xx answers and timeouts
(never 4xx), recording each attempt; `replay_failed()` sends failed requests again as new,
linked runs.

An Action execution over the account's limit (50 a second, counted at the events' times) fails
with 429 in the Action's execution log only (`action.runs()`): as in Talkdesk, the Automation's
run reads `success` (with no HTTP status), and nothing retries or replays it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import PunchlabError, TemplateError, ValidationError
from ..templates import MISSING, lookup, render, render_value
from ..times import utc_iso
from .action import Action, ActionState

if TYPE_CHECKING:
    import pandas as pd

    from ..store import Store
    from .connection import Connection

__all__ = [
    "ACCOUNT_NAME",
    "OUTCOMES",
    "TRIGGERS",
    "Automation",
    "AutomationAccount",
    "AutomationAgent",
    "Automations",
    "Event",
    "RetryPolicy",
    "Run",
    "event_variables",
]


class AutomationAgent(Protocol):
    """What an Automation reads of an agent (a `punchlab.talkdesk.account.Agent`)."""

    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def email(self) -> str: ...
    @property
    def active(self) -> bool: ...
    def variables(self) -> dict[str, Any]: ...


class AutomationAccount(Protocol):
    """What `Automations` uses of its account (a `punchlab.talkdesk.account.Account`).

    The Account runs its Automations on login and logout, so the dependency points from
    `account` to this module; the Automations only need this much of the account.
    """

    @property
    def store(self) -> Store: ...
    def agent(self, id_or_email: int | str) -> AutomationAgent: ...
    def agents(self) -> Sequence[AutomationAgent]: ...
    def connection(self, name_or_id: str | int) -> Connection: ...
    def connections(self) -> Sequence[Connection]: ...


ACCOUNT_NAME = "punchlab sandbox"
# The When of an Automation: trigger name -> Talkdesk's words.
TRIGGERS = {
    "login": "an agent logs in",
    "logout": "an agent logs out",
    "status": "an agent changes status",
}
OUTCOMES = ("success", "error", "timeout", "validation_error", "missing_variable", "skipped")
_FAILED = ("error", "timeout")
_STATUS_OF = {"login": "available", "logout": "offline"}
_BATCH = 500  # run records written per transaction by `run_events`


_DDL = """
CREATE TABLE IF NOT EXISTS automations (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    trigger TEXT NOT NULL,
    action_id INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
    inputs TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    retry TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS automation_runs (
    id INTEGER PRIMARY KEY,
    automation_id INTEGER NOT NULL REFERENCES automations(id) ON DELETE CASCADE,
    event TEXT NOT NULL,
    agent_id INTEGER NOT NULL,
    at TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    status INTEGER,
    duration REAL NOT NULL,
    message TEXT NOT NULL,
    inputs TEXT,
    request TEXT,
    response TEXT,
    replay_of INTEGER REFERENCES automation_runs(id) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS agent_states (
    agent_id INTEGER PRIMARY KEY REFERENCES agents(id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    since TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class RetryPolicy:
    """Retry an Automation's Action on a 5xx answer or a timeout, never on a 4xx.

    `attempts` counts the first one; attempt n waits `backoff * 2 ** (n - 2)` seconds first.

    ```python
    account.add_automation(..., retry=RetryPolicy(attempts=3, backoff=0.1))
    ```
    """

    attempts: int = 3
    backoff: float = 0.0

    def __post_init__(self) -> None:
        if not isinstance(self.attempts, int) or not 1 <= self.attempts <= 10:
            raise ValidationError(f"must be 1..10, not {self.attempts!r}", where="attempts")
        if not isinstance(self.backoff, int | float) or not 0 <= self.backoff <= 60:
            raise ValidationError(f"must be 0..60 seconds, not {self.backoff!r}", where="backoff")

    @staticmethod
    def retryable(outcome: str, status: int | None) -> bool:
        """Whether a run with this outcome and HTTP status may be tried again."""
        return outcome == "timeout" or (outcome == "error" and status is not None and status >= 500)

    def wait(self, attempt: int) -> float:
        """Seconds to wait before `attempt` (2, 3, ...)."""
        return self.backoff * 2 ** (attempt - 2) if attempt > 1 else 0.0


@dataclass(frozen=True)
class Event:
    """An agent event: `name` is a key of `TRIGGERS`; `at` is UTC ISO 8601."""

    name: str
    agent_id: int
    at: str
    status: str | None = None

    def __post_init__(self) -> None:
        if self.name not in TRIGGERS:
            raise ValidationError(
                f"{self.name!r} is not one of {', '.join(TRIGGERS)}", where="event"
            )
        if self.name == "status" and not (isinstance(self.status, str) and self.status.strip()):
            raise ValidationError(
                "a status change needs the new status, like 'away'", where="event"
            )


@dataclass(frozen=True)
class Automation:
    """A stored Automation (create one with `Account.add_automation`)."""

    id: int
    name: str
    when: str
    action_id: int
    action_name: str
    connection_id: int
    inputs: Mapping[str, Any]
    enabled: bool
    retry: RetryPolicy | None
    version: int

    def __str__(self) -> str:
        state = "enabled" if self.enabled else "disabled"
        inputs = ", ".join(f"{k} = {v}" for k, v in self.inputs.items())
        return (
            f"{self.name} ({state}): In: Talkdesk; When: {TRIGGERS[self.when]}; "
            f"Then: {self.action_name} ({inputs})"
        )


@dataclass(frozen=True)
class Run:
    """One run record: what one event did through one Automation. Secrets read `'***'`."""

    id: int
    automation: str
    event: str
    agent_id: int
    at: str
    attempt: int
    outcome: str
    status: int | None = None
    duration: float = 0.0
    message: str = ""
    inputs: Mapping[str, Any] | None = None
    request: Mapping[str, Any] | None = None
    response: Any = None
    replay_of: int | None = None

    @property
    def ok(self) -> bool:
        return self.outcome == "success"

    def __str__(self) -> str:
        status = f" {self.status}" if self.status is not None else ""
        who = f"{self.event} agent {self.agent_id}"
        return f"{self.automation} [{who}]: {self.outcome}{status}: {self.message}"


def event_variables(
    agent: AutomationAgent, event: Event, *, account_name: str = ACCOUNT_NAME
) -> dict:
    """The variables an Automation can use for `event` of `agent` (see the module docstring)."""
    return {
        "agent": agent.variables(),
        "event": {"name": event.name, "timestamp": event.at, "status": event.status},
        "account": {"name": account_name},
    }


@dataclass
class _Compiled:
    automation: Automation
    action: Action
    params: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=dict)  # input-schema defaults, then inputs


class Automations:
    """The Automations of an `Account`, the event runner and the run history.

    `Account` has thin shortcuts for all of this (`add_automation`, `login`, `runs`, ...).

    ```python
    automations = Automations(account)
    automations.run_events(day_schedule(agent_ids, seed=1), clock=clock)
    automations.runs()
    ```
    """

    def __init__(self, account: AutomationAccount) -> None:
        self.account = account
        self.store: Store = account.store
        self.store.ensure("automations", _DDL)
        self._cache: tuple[Any, list[_Compiled]] | None = None

    # -- definitions ----------------------------------------------------------------------------

    def add(
        self,
        *,
        name: str,
        when: str,
        action: Action,
        inputs: Mapping[str, Any],
        enabled: bool = True,
        retry: RetryPolicy | None = None,
    ) -> Automation:
        """Create (or, by name, update) an Automation; its Then must be an Active Action."""
        name = name.strip() if isinstance(name, str) else ""
        if not name:
            raise ValidationError("Name is mandatory", where="Automation")
        where = f"Automation {name!r}"
        if when not in TRIGGERS:
            raise ValidationError(
                f"When must be one of {', '.join(TRIGGERS)}, not {when!r}", where=f"{where}, When"
            )
        if not isinstance(action, Action):
            raise ValidationError("Then must be an Action of a Connection", where=f"{where}, Then")
        action.refresh()
        if action.state is ActionState.DRAFT:
            raise ValidationError(
                f"the Action {action.name!r} is a Draft: publish it first (Active actions only)",
                where=f"{where}, Then",
            )
        if action.state is ActionState.END_OF_LIFE:
            raise ValidationError(
                f"the Action {action.name!r} is End of Life and no longer runs",
                where=f"{where}, Then",
            )
        fields = _input_fields(action)
        unknown = [key for key in inputs if key not in fields]
        if unknown:
            raise ValidationError(
                f"{unknown} are not inputs of {action.name!r} (it takes {sorted(fields)})",
                where=f"{where}, inputs",
            )
        missing = [key for key in action.parameters if key not in inputs]
        if missing:
            raise ValidationError(
                f"fill in {missing}, e.g. with {action.connection.external_id_variable}",
                where=f"{where}, inputs",
            )
        for key, value in inputs.items():
            if not isinstance(value, str | int | float | bool):
                raise ValidationError(
                    f"an input is text with {{{{variables}}}}, not {value!r}",
                    where=f"{where}, {key}",
                )
        retry_json = json.dumps(vars(retry)) if retry is not None else None
        with self.store.transaction() as db:
            db.execute(
                "INSERT INTO automations (name, trigger, action_id, inputs, enabled, retry) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
                "trigger = excluded.trigger, action_id = excluded.action_id, "
                "inputs = excluded.inputs, enabled = excluded.enabled, retry = excluded.retry, "
                "version = automations.version + 1 WHERE automations.trigger IS NOT "
                "excluded.trigger OR automations.action_id IS NOT excluded.action_id OR "
                "automations.inputs IS NOT excluded.inputs OR automations.enabled IS NOT "
                "excluded.enabled OR automations.retry IS NOT excluded.retry",
                (name, when, action.id, json.dumps(dict(inputs)), int(enabled), retry_json),
            )
        return self.get(name)

    def get(self, name_or_id: str | int) -> Automation:
        """One Automation by name or id."""
        column = "name" if isinstance(name_or_id, str) else "id"
        found = self._load(f"WHERE a.{column} = ?", (name_or_id,))
        if not found:
            raise ValidationError(f"no automation {name_or_id!r}", where="Automation")
        return found[0]

    def all(self) -> list[Automation]:
        """Every Automation, by id."""
        return self._load()

    def _load(self, where: str = "", params: tuple[Any, ...] = ()) -> list[Automation]:
        rows = self.store.query(
            "SELECT a.*, x.name AS action_name, x.connection_id FROM automations a "
            f"JOIN actions x ON x.id = a.action_id {where} ORDER BY a.id",
            params,
        )
        return [
            Automation(
                id=row["id"],
                name=row["name"],
                when=row["trigger"],
                action_id=row["action_id"],
                action_name=row["action_name"],
                connection_id=row["connection_id"],
                inputs=json.loads(row["inputs"]),
                enabled=bool(row["enabled"]),
                retry=RetryPolicy(**json.loads(row["retry"])) if row["retry"] else None,
                version=row["version"],
            )
            for row in rows
        ]

    def set_enabled(self, name_or_id: str | int, enabled: bool) -> Automation:
        """Enable or disable an Automation (a disabled one records `skipped` runs)."""
        automation = self.get(name_or_id)
        self.store.execute(
            "UPDATE automations SET enabled = ?, version = version + 1 WHERE id = ?",
            (int(enabled), automation.id),
        )
        return self.get(automation.id)

    def _compiled(self) -> list[_Compiled]:
        # Definitions are compiled once and kept while this fingerprint of the table (one
        # short query per event) stays the same: any add, edit, enable or reset changes it.
        key = self.store.query(
            "SELECT group_concat(id || ':' || version || ':' || action_id || ':' || trigger "
            "|| ':' || enabled || ':' || COALESCE(retry, '') || ':' || inputs, '|') "
            "FROM automations"
        )[0][0]
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1]
        compiled = []
        connections: dict[int, Any] = {}
        for automation in self.all():
            if automation.connection_id not in connections:
                connections[automation.connection_id] = self.account.connection(
                    automation.connection_id
                )
            action = connections[automation.connection_id].action(automation.action_id)
            item = _Compiled(automation, action)
            properties = (action.input_schema or {}).get("properties") or {}
            item.body = {k: p["default"] for k, p in properties.items() if "default" in p}
            for key_, value in automation.inputs.items():
                target = item.params if key_ in action.parameters else item.body
                target[key_] = value
            compiled.append(item)
        self._cache = (key, compiled)
        return compiled

    # -- events ---------------------------------------------------------------------------------

    def login(
        self, agent: AutomationAgent | int | str, *, at: datetime | str | None = None
    ) -> list[Run]:
        """The agent logs in: runs every Automation When "an agent logs in"."""
        return self.fire("login", agent, at=at)

    def logout(
        self, agent: AutomationAgent | int | str, *, at: datetime | str | None = None
    ) -> list[Run]:
        """The agent logs out: runs every Automation When "an agent logs out"."""
        return self.fire("logout", agent, at=at)

    def set_status(
        self, agent: AutomationAgent | int | str, status: str, *, at: datetime | str | None = None
    ) -> list[Run]:
        """The agent changes status (e.g. `"away"`): runs the "changes status" Automations."""
        return self.fire("status", agent, status=status, at=at)

    def fire(
        self,
        event: str,
        agent: AutomationAgent | int | str,
        *,
        status: str | None = None,
        at: datetime | str | None = None,
    ) -> list[Run]:
        """Run one event (`login`, `logout` or `status`) for one agent; returns its runs."""
        agent_id = agent.id if hasattr(agent, "id") else self.account.agent(agent).id
        return self.run_events([Event(event, agent_id, utc_iso(at, where="at"), status)])

    def run_events(
        self, events: Iterable[Event], *, clock: Any = None, progress: bool = False
    ) -> list[Run]:
        """Run many events in order, recording every run (in batches of 500 per transaction).

        `clock`: a `SimulatedClock` set to each event's time first, so the mock's punches carry
        the event's time. Whatever happens to a later event (even an exception, such as an
        unknown agent), the records of the earlier ones are written.
        """
        from .. import inprocess

        agents = {agent.id: agent for agent in self.account.agents()}
        events = list(events)
        if progress:
            from tqdm.auto import tqdm

            events = tqdm(events, desc="events", unit="event")
        done: list[Run] = []
        pending: list[tuple[Any, ...]] = []
        states: dict[int, tuple[str, str]] = {}
        with inprocess.client() as http:
            try:
                for event in events:
                    agent = agents.get(event.agent_id)
                    if agent is None:
                        raise ValidationError(
                            f"no agent {event.agent_id} in this account", where="event"
                        )
                    if clock is not None:
                        clock.set(event.at)
                    states[agent.id] = (
                        event.status or _STATUS_OF.get(event.name, "available"),
                        event.at,
                    )
                    for item in self._compiled():
                        if item.automation.when == event.name:
                            pending.extend(self._run(item, agent, event, http))
                    if len(pending) >= _BATCH:
                        done.extend(self._write(pending, states))
                        pending, states = [], {}
            finally:
                done.extend(self._write(pending, states))
        return done

    def _run(self, item: _Compiled, agent: AutomationAgent, event: Event, http: Any) -> list[tuple]:
        automation = item.automation
        base = (automation.id, event.name, agent.id, event.at)
        skipped = (
            "the Automation is disabled"
            if not automation.enabled
            else f"agent {agent.id} ({agent.name}) is deactivated"
            if not agent.active
            else None
        )
        if skipped:
            return [(*base, 1, "skipped", None, 0.0, skipped, *([None] * 4))]
        variables = event_variables(agent, event)
        try:
            params = {k: _render(v, variables) for k, v in item.params.items()}
            body = render_value(item.body, variables, missing="error")
        except TemplateError as exc:
            message = _missing_message(exc, agent)
            return [(*base, 1, "missing_variable", None, 0.0, message, *([None] * 4))]
        return self._attempts(item, base, params, body, http, first=1, replay_of=None)

    def _attempts(
        self,
        item: _Compiled,
        base: tuple,
        params: dict[str, Any],
        body: dict[str, Any],
        http: Any,
        *,
        first: int,
        replay_of: int | None,
    ) -> list[tuple]:
        policy = item.automation.retry
        tries = policy.attempts if policy is not None else 1
        records = []
        inputs = json.dumps({**params, **body})
        for attempt in range(first, first + tries):
            if policy is not None and attempt > first:
                time.sleep(policy.wait(attempt - first + 1))
            try:
                # `params` and `body` (every input-schema default) are rendered already
                result = item.action.run(
                    params,
                    body=body or None,
                    attempt=attempt,
                    client=http,
                    at=base[3] if replay_of is None else None,
                )
                outcome, status, message = result.outcome, result.status, result.message
                request, duration = result.request, result.duration
                response = result.data if result.data is not None else (result.body or None)
                if result.rate_limited:  # Talkdesk shows it in the execution log only
                    outcome, status, message = "success", None, "OK"
            except PunchlabError as exc:
                outcome, status, message, request, response, duration = (
                    "error", None, f"{type(exc).__name__}: {exc}", None, None, 0.0
                )  # fmt: skip
            records.append(
                (
                    *base,
                    attempt,
                    outcome,
                    status,
                    duration,
                    message,
                    inputs,
                    json.dumps(request) if request else None,
                    json.dumps(response) if response is not None else None,
                    replay_of,
                )
            )
            if policy is None or not RetryPolicy.retryable(outcome, status):
                break
        return records

    def _write(self, records: list[tuple], states: Mapping[int, tuple[str, str]]) -> list[Run]:
        if not records and not states:
            return []
        ids = []
        with self.store.transaction() as db:
            for record in records:
                cursor = db.execute(
                    "INSERT INTO automation_runs (automation_id, event, agent_id, at, attempt, "
                    "outcome, status, duration, message, inputs, request, response, replay_of) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    record,
                )
                ids.append(cursor.lastrowid)
            db.executemany(
                "INSERT INTO agent_states (agent_id, status, since) VALUES (?, ?, ?) "
                "ON CONFLICT (agent_id) DO UPDATE SET status = excluded.status, "
                "since = excluded.since",
                [(agent_id, status, at) for agent_id, (status, at) in states.items()],
            )
        names = {a.id: a.name for a in self.all()}
        return [
            _run_from(run_id, record, names) for run_id, record in zip(ids, records, strict=True)
        ]

    # -- history --------------------------------------------------------------------------------

    def history(self, *, outcome: str | Sequence[str] | None = None) -> list[Run]:
        """The run records as `Run` objects, oldest first (optionally only some outcomes)."""
        sql, params = "SELECT * FROM automation_runs", ()
        if outcome is not None:
            wanted = (outcome,) if isinstance(outcome, str) else tuple(outcome)
            sql += f" WHERE outcome IN ({', '.join('?' * len(wanted))})"
            params = wanted
        names = {a.id: a.name for a in self.all()}
        return [
            _run_from(row["id"], tuple(row)[1:], names)
            for row in self.store.query(sql + " ORDER BY id", params)
        ]

    def runs(self, *, final: bool = False) -> pd.DataFrame:
        """The run history as a DataFrame, oldest first (requests have their secrets masked).

        One row per attempt: a retried or replayed event has several. With `final=True`, one
        row per event and Automation (agent, event, time): its last attempt, which says how the
        event ended.

        ```python
        account.automation_engine.runs(final=True)["outcome"].value_counts()
        ```
        """
        import pandas as pd

        columns = [
            "run", "automation", "event", "agent_id", "at", "attempt", "outcome", "status",
            "duration_ms", "url", "message", "replay_of",
        ]  # fmt: skip
        records = [
            {
                "run": run.id,
                "automation": run.automation,
                "event": run.event,
                "agent_id": run.agent_id,
                "at": run.at,
                "attempt": run.attempt,
                "outcome": run.outcome,
                "status": run.status,
                "duration_ms": round(run.duration * 1000, 1),
                "url": run.request["url"] if run.request else None,
                "message": run.message,
                "replay_of": run.replay_of,
            }
            for run in self.history()
        ]
        frame = pd.DataFrame.from_records(records, columns=columns)
        for column in ("status", "replay_of"):
            frame[column] = frame[column].astype("Int64")
        if final:  # rows are oldest first, so an event's last row is its last attempt
            event = ["automation", "event", "agent_id", "at"]
            frame = frame.groupby(event, sort=False).tail(1).reset_index(drop=True)
        return frame

    def replay_failed(self) -> list[Run]:
        """Send every failed (`error`/`timeout`) request again, once, as a new linked run.

        A run already replayed is not replayed again (its replay may be, if it failed too).
        Each replay keeps the original's rendered inputs and event, with the next attempt
        number and `replay_of` set to the original run.
        """
        from .. import inprocess

        rows = self.store.query(
            "SELECT r.* FROM automation_runs r WHERE r.outcome IN ('error', 'timeout') "
            "AND r.inputs IS NOT NULL AND NOT EXISTS (SELECT 1 FROM automation_runs s "
            "WHERE s.replay_of = r.id) AND NOT EXISTS (SELECT 1 FROM automation_runs t "
            "WHERE t.automation_id = r.automation_id AND t.event = r.event "
            "AND t.agent_id = r.agent_id AND t.at = r.at AND t.attempt > r.attempt "
            "AND t.replay_of IS r.replay_of) ORDER BY r.id"
        )
        compiled = {item.automation.id: item for item in self._compiled()}
        done: list[Run] = []
        with inprocess.client() as http:
            for row in rows:
                item = compiled.get(row["automation_id"])
                if item is None:
                    continue
                inputs = json.loads(row["inputs"])
                params = {k: v for k, v in inputs.items() if k in item.action.parameters}
                body = {k: v for k, v in inputs.items() if k not in params}
                base = (row["automation_id"], row["event"], row["agent_id"], row["at"])
                records = self._attempts(
                    item, base, params, body, http, first=row["attempt"] + 1, replay_of=row["id"]
                )
                done.extend(self._write(records, {}))
        return done

    def agent_states(self) -> dict[int, tuple[str, str]]:
        """`{agent_id: (status, since)}` for agents that had an event: available, away, offline."""
        rows = self.store.query("SELECT agent_id, status, since FROM agent_states")
        return {row["agent_id"]: (row["status"], row["since"]) for row in rows}

    def variables(self, agent: AutomationAgent | int | str | None = None) -> list[str]:
        """The `{{variables}}` an agent event offers, for a picker: one External ID per Connection.

        ```python
        Automations(account).variables()
        # ['{{agent.id}}', '{{agent.name}}', ..., '{{agent.connection_1.external_id}}', ...]
        ```
        """
        names = ["agent.id", "agent.name", "agent.email"]
        names += [f"agent.connection_{c.id}.external_id" for c in self.account.connections()]
        names += ["event.name", "event.timestamp", "event.status", "account.name"]
        if agent is not None:
            resolved = agent if hasattr(agent, "variables") else self.account.agent(agent)
            known = event_variables(resolved, Event("login", resolved.id, utc_iso()))
            names = [n for n in names if _has(known, n)]
        return ["{{" + name + "}}" for name in names]


def _input_fields(action: Action) -> set[str]:
    fields = set(action.parameters)
    schema = action.input_schema or {}
    fields.update((schema.get("properties") or {}).keys())
    return fields


def _render(value: Any, variables: Mapping[str, Any]) -> Any:
    if isinstance(value, str) and "{{" in value:
        return render(value, variables, missing="error")
    return value


def _has(variables: Mapping[str, Any], name: str) -> bool:
    return lookup(variables, name) not in (MISSING, None)


def _missing_message(exc: TemplateError, agent: AutomationAgent) -> str:
    name = exc.name
    parts = name.split(".")
    if len(parts) == 3 and parts[0] == "agent" and parts[1].startswith("connection_"):
        connection_id = parts[1].removeprefix("connection_")
        return (
            f"agent {agent.id} ({agent.name}, {agent.email}) has no External ID for connection "
            f"{connection_id}: {{{{{name}}}}} is missing, so no request was sent. Run Agent Sync "
            "or set the External ID."
        )
    return f"the variable {{{{{name}}}}} is missing, so no request was sent"


def _run_from(run_id: int, record: Sequence[Any], names: Mapping[int, str]) -> Run:
    (automation_id, event, agent_id, at, attempt, outcome, status, duration, message) = record[:9]
    inputs, request, response, replay_of = record[9:13]
    return Run(
        id=run_id,
        automation=names.get(automation_id, str(automation_id)),
        event=event,
        agent_id=agent_id,
        at=at,
        attempt=attempt,
        outcome=outcome,
        status=status,
        duration=duration,
        message=message,
        inputs=json.loads(inputs) if inputs else None,
        request=json.loads(request) if request else None,
        response=json.loads(response) if response else None,
        replay_of=replay_of,
    )
