"""``transcribe DIR --recursive --skip-existing``: folders walked, finished inputs skipped, a
killed batch resumed where it stopped, stable output names; the batch progress label."""

from __future__ import annotations

import signal
import subprocess
import threading
from pathlib import Path

import pytest

from app.cli.files.folders import BatchProgress
from app.core.errors import CancelledError
from tests.support import espeak
from tests.support.cli import ROOT, app_command, app_env, run_app
from tests.support.fake_engine import FakeEngine
from tests.support.media import write_audio

STOPPER = "tests.cli.test_transcribe_folders:one_then_block"


def _tone(path: Path, seconds: float) -> Path:
    """Speech (one chunk) whose length, and so the fake engine's text, depends on ``seconds``."""
    words = ["one", "two three", "four five six", "seven eight nine ten"][int(seconds * 2) - 2]
    speech = espeak.compose([0.3, espeak.synthesize(words), 0.3])
    return write_audio(path, speech.audio, 16000)


def _run(args: list[str], home: Path) -> subprocess.CompletedProcess[str]:
    return run_app(["transcribe", *args], home)


class _OneThenBlock(FakeEngine):
    """Transcribes the first chunk, then blocks (until cancelled) and says so on stdout."""

    def run(self, audio, specs, *, on_partial=None, cancel=None):
        if self.calls:
            print("engine busy", flush=True)
            while not threading.Event().wait(0.01):
                if cancel is not None and cancel.cancelled:
                    raise CancelledError()
        return super().run(audio, specs, on_partial=on_partial, cancel=cancel)


def one_then_block(spec, on_progress, cancel) -> FakeEngine:
    return _OneThenBlock(name=spec)


@pytest.fixture
def archive(tmp_path) -> Path:
    root = tmp_path / "archive"
    (root / "2024" / "march").mkdir(parents=True)
    (root / ".cache").mkdir()
    _tone(root / "a.wav", 1.0)
    _tone(root / "2024" / "b.flac", 1.5)
    _tone(root / "2024" / "march" / "c.wav", 2.0)
    _tone(root / ".cache" / "hidden.wav", 1.0)
    (root / "notes.txt").write_text("not audio")
    return root


def test_recursive_walks_folders_and_skip_existing_resumes(archive, tmp_path) -> None:
    home = tmp_path / "home"
    first = _run([str(archive), "--recursive", "--skip-existing"], home)
    assert first.returncode == 0, first.stderr
    made = sorted(p.relative_to(archive).as_posix() for p in archive.rglob("*.txt"))
    assert made == ["2024/b.txt", "2024/march/c.txt", "a.txt", "notes.txt"]
    stamps = {p: p.stat().st_mtime_ns for p in archive.rglob("*.txt")}
    again = _run([str(archive), "--recursive", "--skip-existing"], home)
    assert again.returncode == 0 and "skipping 3 input(s)" in again.stderr
    assert {p: p.stat().st_mtime_ns for p in archive.rglob("*.txt")} == stamps


def test_a_folder_without_recursive_is_still_refused(archive, tmp_path) -> None:
    proc = _run([str(archive)], tmp_path / "home")
    assert proc.returncode == 1 and "is a folder" in proc.stderr


def test_a_killed_batch_continues_where_it_stopped(archive, tmp_path) -> None:
    home = tmp_path / "home"
    cmd = app_command("transcribe", archive, "--recursive", "--skip-existing")
    env = app_env(home, engine=STOPPER)
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "engine busy"  # on the second file
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    first = archive / "a.txt"  # a folder's files first, then its subfolders, sorted
    assert first.is_file() and not (archive / "2024" / "b.txt").exists()
    stamp = first.stat().st_mtime_ns
    rerun = _run([str(archive), "--recursive", "--skip-existing"], home)
    assert rerun.returncode == 0 and "skipping 1 input(s)" in rerun.stderr
    assert (archive / "2024" / "b.txt").is_file()
    assert (archive / "2024" / "march" / "c.txt").read_text().startswith("speech")
    assert first.stat().st_mtime_ns == stamp


def test_names_stay_the_same_on_a_rerun(tmp_path) -> None:
    src = tmp_path / "in"
    (src / "x").mkdir(parents=True)
    (src / "y").mkdir()
    _tone(src / "x" / "talk.wav", 1.0)
    _tone(src / "y" / "talk.wav", 2.0)
    out = tmp_path / "out"
    args = [str(src), "--recursive", "--skip-existing", "--output-dir", str(out)]
    assert _run(args, tmp_path / "home").returncode == 0
    one, two = (out / "talk.txt").read_text(), (out / "talk-2.txt").read_text()
    assert one != two and one.startswith("speech") and two.startswith("speech")
    (out / "talk-2.txt").unlink()  # as if killed before the second file was written
    rerun = _run(args, tmp_path / "home")
    assert rerun.returncode == 0 and "skipping 1 input(s)" in rerun.stderr
    assert (out / "talk.txt").read_text() == one and (out / "talk-2.txt").read_text() == two


def test_batch_progress_label() -> None:
    now = [0.0]
    paths = [Path("a.wav"), Path("b.wav"), Path("c.wav")]
    hours = {"a.wav": 1800.0, "b.wav": 3600.0, "c.wav": 1800.0}
    batch = BatchProgress(paths, lambda p: hours[p.name], lambda: now[0])
    assert batch.label(paths[0]) == "[file 1/3, 0.00/2.00 h of audio, -- left] a.wav"
    now[0] = 600.0
    batch.finished(paths[0])
    assert batch.label(paths[1]) == "[file 2/3, 0.50/2.00 h of audio, 30 min left] b.wav"
    assert BatchProgress(paths[:1], lambda p: 1.0).label(paths[0]) == "a.wav"
