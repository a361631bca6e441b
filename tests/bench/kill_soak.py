"""kill -9 soak: ``listen`` is killed at random moments while speech plays into the
PulseAudio virtual microphone; prints kills, worst seconds lost and unreadable files.

    .venv/bin/python -m tests.bench.kill_soak [--kills 12] [--seed 7]

Each round starts ``python -m app listen`` (fake engine: the model does not matter for what
reaches the disk) in its own data folder, waits for "listening", lets it record 1–5 s of
espeak speech (random), and kills it with SIGKILL. Then, like the next start, it finds the
interrupted recording, recovers it, reads it back (``read_wav``) and decodes it
(``decode_file``). Lost = recorded time until the kill − recovered duration; the recorded time
is measured from "listening" (``listen``) or the log's "recording to" line (the window,
started offscreen and told to record by a ``toggle`` message on its single-instance socket),
so the figure slightly overestimates. Rounds alternate between ``listen`` and the window.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from app.audio import decode_file
from app.audio.journal import read_wav
from app.core.storage import recordings
from tests.support.espeak import compose, synthesize
from tests.support.pulse import start_pulse

ROOT = Path(__file__).resolve().parents[2]


def _start_listen(env: dict[str, str], home: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "listen", "--model", "test/fake"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    for line in proc.stderr:
        if "listening" in line:
            break
    return proc


def _start_window(env: dict[str, str], home: Path) -> subprocess.Popen[str]:
    """The window (offscreen), its model a folder the fake engine accepts; Record is started
    by a ``toggle`` message on the single-instance socket, as a desktop shortcut does."""
    config = home / "config"
    config.mkdir(parents=True)
    (config / "settings.ini").write_text(f"[preferences]\nmodel={home}\n")
    env = dict(env, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.Popen(
        [sys.executable, "-m", "app"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    code = "from app.ui.desktop.single_instance import default_key; print(default_key())"
    key = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
        check=True,
    ).stdout.strip()  # fmt: skip
    log = home / "logs" / "granite-dictate.log"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        text = log.read_text() if log.exists() else ""
        if "Loading model" in text and os.path.exists(key):
            break
        time.sleep(0.1)
    with socket.socket(socket.AF_UNIX) as sock:
        sock.connect(key)
        sock.sendall(b'{"command": "toggle", "args": []}\n')
    while time.monotonic() < deadline and "recording to" not in log.read_text():
        time.sleep(0.02)
    return proc


def _round(
    start: Callable[[dict[str, str], Path], subprocess.Popen[str]],
    pulse_env: dict[str, str],
    home: Path,
    wait_s: float,
) -> tuple[float, float, str]:
    env = dict(
        pulse_env,
        GRANITE_DICTATE_HOME=str(home),
        GRANITE_DICTATE_ENGINE_FACTORY="tests.support.fake_engine:factory",
    )
    proc = start(env, home)
    started = time.monotonic()
    time.sleep(wait_s)
    os.kill(proc.pid, signal.SIGKILL)
    recorded = time.monotonic() - started
    proc.wait()
    if proc.stderr is not None:
        proc.stderr.close()
    left = recordings.find_unfinished(home / "data" / "recordings")
    if len(left) != 1:
        return recorded, 0.0, f"{len(left)} unfinished recordings found"
    info = recordings.recover(left[0])
    try:
        audio, rate = read_wav(info.wav)
        decode_file(info.wav)
    except Exception as err:  # the figure we want: any unreadable file
        return recorded, 0.0, f"{type(err).__name__}: {err}"
    return recorded, len(audio) / rate, ""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kills", type=int, default=12)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    speech = compose([0.3, synthesize("the quick brown fox jumps over the lazy dog " * 6), 0.3])
    pulse = start_pulse()
    worst, unreadable, losses = 0.0, 0, []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for i in range(args.kills):
                player = pulse.play(speech.audio)
                wait_s = float(rng.uniform(1.0, 5.0))
                target = ("listen", "window")[i % 2]
                start = _start_listen if target == "listen" else _start_window
                recorded, kept, problem = _round(start, pulse.env, Path(tmp) / f"r{i}", wait_s)
                player.kill()
                player.wait()
                lost = max(0.0, recorded - kept)
                losses.append(lost)
                worst = max(worst, lost)
                unreadable += bool(problem)
                print(
                    f"kill {i + 1:2d} ({target:6}): after {recorded:5.2f} s recorded, "
                    f"recovered {kept:5.2f} s, lost {lost:4.2f} s {problem}",
                    flush=True,
                )
    finally:
        pulse.stop()
    print(
        f"kills: {args.kills}, worst seconds lost: {worst:.2f}, median lost: "
        f"{float(np.median(losses)):.2f}, unreadable files: {unreadable}"
    )


if __name__ == "__main__":
    main()
