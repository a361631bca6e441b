from __future__ import annotations

from datetime import datetime

from app.core.text.titles import (
    dictation_title,
    file_title,
    source_name,
    task_summary,
    window_title,
)
from app.core.transcript import Task, TaskSpec

FR = TaskSpec(Task.TRANSLATE, "en", "fr")


def test_source_names() -> None:
    assert source_name("/x/meeting.wav") == "meeting.wav"
    assert source_name("/rec/20261201-035450-901816.wav") == "Recording 1 Dec 03:54"
    assert source_name("/rec/20261399-035450.wav") == "20261399-035450.wav"


def test_file_titles_and_tasks() -> None:
    assert file_title("/x/meeting.wav", [TaskSpec()]) == "meeting.wav"
    de = TaskSpec(Task.TRANSLATE, "en", "de")
    assert file_title("/x/meeting.wav", [TaskSpec(), FR, de]) == "meeting.wav — French, German"
    assert task_summary([TaskSpec()]) == "Transcribe"
    assert task_summary([TaskSpec(Task.TRANSCRIBE, "fr")]) == "Transcribe (French)"
    assert task_summary([TaskSpec(Task.TRANSCRIBE, "en", None, ("a", "b")), FR]) == (
        "Translate → French from English + 2 keywords"
    )


def test_dictation_and_window_titles() -> None:
    assert dictation_title(datetime(2026, 12, 1, 14, 32, 5)) == "Dictation 14:32"
    assert window_title("notes.md") == "notes.md[*] — Granite Dictate"
    assert window_title(None) == "Granite Dictate"
