"""SpeakerDetector on the real model thread with the tiny Sortformer checkpoint."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from app.core.transcript import Segment
from app.workers.speakers import SpeakerDetector, speaker_of
from tests.support.espeak import compose, synthesize
from tests.workers.test_engine_thread import Rig

RATE = 16_000


def test_utterances_and_files_get_speakers_on_the_model_thread(tiny_sortformer_dir: Path):
    rig = Rig()
    try:
        rig.load()
        detector = SpeakerDetector(str(tiny_sortformer_dir))
        load = rig.thread.submit_work(detector.load_work())
        assert rig.rec.wait_done(load)[0] == "job_finished" and detector.available
        a = synthesize("good morning everyone", "en+m3").audio
        jobs = [rig.thread.submit_work(detector.utterance_work(a, t)) for t in (1.0, 5.0)]
        for job, start in zip(jobs, (1.0, 5.0), strict=True):
            event = rig.rec.wait_done(job)
            assert event[0] == "job_finished"
            seg = event[2][0].segments[0]
            assert (seg.start, seg.end) == (start, start + len(a) / RATE)
            assert speaker_of(event[2]) in ("Others", *(f"Speaker {i}" for i in range(1, 5)))
        audio = compose([0.2, synthesize("one two three", "en+f2"), 0.5]).audio
        segs = [Segment(0.0, 1.0, "one"), Segment(1.0, len(audio) / RATE, "two three")]
        job = rig.thread.submit_work(detector.file_work(audio, segs))
        labelled = rig.rec.wait_done(job)[2][0].segments
        assert [s.text for s in labelled] == ["one", "two three"]
        assert all(s.speaker for s in labelled)
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
        work = detector.utterance_work(np.ones(RATE, np.float32) * 0.1, 0.0)
        assert rig.rec.wait_done(rig.thread.submit_work(work))[0] == "job_failed"
    finally:
        rig.thread.shutdown()
