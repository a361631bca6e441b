"""A meeting's two sides and what comes out of its recording (plain data)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from app.core.dictation.endpointing import Utterance
from app.core.transcript import TranscriptResult


class Side(StrEnum):
    """Which track an utterance came from: the microphone or the system audio."""

    YOU = "you"
    OTHERS = "others"

    @property
    def label(self) -> str:
        """The speaker name used when nothing better is known (no diarization)."""
        return "You" if self is Side.YOU else "Others"


@dataclass(frozen=True)
class MeetingUtterance:
    side: Side
    utterance: Utterance

    @property
    def start(self) -> float:
        return self.utterance.start

    @property
    def end(self) -> float:
        return self.utterance.end


@dataclass(frozen=True)
class MeetingLine:
    """One finished utterance as the window shows it; ``translation`` is "" when none."""

    side: Side
    speaker: str
    start: float
    end: float
    text: str
    translation: str = ""
    target: str | None = None


def format_line(start: float, end: float, speaker: str, text: str) -> str:
    """``[start-end] Speaker: text``, the command line's output format."""
    return f"[{start:.2f}-{end:.2f}] {speaker}: {' '.join(text.split())}".rstrip()


def meeting_lines(
    side: Side, speaker: str, results: Sequence[TranscriptResult]
) -> list[MeetingLine]:
    """The lines of one utterance's results (transcript first, then an optional
    translation): one per transcript segment with text, so an utterance split where the
    speaker changes gives one line per speaker turn. A segment without a speaker is said by
    ``speaker``; its translation is the translation's segment with the same times."""
    if not results:
        return []
    extra = results[1] if len(results) > 1 else None
    translated = {(s.start, s.end): s.text for s in extra.segments} if extra else {}
    target = extra.spec.target_language if extra is not None else None
    return [
        MeetingLine(
            side,
            seg.speaker or speaker,
            seg.start,
            seg.end,
            seg.text,
            translated.get((seg.start, seg.end), ""),
            target,
        )
        for seg in results[0].segments
        if seg.text.strip()
    ]
