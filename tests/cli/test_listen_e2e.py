"""``python -m app listen`` end to end: espeak speech → PulseAudio virtual mic → tiny model."""

from __future__ import annotations

import argparse
import re
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from app.audio.journal import read_wav
from app.cli.listen import add_parser, format_line, run
from tests.support.espeak import compose, synthesize
from tests.support.pulse import PulseServer, pulse_server  # noqa: F401 - fixture

ROOT = Path(__file__).resolve().parents[2]
RATE = 16_000
LINE = re.compile(r"^\[(\d+\.\d\d)-(\d+\.\d\d)\](?: (.*))?$")


def _align(recorded: np.ndarray, source: np.ndarray) -> tuple[int, float]:
    """Lag (samples) of ``source`` inside ``recorded`` and the correlation at that lag."""
    n = 1 << (len(recorded) + len(source)).bit_length()
    xc = np.fft.irfft(np.fft.rfft(recorded, n) * np.conj(np.fft.rfft(source, n)), n)
    lag = int(np.argmax(xc[: len(recorded)]))
    seg = recorded[lag : lag + len(source)]
    ref = source[: len(seg)]
    return lag, float(np.corrcoef(seg, ref)[0, 1])


@pytest.mark.pulse
@pytest.mark.slow
def test_listen_records_and_prints_utterances(
    pulse_server: PulseServer,  # noqa: F811
    tiny_model_dir: Path,
    tmp_path: Path,
):
    a = synthesize("the quick brown fox jumps over the lazy dog")
    b = synthesize("hello world, this is a test")
    speech = compose([1.0, a, 1.6, b, 1.2])
    out_wav = tmp_path / "out.wav"
    env = dict(pulse_server.env, GRANITE_DICTATE_HOME=str(tmp_path / "home"))
    cmd = [sys.executable, "-m", "app", "listen", "--model", str(tiny_model_dir)]
    cmd += ["--duration", f"{speech.duration + 2.5:.1f}", "--save-audio", str(out_wav)]
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    status: list[str] = []
    while not any(line.startswith("granite-dictate: listening") for line in status):
        line = proc.stderr.readline()
        assert line, f"listen ended early: {''.join(status)}"
        status.append(line)
    player = pulse_server.play(speech.audio)
    assert player.wait(60) == 0
    out, err = proc.communicate(timeout=180)
    assert proc.returncode == 0, err
    assert "Traceback" not in err

    # the saved recording is the played speech
    recorded, rate = read_wav(out_wav)
    assert rate == RATE
    lag, r = _align(recorded, speech.audio)
    assert r > 0.98, f"lag {lag / RATE:.3f} s, {len(recorded) / RATE:.2f} s recorded; {err}"

    # one line per phrase, boundaries in the pauses (times shifted to the source timeline)
    lines = [LINE.match(x) for x in out.splitlines()]
    assert all(lines), out
    spans = [(float(m[1]) - lag / RATE, float(m[2]) - lag / RATE) for m in lines if m]
    assert len(spans) == 2, out
    phrase_words = [speech.words[: len(a.words)], speech.words[len(a.words) :]]
    for (start, end), words in zip(spans, phrase_words, strict=True):
        assert start < words[0].start - 0.2  # pre-roll kept the first word whole
        assert end > words[-1].end + 0.2  # tail
        for w in speech.words:  # never inside a word
            assert not (w.start < start < w.end) and not (w.start < end < w.end)
    assert spans[0][1] < spans[1][0]
    # the journal copy was removed after saving; nothing left to recover
    journal_dir = tmp_path / "home" / "data" / "recordings"
    assert journal_dir.is_dir() and not list(journal_dir.glob("*.json"))


def _start_listen(server: PulseServer, tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    env = dict(
        server.env,
        GRANITE_DICTATE_HOME=str(tmp_path / "home"),
        GRANITE_DICTATE_ENGINE_FACTORY="tests.support.fake_engine:factory",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "listen", "--model", "test/fake", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    seen: list[str] = []
    while not any(line.startswith("granite-dictate: listening") for line in seen):
        line = proc.stderr.readline()
        assert line, f"listen ended early: {''.join(seen)}"
        seen.append(line)
    return proc


@pytest.mark.pulse
@pytest.mark.slow
def test_ctrl_c_finishes_the_open_utterance_and_saves_flac(
    pulse_server: PulseServer,  # noqa: F811
    tmp_path: Path,
):
    speech = compose([0.8, synthesize("testing one two three"), 0.3])
    out = tmp_path / "out.flac"
    proc = _start_listen(pulse_server, tmp_path, "--save-audio", str(out))
    player = pulse_server.play(speech.audio)
    assert player.wait(60) == 0
    proc.send_signal(signal.SIGINT)  # right after the speech: the utterance is still open
    stdout, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    lines = stdout.splitlines()
    assert len(lines) == 1 and LINE.match(lines[0]) and "speech" in lines[0], stdout
    assert out.stat().st_size > 0
    journal_dir = tmp_path / "home" / "data" / "recordings"
    assert journal_dir.is_dir() and not list(journal_dir.glob("*.wav"))


def _ns(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["listen", *argv])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--duration", "0"], "--duration must be"),
        (["--save-audio", "x.mp3"], ".wav or .flac"),
        (["--save-audio", "/no/such/dir/x.wav"], "does not exist"),
        (["--translate-to", "xx"], "Cannot translate"),
        (["--pause", "9"], "--pause"),
        (["--model", "/no/such/model"], "--model"),
    ],
)
def test_usage_errors_are_one_line(argv, message, capsys):
    assert run(_ns(*argv)) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_missing_device_is_one_line_without_loading_a_model(capsys):
    assert run(_ns("--device", "no such microphone xyz", "--model", "missing/model")) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "input device" in err and "Traceback" not in err


def test_line_format():
    assert format_line(1.2, 3.854, " hello\n world ") == "[1.20-3.85] hello world"
    assert format_line(0, 0.5, "") == "[0.00-0.50]"
