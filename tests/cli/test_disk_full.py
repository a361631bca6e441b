"""A really full disk (a 16 KB tmpfs, mounted when the tests run as root): ``transcribe``
saves the transcript in the data folder and names it; ``--save-audio``'s writer leaves no
half file."""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from app.audio.journal import RecordingJournal, export_audio
from app.core.storage.recordings import RecordingError
from tests.cli.test_transcribe import lines, run
from tests.support import espeak
from tests.support.media import write_audio


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "full"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        fd = os.open(mount / "filler", os.O_WRONLY | os.O_CREAT)
        try:
            while True:
                os.write(fd, b"\0" * 1024)
        except OSError as err:
            assert err.errno == errno.ENOSPC
        finally:
            os.close(fd)
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_transcribe_on_a_full_disk_saves_the_transcript_elsewhere(
    full_disk: Path, tmp_path: Path
) -> None:
    src = tmp_path / "talk.wav"
    speech = espeak.compose([0.3, espeak.synthesize("Granite speech runs on the device."), 0.3])
    write_audio(src, speech.audio, 16000)
    proc = run(
        ["transcribe", str(src), "--model", "test/fake", "--output-dir", str(full_disk),
         "--format", "txt,srt"],
        tmp_path / "home",
    )  # fmt: skip
    assert proc.returncode == 1
    said = lines(proc.stderr)
    saved = tmp_path / "home" / "data" / "unsaved"
    assert (
        f"talk.wav: cannot write talk.txt (No space left on device); saved it to {saved}/talk.txt"
        in said[0]
    )
    assert (saved / "talk.txt").exists() and (saved / "talk.srt").exists()
    assert sorted(p.name for p in full_disk.iterdir()) == ["filler"]  # no temp left behind


def test_saved_audio_on_a_full_disk_leaves_no_half_file(full_disk: Path, tmp_path: Path) -> None:
    journal = RecordingJournal(tmp_path / "rec")
    journal.write(np.zeros(16_000 * 6, np.float32))
    info = journal.close()
    for name in ("saved.wav", "saved.flac"):
        with pytest.raises(RecordingError):
            export_audio(info.wav, full_disk / name)
    assert sorted(p.name for p in full_disk.iterdir()) == ["filler"]
