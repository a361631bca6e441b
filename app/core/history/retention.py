"""Keeping the history for N days (or forever) and deleting all of it.

Deleting an entry deletes the app's own recording (WAV and sidecar) once no remaining entry
refers to it; a transcribed file of the user's is never touched.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from pathlib import Path

from app.core.history.store import HistoryStore

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


def prune(store: HistoryStore, keep_days: int, now: float | None = None) -> int:
    """Delete entries older than ``keep_days`` (0 = keep forever); returns how many."""
    if keep_days <= 0:
        return 0
    cutoff = (time.time() if now is None else now) - keep_days * DAY
    return delete_entries(store, store.older_than(cutoff))


def delete_all(store: HistoryStore) -> int:
    return delete_entries(store, store.all_ids())
