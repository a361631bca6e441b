"""Feeds finished jobs into the history: the bridge's results go, as one ``NewEntry`` per job,
to the history thread (``app.core.history.service``); nothing here touches SQLite.

File jobs are known from ``FileJobs.jobAdded`` (path, job id); every other finished job on
the bridge is a dictated utterance, whose audio is the app's recording
(``<recordings>/<source>.wav``) with the segment times inside it. The replacement rules that
applied to the pane apply to the stored text too (always for dictation, for files when
chosen); a dictated transcript is stored as written after its spoken commands, and an
utterance that was only a command ("new line", "scratch that") is not stored. What an entry
holds is decided in ``app.core.history.record`` (shared with the command line).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Slot

from app.core.history import retention
from app.core.history.record import dictation_entry, file_entry
from app.core.history.service import HistoryService
from app.core.history.store import DICTATION, FILE, HistoryStore
from app.core.storage import recordings
from app.core.text.commands import CommandSet
from app.core.text.rules import Rule
from app.core.transcript import TranscriptResult

log = logging.getLogger(__name__)


class HistoryRecorder(QObject):
    def __init__(
        self,
        service: HistoryService,
        enabled: Callable[[], bool] = lambda: True,
        recordings_folder: Path | None = None,
        parent: QObject | None = None,
        rules: Callable[[str], Sequence[Rule]] = lambda _kind: (),
        commands: Callable[[], CommandSet | None] = lambda: None,
    ) -> None:
        super().__init__(parent)
        self._commands = commands  # spoken commands in force (dictation only)
        self._rules = rules  # replacement rules for an entry of this kind (what the pane got)
        self.service = service
        self._enabled = enabled
        self._folder = recordings_folder
        self._files: dict[int, str] = {}  # job id -> path
        self.stored = 0  # entries handed to the history thread
        self._dictated: list[int] = []  # ids of stored dictation entries (history thread only)

    def watch(self, bridge: QObject, file_jobs: QObject | None = None) -> None:
        bridge.jobFinished.connect(self.on_finished)  # type: ignore[attr-defined]
        bridge.jobFailed.connect(self.on_failed)  # type: ignore[attr-defined]
        if file_jobs is not None:
            file_jobs.jobAdded.connect(self.on_file_added)  # type: ignore[attr-defined]

    @Slot(str, int)
    def on_file_added(self, path: str, job_id: int) -> None:
        self._files[job_id] = path

    @Slot(int, str)
    def on_failed(self, job_id: int, _message: str) -> None:
        self._files.pop(job_id, None)

    @Slot(int, object)
    def on_finished(self, job_id: int, results: list[TranscriptResult]) -> None:
        path = self._files.pop(job_id, None)
        if not self._enabled():
            return
        if path is not None:
            entry = file_entry(path, results, self._rules(FILE))
        else:
            folder = self._folder or recordings.recordings_dir()
            source = results[0].source if results else ""
            wav = folder / f"{source}.wav" if source else None
            audio = str(wav) if wav is not None and wav.exists() else None
            commands = self._commands()
            rules = self._rules(DICTATION)
            entry = dictation_entry(results, rules, commands, source=source, audio_path=audio)
        if entry is not None:
            done = self._remember if path is None else None
            self.service.add(entry, done)
            self.stored += 1

    def _remember(self, entry_id: int) -> None:
        """On the history thread: the newest dictation entries, for undo."""
        self._dictated.append(entry_id)
        del self._dictated[:-50]

    @Slot()
    def forget_last_dictation(self) -> None:
        """The last dictated utterance was undone ("scratch that", Undo Last Dictation): its
        entry goes too. Runs on the history thread, after the entry was added."""
        ids = self._dictated

        def forget(store: HistoryStore) -> int:
            return retention.delete_entries(store, [ids.pop()]) if ids else 0

        self.service.call(forget)
