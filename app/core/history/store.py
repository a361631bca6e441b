"""``HistoryStore``: one SQLite connection to the history database (use it from one thread:
``app.core.history.service`` owns it).

The file is created 0600 in a 0700 folder, in WAL mode. Opening migrates the schema; a file
that is not a usable database is moved aside (``history.db.corrupt-<time>``) and a new one is
started, with ``notice`` saying so: a damaged history never stops the app. Each job is added in
one transaction (entry, all its segments and their index rows, or nothing).

Search itself (the FTS5 query, CJK bigrams, marking the matches) is in
``app.core.history.search``.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from app.core.history import schema
from app.core.history.search import Filters, Hit, filter_sql, search_segments

log = logging.getLogger(__name__)

DICTATION, FILE = "dictation", "file"


@dataclass(frozen=True)
class OutputText:
    """One output of a job: its language and timed segments ``(start, end, text)``."""

    language: str | None
    segments: Sequence[tuple[float, float, str]]


@dataclass(frozen=True)
class NewEntry:
    kind: str  # DICTATION or FILE
    source: str
    task: str
    outputs: Sequence[OutputText]
    source_language: str | None = None
    target_languages: Sequence[str] = ()
    model: str = ""
    duration: float = 0.0
    audio_path: str | None = None
    audio_start: float = 0.0
    audio_owned: bool = False
    created: float = field(default_factory=time.time)


@dataclass(frozen=True)
class Entry:
    id: int
    created: float
    kind: str
    source: str
    task: str
    source_language: str | None
    target_languages: tuple[str, ...]
    model: str
    duration: float
    audio_path: str | None
    audio_start: float
    audio_owned: bool
    preview: str = ""  # the start of the transcript (listing)


class HistoryStore:
    def __init__(self, path: Path, timeout: float = 5.0) -> None:
        self.path = path
        self.timeout = timeout  # seconds to wait for another process's write
        self.notice = ""  # set when a damaged database was moved aside
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            self.conn = self._open()
        except (sqlite3.DatabaseError, schema.SchemaError) as err:
            if isinstance(err, schema.SchemaError) or _busy(err):
                raise  # a newer schema, or a database another process holds: not damaged
            aside = self._move_aside()
            self.notice = (
                f"The history database was damaged ({err}); it was moved to {aside.name} "
                "and a new, empty history was started."
            )
            log.warning(self.notice)
            self.conn = self._open()

    def _open(self) -> sqlite3.Connection:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        os.close(fd)
        os.chmod(self.path, 0o600)
        conn = sqlite3.connect(
            self.path, timeout=self.timeout, isolation_level=None, check_same_thread=False
        )
        try:
            conn.execute("PRAGMA journal_mode = WAL").fetchone()
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = NORMAL")
            schema.migrate(conn)
            check = conn.execute("PRAGMA quick_check(1)").fetchone()[0]
            if check != "ok":
                raise sqlite3.DatabaseError(check)
        except BaseException:
            conn.close()
            raise
        for extra in ("-wal", "-shm"):
            sidecar = Path(f"{self.path}{extra}")
            if sidecar.exists():
                os.chmod(sidecar, 0o600)
        return conn

    def _move_aside(self) -> Path:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        for extra in ("", "-wal", "-shm"):
            src = Path(f"{self.path}{extra}")
            if src.exists():
                os.replace(src, Path(f"{aside}{extra}"))
        return aside

    def close(self) -> None:
        self.conn.close()

    # -- writing ---------------------------------------------------------------------------
    def add(self, entry: NewEntry) -> int:
        """Store one job atomically; returns its id."""
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        try:
            cur = c.execute(
                "INSERT INTO entries (created, kind, source, task, source_language,"
                " target_languages, model, duration, audio_path, audio_start, audio_owned)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    entry.created,
                    entry.kind,
                    entry.source,
                    entry.task,
                    entry.source_language,
                    ",".join(entry.target_languages),
                    entry.model,
                    entry.duration,
                    entry.audio_path,
                    entry.audio_start,
                    int(entry.audio_owned),
                ),
            )
            entry_id = int(cur.lastrowid or 0)
            c.executemany(
                'INSERT INTO segments (entry_id, output, language, start, "end", text)'
                " VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (entry_id, index, out.language, start, end, text.strip())
                    for index, out in enumerate(entry.outputs)
                    for start, end, text in out.segments
                    if text.strip()
                ],
            )
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise
        return entry_id

    # -- reading ---------------------------------------------------------------------------
    def search(self, words: str, limit: int = 20, filters: Filters | None = None) -> list[Hit]:
        """Newest matching segments first; ``[]`` for a query without words."""
        return search_segments(self.conn, words, limit, filters or Filters())

    _ENTRY_COLUMNS = (
        "e.id, e.created, e.kind, e.source, e.task, e.source_language, e.target_languages,"
        " e.model, e.duration, e.audio_path, e.audio_start, e.audio_owned"
    )

    def _entry(self, r: tuple[object, ...], preview: str = "") -> Entry:
        targets = str(r[6] or "")
        return Entry(
            int(r[0]),  # type: ignore[call-overload]
            float(r[1]),  # type: ignore[arg-type]
            str(r[2]),
            str(r[3]),
            str(r[4]),
            None if r[5] is None else str(r[5]),
            tuple(t for t in targets.split(",") if t),
            str(r[7]),
            float(r[8]),  # type: ignore[arg-type]
            None if r[9] is None else str(r[9]),
            float(r[10]),  # type: ignore[arg-type]
            bool(r[11]),
            preview,
        )

    def entries(self, limit: int = 50, filters: Filters | None = None) -> list[Entry]:
        """Newest first, each with the start of its transcript."""
        where, args = filter_sql(replace_language(filters))
        rows = self.conn.execute(
            f"SELECT {self._ENTRY_COLUMNS}, (SELECT group_concat(text, ' ') FROM"
            " (SELECT text FROM segments s WHERE s.entry_id = e.id AND s.output = 0"
            "  ORDER BY s.start LIMIT 3))"
            f" FROM entries e WHERE 1 {where} ORDER BY e.created DESC, e.id DESC LIMIT ?",
            (*args, limit),
        ).fetchall()
        return [self._entry(r, str(r[12] or "")) for r in rows]

    def entry(self, entry_id: int) -> Entry | None:
        row = self.conn.execute(
            f"SELECT {self._ENTRY_COLUMNS} FROM entries e WHERE e.id = ?", (entry_id,)
        ).fetchone()
        return None if row is None else self._entry(row)

    def outputs(self, entry_id: int) -> list[OutputText]:
        """The entry's outputs in order, each with its segments by time."""
        rows = self.conn.execute(
            'SELECT output, language, start, "end", text FROM segments WHERE entry_id = ?'
            " ORDER BY output, start, id",
            (entry_id,),
        ).fetchall()
        outs: dict[int, tuple[str | None, list[tuple[float, float, str]]]] = {}
        for output, language, start, end, text in rows:
            outs.setdefault(int(output), (language, []))[1].append((start, end, text))
        return [OutputText(lang, segs) for _, (lang, segs) in sorted(outs.items())]

    def count(self) -> tuple[int, int]:
        """(entries, segments)."""
        e = self.conn.execute("SELECT count(*) FROM entries").fetchone()[0]
        s = self.conn.execute("SELECT count(*) FROM segments").fetchone()[0]
        return int(e), int(s)

    # -- deleting ----------------------------------------------------------------------------
    def delete(self, entry_ids: Sequence[int]) -> list[str]:
        """Delete entries (their segments and index rows with them); returns the app
        recordings no remaining entry refers to (the caller deletes those files)."""
        if not entry_ids:
            return []
        c = self.conn
        marks = ",".join("?" * len(entry_ids))
        c.execute("BEGIN IMMEDIATE")
        try:
            owned = {
                str(r[0])
                for r in c.execute(
                    f"SELECT DISTINCT audio_path FROM entries WHERE id IN ({marks})"
                    " AND audio_owned = 1 AND audio_path IS NOT NULL",
                    tuple(entry_ids),
                )
            }
            c.execute(f"DELETE FROM entries WHERE id IN ({marks})", tuple(entry_ids))
            still = {
                str(r[0])
                for r in c.execute(
                    "SELECT DISTINCT audio_path FROM entries WHERE audio_path IS NOT NULL"
                )
            }
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise
        return sorted(owned - still)

    def older_than(self, cutoff: float) -> list[int]:
        rows = self.conn.execute("SELECT id FROM entries WHERE created < ?", (cutoff,))
        return [int(r[0]) for r in rows]

    def all_ids(self) -> list[int]:
        return [int(r[0]) for r in self.conn.execute("SELECT id FROM entries")]


def _busy(err: Exception) -> bool:
    """SQLITE_BUSY / SQLITE_LOCKED (any extended code): locked by someone else, not damaged."""
    code = getattr(err, "sqlite_errorcode", 0) & 0xFF
    return code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def replace_language(filters: Filters | None) -> Filters:
    """Entries have no language column of their own: listing ignores the language filter."""
    f = filters or Filters()
    return Filters(f.since, f.until, f.kind, None)
