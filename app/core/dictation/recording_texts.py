"""The committed text of each dictated recording, saved in its sidecar once it is complete.

The text of a recording (its journal id is the ``source`` of its utterances' jobs) is complete
when the recording has stopped and none of its jobs is left; then it is stored as the
recording's transcript (``RecordingInfo.transcript``), so the Recordings panel shows it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from app.core.storage.recordings import RecordingInfo
from app.core.text.text_join import join_all

log = logging.getLogger(__name__)


class RecordingTexts:
    def __init__(self) -> None:
        self._texts: dict[str, list[str]] = {}  # recording id -> committed texts
        self._finished: dict[str, RecordingInfo] = {}

    def add(self, source: str, text: str) -> None:
        self._texts.setdefault(source, []).append(text)

    def finished(self, info: RecordingInfo) -> None:
        """The recording stopped (its last utterances may still be running)."""
        self._finished[info.id] = info

    def save_complete(self, busy: Iterable[str]) -> list[str]:
        """Store the transcript of every finished recording with no job left (``busy``: the
        sources of the jobs still running); returns the ids stored."""
        running = set(busy)
        stored: list[str] = []
        for rec_id, info in list(self._finished.items()):
            if rec_id in running:
                continue
            del self._finished[rec_id]
            texts = self._texts.pop(rec_id, [])
            if not texts:
                continue
            info.transcript = join_all(texts)
            try:
                info.save()
            except OSError as err:
                log.warning("cannot store the transcript of %s: %s", rec_id, err)
                continue
            stored.append(rec_id)
        return stored
