"""Names a person recognises: tab titles for file transcripts and dictation, the task a queued
file was given, and the window title."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from datetime import datetime

from app.core import languages
from app.core.transcript import Task, TaskSpec

#: Recording files are named by their start time: ``20261201-035450-901816.wav``.
_RECORDING = re.compile(r"^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})(?:-\d+)?$")
APP_NAME = "Granite Dictate"


def source_name(path: str) -> str:
    """A file's name, or "Recording 1 Dec 03:54" for one of the app's own recordings."""
    name = os.path.basename(path.rstrip("/\\")) or path
    m = _RECORDING.match(os.path.splitext(name)[0])
    if m is None:
        return name
    try:
        y, mo, d, h, mi, sec = (int(g) for g in m.groups())
        when = datetime(y, mo, d, h, mi, sec)
    except ValueError:
        return name
    return f"Recording {when.day} {when.strftime('%b %H:%M')}"


def _targets(specs: Sequence[TaskSpec]) -> list[str]:
    return [
        languages.name(s.target_language)
        for s in specs
        if s.task is Task.TRANSLATE and s.target_language
    ]


def file_title(path: str, specs: Sequence[TaskSpec]) -> str:
    """``meeting.wav``; with translations ``meeting.wav — French`` (``— French, German``)."""
    targets = _targets(specs)
    return source_name(path) + (f" — {', '.join(targets)}" if targets else "")


def task_summary(specs: Sequence[TaskSpec]) -> str:
    """What a queued file will get: "Transcribe", "Transcribe (French)", "Translate → German"
    (the transcript comes along), plus "+ 2 keywords"."""
    targets = _targets(specs)
    spoken = next((s.source_language for s in specs if s.source_language), None)
    text = f"Translate → {', '.join(targets)}" if targets else "Transcribe"
    if spoken:
        text += f" ({languages.name(spoken)})" if not targets else f" from {languages.name(spoken)}"
    words = {w for s in specs for w in s.keywords}
    if words:
        text += f" + {len(words)} keyword{'s' if len(words) != 1 else ''}"
    return text


def dictation_title(when: datetime) -> str:
    return f"Dictation {when.strftime('%H:%M')}"


def window_title(document: str | None) -> str:
    """``notes.md[*] — Granite Dictate``: Qt shows ``[*]`` as "*" while the window is modified."""
    return f"{document}[*] — {APP_NAME}" if document else APP_NAME
