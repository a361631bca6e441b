"""Migrations from the first version on, with data written by each old version."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.core.history import schema
from app.core.history.store import HistoryStore


def test_every_version_upgrades_with_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    assert schema.migrate(conn, target=1) == 1
    conn.execute(
        "INSERT INTO entries (id, created, kind, source, task)"
        " VALUES (1, 5, 'file', 'a.mp3', 'transcribe')"
    )
    conn.execute(
        'INSERT INTO segments (entry_id, output, start, "end", text)'
        " VALUES (1, 0, 0, 1, 'written by version one')"
    )
    conn.close()
    store = HistoryStore(path)  # opening migrates to the latest version
    assert schema.version(store.conn) == schema.LATEST
    [hit] = store.search("version one")
    assert hit.source == "a.mp3" and hit.text == "written by version one"
    indexes = {
        r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type='index'")
    }
    assert {"entries_created", "segments_entry"} <= indexes
    store.close()


@pytest.mark.parametrize("start", range(schema.LATEST + 1))
def test_each_step_from_each_version(tmp_path: Path, start: int) -> None:
    conn = sqlite3.connect(tmp_path / "x.db", isolation_level=None)
    schema.migrate(conn, target=start)
    assert schema.version(conn) == start
    assert schema.migrate(conn) == schema.LATEST
    assert schema.migrate(conn) == schema.LATEST  # idempotent
    conn.close()


def test_a_failing_step_leaves_the_previous_version(tmp_path: Path, monkeypatch) -> None:
    conn = sqlite3.connect(tmp_path / "x.db", isolation_level=None)
    schema.migrate(conn, target=1)
    broken = (*schema.MIGRATIONS[:1], "CREATE TABLE t (x); SELECT * FROM no_such_table;")
    monkeypatch.setattr(schema, "MIGRATIONS", broken)
    with pytest.raises(sqlite3.OperationalError):
        schema.migrate(conn, target=2)
    assert schema.version(conn) == 1
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 't'").fetchone()[0] == 0
    conn.close()
