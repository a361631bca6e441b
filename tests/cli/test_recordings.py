"""Recordings a killed session left: reported by ``listen``, listed, recovered and transcribed
by ``python -m app recordings``; a clean exit keeps a recording whose utterances failed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from app.audio.journal import RecordingJournal
from app.audio.session import SessionSummary
from app.cli import listen
from app.core.storage import recordings
from tests.cli.test_transcribe import lines
from tests.support.cli import run_app


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _killed_recording(home: Path, seconds: float = 1.5) -> recordings.RecordingInfo:
    journal = RecordingJournal(home / "data" / "recordings")
    t = np.arange(int(seconds * 16_000)) / 16_000
    journal.write((0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32))
    journal.flush(fsync=True)
    journal.info.pid = _dead_pid()  # as if the writer had been killed
    journal.info.save()
    return journal.info


def test_list_recover_and_transcribe_a_killed_recording(tmp_path: Path) -> None:
    info = _killed_recording(tmp_path)
    listed = run_app(["recordings", "list"], tmp_path)
    assert listed.returncode == 0 and info.id in listed.stdout and "interrupted" in listed.stdout

    done = run_app(["recordings", "transcribe", info.id[:15], "--model", "test/fake"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"recovered {info.id}: 1.5 s" in done.stderr
    assert info.wav.with_suffix(".txt").exists()  # a tone: the VAD finds no speech in it
    assert f"{info.id}.wav: 0 segments, 2 s of audio" in done.stderr
    assert "recovered" in run_app(["recordings", "list"], tmp_path).stdout


def test_the_next_listen_reports_what_a_kill_left(tmp_path: Path) -> None:
    _killed_recording(tmp_path)
    notice = recordings.unfinished_notice(tmp_path / "data" / "recordings")
    assert notice is not None and "1 recording(s) from an interrupted session (2 s)" in notice


def test_listen_with_an_unwritable_data_folder_says_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    proc = run_app(["listen", "--model", "test/fake", "--duration", "1"], blocker)
    assert proc.returncode == 1
    said = [line for line in lines(proc.stderr) if "log" not in line.lower()]
    assert len(said) == 1 and "recordings folder" in said[0], proc.stderr


def test_a_clean_exit_keeps_a_recording_whose_utterances_failed(tmp_path: Path) -> None:
    journal = RecordingJournal(tmp_path)
    journal.write(np.zeros(16_000, np.float32))
    info = journal.close()
    summary = SessionSummary(recording=info, seconds=1.0, utterances=1, overflows=0)
    assert listen._finish(summary, None, failed=1) == 1
    assert info.wav.exists() and info.sidecar.exists()
    assert listen._finish(summary, None, failed=0) == 0
    assert not info.wav.exists()


@pytest.mark.parametrize("args", [["recover"], ["transcribe", "nope"]])
def test_bad_ids_are_one_line(tmp_path: Path, args: list[str]) -> None:
    proc = run_app(["recordings", *args], tmp_path)
    assert proc.returncode in (1, 2) and len(lines(proc.stderr)) == 1


def test_stale_temp_files_are_cleaned_at_start(tmp_path: Path) -> None:
    stale = []
    for folder in ("config", "data/recordings", "data/transcripts"):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        temp = tmp_path / folder / ".gd-k2j4h5.part"
        temp.write_text("half a file from a crash")
        os.utime(temp, (1_000_000, 1_000_000))
        stale.append(temp)
    run_app(["recordings", "list"], tmp_path)
    assert not any(p.exists() for p in stale)
