"""Who spoke when: speaker turns from a diarization model and the names they go by.
Where an utterance or a segment is split between speakers: ``app.core.meeting.turns``."""

from __future__ import annotations

from dataclasses import dataclass

#: Without a diarization model (or without speech it recognises) the other side is one voice.
FALLBACK = "Others"


@dataclass(frozen=True)
class SpeakerTurn:
    """``speaker`` (0-based, in order of first appearance) talks from ``start`` to ``end`` s."""

    start: float
    end: float
    speaker: int


def speaker_name(index: int) -> str:
    return f"Speaker {index + 1}"
