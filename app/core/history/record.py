"""Turning a finished job's results into a history entry, and where the history lives.

``file_entry`` and ``dictation_entry`` are the one place that decides what is stored for a
finished job (rules applied, spoken commands rendered, command-only utterances skipped); the
window's recorder (``app.ui.history.recorder``) and the command line
(``app.cli.history_record``) both call them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from app.core.history.store import DICTATION, FILE, NewEntry, OutputText
from app.core.storage import paths
from app.core.text.commands import CommandSet
from app.core.text.postprocess import apply_rules_to_result, written_text
from app.core.text.rules import Rule
from app.core.transcript import Task, TranscriptResult

FILE_NAME = "history.db"


def default_path() -> Path:
    """``<data folder>/history/history.db`` (the folder is 0700)."""
    folder = paths.data_dir() / "history"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder.chmod(0o700)
    return folder / FILE_NAME


def entry_from_results(
    kind: str,
    results: Sequence[TranscriptResult],
    *,
    source: str = "",
    audio_path: str | None = None,
    audio_start: float = 0.0,
    created: float | None = None,
) -> NewEntry | None:
    """One entry for one job (transcript and translations); ``None`` if it has no text.
    Dictation audio is the app's recording (deleted with the history); a file is the user's."""
    if not results or not any(s.text.strip() for r in results for s in r.segments):
        return None
    first = results[0]
    outputs = [
        OutputText(r.spec.output_language, [(s.start, s.end, s.text) for s in r.segments])
        for r in results
    ]
    targets = [
        r.spec.target_language
        for r in results
        if r.spec.task is Task.TRANSLATE and r.spec.target_language
    ]
    extra = {} if created is None else {"created": created}
    return NewEntry(
        kind=kind,
        source=source or first.source,
        task=first.spec.task.value,
        outputs=outputs,
        source_language=first.spec.source_language,
        target_languages=targets,
        model=first.model,
        duration=max(r.duration for r in results),
        audio_path=audio_path,
        audio_start=audio_start,
        audio_owned=kind == DICTATION and audio_path is not None,
        **extra,
    )


def file_entry(
    path: str, results: Sequence[TranscriptResult], rules: Sequence[Rule] = ()
) -> NewEntry | None:
    """A finished file job (transcript and translations, ``rules`` applied); the audio is the
    user's file, never deleted with the history."""
    ruled = [apply_rules_to_result(r, rules) for r in results]
    return entry_from_results(FILE, ruled, source=path, audio_path=path)


def dictation_entry(
    results: Sequence[TranscriptResult],
    rules: Sequence[Rule] = (),
    commands: CommandSet | None = None,
    *,
    source: str = "",
    audio_path: str | None = None,
    audio_owned: bool = True,
) -> NewEntry | None:
    """A finished dictated utterance, stored as written: ``rules`` applied, then spoken
    ``commands`` rendered in the transcript; ``None`` if nothing is left (the utterance was only
    a command, or silence). ``audio_path`` is the app's recording (deleted with its last entry)
    unless ``audio_owned`` is False (a file the user asked for)."""
    ruled = [apply_rules_to_result(r, rules) for r in results]
    if ruled and not _written(ruled, commands):
        return None
    entry = entry_from_results(
        DICTATION, ruled, source=source or (ruled[0].source if ruled else ""), audio_path=audio_path
    )
    if entry is not None and not audio_owned:
        entry = replace(entry, audio_owned=False)
    return entry


def _written(results: list[TranscriptResult], commands: CommandSet | None) -> bool:
    """Apply the spoken commands to a dictated transcript in place; False if nothing is left
    of it."""
    first = results[0]
    if first.spec.task is not Task.TRANSCRIBE or commands is None:
        return True
    lang = first.spec.source_language
    segments = [replace(seg, text=written_text(seg.text, commands, lang)) for seg in first.segments]
    results[0] = replace(first, segments=[seg for seg in segments if seg.text])
    return bool(results[0].segments)
