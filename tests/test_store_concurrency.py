"""Opening one lab home from many processes at once (a workshop's notebooks, nbmake workers)."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import stat
from pathlib import Path
from typing import Any

import pytest

from punchlab import Account, PunchlabError, Store, StoreError

ROUNDS = 6  # fresh lab homes per test: each round, every worker opens the same new home


def _open_account(homes: list[str], ready: Any, results: Any) -> None:
    for home in homes:
        os.environ["PUNCHLAB_HOME"] = home
        ready.wait()  # all workers go at once
        try:
            Account().add_agent(name="Ada Lovelace", email=f"ada+{os.getpid()}@example.com")
            results.put("ok")
        except BaseException as exc:  # reported to the parent, which asserts on it
            results.put(f"{type(exc).__name__}: {exc}")


def _open_store(paths: list[str], ready: Any, results: Any) -> None:
    for path in paths:
        ready.wait()
        try:
            store = Store(path)
            store.ensure("notes", "CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY)")
            with store.transaction() as db:
                db.execute("INSERT INTO notes DEFAULT VALUES")
            store.close()
            results.put("ok")
        except BaseException as exc:
            results.put(f"{type(exc).__name__}: {exc}")


def _race(target: Any, paths: list[str], workers: int = 4) -> list[str]:
    """Run `target` in `workers` real processes, all opening each of `paths` at the same time."""
    context = multiprocessing.get_context("spawn")
    ready, results = context.Barrier(workers), context.Queue()
    processes = [
        context.Process(target=target, args=(paths, ready, results)) for _ in range(workers)
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=120) for _ in range(workers * len(paths))]
    for process in processes:
        process.join(timeout=60)
    return outcomes


def test_many_processes_open_a_fresh_lab_home_at_once(tmp_path: Path) -> None:
    homes = [str(tmp_path / f"home {i}") for i in range(ROUNDS)]
    outcomes = _race(_open_account, homes)
    assert [o for o in outcomes if o != "ok"] == []
    for home in homes:
        store = Store(Path(home) / "lab.sqlite3")
        assert store.query("PRAGMA journal_mode")[0][0] == "wal"
        assert store.query("SELECT COUNT(*) FROM agents")[0][0] >= 4
        store.close()


def test_many_processes_create_one_database_at_once(tmp_path: Path) -> None:
    paths = [str(tmp_path / f"shared {i}.sqlite3") for i in range(ROUNDS)]
    outcomes = _race(_open_store, paths)
    assert [o for o in outcomes if o != "ok"] == []
    for path in paths:
        store = Store(path)
        assert store.query("SELECT COUNT(*) FROM notes")[0][0] == 4
        store.close()


def test_a_lock_outlasting_the_timeout_is_punchlabs_error_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import punchlab.store

    path = tmp_path / "busy.sqlite3"
    Store(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    monkeypatch.setattr(punchlab.store, "BUSY_TIMEOUT_S", 0.2)
    try:
        with pytest.raises(StoreError, match="busy") as caught:
            store = Store(path)
            with store.transaction() as db:
                db.execute("CREATE TABLE t (x)")
        assert str(path) in str(caught.value)
        assert isinstance(caught.value, PunchlabError)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_the_lab_home_and_its_database_are_readable_by_the_owner_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "private"
    monkeypatch.setenv("PUNCHLAB_HOME", str(home))
    store = Store.default()
    with store.transaction() as db:  # a write creates the -wal and -shm files
        db.execute("CREATE TABLE t (x)")
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    files = [home / "lab.sqlite3", home / "lab.sqlite3-wal", home / "lab.sqlite3-shm"]
    assert {f.name: stat.S_IMODE(f.stat().st_mode) for f in files} == {f.name: 0o600 for f in files}
    store.close()


def test_a_directory_or_a_file_in_the_way_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=str(tmp_path)):
        Store(tmp_path)
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="a file"):
        Store(blocker / "lab.sqlite3")
