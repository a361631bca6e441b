"""The command line writes the searchable history too: ``transcribe`` stores each finished file
(what was written: rules and speaker labels applied) and ``listen`` each finished utterance,
as the window does (``app.core.history.record`` builds the entries for both).

The history thread (``HistoryService``) does the SQLite work, so the transcription never waits
for it; only the end of the command waits, at most ``FLUSH_SECONDS``, for what is still queued.
A history problem (a damaged database moved aside, a locked or unwritable one) never fails the
command: it gives one warning line at the end, at most.

``--no-history`` turns it off for one run. Preferences' "keep history" and "keep N days" are read
from the settings file without Qt (``read_history_prefs``): off means nothing is stored; N days
prunes older entries (and the recordings only they used) before adding, as the window does at
start. The window's replacement rules and spoken commands are not applied: the command line
stores what it printed or wrote (its own ``--rules``).
"""

from __future__ import annotations

import argparse
import configparser
import logging
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

from app.cli.common import say
from app.core.errors import GraniteError
from app.core.history import retention
from app.core.history.record import default_path, dictation_entry, file_entry
from app.core.history.service import HistoryService
from app.core.history.store import HistoryStore, NewEntry
from app.core.preferences import Preferences, from_mapping
from app.core.storage import paths
from app.core.text.rules import Rule
from app.core.transcript import TranscriptResult

log = logging.getLogger(__name__)

FLUSH_SECONDS = 5.0  # the most the end of a command waits for the history
BUSY_MS = 2000  # how long one write waits for a database another process is writing
_KEYS = ("history_enabled", "history_keep_days")


def add_history_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-history", action="store_true", help="do not store the results in the history"
    )


def read_history_prefs(path: Path | None = None) -> Preferences:
    """Preferences with the history fields read from the settings file (``[preferences]``
    ``history_enabled``, ``history_keep_days``, as QSettings writes them); anything missing or
    unreadable is the default (history on, kept forever)."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read(path or paths.settings_path(), encoding="utf-8")
        section = parser["preferences"] if parser.has_section("preferences") else {}
        data = {k: str(section[k]).strip().strip('"') for k in _KEYS if k in section}
    except (configparser.Error, OSError, UnicodeDecodeError) as err:
        log.warning("cannot read the history settings: %s", err)
        return Preferences()
    return from_mapping(data)[0]


class CliHistory:
    """One command's history writer; ``open`` gives ``None`` when the history is off."""

    def __init__(
        self, service: HistoryService, keep_days: int = 0, notices: list[str] | None = None
    ) -> None:
        self.service = service
        self.problem = ""  # the first write that went wrong (history thread)
        self.stored = 0  # entries written (history thread)
        self._notices = notices if notices is not None else []  # the service's one-liners
        service.call(self._prepare(keep_days))

    @classmethod
    def open(cls, ns: argparse.Namespace, path: Path | None = None) -> CliHistory | None:
        if getattr(ns, "no_history", False):
            return None
        prefs = read_history_prefs()
        if not prefs.history_enabled:
            return None
        notices: list[str] = []
        try:
            service = HistoryService(path or default_path(), notices.append).start()
        except (OSError, RuntimeError) as err:  # no data folder, no thread
            say(f"warning: history not saved: {err}")
            return None
        return cls(service, prefs.history_keep_days, notices)

    @staticmethod
    def _prepare(keep_days: int) -> Callable[[HistoryStore], None]:
        def prepare(store: HistoryStore) -> None:
            store.conn.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
            retention.prune(store, keep_days)

        return prepare

    def add_file(self, path: Path | str, results: Sequence[TranscriptResult]) -> None:
        self._add(lambda: file_entry(str(Path(path).absolute()), results))

    def add_dictation(
        self,
        results: Sequence[TranscriptResult],
        rules: Sequence[Rule] = (),
        audio_path: Path | None = None,
    ) -> None:
        """An utterance as printed (``rules`` applied); ``audio_path`` is the user's
        ``--save-audio`` file (never deleted with the history), segment times inside it."""
        audio = None if audio_path is None else str(audio_path.absolute())
        self._add(lambda: dictation_entry(results, rules, audio_path=audio, audio_owned=False))

    def recorder(
        self, rules: Sequence[Rule] = (), audio_path: Path | None = None
    ) -> Callable[[list[TranscriptResult]], None]:
        """``add_dictation`` with this run's rules and saved audio (``listen``)."""
        return lambda results: self.add_dictation(results, rules, audio_path)

    def _add(self, make: Callable[[], NewEntry | None]) -> None:
        try:
            entry: NewEntry | None = make()
        except Exception as err:  # a bad result never stops the command
            self.problem = self.problem or str(err)
            return
        if entry is not None:
            self.service.call(self._writer(entry))

    def _writer(self, entry: NewEntry) -> Callable[[HistoryStore], None]:
        def write(store: HistoryStore) -> None:
            if self.problem:
                return  # one failure is enough: no second wait on a locked database
            try:
                store.add(entry)
                self.stored += 1
            except (sqlite3.Error, OSError, GraniteError) as err:
                self.problem = str(err)

        return write

    def close(self) -> None:
        """Wait (at most ``FLUSH_SECONDS``) for the queued entries; one warning line if the
        history could not be used."""
        done = self.service.flush(FLUSH_SECONDS)
        self.service.stop(timeout=0.5 if done else 0.0)
        problem = self.problem or ("" if done else "the history database is busy")
        if problem:
            say(f"warning: history not saved: {problem}")
        elif self._notices:
            say(f"warning: history: {self._notices[0]}")
