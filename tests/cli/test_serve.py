"""``python -m app serve`` as a user runs it: a subprocess on 127.0.0.1, port 0, fake engine."""

from __future__ import annotations

import queue
import re
import signal
import subprocess
import threading
from pathlib import Path

import openai

from tests.support import espeak
from tests.support.cli import ROOT, app_command, app_env
from tests.support.media import write_audio


def _start(args: list[str], home: Path) -> subprocess.Popen[str]:
    env = app_env(home)
    env.pop("GRANITE_DICTATE_API_KEY", None)
    return subprocess.Popen(
        app_command("serve", *args),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _lines(proc: subprocess.Popen[str]) -> tuple[queue.Queue[str], threading.Thread]:
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.put(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    return lines, reader


def test_serve_prints_its_address_answers_and_stops_on_ctrl_c(tmp_path) -> None:
    speech = espeak.compose([0.3, espeak.synthesize("Hello there."), 0.3])
    audio = write_audio(tmp_path / "hello.wav", speech.audio, 16000)
    proc = _start(["--model", "test/fake", "--port", "0"], tmp_path / "home")
    try:
        lines, reader = _lines(proc)
        seen: list[str] = []
        while not (match := re.search(r"at (http://127\.0\.0\.1:\d+/v1)", "".join(seen))):
            seen.append(lines.get(timeout=60))
        client = openai.OpenAI(base_url=match.group(1), api_key="x", max_retries=0, timeout=60)
        text = client.audio.transcriptions.create(file=audio.open("rb"), model="x").text
        assert text.startswith("speech ")
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    reader.join(10)
    while not lines.empty():
        seen.append(lines.get())
    assert "Traceback" not in "".join(seen) and seen[-1].strip().endswith("stopped.")


def test_other_addresses_need_a_key(tmp_path) -> None:
    proc = _start(["--model", "test/fake", "--host", "0.0.0.0"], tmp_path / "home")
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert "--api-key" in err and len(err.strip().splitlines()) == 1


def test_a_model_that_cannot_load_is_one_line_exit_1(tmp_path) -> None:
    proc = _start(["--model", "test/missing", "--port", "0"], tmp_path / "home")
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1 and "cannot load the model" in err and "Traceback" not in err


def test_ctrl_c_with_a_request_in_flight_cancels_it_and_exits(tmp_path) -> None:
    speech = espeak.compose([0.3, espeak.synthesize("Hello there."), 0.3])
    audio = write_audio(tmp_path / "hello.wav", speech.audio, 16000)
    proc = subprocess.Popen(
        app_command("serve", "--model", "test/block", "--port", "0"),
        cwd=ROOT,
        env=app_env(tmp_path / "home"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines, _ = _lines(proc)
        seen: list[str] = []
        while not (match := re.search(r"at (http://127\.0\.0\.1:\d+/v1)", "".join(seen))):
            seen.append(lines.get(timeout=60))
        client = openai.OpenAI(base_url=match.group(1), api_key="x", max_retries=0, timeout=60)
        errors: list[Exception] = []

        def send() -> None:
            try:
                client.audio.transcriptions.create(file=audio.open("rb"), model="x")
            except Exception as err:
                errors.append(err)

        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "engine busy"  # the job runs (and blocks)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 0
        sender.join(30)
        assert errors  # the client's request ended without an answer
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
