"""Turning a finished job's results into a history entry, and where the history lives."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from app.core import paths
from app.core.history.store import DICTATION, NewEntry, OutputText
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
