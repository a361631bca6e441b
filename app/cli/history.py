"""``python -m app history``: search, list, export and delete the transcription history.

    history search WORDS... [--limit N] [--json] [--kind dictation|file] [--language L]
                            [--since YYYY-MM-DD] [--until YYYY-MM-DD]
    history list [--limit N] [--json]
    history export ID [--format srt|vtt|txt|md|json] [--output-index N] [-o FILE]
    history delete ID...

``search`` prints one line per hit, newest first: ``date  source  [start-end] text`` (source is
``mic`` for dictation, else the file's path). Exit codes: 0 done (also when nothing matched),
1 an unknown entry or an unusable history, 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from app.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, say
from app.core.errors import GraniteError, UsageError
from app.core.history import retention
from app.core.history.record import default_path
from app.core.history.search import Filters, Hit
from app.core.history.store import DICTATION, FILE, Entry, HistoryStore
from app.core.text.export import FORMATS, render, write_text_atomic
from app.core.transcript import Segment, Task, TaskSpec, TranscriptResult


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("history", help="search, list or export past transcriptions")
    sub = p.add_subparsers(dest="history_command", metavar="ACTION", required=True)
    s = sub.add_parser("search", help="full-text search, newest first")
    s.add_argument("words", nargs="+", metavar="WORDS")
    s.add_argument("--limit", type=int, default=20, metavar="N")
    s.add_argument("--json", action="store_true", help="one JSON object per line")
    s.add_argument("--kind", choices=[DICTATION, FILE], default=None)
    s.add_argument("--language", default=None, help="only outputs in this language")
    s.add_argument("--since", default=None, metavar="YYYY-MM-DD")
    s.add_argument("--until", default=None, metavar="YYYY-MM-DD", help="up to, not including")
    s.set_defaults(run=search_command)
    li = sub.add_parser("list", help="the latest entries")
    li.add_argument("--limit", type=int, default=20, metavar="N")
    li.add_argument("--json", action="store_true")
    li.set_defaults(run=list_command)
    e = sub.add_parser("export", help="write one entry as srt, vtt, txt, md or json")
    e.add_argument("id", type=int, metavar="ID")
    e.add_argument("--format", default="srt", choices=FORMATS)
    e.add_argument("--output-index", type=int, default=0, metavar="N", help="0 = transcript")
    e.add_argument("-o", "--output", default=None, metavar="FILE", help="default: stdout")
    e.set_defaults(run=export_command)
    d = sub.add_parser("delete", help="delete entries (and recordings only they used)")
    d.add_argument("ids", type=int, nargs="+", metavar="ID")
    d.set_defaults(run=delete_command)


def _date(text: str | None, option: str) -> float | None:
    if text is None:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d").timestamp()
    except ValueError:
        raise UsageError(f"{option} must be a date like 2026-01-31.") from None


def _stamp(t: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(t))


def _source(kind: str, source: str) -> str:
    return "mic" if kind == DICTATION else source


def _open() -> HistoryStore:
    store = HistoryStore(default_path())
    if store.notice:
        say(store.notice)
    return store


def _run(ns: argparse.Namespace, body: Any) -> int:
    if getattr(ns, "limit", 1) < 1:
        say("--limit must be at least 1.")
        return EXIT_USAGE
    try:
        store = _open()
    except (GraniteError, sqlite3.Error, OSError) as err:
        say(f"cannot open the history: {err}")
        return EXIT_FAILED
    try:
        return int(body(store))
    except UsageError as err:
        say(str(err))
        return EXIT_USAGE
    except GraniteError as err:
        say(str(err))
        return EXIT_FAILED
    finally:
        store.close()


def format_hit(hit: Hit) -> str:
    text = " ".join(hit.text.split())
    where = _source(hit.kind, hit.source)
    return f"{_stamp(hit.created)}  {where}  [{hit.start:.2f}-{hit.end:.2f}] {text}"


def search_command(ns: argparse.Namespace) -> int:
    def body(store: HistoryStore) -> int:
        since, until = _date(ns.since, "--since"), _date(ns.until, "--until")
        filters = Filters(since, until, ns.kind, ns.language)
        for hit in store.search(" ".join(ns.words), ns.limit, filters):
            if ns.json:
                row = {
                    "entry": hit.entry_id,
                    "date": datetime.fromtimestamp(hit.created).isoformat(timespec="seconds"),
                    "kind": hit.kind,
                    "source": hit.source,
                    "language": hit.language,
                    "output": hit.output,
                    "start": hit.start,
                    "end": hit.end,
                    "text": hit.text,
                }
                print(json.dumps(row, ensure_ascii=False))
            else:
                print(format_hit(hit))
        return EXIT_OK

    return _run(ns, body)


def _entry_line(e: Entry) -> str:
    langs = e.source_language or "auto"
    if e.target_languages:
        langs += "→" + ",".join(e.target_languages)
    preview = " ".join(e.preview.split())[:80]
    where = _source(e.kind, e.source)
    return f"{e.id:>6}  {_stamp(e.created)}  {where}  ({langs}, {e.duration:.1f} s)  {preview}"


def list_command(ns: argparse.Namespace) -> int:
    def body(store: HistoryStore) -> int:
        for e in store.entries(ns.limit):
            if ns.json:
                row = {
                    "id": e.id,
                    "date": datetime.fromtimestamp(e.created).isoformat(timespec="seconds"),
                    "kind": e.kind,
                    "source": e.source,
                    "task": e.task,
                    "source_language": e.source_language,
                    "target_languages": list(e.target_languages),
                    "model": e.model,
                    "duration": e.duration,
                    "audio": e.audio_path,
                    "preview": e.preview,
                }
                print(json.dumps(row, ensure_ascii=False))
            else:
                print(_entry_line(e))
        return EXIT_OK

    return _run(ns, body)


def entry_result(store: HistoryStore, entry_id: int, index: int = 0) -> TranscriptResult:
    """An entry's output as a ``TranscriptResult`` (for the exporters)."""
    e = store.entry(entry_id)
    if e is None:
        raise GraniteError(f"There is no history entry {entry_id}.")
    outputs = store.outputs(entry_id)
    if not 0 <= index < len(outputs):
        raise UsageError(
            f"Entry {entry_id} has {len(outputs)} output(s); choose 0-{len(outputs) - 1}."
        )
    out = outputs[index]
    if index == 0 or not e.target_languages:
        spec = TaskSpec(Task(e.task), e.source_language)
        if spec.task is Task.TRANSLATE:
            spec = TaskSpec(Task.TRANSLATE, e.source_language, out.language)
    else:
        spec = TaskSpec(Task.TRANSLATE, e.source_language, out.language)
    segments = [Segment(s, t, text, e.source) for s, t, text in out.segments]
    return TranscriptResult(spec, segments, e.model, e.source, e.duration)


def export_command(ns: argparse.Namespace) -> int:
    def body(store: HistoryStore) -> int:
        text = render(entry_result(store, ns.id, ns.output_index), ns.format)
        if ns.output:
            try:
                write_text_atomic(Path(ns.output), text)
            except OSError as err:
                raise GraniteError(f"cannot write {ns.output}: {err.strerror or err}") from None
        else:
            sys.stdout.write(text)
        return EXIT_OK

    return _run(ns, body)


def delete_command(ns: argparse.Namespace) -> int:
    def body(store: HistoryStore) -> int:
        known = [i for i in ns.ids if store.entry(i) is not None]
        for missing in sorted(set(ns.ids) - set(known)):
            say(f"There is no history entry {missing}.")
        retention.delete_entries(store, known)
        return EXIT_OK if len(known) == len(set(ns.ids)) else EXIT_FAILED

    return _run(ns, body)
