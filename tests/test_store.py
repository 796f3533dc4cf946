from __future__ import annotations

import threading
from pathlib import Path

import pytest

from punchlab.store import Store

DDL = "CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE)"


def test_default_store_lives_in_the_lab_home(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PUNCHLAB_HOME", str(tmp_path))
    store = Store.default()
    try:
        assert store.path == tmp_path / "lab.sqlite3"
        assert store.query("PRAGMA journal_mode")[0][0] == "wal"
    finally:
        store.close()


def test_transaction_is_all_or_nothing() -> None:
    store = Store(memory=True)
    store.ensure("notes", DDL)
    with pytest.raises(Exception, match="UNIQUE"), store.transaction() as db:
        db.execute("INSERT INTO notes (text) VALUES ('a')")
        db.execute("INSERT INTO notes (text) VALUES ('a')")
    assert store.query("SELECT COUNT(*) FROM notes")[0][0] == 0


def test_nested_transactions_join_the_outer_one() -> None:
    store = Store(memory=True)
    store.ensure("notes", DDL)
    with pytest.raises(RuntimeError), store.transaction():
        with store.transaction() as db:
            db.execute("INSERT INTO notes (text) VALUES ('inner')")
        raise RuntimeError("outer fails")
    assert store.query("SELECT COUNT(*) FROM notes")[0][0] == 0


def test_two_stores_on_one_file_see_each_other(tmp_path: Path) -> None:
    first, second = Store(tmp_path / "lab.sqlite3"), Store(tmp_path / "lab.sqlite3")
    for store in (first, second):
        store.ensure("notes", DDL)
    with first.transaction() as db:
        db.execute("INSERT INTO notes (text) VALUES ('shared')")
    assert [r["text"] for r in second.query("SELECT text FROM notes")] == ["shared"]
    assert second.tables() == ["notes"]


def test_threads_can_write_concurrently(tmp_path: Path) -> None:
    store = Store(tmp_path / "lab.sqlite3")
    store.ensure("notes", DDL)

    def write(start: int) -> None:
        for i in range(start, start + 50):
            with store.transaction() as db:
                db.execute("INSERT INTO notes (text) VALUES (?)", (str(i),))

    threads = [threading.Thread(target=write, args=(n * 100,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.query("SELECT COUNT(*) FROM notes")[0][0] == 200


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
