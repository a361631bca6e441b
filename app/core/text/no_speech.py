"""What to say when a job produced no text at all ("No speech found"), and why it may be so."""

from __future__ import annotations

from collections.abc import Sequence

from app.core import languages
from app.core.transcript import TaskSpec

NO_SPEECH = "No speech found"


def no_speech_message(specs: Sequence[TaskSpec]) -> str:
    """``No speech found.``, plus the settings that may have caused it: keywords (they bias
    the model and can make it answer with nothing) or a spoken-language hint."""
    hints: list[str] = []
    words = sorted({w for s in specs for w in s.keywords})
    if words:
        shown = ", ".join(words[:5]) + (", …" if len(words) > 5 else "")
        hints.append(f"keywords were active ({shown})")
    spoken = next((s.source_language for s in specs if s.source_language), None)
    if spoken:
        hints.append(f"the spoken language was set to {languages.name(spoken)}")
    if not hints:
        return f"{NO_SPEECH}."
    return f"{NO_SPEECH}; {' and '.join(hints)}: try without them."
