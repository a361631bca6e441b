"""Where one piece of speech is split between speakers: the pure rules.

The speaker model (Sortformer) reports turns (``SpeakerTurn``: who talks from when to when).
``pieces`` turns them into consecutive ``Piece``s that cover the audio with no gap, one per
speaker turn that lasts at least ``min_turn`` seconds; shorter turns (an "mm-hm", a cough, a
flicker of the model) stay inside their neighbours. Two pieces meet in the middle of the pause
between the two speakers (or of their overlap), so no word is cut when people take turns.

One piece means "do not split": the utterance is transcribed once, as before. Several pieces
are transcribed one by one, each once, for every task (transcript and translation share the
piece's encoding): the model's work is the same audio either way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from app.core.meeting.speakers import FALLBACK, SpeakerTurn, speaker_name

#: A turn shorter than this (seconds of speech) is not worth its own line.
MIN_TURN_S = 1.0


@dataclass(frozen=True)
class Piece:
    """``speaker`` (0-based; None when the model recognised nobody) from ``start`` to
    ``end`` seconds, in the time frame of the turns."""

    start: float
    end: float
    speaker: int | None

    @property
    def name(self) -> str:
        return FALLBACK if self.speaker is None else speaker_name(self.speaker)

    def samples(self, origin: float, rate: int, total: int) -> slice:
        """The samples of this piece in audio that starts at ``origin`` seconds."""
        first = min(max(round((self.start - origin) * rate), 0), total)
        last = min(max(round((self.end - origin) * rate), first), total)
        return slice(first, last)


def speech_runs(turns: Iterable[SpeakerTurn], start: float, end: float) -> list[SpeakerTurn]:
    """The turns inside [start, end] as runs that alternate speakers, in time order: one
    speaker's consecutive turns join (with the pauses between them), and a turn that lies
    wholly inside the run before it (someone talking over the speaker) is left out."""
    clipped = sorted(
        (
            SpeakerTurn(max(t.start, start), min(t.end, end), t.speaker)
            for t in turns
            if min(t.end, end) > max(t.start, start)
        ),
        key=lambda t: (t.start, t.end),
    )
    runs: list[SpeakerTurn] = []
    for turn in clipped:
        last = runs[-1] if runs else None
        if last is not None and turn.speaker == last.speaker:
            runs[-1] = SpeakerTurn(last.start, max(last.end, turn.end), last.speaker)
        elif last is None or turn.end > last.end:
            runs.append(turn)
    return runs


def _join_neighbours(runs: list[SpeakerTurn]) -> list[SpeakerTurn]:
    out: list[SpeakerTurn] = []
    for run in runs:
        if out and out[-1].speaker == run.speaker:
            out[-1] = SpeakerTurn(out[-1].start, max(out[-1].end, run.end), run.speaker)
        else:
            out.append(run)
    return out


def drop_short(runs: Sequence[SpeakerTurn], min_turn: float = MIN_TURN_S) -> list[SpeakerTurn]:
    """The runs without those shorter than ``min_turn`` (the shortest first, of equal ones the
    later; the runs on either side of a dropped one join when they are one speaker), until
    every run is long enough or one is left."""
    out = _join_neighbours(list(runs))
    while len(out) > 1:
        shortest = min(range(len(out)), key=lambda i: (out[i].end - out[i].start, -i))
        if out[shortest].end - out[shortest].start >= min_turn:
            break
        out = _join_neighbours(out[:shortest] + out[shortest + 1 :])
    return out


def pieces(
    turns: Iterable[SpeakerTurn], start: float, end: float, min_turn: float = MIN_TURN_S
) -> list[Piece]:
    """[start, end] cut where the speaker changes (see the module's docstring); a single
    piece (speaker None when nobody was recognised) when it should stay whole."""
    runs = drop_short(speech_runs(turns, start, end), min_turn)
    if not runs:
        return [Piece(start, end, None)]
    cuts = [start]
    for before, after in pairwise(runs):
        middle = (before.end + after.start) / 2
        cuts.append(min(max(middle, before.start, cuts[-1]), after.end))
    cuts.append(end)
    return [Piece(a, b, run.speaker) for (a, b), run in zip(pairwise(cuts), runs, strict=True)]
