"""The History panel's rows: a search hit or a listed entry, and how a row is shown."""

from __future__ import annotations

import html
import time
from dataclasses import dataclass

from app.core.history.search import MARK_END, MARK_START, Hit
from app.core.history.store import DICTATION, Entry, OutputText


@dataclass(frozen=True)
class Row:
    """One line of the result list: a search hit, or an entry when the search is empty."""

    entry_id: int
    created: float
    kind: str
    source: str
    output: int
    start: float
    end: float
    text: str
    marked: str

    @classmethod
    def from_hit(cls, h: Hit) -> Row:
        return cls(
            h.entry_id, h.created, h.kind, h.source, h.output, h.start, h.end, h.text, h.marked
        )

    @classmethod
    def from_entry(cls, e: Entry) -> Row:
        return cls(e.id, e.created, e.kind, e.source, 0, 0.0, e.duration, e.preview, e.preview)


@dataclass(frozen=True)
class EntryData:
    entry: Entry
    outputs: list[OutputText]


def marked_html(marked: str) -> str:
    """Escape the text and turn the match markers into highlighted spans."""
    out = html.escape(marked)
    out = out.replace(MARK_START, '<span style="background-color:#fde68a;">')
    return out.replace(MARK_END, "</span>")


def row_html(row: Row) -> str:
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(row.created))
    where = "Dictation" if row.kind == DICTATION else html.escape(row.source.rsplit("/", 1)[-1])
    times = f"{row.start:.1f}–{row.end:.1f} s"
    return f"<small>{when} · {where} · {times}</small><br>{marked_html(row.marked)}"
