"""SpeakerDetector on the real model thread with the tiny Sortformer checkpoint."""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

import numpy as np

from app.core.transcript import Segment, Task, TaskSpec, TranscriptResult
from app.workers.speakers import SpeakerDetector
from tests.support.espeak import Speech, compose, synthesize
from tests.support.fake_diarizer import FakeDiarizer, loader
from tests.support.fake_engine import FakeEngine
from tests.workers.test_engine_thread import Rig

RATE = 16_000


def test_files_get_speakers_on_the_model_thread(tiny_sortformer_dir: Path):
    """Random weights: only the flow is checked (every segment said by someone)."""
    rig = Rig()
    try:
        rig.load()
        detector = SpeakerDetector(str(tiny_sortformer_dir))
        load = rig.thread.submit_work(detector.load_work())
        assert rig.rec.wait_done(load)[0] == "job_finished" and detector.available
        audio = compose([0.2, synthesize("one two three", "en+f2"), 0.5]).audio
        segs = [Segment(0.0, 1.0, "one"), Segment(1.0, len(audio) / RATE, "two three")]
        job = rig.thread.submit_work(
            detector.split_file_work(audio, [TranscriptResult(TaskSpec(), segs)])
        )
        labelled = rig.rec.wait_done(job)[2][0].segments
        assert labelled and all(s.speaker for s in labelled)
        assert labelled[0].start == 0.0 and labelled[-1].end == len(audio) / RATE
        assert detector.seconds > 0
    finally:
        rig.thread.shutdown()


def test_missing_model_fails_with_one_line_and_stays_unavailable(tmp_path: Path):
    rig = Rig()
    try:
        detector = SpeakerDetector(str(tmp_path / "no-model"))
        event = rig.rec.wait_done(rig.thread.submit_work(detector.load_work()))
        assert event[0] == "job_failed" and "not found" in event[2] and "\n" not in event[2]
        assert not detector.available
        one = TranscriptResult(TaskSpec(), [Segment(0.0, 1.0, "x")])
        work = detector.split_file_work(np.ones(RATE, np.float32) * 0.1, [one])
        event = rig.rec.wait_done(rig.thread.submit_work(work))
        assert event[0] == "job_failed" and "\n" not in event[2]
    finally:
        rig.thread.shutdown()


def _two_voices() -> tuple[Speech, float]:
    first = synthesize("good morning everyone shall we begin", "en+m3")
    second = synthesize("the budget is ready for review", "en+f2")
    return compose([0.3, first, 0.4, second, 0.3]), 0.3 + first.duration


def test_an_utterance_of_two_speakers_is_transcribed_per_speaker_turn():
    rig = Rig(FakeEngine())
    try:
        rig.load()
        diarizer = FakeDiarizer()
        detector = SpeakerDetector("fake", loader=loader(diarizer))
        speech, first_end = _two_voices()
        specs = [TaskSpec(), TaskSpec(Task.TRANSLATE, "en", "fr")]
        event = rig.rec.wait_done(
            rig.thread.submit_work(detector.split_work(speech.audio, 10.0, specs))
        )
        assert event[0] == "job_finished"
        transcript, french = event[2]
        assert [s.speaker for s in transcript.segments] == ["Speaker 1", "Speaker 2"]
        cut = transcript.segments[0].end
        assert 10.0 + first_end < cut < 10.0 + first_end + 0.4  # in the pause between them
        assert transcript.segments[0].start == 10.0
        assert transcript.segments[1].end == 10.0 + len(speech.audio) / RATE
        assert all(s.text for s in transcript.segments)
        assert [(s.start, s.end) for s in french.segments] == [
            (s.start, s.end) for s in transcript.segments
        ]
        assert all("[fr]" in s.text for s in french.segments)
        assert rig.engine is not None
        calls = rig.engine.calls
        assert [len(c.specs) for c in calls] == [2, 2]  # each piece once, for both tasks
        assert sum(c.samples for c in calls) == len(speech.audio) == sum(diarizer.fed)
    finally:
        rig.thread.shutdown()


def test_one_speaker_costs_one_engine_run_as_without_speakers():
    rig = Rig(FakeEngine())
    try:
        rig.load()
        detector = SpeakerDetector("fake", loader=loader(FakeDiarizer(order=(1,))))
        speech, _ = _two_voices()  # two turns, both said by speaker 2
        event = rig.rec.wait_done(
            rig.thread.submit_work(detector.split_work(speech.audio, 0.0, [TaskSpec()]))
        )
        (result,) = event[2]
        assert [s.speaker for s in result.segments] == ["Speaker 2"]
        assert rig.engine is not None
        assert [c.samples for c in rig.engine.calls] == [len(speech.audio)]
    finally:
        rig.thread.shutdown()


def test_without_a_speaker_model_the_utterance_is_still_transcribed(tmp_path: Path):
    rig = Rig()
    try:
        rig.load()
        detector = SpeakerDetector(str(tmp_path / "no-model"))
        speech, _ = _two_voices()
        event = rig.rec.wait_done(
            rig.thread.submit_work(detector.split_work(speech.audio, 0.0, [TaskSpec()]))
        )
        assert event[0] == "job_finished"
        assert [(s.speaker, bool(s.text)) for s in event[2][0].segments] == [("Others", True)]
    finally:
        rig.thread.shutdown()


def test_the_tiny_sortformer_splits_utterances_on_the_model_thread(tiny_sortformer_dir: Path):
    """Random weights: only the flow is checked (pieces cover the utterance, named)."""
    rig = Rig()
    try:
        rig.load()
        detector = SpeakerDetector(str(tiny_sortformer_dir))
        speech, _ = _two_voices()
        for start in (0.0, 8.0):
            work = detector.split_work(speech.audio, start, [TaskSpec()])
            event = rig.rec.wait_done(rig.thread.submit_work(work))
            assert event[0] == "job_finished"
            segs = event[2][0].segments
            assert segs[0].start == start and segs[-1].end == start + len(speech.audio) / RATE
            assert all(a.end == b.start for a, b in itertools.pairwise(segs))
            assert all(s.speaker == "Others" or s.speaker.startswith("Speaker ") for s in segs)
        assert detector.available and detector.seconds > 0
    finally:
        rig.thread.shutdown()


def test_file_segments_where_the_speaker_changes_are_transcribed_per_turn():
    rig = Rig(FakeEngine())
    try:
        rig.load()
        detector = SpeakerDetector("fake", loader=loader(FakeDiarizer(order=(0, 1, 0))))
        speech, first_end = _two_voices()
        third = synthesize("thank you", "en+m3")
        audio = compose([speech, 1.0, third, 0.2]).audio
        whole = len(speech.audio) / RATE
        segs = [
            Segment(0.0, whole, "two people", "call.wav"),
            Segment(whole, len(audio) / RATE, "thanks", "call.wav"),
        ]
        results = [
            TranscriptResult(TaskSpec(), segs),
            TranscriptResult(TaskSpec(Task.TRANSLATE, "en", "fr"), [segs[0], segs[1]]),
        ]
        event = rig.rec.wait_done(rig.thread.submit_work(detector.split_file_work(audio, results)))
        transcript, french = event[2]
        assert [s.speaker for s in transcript.segments] == ["Speaker 1", "Speaker 2", "Speaker 1"]
        assert first_end < transcript.segments[0].end < first_end + 0.4
        assert transcript.segments[2] == replace(segs[1], speaker="Speaker 1")  # text kept
        assert (
            transcript.segments[0].text != "two people"
            and transcript.segments[0].source == "call.wav"
        )
        assert [(s.start, s.end, s.speaker) for s in french.segments] == [
            (s.start, s.end, s.speaker) for s in transcript.segments
        ]
        assert "[fr]" in french.segments[0].text and french.spec.target_language == "fr"
        assert rig.engine is not None
        assert [len(c.specs) for c in rig.engine.calls] == [2, 2]  # the split segment only
    finally:
        rig.thread.shutdown()
