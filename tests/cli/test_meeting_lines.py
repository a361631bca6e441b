"""The meeting command's lines, in process: fake captures → MeetingSession → the model thread
(fake engine, fake speaker model with known turns) → ``[start-end] Speaker: text`` lines."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.audio.meeting.meeting import MeetingConfig, MeetingSession
from app.cli.common import wait_ready
from app.cli.meeting import _Events, _loop, _Options
from app.core.meeting.model import Side
from app.core.transcript import Task, TaskSpec
from app.workers.engine_thread import EngineThread
from app.workers.speakers import SpeakerDetector
from tests.support import fake_engine
from tests.support.fake_diarizer import FakeDiarizer, loader
from tests.support.fake_system_audio import ArraySource
from tests.ui.meeting.test_meeting_speakers import two_voices_call

LINE = re.compile(r"^\[(\d+\.\d\d)-(\d+\.\d\d)\] ([^:]+): (.*)$")


def _meeting(
    tmp_path: Path, detector: SpeakerDetector | None
) -> list[tuple[float, float, str, str]]:
    mic, system, _pause = two_voices_call()
    events = _Events()
    engine = EngineThread(fake_engine.factory, events)
    engine.start()
    try:
        engine.load_model("fake")
        assert wait_ready(events.q, [0])
        session = MeetingSession(
            events,
            ArraySource(mic, "mic", after_end="stop"),
            ArraySource(system, "call", after_end="stop"),
            MeetingConfig(journal_dir=tmp_path),
        )
        spoken = TaskSpec(Task.TRANSCRIBE, "en")
        french = TaskSpec(Task.TRANSLATE, "en", "fr")
        opts = _Options(
            {Side.YOU: [spoken], Side.OTHERS: [spoken, french]}, session.config, None, None
        )
        session.start()
        summary, segments = _loop(events, engine, session, opts, [0], detector)
    finally:
        engine.shutdown(timeout=5.0)
    assert not summary.error
    return [(s.start, s.end, s.speaker, s.text) for s in segments]


def _printed(out: str) -> list[tuple[float, float, str, str]]:
    lines = [LINE.match(line) for line in out.splitlines() if line.startswith("[")]
    return [(float(m[1]), float(m[2]), m[3], m[4]) for m in lines if m is not None]


def test_two_speakers_in_one_utterance_print_two_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    diarizer = FakeDiarizer()
    segments = _meeting(tmp_path, SpeakerDetector("fake", loader=loader(diarizer)))
    _mic, _system, pause = two_voices_call()
    assert [s[2] for s in segments] == ["Speaker 1", "Speaker 2"] and len(diarizer.fed) == 1
    assert segments[0][1] == segments[1][0] and pause[0] < segments[0][1] < pause[1]
    printed = _printed(capsys.readouterr().out)
    assert [p[2] for p in printed] == ["Speaker 1", "Speaker 1 (fr)", "Speaker 2", "Speaker 2 (fr)"]
    assert printed[0][1] == printed[2][0] == round(segments[0][1], 2)
    assert all(p[3] for p in printed) and printed[1][3].startswith("[fr]")


def test_without_speakers_the_utterance_is_one_line_of_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    segments = _meeting(tmp_path, None)
    assert [s[2] for s in segments] == ["Others"]
    assert [p[2] for p in _printed(capsys.readouterr().out)] == ["Others", "Others (fr)"]
