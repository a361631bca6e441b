from __future__ import annotations

from app.core.meeting.speakers import FALLBACK, SpeakerTurn, speaker_name


def test_speakers_are_named_from_one_and_others_without_a_model():
    assert [speaker_name(i) for i in range(4)] == [f"Speaker {n}" for n in range(1, 5)]
    assert FALLBACK == "Others"
    assert SpeakerTurn(1.0, 2.0, 0) == SpeakerTurn(1.0, 2.0, 0)
