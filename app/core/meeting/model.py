"""A meeting's two sides and what comes out of its recording (plain data)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.core.dictation.endpointing import Utterance


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
