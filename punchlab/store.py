"""The lab's state in one embedded SQLite database.

Each module owns its tables: it declares their DDL and calls `store.ensure(name, ddl)` before
use (idempotent, `CREATE ... IF NOT EXISTS`). Several notebooks may open the same file at
once: the database runs in WAL mode with a busy timeout, and writes go through `transaction()`,
which commits all or nothing.

```python
store = Store(memory=True)                      # or Store.default(): $PUNCHLAB_HOME/lab.sqlite3
store.ensure("notes", "CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, text TEXT)")
with store.transaction() as db:
    db.execute("INSERT INTO notes (text) VALUES (?)", ("hello",))
assert store.query("SELECT text FROM notes")[0]["text"] == "hello"
```
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

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
            self.path.parent.mkdir(parents=True, exist_ok=True)
            target = str(self.path)
        # autocommit mode: transactions are opened explicitly by transaction()
        self._db = sqlite3.connect(
            target, timeout=BUSY_TIMEOUT_S, check_same_thread=False, isolation_level=None
        )
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA foreign_keys = ON")
        if not memory:
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")
        self._lock = threading.RLock()
        self._ensured: set[str] = set()
        self._depth = 0

    @classmethod
    def default(cls) -> Store:
        """The lab's database in the lab home."""
        return cls()

    def __repr__(self) -> str:
        return f"Store({str(self.path) if self.path else ':memory:'})"

    def ensure(self, name: str, ddl: str) -> None:
        """Create a module's tables once per store (`ddl` must be idempotent)."""
        if name in self._ensured:
            return
        with self._lock:
            self._db.executescript(ddl)
            self._ensured.add(name)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: everything inside commits together or not at all.

        Nested use joins the outer transaction.
        """
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self._db
                finally:
                    self._depth -= 1
                return
            self._db.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")
            finally:
                self._depth = 0

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
