"""``HistoryStore``: one SQLite connection to the history database (use it from one thread:
``app.core.history.service`` owns it).

The file is created 0600 in a 0700 folder, in WAL mode. Opening migrates the schema; a file
that is not a usable database is moved aside (``history.db.corrupt-<time>``) and a new one is
started, with ``notice`` saying so: a damaged history never stops the app. Each job is added in
one transaction (entry, all its segments and their index rows, or nothing).

Search: the words typed are turned into an FTS5 query (each word a prefix term, all required,
quotes escaped, so no input is a syntax error), newest hits first; matches are marked with
``MARK_START``/``MARK_END`` in ``Hit.marked``. Text in Chinese/Japanese has no spaces, so a
query with CJK characters goes through the bigram index (``app.core.history.cjk``): a
substring search that still uses an index.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from app.core.history import cjk, schema
from app.core.text.text_join import is_cjk

log = logging.getLogger(__name__)

MARK_START, MARK_END = "\x02", "\x03"
DICTATION, FILE = "dictation", "file"
_WORD = re.compile(r"\w+", re.UNICODE)


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
class Filters:
    since: float | None = None  # Unix time, inclusive
    until: float | None = None  # Unix time, exclusive
    kind: str | None = None  # DICTATION / FILE / None = both
    language: str | None = None  # the output's language


@dataclass(frozen=True)
class Hit:
    entry_id: int
    segment_id: int
    created: float
    kind: str
    source: str
    output: int
    language: str | None
    start: float
    end: float
    text: str
    marked: str  # text with MARK_START/MARK_END around the matches


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


def fts_query(words: str) -> str:
    """``'new yor'`` → ``'"new"* AND "yor"*'``; ``""`` when there is no word."""
    terms = [w.replace('"', '""') for w in _WORD.findall(words)]
    return " AND ".join(f'"{t}"*' for t in terms)


def _has_cjk(text: str) -> bool:
    return any(is_cjk(ch) for ch in text)


def _mark_all(text: str, needles: Sequence[str]) -> str:
    """Mark every occurrence of the needles (case-insensitive; longest first)."""
    ordered = sorted({n for n in needles if n}, key=len, reverse=True)
    if not ordered:
        return text
    pattern = re.compile("|".join(re.escape(n) for n in ordered), re.IGNORECASE)
    return pattern.sub(lambda m: MARK_START + m.group(0) + MARK_END, text)


class HistoryStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.notice = ""  # set when a damaged database was moved aside
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            self.conn = self._open()
        except (sqlite3.DatabaseError, schema.SchemaError) as err:
            if isinstance(err, schema.SchemaError):
                raise
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
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
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
        f = filters or Filters()
        where, args = self._filter_sql(f)
        if _has_cjk(words):
            return self._search_cjk(words, limit, where, args)
        query = fts_query(words)
        if not query:
            return []
        rows = self.conn.execute(
            'SELECT s.id, s.entry_id, s.output, s.language, s.start, s."end", s.text,'
            f" highlight(segments_fts, 0, '{MARK_START}', '{MARK_END}'),"
            " e.created, e.kind, e.source"
            " FROM segments_fts JOIN segments s ON s.id = segments_fts.rowid"
            " JOIN entries e ON e.id = s.entry_id"
            f" WHERE segments_fts MATCH ? {where}"
            " ORDER BY segments_fts.rowid DESC LIMIT ?",
            (query, *args, limit),
        ).fetchall()
        return [self._hit(r, r[7]) for r in rows]

    def _search_cjk(self, words: str, limit: int, where: str, args: list[object]) -> list[Hit]:
        """CJK runs through the bigram index; other words must match the main index."""
        latin = [w for w in _WORD.findall(words) if not _has_cjk(w)]
        extra, extra_args = "", []
        if latin:
            extra = " AND s.id IN (SELECT rowid FROM segments_fts WHERE segments_fts MATCH ?)"
            extra_args = [fts_query(" ".join(latin))]
        rows = self.conn.execute(
            'SELECT s.id, s.entry_id, s.output, s.language, s.start, s."end", s.text,'
            " s.text, e.created, e.kind, e.source"
            " FROM segments_cjk JOIN segments s ON s.id = segments_cjk.rowid"
            " JOIN entries e ON e.id = s.entry_id"
            f" WHERE segments_cjk MATCH ?{extra} {where}"
            " ORDER BY segments_cjk.rowid DESC LIMIT ?",
            (cjk.query(words), *extra_args, *args, limit),
        ).fetchall()
        needles = cjk.runs(words) + latin
        return [self._hit(r, _mark_all(str(r[6]), needles)) for r in rows]

    @staticmethod
    def _filter_sql(f: Filters) -> tuple[str, list[object]]:
        parts: list[str] = []
        args: list[object] = []
        for sql, value in (
            ("e.created >= ?", f.since),
            ("e.created < ?", f.until),
            ("e.kind = ?", f.kind),
            ("s.language = ?", f.language),
        ):
            if value is not None:
                parts.append(f"AND {sql}")
                args.append(value)
        return " ".join(parts), args

    @staticmethod
    def _hit(r: tuple[object, ...], marked: object) -> Hit:
        return Hit(
            entry_id=int(r[1]),  # type: ignore[call-overload]
            segment_id=int(r[0]),  # type: ignore[call-overload]
            created=float(r[8]),  # type: ignore[arg-type]
            kind=str(r[9]),
            source=str(r[10]),
            output=int(r[2]),  # type: ignore[call-overload]
            language=None if r[3] is None else str(r[3]),
            start=float(r[4]),  # type: ignore[arg-type]
            end=float(r[5]),  # type: ignore[arg-type]
            text=str(r[6]),
            marked=str(marked),
        )

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
        where, args = self._filter_sql(replace_language(filters))
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


def replace_language(filters: Filters | None) -> Filters:
    """Entries have no language column of their own: listing ignores the language filter."""
    f = filters or Filters()
    return Filters(f.since, f.until, f.kind, None)
