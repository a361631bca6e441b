"""The history thread: writes and searches run on it, a damaged or newer database never
blocks, retention deletes entries and the app's recordings (never the user's files)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from app.core.history import retention, schema
from app.core.history.service import HistoryService
from app.core.history.store import DICTATION, FILE, HistoryStore, NewEntry, OutputText


def entry(text: str, created: float = 1000.0, **kw) -> NewEntry:
    kind = kw.pop("kind", DICTATION)
    return NewEntry(
        kind, "rec", "transcribe", [OutputText("en", [(0, 1, text)])], created=created, **kw
    )


def test_writes_and_searches_run_on_the_history_thread(tmp_path: Path) -> None:
    notices: list[str] = []
    service = HistoryService(tmp_path / "h.db", notices.append).start()
    threads: list[str] = []
    ids: list[int] = []
    service.add(entry("hello history"), ids.append)
    found: list[list[str]] = []

    def search(store: HistoryStore) -> list[str]:
        threads.append(threading.current_thread().name)
        return [h.text for h in store.search("hello")]

    service.call(search, found.append)
    assert service.flush()
    assert ids == [1] and found == [["hello history"]] and threads == ["history"]
    assert notices == []
    service.stop()


def test_a_damaged_file_gives_a_notice_and_a_new_history(tmp_path: Path) -> None:
    (tmp_path / "h.db").write_text("garbage" * 100)
    notices: list[str] = []
    service = HistoryService(tmp_path / "h.db", notices.append).start()
    service.add(entry("after repair"))
    assert service.flush()
    assert len(notices) == 1 and "moved to h.db.corrupt-" in notices[0]
    service.stop()


def test_a_newer_database_turns_history_off_without_blocking(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "h.db")
    conn.execute(f"PRAGMA user_version = {schema.LATEST + 5}")
    conn.close()
    notices: list[str] = []
    service = HistoryService(tmp_path / "h.db", notices.append).start()
    done: list[int] = []
    service.add(entry("dropped"), done.append)
    assert service.flush()
    assert done == [] and service.broken.startswith("History is off:")
    assert notices == [service.broken]
    service.stop()


def test_retention_and_delete_all_remove_app_recordings_only(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h.db")
    old_wav, new_wav, user = tmp_path / "old.wav", tmp_path / "new.wav", tmp_path / "talk.mp3"
    for f in (old_wav, new_wav, user, old_wav.with_suffix(".json")):
        f.write_bytes(b"x")
    day = retention.DAY
    store.add(entry("old words", 0.0, audio_path=str(old_wav), audio_owned=True))
    store.add(entry("new words", 10 * day, audio_path=str(new_wav), audio_owned=True))
    store.add(entry("user file", 0.0, kind=FILE, audio_path=str(user)))
    assert retention.prune(store, 0, now=10 * day) == 0  # forever
    assert retention.prune(store, 5, now=10 * day) == 2
    assert not old_wav.exists() and not old_wav.with_suffix(".json").exists()
    assert new_wav.exists() and user.exists()
    assert [h.text for h in store.search("words")] == ["new words"]
    assert retention.delete_all(store) == 1
    assert not new_wav.exists() and user.exists() and store.count() == (0, 0)
    store.close()


def test_keeping_n_days_also_deletes_old_finished_recordings(tmp_path: Path) -> None:
    import json

    from app.core.storage import recordings

    folder = tmp_path / "recordings"
    folder.mkdir()

    def recording(rec_id: str, created: str, status: str) -> Path:
        wav = folder / f"{rec_id}.wav"
        wav.write_bytes(b"RIFF")
        info = {"id": rec_id, "wav": wav.name, "created": created, "status": status}
        wav.with_suffix(".json").write_text(json.dumps(info), "utf-8")
        return wav

    old = recording("old", "2020-01-01T00:00:00+00:00", recordings.STATUS_COMPLETE)
    busy = recording("busy", "2020-01-01T00:00:00+00:00", recordings.STATUS_RECORDING)
    new = recording("new", "2030-01-01T00:00:00+00:00", recordings.STATUS_COMPLETE)
    store = HistoryStore(tmp_path / "h.db")
    now = datetime_ts("2025-01-01T00:00:00+00:00")
    retention.prune(store, 30, now=now)  # no folder given: recordings are not touched
    assert old.exists()
    retention.prune(store, 30, now=now, recordings_folder=folder)
    assert not old.exists() and not old.with_suffix(".json").exists()
    assert busy.exists() and new.exists()
    store.close()


def datetime_ts(iso: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(iso).timestamp()
