from __future__ import annotations

from app.core.meeting.speakers import (
    SpeakerTurn,
    dominant_speaker,
    label_segments,
    shift,
    speaker_name,
)
from app.core.transcript import Segment

TURNS = [SpeakerTurn(0.0, 2.0, 0), SpeakerTurn(1.5, 4.0, 1), SpeakerTurn(5.0, 6.0, 0)]


def test_dominant_speaker_by_talk_time():
    assert dominant_speaker(TURNS, 0.0, 1.9) == 0
    assert dominant_speaker(TURNS, 1.0, 4.0) == 1
    assert dominant_speaker(TURNS, 4.1, 4.9) is None
    assert dominant_speaker([SpeakerTurn(0, 1, 2), SpeakerTurn(0, 1, 1)], 0, 1) == 1  # tie: lowest


def test_label_segments_and_fallback():
    segs = [Segment(0.2, 1.8, "a"), Segment(2.0, 4.0, "b"), Segment(4.2, 4.8, "c")]
    out = label_segments(segs, TURNS)
    assert [s.speaker for s in out] == ["Speaker 1", "Speaker 2", "Others"]
    assert [s.text for s in out] == ["a", "b", "c"] and speaker_name(3) == "Speaker 4"
    assert shift(TURNS[:1], 10.0) == [SpeakerTurn(10.0, 12.0, 0)]
