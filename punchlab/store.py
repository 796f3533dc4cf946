"""The lab's state in one embedded SQLite database.

Each module owns its tables: it declares their DDL and calls `store.ensure(name, ddl)` before
use (idempotent, `CREATE ... IF NOT EXISTS`); the DDL runs inside the current transaction, so
a module first used inside `transaction()` is created, or rolled back, with the rest. Several
notebooks may open the same file at once: the database runs in WAL mode with a busy timeout, and
writes go through `transaction()`, which commits all or nothing; a nested `transaction()` is a
SAVEPOINT, so a failure caught around it undoes only the inner part.

```python
store = Store(memory=True)                      # or Store.default(): $PUNCHLAB_HOME/lab.sqlite3
store.ensure("notes", "CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, text TEXT)")
with store.transaction() as db:
    db.execute("INSERT INTO notes (text) VALUES (?)", ("hello",))
assert store.query("SELECT text FROM notes")[0]["text"] == "hello"
```
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .errors import StoreError, ValidationError
from .home import lab_home

__all__ = ["DEFAULT_FILE", "Store"]

DEFAULT_FILE = "lab.sqlite3"
BUSY_TIMEOUT_S = 10.0


class Store:
    """A SQLite database for the lab's state, safe to share between threads and notebooks.

    **Parameters:**

    * `path`: the database file; `None` with `memory=False` means `$PUNCHLAB_HOME/lab.sqlite3`.
    * `memory`: keep everything in memory (tests, throw-away experiments).
    """

    def __init__(self, path: str | Path | None = None, *, memory: bool = False) -> None:
        if memory:
            self.path: Path | None = None
            target = ":memory:"
        else:
            self.path = Path(path) if path is not None else lab_home() / DEFAULT_FILE
            target = str(self.path)
            _create_private(self.path)
        # autocommit mode: transactions are opened explicitly by transaction()
        try:
            self._db = sqlite3.connect(
                target,
                timeout=BUSY_TIMEOUT_S,
                check_same_thread=False,
                isolation_level=None,
                factory=_Connection,
            )
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA foreign_keys = ON")
            if not memory:
                _retry_busy(self.path, lambda: self._db.execute("PRAGMA journal_mode = WAL"))
                self._db.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.Error as exc:
            raise _store_error(exc, self.path) from exc
        self._lock = threading.RLock()
        self._ensured: set[str] = set()
        # names ensured inside each open transaction level, kept only if that level commits
        self._pending: list[set[str]] = []

    @classmethod
    def default(cls) -> Store:
        """The lab's database in the lab home."""
        return cls()

    def __repr__(self) -> str:
        return f"Store({str(self.path) if self.path else ':memory:'})"

    def ensure(self, name: str, ddl: str) -> None:
        """Create a module's tables once per store (`ddl` must be idempotent).

        The statements run in the current transaction (or a new one), never committing it early.
        """
        with self._lock:
            if name in self._ensured or any(name in level for level in self._pending):
                return
            with self.transaction() as db:
                for statement in _statements(ddl):
                    db.execute(statement)
                self._pending[-1].add(name)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: everything inside commits together or not at all.

        A nested `transaction()` is a savepoint inside the outer one: if it fails, only its own
        changes are undone (the outer transaction goes on if the error is caught).
        """
        with self._lock:
            depth = len(self._pending)
            savepoint = f"punchlab_{depth}"
            try:
                self._db.execute(f"SAVEPOINT {savepoint}" if depth else "BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise _store_error(exc, self.path or ":memory:") from exc
            self._pending.append(set())
            try:
                yield self._db
            except BaseException:
                self._pending.pop()
                if depth:
                    self._db.execute(f"ROLLBACK TO {savepoint}")
                    self._db.execute(f"RELEASE {savepoint}")
                else:
                    self._db.execute("ROLLBACK")
                raise
            names = self._pending.pop()
            if depth:
                self._db.execute(f"RELEASE {savepoint}")
                self._pending[-1] |= names
            else:
                self._db.execute("COMMIT")
                self._ensured |= names

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Cursor:
        """Run one statement (its own transaction unless inside `transaction()`)."""
        with self._lock:
            return self._db.execute(sql, params)

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        """All rows of a query."""
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def tables(self) -> list[str]:
        """The names of the tables in the database."""
        rows = self.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        return [row["name"] for row in rows]

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()


class _Connection(sqlite3.Connection):
    """A connection whose text that cannot be UTF-8 (a lone surrogate) is a `ValidationError`.

    Modules check their fields first and name them; this is the net under every other string.
    """

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        try:
            return super().execute(sql, parameters)
        except UnicodeEncodeError as exc:
            raise _unstorable(exc) from exc

    def executemany(self, sql: str, parameters: Any, /) -> sqlite3.Cursor:
        try:
            return super().executemany(sql, parameters)
        except UnicodeEncodeError as exc:
            raise _unstorable(exc) from exc


def _unstorable(exc: UnicodeEncodeError) -> ValidationError:
    return ValidationError(
        f"text with {exc.object[exc.start : exc.end]!r} cannot be stored (not valid UTF-8)",
        where="text",
    )


def _create_private(path: Path) -> None:
    """Create the database file (and its folder) readable by the owner only, if it is new.

    SQLite gives the `-wal` and `-shm` files the database file's permissions.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    except OSError as exc:
        raise StoreError(f"cannot create the database ({exc.strerror})", path=path) from exc


def _busy(exc: sqlite3.Error) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def _store_error(exc: sqlite3.Error, path: object) -> StoreError:
    if _busy(exc):
        return StoreError(
            f"the database is busy: another process held its lock for more than "
            f"{BUSY_TIMEOUT_S:g} s ({exc})",
            path=path,
        )
    return StoreError(f"cannot use the database ({exc})", path=path)


def _retry_busy(path: object, step: Any) -> Any:
    """Run `step`, retrying while SQLite says the database is locked, up to the busy timeout.

    Switching a new database to WAL needs an exclusive lock, and SQLite answers "database is
    locked" at once (without its busy handler) while another process is doing the same.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    pause = 0.002
    while True:
        try:
            return step()
        except sqlite3.OperationalError as exc:
            if not _busy(exc) or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.05)


def _statements(script: str) -> Iterator[str]:
    """The SQL statements of `script`, split on `;` only where a statement is complete."""
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \t\r\n;"):
                yield pending.strip()
            pending = ""
    if pending.strip(" \t\r\n;"):
        yield pending.strip()
