"""Keeping the history for N days (or forever) and deleting all of it.

Deleting an entry deletes the app's own recording (WAV and sidecar) once no remaining entry
refers to it; a transcribed file of the user's is never touched. Keeping N days also deletes
the app's finished recordings older than that (the Recordings panel's files).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from app.core.history.store import HistoryStore
from app.core.storage import recordings

log = logging.getLogger(__name__)
DAY = 86400.0


def remove_recordings(paths: Iterable[str]) -> int:
    """Delete recordings (``x.wav`` and ``x.json``); returns how many WAVs went."""
    removed = 0
    for name in paths:
        wav = Path(name)
        for path in (wav, wav.with_suffix(".json")):
            try:
                path.unlink(missing_ok=True)
            except OSError as err:
                log.warning("cannot delete %s: %s", path, err)
        removed += not wav.exists()
    return removed


def delete_entries(store: HistoryStore, entry_ids: list[int]) -> int:
    """Delete entries and the recordings only they used; returns the entries deleted."""
    remove_recordings(store.delete(entry_ids))
    return len(entry_ids)


def prune(
    store: HistoryStore,
    keep_days: int,
    now: float | None = None,
    recordings_folder: Path | None = None,
) -> int:
    """Delete entries older than ``keep_days`` (0 = keep forever) and, given their folder,
    the app's finished recordings older than that (history or not; one being written is never
    touched); returns how many entries went."""
    if keep_days <= 0:
        return 0
    cutoff = (time.time() if now is None else now) - keep_days * DAY
    removed = delete_entries(store, store.older_than(cutoff))
    if recordings_folder is not None:
        prune_recordings(cutoff, recordings_folder)
    return removed


def prune_recordings(cutoff: float, folder: Path) -> int:
    """Delete finished recordings created before ``cutoff`` (Unix time); returns how many."""
    try:
        infos = recordings.list_recordings(folder)
    except OSError as err:
        log.warning("cannot list recordings: %s", err)
        return 0
    old = []
    for info in infos:
        try:
            created = datetime.fromisoformat(info.created).timestamp()
        except ValueError:
            continue
        if not info.unfinished and created < cutoff:
            old.append(str(info.wav))
    return remove_recordings(old)


def delete_all(store: HistoryStore) -> int:
    return delete_entries(store, store.all_ids())
