"""Searching the history's segments (``HistoryStore.search`` calls ``search_segments``).

The words typed are turned into an FTS5 query (each word a prefix term, all required,
quotes escaped, so no input is a syntax error), newest hits first; matches are marked with
``MARK_START``/``MARK_END`` in ``Hit.marked``. Text in Chinese/Japanese has no spaces, so a
query with CJK characters goes through the bigram index (``app.core.history.cjk``): a
substring search that still uses an index.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from app.core.history import cjk
from app.core.text.text_join import is_cjk

MARK_START, MARK_END = "\x02", "\x03"
_WORD = re.compile(r"\w+", re.UNICODE)


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


def search_segments(
    conn: sqlite3.Connection, words: str, limit: int, filters: Filters
) -> list[Hit]:
    """Newest matching segments first; ``[]`` for a query without words."""
    where, args = filter_sql(filters)
    if _has_cjk(words):
        return _search_cjk(conn, words, limit, where, args)
    query = fts_query(words)
    if not query:
        return []
    rows = conn.execute(
        'SELECT s.id, s.entry_id, s.output, s.language, s.start, s."end", s.text,'
        f" highlight(segments_fts, 0, '{MARK_START}', '{MARK_END}'),"
        " e.created, e.kind, e.source"
        " FROM segments_fts JOIN segments s ON s.id = segments_fts.rowid"
        " JOIN entries e ON e.id = s.entry_id"
        f" WHERE segments_fts MATCH ? {where}"
        " ORDER BY segments_fts.rowid DESC LIMIT ?",
        (query, *args, limit),
    ).fetchall()
    return [_hit(r, r[7]) for r in rows]


def _search_cjk(
    conn: sqlite3.Connection, words: str, limit: int, where: str, args: list[object]
) -> list[Hit]:
    """CJK runs through the bigram index; other words must match the main index."""
    latin = [w for w in _WORD.findall(words) if not _has_cjk(w)]
    extra, extra_args = "", []
    if latin:
        extra = " AND s.id IN (SELECT rowid FROM segments_fts WHERE segments_fts MATCH ?)"
        extra_args = [fts_query(" ".join(latin))]
    rows = conn.execute(
        'SELECT s.id, s.entry_id, s.output, s.language, s.start, s."end", s.text,'
        " s.text, e.created, e.kind, e.source"
        " FROM segments_cjk JOIN segments s ON s.id = segments_cjk.rowid"
        " JOIN entries e ON e.id = s.entry_id"
        f" WHERE segments_cjk MATCH ?{extra} {where}"
        " ORDER BY segments_cjk.rowid DESC LIMIT ?",
        (cjk.query(words), *extra_args, *args, limit),
    ).fetchall()
    needles = cjk.runs(words) + latin
    return [_hit(r, _mark_all(str(r[6]), needles)) for r in rows]


def filter_sql(f: Filters) -> tuple[str, list[object]]:
    """``AND ...`` clauses (over ``e`` entries and ``s`` segments) and their arguments."""
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
