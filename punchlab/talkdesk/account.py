"""The sandbox Talkdesk account: its agents, its Connections and the agents' External IDs.

Tutorial step 1 ("Create Talkdesk users to sync"): in Talkdesk you go to Admin > Agents > Add New
Agent, where Name and Email are mandatory. Here the account keeps the same facts in the lab's
SQLite database (`Store`), so every notebook sees the same agents.

```python
account = Account(Store(memory=True))         # Account() uses the lab home's database
account.add_tutorial_agents()                 # user+1@talkdesk.com ... user+7@talkdesk.com
account.add_agent(name="Ana Lima", email="Ana.Lima@Example.com")
account.agents_frame()                        # a pandas DataFrame
```

Entry points for Agent Sync and Automations:

* `normalise_email(email)`: the one rule for matching emails (strip, lower-case).
* `account.add_agents(frame)`: many agents at once (100,000 in about a second), checked first,
  one transaction; an error names the row.
* `account.agents_frame(connection=...)`: the agents with their External IDs, in one query.
* `account.agents()` / `account.agent(id_or_email)`: `Agent` objects; `agent.variables()` is the
  `{{agent.*}}` context of an Automation, with `connection_<id>.external_id` for each Connection.
* `account.set_external_ids(connection, {agent_id: external_id | None})`: all or nothing, in
  one transaction; `None` clears an External ID.
* `account.add_automation(...)`, `account.login(agent)` / `logout` / `set_status`,
  `account.runs()`, `account.replay_failed()`: thin shortcuts to `punchlab.talkdesk.automation`.
* `account.reset()`: the presenter's reset to the tutorial's starting state (the seven agents).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..csvfile import read_rows
from ..emails import is_email, normalise_email
from ..errors import ValidationError
from ..home import data_file
from ..store import Store
from ..text import check_text
from .automation import Automation, Automations, RetryPolicy, Run
from .connection import Auth, Connection

if TYPE_CHECKING:
    from datetime import datetime

    import pandas as pd

    from .action import Action

__all__ = ["TUTORIAL_AGENTS", "Account", "Agent", "normalise_email"]

TUTORIAL_AGENTS = "tutorial_agents.csv"
_NO = ("0", "false", "no", "n")  # texts of an `active` column that mean inactive


_DDL = """
CREATE TABLE IF NOT EXISTS agents (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    email_key TEXT NOT NULL UNIQUE,
    active INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS external_ids (
    agent_id INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    connection_id INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    external_id TEXT NOT NULL,
    PRIMARY KEY (agent_id, connection_id),
    UNIQUE (connection_id, external_id)
);
"""


def _is_active(value: Any) -> bool:
    """The `active` flag from code, a DataFrame or a CSV: missing or blank means active."""
    if value is None or value != value:  # None or NaN (a blank cell read by pandas)
        return True
    if isinstance(value, str):
        return value.strip().lower() not in _NO
    return bool(value)


@dataclass(frozen=True)
class Agent:
    """A sandbox agent. `email` is as entered (for display); matching uses `email_key`."""

    id: int
    name: str
    email: str
    active: bool = True
    external_ids: Mapping[int, str] = field(default_factory=dict)

    @property
    def email_key(self) -> str:
        return normalise_email(self.email)

    def variables(self) -> dict[str, Any]:
        """The `{{agent.*}}` variables an Automation renders for this agent.

        ```python
        render("{{agent.connection_1.external_id}}", {"agent": agent.variables()})
        ```
        """
        found: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "email": self.email,
            "active": self.active,
        }
        for connection_id, external_id in self.external_ids.items():
            found[f"connection_{connection_id}"] = {"external_id": external_id}
        return found


def _check_agent(name: Any, email: Any, *, where: Any, index: int) -> tuple[str, str]:
    """`name` and `email` stripped and checked; `where(index)` names the row in an error."""
    name = name.strip() if isinstance(name, str) else ""
    email = email.strip() if isinstance(email, str) else ""
    if not name:
        raise ValidationError("Name is mandatory", where=f"{where(index)}, Name")
    check_text(name, where=f"{where(index)}, Name")
    if not email:
        raise ValidationError("Email is mandatory", where=f"{where(index)}, Email")
    if not is_email(email):
        raise ValidationError(
            f"{email!r} is not a valid email address (like user+1@talkdesk.com)",
            where=f"{where(index)}, Email",
        )
    return name, email


def _connection_id(connection: Connection | int) -> int:
    return connection if isinstance(connection, int) else connection.id


class Account:
    """The sandbox account: agents, Connections and External IDs, kept in a `Store`.

    **Parameters:**

    * `store`: where the state lives; `None` means the lab home's database (`Store.default()`).
      Use `Store(memory=True)` for a throw-away account.

    ```python
    account = Account()                        # the lab's account, shared by the notebooks
    barbara = account.agent("USER+1@talkdesk.com")
    ```
    """

    def __init__(self, store: Store | None = None) -> None:
        self.store = store if store is not None else Store.default()
        Connection.ensure_tables(self.store)
        self.store.ensure("account", _DDL)
        self._automations: Automations | None = None

    def __repr__(self) -> str:
        count = self.store.query("SELECT COUNT(*) FROM agents")[0][0]
        return f"<Account {count} agents in {self.store!r}>"

    # -- agents -------------------------------------------------------------------------------

    def add_agent(self, *, name: str, email: str, active: bool = True) -> Agent:
        """Add an agent, as Talkdesk's Add New Agent form does (Name and Email mandatory).

        Adding the same name and email again returns the existing agent, so re-running a cell
        changes nothing; an email already used by another agent is a `ValidationError`.
        """
        return self._add([(name, email, active)], where=lambda _: "new agent")[0]

    def add_agents_from_csv(self, path: str | Path) -> list[Agent]:
        """Add the agents of a CSV file with `name` and `email` columns (and optional `active`).

        All rows are checked first: one bad row adds none, and the error names its line.
        """
        found = read_rows(path, required=("name", "email"), optional=("active",))
        rows = [(row["name"], row["email"], row.get("active", "")) for _line, row in found]
        return self._add(rows, where=lambda index: f"{Path(path).name} line {found[index][0]}")

    def add_tutorial_agents(self) -> list[Agent]:
        """The tutorial's seven agents, `user+1@talkdesk.com` ... `user+7@talkdesk.com`.

        Idempotent: agents already in the account are left as they are.
        """
        return self.add_agents_from_csv(data_file(TUTORIAL_AGENTS))

    def add_agents(self, agents: pd.DataFrame | Iterable[Mapping[str, Any]]) -> list[Agent]:
        """Add many agents at once: a DataFrame (or dicts) with `name`, `email` and an optional
        `active` column, checked first and inserted in one transaction.

        The same rules as `add_agent`; one bad row adds none, and the error names it
        (`row 3, Email`). Fast enough for 100,000 agents.

        ```python
        account.add_agents(pd.DataFrame({"name": ["Ana", "Bo"],
                                         "email": ["ana@x.io", "bo@x.io"]}))
        ```
        """
        if hasattr(agents, "columns"):  # a DataFrame: read its columns, not row by row
            missing = [c for c in ("name", "email") if c not in agents.columns]
            if missing:
                raise ValidationError(f"missing column(s) {', '.join(missing)}", where="agents")
            actives = agents["active"].tolist() if "active" in agents.columns else None
            names, emails = agents["name"].tolist(), agents["email"].tolist()
        else:
            if (
                agents is None
                or isinstance(agents, str | bytes | Mapping)
                or not isinstance(agents, Iterable)
            ):
                raise ValidationError(
                    f"expected a DataFrame or rows of {{name, email}}, not {type(agents).__name__}",
                    where="agents",
                )
            records = []
            for index, row in enumerate(agents):
                if not isinstance(row, Mapping):
                    raise ValidationError(
                        f"expected a mapping with name and email, not {type(row).__name__}",
                        where=f"row {index}",
                    )
                records.append(dict(row))
            names = [row.get("name") for row in records]
            emails = [row.get("email") for row in records]
            actives = [row.get("active", True) for row in records]
        rows = zip(names, emails, actives or [True] * len(names), strict=True)
        return self._add(rows, where=lambda index: f"row {index}")

    def _add(self, rows: Iterable[tuple[Any, Any, Any]], *, where: Any) -> list[Agent]:
        checked: list[tuple[str, str, str, int]] = []
        seen: dict[str, int] = {}
        for index, (name, email, active) in enumerate(rows):
            name, email = _check_agent(name, email, where=where, index=index)
            key = normalise_email(email)
            if key in seen:
                raise ValidationError(
                    f"{email!r} appears twice (also at {where(seen[key])})",
                    where=f"{where(index)}, Email",
                )
            seen[key] = index
            checked.append((name, email, key, int(_is_active(active))))
        with self.store.transaction() as db:
            existing = {
                row["email_key"]: (row["id"], row["name"])
                for row in db.execute("SELECT id, name, email_key FROM agents")
            }
            fresh = []
            for index, (name, email, key, active) in enumerate(checked):
                found = existing.get(key)
                if found is None:
                    fresh.append((name, email, key, active))
                elif found[1] != name:
                    raise ValidationError(
                        f"{email!r} already belongs to agent {found[0]} ({found[1]})",
                        where=f"{where(index)}, Email",
                    )
            db.executemany(
                "INSERT INTO agents (name, email, email_key, active) VALUES (?, ?, ?, ?)", fresh
            )
            if fresh:
                existing.update(
                    (row["email_key"], (row["id"], row["name"]))
                    for row in db.execute(
                        "SELECT id, name, email_key FROM agents WHERE id > ?",
                        (max((i for i, _ in existing.values()), default=0),),
                    )
                )
        ids = sorted({existing[key][0] for _, _, key, _ in checked})
        if len(ids) <= 500:  # SQLite caps the number of parameters
            found = self._agents(f"WHERE id IN ({', '.join('?' * len(ids))})", tuple(ids))
        else:
            found = self._agents()
        by_id = {agent.id: agent for agent in found}
        return [by_id[existing[key][0]] for _, _, key, _ in checked]

    def agents(self) -> list[Agent]:
        """Every agent, by id."""
        return self._agents()

    def _agents(self, where: str = "", params: tuple[Any, ...] = ()) -> list[Agent]:
        external: dict[int, dict[int, str]] = {}
        sql = f"SELECT * FROM external_ids WHERE agent_id IN (SELECT id FROM agents {where})"
        for row in self.store.query(sql, params):
            external.setdefault(row["agent_id"], {})[row["connection_id"]] = row["external_id"]
        return [
            Agent(
                id=row["id"],
                name=row["name"],
                email=row["email"],
                active=bool(row["active"]),
                external_ids=external.get(row["id"], {}),
            )
            for row in self.store.query(f"SELECT * FROM agents {where} ORDER BY id", params)
        ]

    def agent(self, id_or_email: int | str) -> Agent:
        """One agent, by id or by email (matched like Agent Sync matches: `normalise_email`)."""
        if isinstance(id_or_email, str):
            sql, key = "SELECT id FROM agents WHERE email_key = ?", normalise_email(id_or_email)
        else:
            sql, key = "SELECT id FROM agents WHERE id = ?", int(id_or_email)
        found = self.store.query(sql, (key,))
        if not found:
            raise ValidationError(f"no agent {id_or_email!r} in this account", where="agent")
        return self._agents("WHERE id = ?", (found[0]["id"],))[0]

    def agents_frame(self, *, connection: Connection | int | None = None) -> pd.DataFrame:
        """The agents as a DataFrame: id, name, email, active (+ `external_id` for `connection`).

        `external_id` is `None` (not NaN) where an agent has none.
        """
        import pandas as pd

        columns = ["id", "name", "email", "active"]
        if connection is None:
            rows = self.store.query("SELECT id, name, email, active FROM agents ORDER BY id")
        else:
            columns.append("external_id")
            rows = self.store.query(
                "SELECT a.id, a.name, a.email, a.active, e.external_id FROM agents a "
                "LEFT JOIN external_ids e ON e.agent_id = a.id AND e.connection_id = ? "
                "ORDER BY a.id",
                (_connection_id(connection),),
            )
        frame = pd.DataFrame.from_records([tuple(row) for row in rows], columns=columns)
        frame["active"] = frame["active"].astype(bool)
        if "external_id" in frame:  # keep None (not NaN) for "no External ID"
            ids = frame["external_id"].astype(object)
            frame["external_id"] = ids.where(ids.notna(), None)
        return frame

    # -- External IDs ---------------------------------------------------------------------------

    def external_id(self, agent: Agent | int | str, connection: Connection | int) -> str | None:
        """The agent's External ID for `connection`, or `None`."""
        agent_id = agent.id if isinstance(agent, Agent) else self.agent(agent).id
        rows = self.store.query(
            "SELECT external_id FROM external_ids WHERE agent_id = ? AND connection_id = ?",
            (agent_id, _connection_id(connection)),
        )
        return rows[0]["external_id"] if rows else None

    def set_external_ids(
        self, connection: Connection | int, external_ids: Mapping[int, str | int | None]
    ) -> None:
        """Set (or, with `None`, clear) External IDs for `connection`, all or nothing.

        Every agent must exist, and no two agents may end up with the same External ID on one
        Connection; otherwise a `ValidationError` names the agent and nothing changes.
        """
        cid = _connection_id(connection)
        wanted = {
            int(agent_id): (None if value is None else str(value).strip())
            for agent_id, value in external_ids.items()
        }
        for agent_id, value in wanted.items():
            if value is not None:
                check_text(value, where=f"agent {agent_id}, External ID")
        with self.store.transaction() as db:
            if not db.execute("SELECT 1 FROM connections WHERE id = ?", (cid,)).fetchone():
                raise ValidationError(f"no connection {cid}", where="connection")
            known = {r["id"] for r in db.execute("SELECT id FROM agents")}
            final = {
                r["agent_id"]: r["external_id"]
                for r in db.execute(
                    "SELECT agent_id, external_id FROM external_ids WHERE connection_id = ?",
                    (cid,),
                )
            }
            for agent_id, value in wanted.items():
                if agent_id not in known:
                    raise ValidationError(f"no agent {agent_id} in this account", where="agent")
                if value == "":
                    raise ValidationError(
                        "an External ID cannot be empty", where=f"agent {agent_id}"
                    )
                final.pop(agent_id, None)
                if value is not None:
                    final[agent_id] = value
            owners: dict[str, int] = {}
            for agent_id, value in sorted(final.items()):
                if value in owners:
                    raise ValidationError(
                        f"External ID {value!r} would belong to agents {owners[value]} and "
                        f"{agent_id} on connection {cid}",
                        where=f"agent {agent_id}",
                    )
                owners[value] = agent_id
            db.executemany(
                "DELETE FROM external_ids WHERE connection_id = ? AND agent_id = ?",
                [(cid, agent_id) for agent_id in wanted],
            )
            db.executemany(
                "INSERT INTO external_ids (agent_id, connection_id, external_id) VALUES (?, ?, ?)",
                [(a, cid, v) for a, v in wanted.items() if v is not None],
            )

    # -- Connections ----------------------------------------------------------------------------

    def add_connection(
        self, *, name: str, description: str, base_path: str, auth: Auth | None = None
    ) -> Connection:
        """Create the Connection called `name`, or update it (re-running a cell never duplicates).

        `auth` defaults to `NoAuth()`. See `punchlab.talkdesk.connection` for the auth types.
        """
        return Connection.save(
            self.store, name=name, description=description, base_path=base_path, auth=auth
        )

    def connection(self, name_or_id: str | int) -> Connection:
        """A Connection by name or id."""
        return Connection.load(self.store, name_or_id)

    def connections(self) -> list[Connection]:
        """Every Connection, by id."""
        rows = self.store.query("SELECT id FROM connections ORDER BY id")
        return [Connection.load(self.store, row["id"]) for row in rows]

    # -- Automations (tutorial step 4; the logic is in punchlab.talkdesk.automation) ---------

    @property
    def automation_engine(self) -> Automations:
        """The `Automations` runner of this account (definitions, events, run history)."""
        if self._automations is None:
            self._automations = Automations(self)
        return self._automations

    def add_automation(
        self,
        *,
        name: str,
        when: str,
        action: Action,
        inputs: Mapping[str, Any],
        enabled: bool = True,
        retry: RetryPolicy | None = None,
    ) -> Automation:
        """Create (or, by name, update) an Automation: When `when` ("login", "logout",
        "status"), Then the Active `action` with `inputs` (templates).
        See `punchlab.talkdesk.automation`.
        """
        return self.automation_engine.add(
            name=name, when=when, action=action, inputs=inputs, enabled=enabled, retry=retry
        )

    def automations(self) -> list[Automation]:
        """Every Automation, by id."""
        return self.automation_engine.all()

    def login(self, agent: Agent | int | str, *, at: datetime | str | None = None) -> list[Run]:
        """The agent logs in (runs the matching Automations; returns their runs)."""
        return self.automation_engine.login(agent, at=at)

    def logout(self, agent: Agent | int | str, *, at: datetime | str | None = None) -> list[Run]:
        """The agent logs out (runs the matching Automations; returns their runs)."""
        return self.automation_engine.logout(agent, at=at)

    def set_status(
        self, agent: Agent | int | str, status: str, *, at: datetime | str | None = None
    ) -> list[Run]:
        """The agent changes status, e.g. to `"away"` (runs the matching Automations)."""
        return self.automation_engine.set_status(agent, status, at=at)

    def runs(self, *, final: bool = False) -> pd.DataFrame:
        """Every Automation run, oldest first, as a DataFrame; with `final=True`, each event's
        last attempt only (see `Automations.runs`).
        """
        return self.automation_engine.runs(final=final)

    def replay_failed(self) -> list[Run]:
        """Send the failed Automation requests again (see `Automations.replay_failed`)."""
        return self.automation_engine.replay_failed()

    # -- presenter reset ------------------------------------------------------------------------

    def reset(self) -> list[Agent]:
        """Back to the tutorial's starting state: the seven agents and nothing else.

        Empties every table of the lab's database (agents, Connections, Actions, External IDs,
        and whatever later steps stored), in one transaction, then adds the tutorial agents.
        """
        with self.store.transaction() as db:
            db.execute("PRAGMA defer_foreign_keys = ON")
            for table in self.store.tables():
                if not table.startswith("sqlite_"):
                    db.execute(f'DELETE FROM "{table}"')
            if "sqlite_sequence" in self.store.tables():
                db.execute("DELETE FROM sqlite_sequence")
            return self.add_tutorial_agents()
