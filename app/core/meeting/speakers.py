"""Who spoke when: speaker turns from a diarization model, named and matched to segments."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from app.core.transcript import Segment

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


def dominant_speaker(turns: Iterable[SpeakerTurn], start: float, end: float) -> int | None:
    """The speaker talking longest within [start, end] (None when nobody does)."""
    talk: dict[int, float] = {}
    for t in turns:
        overlap = min(t.end, end) - max(t.start, start)
        if overlap > 0:
            talk[t.speaker] = talk.get(t.speaker, 0.0) + overlap
    if not talk:
        return None
    return max(sorted(talk), key=lambda s: talk[s])


def label_segments(
    segments: Sequence[Segment], turns: Sequence[SpeakerTurn], fallback: str = FALLBACK
) -> list[Segment]:
    """Each segment said by its dominant speaker (``fallback`` when none)."""
    out = []
    for seg in segments:
        who = dominant_speaker(turns, seg.start, seg.end)
        out.append(replace(seg, speaker=fallback if who is None else speaker_name(who)))
    return out


def shift(turns: Iterable[SpeakerTurn], offset: float) -> list[SpeakerTurn]:
    return [replace(t, start=t.start + offset, end=t.end + offset) for t in turns]
