"""``python -m app meeting --speakers`` end to end, two people in one utterance: PulseAudio
plays two espeak voices back to back (0.5 s apart: one utterance) into "the call", captured
through its monitor; the fake engine transcribes and the fake speaker model
(``GRANITE_DICTATE_SPEAKER_LOADER``, turns from loudness) says who talks when. The command
prints one line per speaker turn, each followed by its translation."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

from tests.support.cli import ROOT, app_command, app_env
from tests.support.espeak import compose, noise, synthesize
from tests.support.pulse import PulseServer, pulse_server  # noqa: F401 - fixture

RATE = 16_000
CALL = "vsplit"
LINE = re.compile(r"^\[(\d+\.\d\d)-(\d+\.\d\d)\] (.+?)( \(fr\))?: (.*)$")


@pytest.mark.pulse
@pytest.mark.slow
def test_two_voices_in_one_utterance_print_a_line_per_speaker(
    pulse_server: PulseServer,  # noqa: F811
    tmp_path: Path,
) -> None:
    first = synthesize("good morning everyone shall we begin", "en+m3")
    second = synthesize("the budget is ready for review", "en+f2")
    call = compose([1.0, first, 0.5, second, 2.0]).audio
    mic = noise(len(call) / RATE, -70, seed=3)[: len(call)].astype(np.float32)
    pulse_server.add_sink(CALL)
    env = app_env(
        tmp_path / "home",
        **pulse_server.env,
        GRANITE_DICTATE_SPEAKER_LOADER="tests.support.fake_diarizer:load",
    )
    cmd = app_command("meeting", "--model", "test/fake")
    cmd += ["--system", f"pulse:{CALL}.monitor", "--duration", f"{len(call) / RATE + 1.5:.1f}"]
    cmd += ["--speakers", "--speaker-model", "fake", "--translate-to", "fr", "--pause", "1.2"]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stderr is not None
    seen: list[str] = []
    while not any(line.startswith("granite-dictate: meeting:") for line in seen):
        line = proc.stderr.readline()
        assert line, f"meeting ended early: {''.join(seen)}"
        seen.append(line)
    players = [
        pulse_server.play(mic, latency_ms=1000),
        pulse_server.play(call, sink=CALL, latency_ms=1000),
    ]
    assert all(p.wait(60) == 0 for p in players)
    stdout, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, "".join(seen) + err
    lines = [m for m in map(LINE.match, stdout.splitlines()) if m]
    assert len(lines) == len(stdout.splitlines()) == 4, stdout
    assert [(m[3], m[4]) for m in lines] == [
        ("Speaker 1", None),
        ("Speaker 1", " (fr)"),
        ("Speaker 2", None),
        ("Speaker 2", " (fr)"),
    ], stdout
    assert lines[0][2] == lines[2][1]  # the second turn starts where the first ends
    said = float(lines[0][2]) - float(lines[0][1])
    assert first.duration < said < first.duration + 1.0  # cut in the pause after the first
    assert all(m[5] for m in lines) and lines[1][5].startswith("[fr]")
