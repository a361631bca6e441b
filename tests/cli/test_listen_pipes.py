"""``listen | head -1``: a closed stdout stops the printing, never the recording; the saved
audio is complete and the exit code is 0."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app.audio.journal import read_wav
from tests.support.espeak import compose, synthesize
from tests.support.pulse import PulseServer, pulse_server  # noqa: F401 - fixture

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.pulse
@pytest.mark.slow
def test_a_closed_stdout_never_stops_listen(
    pulse_server: PulseServer,  # noqa: F811
    tmp_path: Path,
) -> None:
    a = synthesize("the quick brown fox jumps over the lazy dog")
    speech = compose([0.5, a, 1.5, a, 1.5, a, 1.0])
    out_wav = tmp_path / "saved.wav"
    env = dict(
        pulse_server.env,
        GRANITE_DICTATE_HOME=str(tmp_path / "home"),
        GRANITE_DICTATE_ENGINE_FACTORY="tests.support.fake_engine:factory",
    )
    duration = speech.duration + 2.0
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "listen", "--model", "test/fake", "--duration",
         f"{duration:.1f}", "--save-audio", str(out_wav)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stderr is not None
    while "listening" not in proc.stderr.readline():
        pass
    player = pulse_server.play(speech.audio)
    first = proc.stdout.readline()  # like head -1: read one line, then close the pipe
    proc.stdout.close()
    assert player.wait(60) == 0
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 0, err
    assert first.startswith("[") and "Traceback" not in err, err
    audio, rate = read_wav(out_wav)
    assert len(audio) / rate > speech.duration - 0.5  # recorded to the end
