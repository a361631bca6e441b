"""MeetingSession with fake sources: two tracks, two journals, echo dropped from the mic."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import pytest

from app.audio.capture import CaptureEvent
from app.audio.journal import read_wav
from app.audio.meeting.meeting import MeetingConfig, MeetingSession, MeetingSummary
from app.core.meeting.model import MeetingUtterance, Side
from tests.support.espeak import compose, noise, synthesize
from tests.support.fake_system_audio import ArraySource

RATE = 16_000


class Recorder:
    def __init__(self) -> None:
        self.utts: list[MeetingUtterance] = []
        self.events: list[CaptureEvent] = []
        self.summary: MeetingSummary | None = None
        self.done = threading.Event()

    def utterance(self, utt: MeetingUtterance) -> None:
        self.utts.append(utt)

    def capture_event(self, event: CaptureEvent) -> None:
        self.events.append(event)

    def stopped(self, summary: MeetingSummary) -> None:
        self.summary = summary
        self.done.set()


def _call(leak_db: float | None = -15.0, delay_s: float = 0.045):
    them1 = synthesize("good morning everyone, shall we begin", "en+m3")
    them2 = synthesize("the budget is ready for review", "en+m3")
    you = synthesize("yes, I am ready to start", "en+f2")
    system = compose([0.5, them1, 3.0, them2, 1.5])
    t_you = 0.5 + them1.duration + 0.9
    mic = compose([t_you, you]).audio
    n = len(system.audio)
    mic = np.pad(mic, (0, n - len(mic))) + noise(n / RATE, -70, seed=1)[:n]
    if leak_db is not None:
        d = round(delay_s * RATE)
        mic[d:] += system.audio[: n - d] * 10 ** (leak_db / 20)
    spans = {
        "them1": (0.5, 0.5 + them1.duration),
        "you": (t_you, t_you + you.duration),
        "them2": (0.5 + them1.duration + 3.0, 0.5 + them1.duration + 3.0 + them2.duration),
    }
    return mic.astype(np.float32), system.audio, spans


def _run(tmp_path: Path, mic, system, **cfg) -> Recorder:
    rec = Recorder()
    session = MeetingSession(
        rec,
        ArraySource(mic, "mic", after_end="stop"),
        ArraySource(system, "call", after_end="stop"),
        MeetingConfig(journal_dir=tmp_path, **cfg),
    )
    session.start()
    assert rec.done.wait(60)
    return rec


def _overlaps(utt: MeetingUtterance, span: tuple[float, float]) -> bool:
    return utt.start < span[1] and utt.end > span[0]


def test_each_side_is_segmented_and_the_echo_is_not_you(tmp_path: Path):
    mic, system, spans = _call()
    rec = _run(tmp_path, mic, system)
    assert rec.summary is not None and not rec.summary.error
    mine = [u for u in rec.utts if u.side is Side.YOU]
    theirs = [u for u in rec.utts if u.side is Side.OTHERS]
    assert len(theirs) == 2 and len(mine) == 1, rec.utts
    assert _overlaps(mine[0], spans["you"])
    assert _overlaps(theirs[0], spans["them1"]) and _overlaps(theirs[1], spans["them2"])
    assert rec.summary.echo_frames > 20
    # both tracks journaled raw, with the meeting id in the sidecars
    for side, source in ((Side.YOU, mic), (Side.OTHERS, system)):
        info = rec.summary.tracks[side]
        assert info is not None and info.status == "complete"
        audio, rate = read_wav(info.wav)
        assert rate == RATE and len(audio) == len(source)
        np.testing.assert_allclose(audio, source, atol=1 / 32768 + 1e-6)
        meta = json.loads(info.sidecar.read_text())
        assert meta["extra"] == {"meeting": rec.summary.meeting_id, "track": side.value}


def test_without_the_echo_gate_the_leak_would_be_you(tmp_path: Path):
    mic, system, spans = _call()
    rec = _run(tmp_path, mic, system, echo=None)
    mine = [u for u in rec.utts if u.side is Side.YOU]
    assert any(_overlaps(u, spans["them1"]) or _overlaps(u, spans["them2"]) for u in mine)


def test_a_failing_system_source_ends_the_meeting_with_the_audio_kept(tmp_path: Path):
    mic, system, _spans = _call()
    rec = Recorder()
    session = MeetingSession(
        rec,
        ArraySource(mic, "mic"),
        ArraySource(system, "call", fail_at_s=2.0),
        MeetingConfig(journal_dir=tmp_path),
    )
    session.start()
    assert rec.done.wait(60)
    assert rec.summary is not None and "fake failure" in rec.summary.error
    assert [e.kind for e in rec.events] == ["error"]
    for info in rec.summary.tracks.values():
        assert info is not None and read_wav(info.wav)[0].size >= 2 * RATE - 1600


@pytest.mark.parametrize("seconds", [1.0])
def test_stop_and_duration_end_both_tracks(tmp_path: Path, seconds: float):
    rec = Recorder()
    session = MeetingSession(
        rec,
        ArraySource(np.zeros(RATE * 10, np.float32), "mic"),
        ArraySource(np.zeros(RATE * 10, np.float32), "call"),
        MeetingConfig(journal_dir=tmp_path, max_seconds=seconds),
    )
    session.start()
    assert rec.done.wait(30)
    assert rec.summary is not None
    assert rec.summary.seconds == pytest.approx(seconds)
