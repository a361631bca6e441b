"""The history database, for real (SQLite files in tmp_path, never mocks)."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from app.core.history import schema
from app.core.history.record import entry_from_results
from app.core.history.search import MARK_END, MARK_START, Filters, fts_query
from app.core.history.store import DICTATION, FILE, HistoryStore, NewEntry, OutputText
from app.core.transcript import Segment, Task, TaskSpec, TranscriptResult


def entry(text: str, kind: str = DICTATION, created: float = 1000.0, **kw) -> NewEntry:
    outputs = kw.pop("outputs", None) or [OutputText("en", [(1.0, 2.5, text)])]
    return NewEntry(kind, kw.pop("source", "rec-1"), "transcribe", outputs, created=created, **kw)


@pytest.fixture
def store(tmp_path: Path):
    s = HistoryStore(tmp_path / "history" / "history.db")
    yield s
    s.close()


def test_file_is_private_wal_and_latest_schema(store: HistoryStore) -> None:
    assert stat.S_IMODE(os.stat(store.path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(store.path.parent).st_mode) == 0o700
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert schema.version(store.conn) == schema.LATEST
    store.add(entry("hello"))
    for extra in ("-wal", "-shm"):
        side = Path(f"{store.path}{extra}")
        assert not side.exists() or stat.S_IMODE(os.stat(side).st_mode) == 0o600


def test_search_marks_matches_newest_first_with_prefixes(store: HistoryStore) -> None:
    store.add(entry("The quick brown fox", created=100.0))
    store.add(entry("A slow brown bear", created=200.0))
    store.add(entry("Nothing here", created=300.0))
    hits = store.search("brown")
    assert [h.text for h in hits] == ["A slow brown bear", "The quick brown fox"]
    assert hits[0].marked == f"A slow {MARK_START}brown{MARK_END} bear"
    assert [h.text for h in store.search("qui FOX")] == ["The quick brown fox"]
    assert (hits[0].start, hits[0].end, hits[0].kind, hits[0].source) == (
        1.0,
        2.5,
        DICTATION,
        "rec-1",
    )
    assert store.search("brown", limit=1)[0].text == "A slow brown bear"


def test_any_typed_text_is_a_valid_query(store: HistoryStore) -> None:
    store.add(entry('He said "NEAR" AND OR * ( ) x'))
    for query in ['"', "AND", "NEAR(", "*", "(", "a:b", "-x", "'"]:
        store.search(query)  # never an FTS syntax error
    assert fts_query('a"b c') == '"a"* AND "b"* AND "c"*'
    assert store.search("   ") == []
    assert len(store.search("near")) == 1


def test_accents_and_cjk(store: HistoryStore) -> None:
    store.add(entry("Le café est très bon"))
    store.add(
        entry("東京都に行きました", outputs=[OutputText("ja", [(0.0, 1.0, "東京都に行きました")])])
    )
    assert [h.text for h in store.search("cafe tres")] == ["Le café est très bon"]
    [hit] = store.search("京都")
    assert hit.marked == f"東{MARK_START}京都{MARK_END}に行きました"


def test_filters(store: HistoryStore) -> None:
    store.add(entry("alpha one", DICTATION, 100.0))
    store.add(entry("alpha two", FILE, 200.0, source="/tmp/talk.mp3"))
    fr = [OutputText("en", [(0, 1, "alpha three")]), OutputText("fr", [(0, 1, "alpha trois")])]
    store.add(entry("", FILE, 300.0, outputs=fr))

    def texts(f: Filters) -> list[str]:
        return [h.text for h in store.search("alpha", filters=f)]

    assert texts(Filters(kind=FILE)) == ["alpha trois", "alpha three", "alpha two"]
    assert texts(Filters(since=150.0, until=300.0)) == ["alpha two"]
    assert texts(Filters(language="fr")) == ["alpha trois"]
    assert [e.preview for e in store.entries(filters=Filters(kind=DICTATION))] == ["alpha one"]


def test_a_job_is_atomic(store: HistoryStore) -> None:
    bad = entry("x", outputs=[OutputText("en", [(0.0, 1.0, "fine"), (1.0, 2.0, None)])])  # type: ignore[list-item]
    with pytest.raises(AttributeError):
        store.add(bad)
    assert store.count() == (0, 0)
    assert store.search("fine") == []
    store.add(entry("fine"))
    assert store.count() == (1, 1)


def test_entries_outputs_and_delete_keep_shared_and_user_audio(
    store: HistoryStore, tmp_path: Path
) -> None:
    rec = str(tmp_path / "rec.wav")
    a = store.add(entry("first", audio_path=rec, audio_owned=True))
    b = store.add(entry("second", audio_path=rec, audio_owned=True, created=2000.0))
    c = store.add(entry("talk", FILE, audio_path="/users/file.mp3"))
    assert [e.id for e in store.entries()] == [b, c, a]  # newest first, then the later id
    assert store.outputs(a) == [OutputText("en", [(1.0, 2.5, "first")])]
    assert store.delete([a]) == []  # b still uses the recording
    assert store.delete([b, c]) == [rec]  # the user's file is never returned
    assert store.count() == (0, 0) and store.search("first") == []


def test_corrupt_database_is_moved_aside_and_a_new_one_starts(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    path.write_bytes(b"this is not a database" * 100)
    store = HistoryStore(path)
    assert "damaged" in store.notice and "\n" not in store.notice
    aside = list(tmp_path.glob("history.db.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"this is not")
    store.add(entry("works again"))
    assert len(store.search("works")) == 1
    store.close()


def test_a_database_locked_by_another_process_is_not_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    store = HistoryStore(path)
    store.add(entry("kept safe"))
    store.close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("PRAGMA locking_mode = EXCLUSIVE")
    other.execute("BEGIN EXCLUSIVE")  # held: nobody else can even read
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            HistoryStore(path, timeout=0.1)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert not list(tmp_path.glob("*.corrupt-*"))
    again = HistoryStore(path)
    assert not again.notice and len(again.search("safe")) == 1
    again.close()


def test_newer_schema_is_refused_not_destroyed(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {schema.LATEST + 1}")
    conn.close()
    with pytest.raises(schema.SchemaError, match="newer version"):
        HistoryStore(path)
    assert path.exists() and not list(tmp_path.glob("*.corrupt-*"))


def test_entry_from_results() -> None:
    spec = TaskSpec(Task.TRANSLATE, "en", "fr")
    results = [
        TranscriptResult(TaskSpec(source_language="en"), [Segment(0, 1, "hi")], "m", "rec", 1.5),
        TranscriptResult(spec, [Segment(0, 1, "salut")], "m", "rec", 1.5),
    ]
    e = entry_from_results(DICTATION, results, audio_path="/r.wav", created=5.0)
    assert e is not None and e.audio_owned and e.target_languages == ["fr"] and e.created == 5.0
    assert [o.language for o in e.outputs] == ["en", "fr"] and e.duration == 1.5
    assert entry_from_results(FILE, [TranscriptResult(spec)]) is None
