"""``HistoryService``: the one thread that owns the history database.

Everything SQLite does runs here: adding finished jobs (the engine's result path only
enqueues a ``NewEntry``), searches, listings and deletions. ``call(fn, done)`` runs
``fn(store)`` on the thread and hands the result to ``done`` *on that thread* (a Qt front end
relays it with a queued signal). The database is opened on the thread, so a slow or damaged
file never delays start-up; ``on_notice`` gets the one-line message when a damaged database
was moved aside or the history cannot be used.
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.core.errors import GraniteError
from app.core.history.store import HistoryStore, NewEntry

log = logging.getLogger(__name__)

Job = Callable[[HistoryStore], Any]
Done = Callable[[Any], None]


class HistoryService:
    def __init__(self, path: Path, on_notice: Callable[[str], None] | None = None) -> None:
        self.path = path
        self._notice = on_notice or (lambda _m: None)
        self._q: queue.Queue[tuple[Job, Done | None] | threading.Event | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="history", daemon=True)
        self._store: HistoryStore | None = None
        self.broken = ""  # why the history is unusable ("" = fine)

    def start(self) -> HistoryService:
        self._thread.start()
        return self

    def add(self, entry: NewEntry, done: Callable[[int], None] | None = None) -> None:
        """Store a finished job (never blocks)."""
        self.call(lambda store: store.add(entry), done)

    def call(self, fn: Job, done: Done | None = None) -> None:
        """Run ``fn(store)`` on the history thread; ``done(result)`` there too. Skipped while
        the history is unusable (``broken``)."""
        self._q.put((fn, done))

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything queued so far ran (command line and tests; never the GUI)."""
        ran = threading.Event()
        self._q.put(ran)
        return ran.wait(timeout)

    def stop(self, timeout: float = 3.0) -> None:
        if self._thread.is_alive():
            self._q.put(None)
            self._thread.join(timeout)

    def _open(self) -> HistoryStore | None:
        try:
            store = HistoryStore(self.path)
        except (GraniteError, sqlite3.Error, OSError) as err:
            self.broken = f"History is off: {err}"
            log.warning(self.broken)
            self._notice(self.broken)
            return None
        if store.notice:
            self._notice(store.notice)
        return store

    def _run(self) -> None:
        self._store = self._open()
        while (item := self._q.get()) is not None:
            if isinstance(item, threading.Event):
                item.set()
            elif self._store is not None:
                self._do(self._store, *item)
        if self._store is not None:
            self._store.close()

    @staticmethod
    def _do(store: HistoryStore, fn: Job, done: Done | None) -> None:
        try:
            result = fn(store)
        except (sqlite3.Error, OSError, GraniteError) as err:
            log.warning("history: %s", err)
            return
        if done is not None:
            try:
                done(result)
            except Exception:
                log.exception("history: result handler failed")
