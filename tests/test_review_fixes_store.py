"""Store: table creation inside a transaction, and nested transactions as savepoints."""

from __future__ import annotations

import pytest

from punchlab.store import Store

NOTES = "CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE)"
TAGS = """
-- a module's DDL may hold several statements, comments and semicolons in literals
CREATE TABLE IF NOT EXISTS tags (id INTEGER PRIMARY KEY, name TEXT DEFAULT 'a;b');
CREATE INDEX IF NOT EXISTS tags_name ON tags (name);
"""


def test_first_use_inside_a_transaction_does_not_commit_it_early() -> None:
    store = Store(memory=True)
    store.ensure("notes", NOTES)
    with pytest.raises(RuntimeError), store.transaction() as db:
        db.execute("INSERT INTO notes (text) VALUES ('before')")
        store.ensure("tags", TAGS)
        db.execute("INSERT INTO tags (name) VALUES ('x')")
        raise RuntimeError("fails half-way")
    assert store.query("SELECT COUNT(*) FROM notes")[0][0] == 0
    assert "tags" not in store.tables()  # rolled back with the rest...
    store.ensure("tags", TAGS)  # ...and created again on the next use
    assert store.query("SELECT name FROM tags") == []
    assert "tags" in store.tables()


def test_ensure_inside_a_committed_transaction_keeps_the_tables() -> None:
    store = Store(memory=True)
    with store.transaction() as db:
        store.ensure("tags", TAGS)
        db.execute("INSERT INTO tags DEFAULT VALUES")
    assert [row["name"] for row in store.query("SELECT name FROM tags")] == ["a;b"]


def test_a_caught_inner_failure_undoes_only_the_inner_part() -> None:
    store = Store(memory=True)
    store.ensure("notes", NOTES)
    with store.transaction() as db:
        db.execute("INSERT INTO notes (text) VALUES ('outer')")
        with pytest.raises(RuntimeError), store.transaction() as inner:
            inner.execute("INSERT INTO notes (text) VALUES ('inner')")
            raise RuntimeError("inner fails")
        db.execute("INSERT INTO notes (text) VALUES ('after')")
    texts = [row["text"] for row in store.query("SELECT text FROM notes ORDER BY id")]
    assert texts == ["outer", "after"]
