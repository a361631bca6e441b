"""``python -m app meeting`` end to end: PulseAudio with two null sinks (the virtual mic and
"the call", captured through its monitor), espeak voices played into each, the call leaked
into the mic at -15 dB; the fake engine (or the tiny model) transcribes."""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np
import pytest

from app.audio.journal import read_wav
from app.cli.meeting import add_parser, run
from app.core.storage import recordings
from app.core.text.export import parse_vtt
from tests.support.espeak import compose, synthesize
from tests.support.pulse import SINK as MIC_SINK
from tests.support.pulse import PulseServer, pulse_server  # noqa: F401 - fixture

ROOT = Path(__file__).resolve().parents[2]
RATE = 16_000
LINE = re.compile(r"^\[(\d+\.\d\d)-(\d+\.\d\d)\] (You|Others)( \(\w+\))?: (.*)$")
CALL = "vcall"


def _conversation() -> tuple[np.ndarray, np.ndarray, list[tuple[str, float, float]]]:
    """(your audio, call audio, [(side, start, end) of each phrase]) on one timeline."""
    them1 = synthesize("good morning, can you hear me well", "en+m3")
    you1 = synthesize("yes, loud and clear", "en+f2")
    them2 = synthesize("great, then let us look at the plan", "en+m3")
    t1, t2 = 1.0, 1.0 + them1.duration + 1.4
    t3 = t2 + you1.duration + 1.4
    call = compose([t1, them1, t3 - t1 - them1.duration, them2, 2.0]).audio
    you = compose([t2, you1]).audio
    you = np.pad(you, (0, len(call) - len(you))).astype(np.float32)
    spans = [
        ("Others", t1, t1 + them1.duration),
        ("You", t2, t2 + you1.duration),
        ("Others", t3, t3 + them2.duration),
    ]
    return you, call, spans


@contextlib.contextmanager
def _loudspeaker(server: PulseServer, db: float = -15.0, delay_ms: int = 40) -> Iterator[None]:
    """The microphone hears the call: a loopback from the call's sink into the mic's, at
    ``db`` and ``delay_ms`` (a gap in the call's playback is a gap in its echo too)."""
    server.add_sink(CALL)
    module = server.leak(CALL, MIC_SINK, 10 ** (db / 20), delay_ms)
    try:
        yield
    finally:
        server.pactl("unload-module", str(module))


def _start(
    server: PulseServer, tmp_path: Path, *args: str, early: list[str] | None = None
) -> subprocess.Popen[str]:
    """The command, once it says it records; ``early`` gets the stderr lines before that."""
    server.add_sink(CALL)
    env = dict(
        server.env,
        GRANITE_DICTATE_HOME=str(tmp_path / "home"),
        GRANITE_DICTATE_ENGINE_FACTORY="tests.support.fake_engine:factory",
    )
    cmd = [sys.executable, "-m", "app", "meeting", "--model", "test/fake"]
    proc = subprocess.Popen(
        [*cmd, "--system", f"pulse:{CALL}.monitor", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    seen: list[str] = []
    while not any(line.startswith("granite-dictate: meeting:") for line in seen):
        line = proc.stderr.readline()
        assert line, f"meeting ended early: {''.join(seen)}"
        seen.append(line)
    if early is not None:
        early += seen
    return proc


def _play(server: PulseServer, mic: np.ndarray, call: np.ndarray) -> list[subprocess.Popen[bytes]]:
    """Both players at once, with a second of buffer: a loaded machine under-runs a smaller
    one, which inserts pauses into the speech."""
    return [server.play(mic, latency_ms=1000), server.play(call, sink=CALL, latency_ms=1000)]


def _place(
    spans: list[tuple[str, float, float]],
    tracks: dict[str, tuple[np.ndarray, int]],
    sources: dict[str, np.ndarray],
    why: str,
) -> list[tuple[str, float, float]]:
    """Each phrase's [start, end] in its recorded track (seconds), found by correlation."""
    placed = []
    for side, a, b in spans:
        phrase = sources[side][round(a * RATE) : round(b * RATE)]
        lag, r = _lag(tracks[side][0], phrase)
        assert r > 0.5, (side, a, r, why)  # a player under-run inside a phrase lowers it
        placed.append((side, lag / RATE, lag / RATE + (b - a)))
    return placed


def _lag(recorded: np.ndarray, source: np.ndarray) -> tuple[int, float]:
    n = 1 << (len(recorded) + len(source)).bit_length()
    xc = np.fft.irfft(np.fft.rfft(recorded, n) * np.conj(np.fft.rfft(source, n)), n)
    lag = int(np.argmax(xc[: len(recorded)]))
    seg = recorded[lag : lag + len(source)]
    return lag, float(np.corrcoef(seg, source[: len(seg)])[0, 1])


@pytest.mark.pulse
@pytest.mark.slow
def test_both_sides_once_each_with_echo_and_exports(
    pulse_server: PulseServer,  # noqa: F811
    tmp_path: Path,
):
    mic, call, spans = _conversation()
    out_dir = tmp_path / "saved"
    out_dir.mkdir()
    vtt = tmp_path / "meeting.vtt"
    duration = len(call) / RATE + 2.0
    proc = _start(
        pulse_server, tmp_path, "--duration", f"{duration:.1f}", "--save-audio", str(out_dir),
        "--output", str(vtt), "--translate-to", "fr",
    )  # fmt: skip
    with _loudspeaker(pulse_server):
        players = _play(pulse_server, mic, call)
        assert all(p.wait(60) == 0 for p in players)
        stdout, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "Traceback" not in err

    # each phrase is in its track (found by correlation: a player that under-runs on a loaded
    # machine shifts later phrases, so each phrase is placed on its own)
    tracks = {"You": read_wav(out_dir / "you.wav"), "Others": read_wav(out_dir / "others.wav")}
    assert all(rate == RATE for _, rate in tracks.values())
    placed = _place(spans, tracks, {"You": mic, "Others": call}, err)

    lines = [LINE.match(x) for x in stdout.splitlines()]
    assert all(lines), stdout
    said = [(m[3], float(m[1]), float(m[2])) for m in lines if m and not m[4]]
    translated = [m for m in lines if m and m[4]]
    # one line per phrase, each on the right side: the leaked call is never "You"
    assert [s for s, _, _ in sorted(said, key=lambda x: x[1])] == [s for s, _, _ in spans], stdout
    assert len(translated) == 2 and all(m[3] == "Others" and m[4] == " (fr)" for m in translated)
    for side, start, end in said:
        phrase = [(a, b) for s, a, b in placed if s == side and a < end and b > start]
        assert len(phrase) == 1, (side, start, end, placed, stdout)
        a, b = phrase[0]
        assert start < a and end > b  # boundaries in the pauses around the phrase
    # the exported document parses (ours and ffmpeg's reader) with the speakers
    text = vtt.read_text(encoding="utf-8")
    assert [s.speaker for s in parse_vtt(text)] == ["Others", "You", "Others"]
    with av.open(str(vtt)) as container:
        assert len([p for p in container.demux(container.streams.subtitles[0]) if p.size]) == 3
    journal = tmp_path / "home" / "data" / "recordings"
    assert not list(journal.glob("*.wav"))  # copied to --save-audio, journal cleared


@pytest.mark.pulse
@pytest.mark.slow
def test_kill_9_leaves_both_tracks_recoverable(
    pulse_server: PulseServer,  # noqa: F811
    tmp_path: Path,
):
    mic, call, spans = _conversation()
    proc = _start(pulse_server, tmp_path)
    players = _play(pulse_server, mic, call)
    assert all(p.wait(60) == 0 for p in players)
    journal = tmp_path / "home" / "data" / "recordings"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # until both tracks hold the whole call on disk
        sizes = [p.stat().st_size for p in journal.glob("*.wav")]
        if len(sizes) == 2 and min(sizes) > 44 + 2 * len(call):
            break
        time.sleep(0.2)  # polling the files the process writes
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    unfinished = recordings.find_unfinished(journal)
    assert len(unfinished) == 2
    assert len({str(i.extra["meeting"]) for i in unfinished}) == 1
    assert {str(i.extra["track"]) for i in unfinished} == {"you", "others"}
    for info in unfinished:
        fixed = recordings.recover(info)
        audio, rate = read_wav(fixed.wav)
        assert rate == RATE and len(audio) >= len(call)
        assert fixed.duration_s == pytest.approx(len(audio) / RATE, abs=0.01)
    tracks = {str(i.extra["track"]).capitalize(): read_wav(i.wav) for i in unfinished}
    _place(spans, tracks, {"You": mic, "Others": call}, "after kill -9")


def _ns(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["meeting", *argv])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--duration", "0"], "--duration must be"),
        (["--save-audio", "/no/such/dir"], "does not exist"),
        (["--output", "x.doc"], "--output must end"),
        (["--translate-to", "xx"], "Cannot translate"),
        (["--model", "/no/such/model"], "--model"),
    ],
)
def test_usage_errors_are_one_line(argv, message, capsys):
    assert run(_ns(*argv)) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_missing_mic_is_one_line_without_loading_a_model(capsys):
    assert run(_ns("--mic", "no such microphone xyz", "--model", "missing/model")) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "input device" in err and "Traceback" not in err


SPEAKER = re.compile(r"^\[(\d+\.\d\d)-(\d+\.\d\d)\] (You|Others|Speaker [1-4]): (.*)$")


@pytest.mark.pulse
@pytest.mark.slow
@pytest.mark.parametrize("model", ["tiny", "missing"])
def test_speakers_on_the_other_side_or_the_fallback(
    pulse_server: PulseServer,  # noqa: F811
    tiny_sortformer_dir: Path,
    tmp_path: Path,
    model: str,
):
    mic, call, spans = _conversation()
    spec = str(tiny_sortformer_dir) if model == "tiny" else str(tmp_path / "no-model")
    duration = len(call) / RATE + 1.5
    early: list[str] = []
    proc = _start(
        pulse_server, tmp_path, "--duration", f"{duration:.1f}", "--speakers",
        "--speaker-model", spec, early=early,
    )  # fmt: skip
    with _loudspeaker(pulse_server):  # the call leaks into the mic: never a "You" line
        players = _play(pulse_server, mic, call)
        assert all(p.wait(60) == 0 for p in players)
        stdout, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    err = "".join(early) + err
    lines = [SPEAKER.match(x) for x in stdout.splitlines()]
    assert all(lines) and len(lines) == len(spans), stdout
    who = [m[3] for m in sorted((m for m in lines if m), key=lambda m: float(m[1]))]
    assert who[1] == "You"
    if model == "tiny":
        assert "speaker detection unavailable" not in err
        assert all(w != "You" for i, w in enumerate(who) if i != 1)
    else:
        assert "speaker detection unavailable" in err and "not found" in err
        assert who == ["Others", "You", "Others"]


@pytest.mark.pulse
@pytest.mark.slow
def test_ctrl_c_ends_cleanly_and_keeps_both_tracks(
    pulse_server: PulseServer,  # noqa: F811
    tmp_path: Path,
):
    mic, call, _spans = _conversation()
    proc = _start(pulse_server, tmp_path)
    players = _play(pulse_server, mic[: 3 * RATE], call[: 3 * RATE])
    assert all(p.wait(60) == 0 for p in players)
    proc.send_signal(signal.SIGINT)
    stdout, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "both tracks are kept: " in err
    kept = [Path(p) for p in err.split("both tracks are kept: ")[1].strip().split(", ")]
    assert len(kept) == 2
    for wav in kept:
        audio, rate = read_wav(wav)
        assert rate == RATE and len(audio) >= 3 * RATE
    journal = tmp_path / "home" / "data" / "recordings"
    assert not recordings.find_unfinished(journal)  # both closed cleanly
    assert all(LINE.match(x) for x in stdout.splitlines())
