from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import wave
from pathlib import Path

import numpy as np
import pytest

from app.audio.journal import RecordingJournal, export_audio, read_wav
from app.core.storage import recordings
from app.core.storage.recordings import RecordingError

RATE = 16_000
ROOT = Path(__file__).resolve().parents[2]


def _signal(seconds: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (0.3 * rng.standard_normal(round(seconds * RATE))).clip(-1, 1).astype(np.float32)


def _read_with_wave(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, RATE)
        return np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float32) / 32768


def test_journal_round_trip_and_sidecar(tmp_path: Path):
    src = _signal(2.3)
    j = RecordingJournal(tmp_path, device="mic")
    assert recordings.list_recordings(tmp_path)[0].status == "recording"
    for i in range(0, len(src), 700):
        j.write(src[i : i + 700])
    info = j.close(transcript="hello")
    j.close()  # idempotent
    got = _read_with_wave(info.wav)
    np.testing.assert_allclose(got, src, atol=1.5 / 32768)
    (listed,) = recordings.list_recordings(tmp_path)
    assert (listed.status, listed.device, listed.transcript) == ("complete", "mic", "hello")
    assert listed.duration_s == pytest.approx(2.3, abs=1e-3)
    assert recordings.find_unfinished(tmp_path) == []


def test_header_is_valid_while_recording(tmp_path: Path):
    j = RecordingJournal(tmp_path)
    j.write(_signal(1.2))
    # another reader sees a valid file with at least all but the last second
    assert len(_read_with_wave(j.path)) >= 0.2 * RATE
    j.close()


_CHILD = textwrap.dedent(
    """
    import sys
    import numpy as np
    from pathlib import Path
    from app.audio.journal import RecordingJournal

    j = RecordingJournal(Path(sys.argv[1]))
    print(j.path, flush=True)
    rng = np.random.default_rng(0)
    written = 0
    block = 512
    while True:  # like the capture consumer: small blocks, forever, until killed
        j.write((0.3 * rng.standard_normal(block)).clip(-1, 1).astype(np.float32))
        written += block
        if written % (block * 10) == 0:
            print(written, flush=True)
    """
)


def test_journal_survives_sigkill_and_is_recovered(tmp_path: Path):
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(tmp_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    path = Path(child.stdout.readline().strip())
    written = 0
    while written < 3 * RATE:
        written = int(child.stdout.readline())
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    child.stdout.close()

    # readable as it is, with everything but at most the last second
    got = _read_with_wave(path)
    assert len(got) >= written - RATE
    rng = np.random.default_rng(0)
    ref = np.concatenate(
        [(0.3 * rng.standard_normal(512)).clip(-1, 1) for _ in range(len(got) // 512 + 1)]
    )[: len(got)]
    np.testing.assert_allclose(got, ref, atol=1.5 / 32768)

    # the next start finds it, repairs the header and keeps every byte on disk
    (unfinished,) = recordings.find_unfinished(tmp_path)
    assert unfinished.wav == path
    fixed = recordings.recover(unfinished)
    assert fixed.status == "recovered"
    assert len(_read_with_wave(path)) >= written
    assert recordings.find_unfinished(tmp_path) == []


def test_a_live_writer_is_not_offered_for_recovery(tmp_path: Path):
    j = RecordingJournal(tmp_path)
    j.write(_signal(0.2))
    assert recordings.find_unfinished(tmp_path) == []  # this process is still writing it
    j.close()


def test_export_wav_and_flac(tmp_path: Path):
    import av

    src = _signal(1.0, seed=3)
    j = RecordingJournal(tmp_path / "rec")
    j.write(src)
    info = j.close()
    wav = export_audio(info.wav, tmp_path / "out.wav")
    np.testing.assert_array_equal(read_wav(wav)[0], read_wav(info.wav)[0])
    flac = export_audio(info.wav, tmp_path / "out.flac")
    with av.open(str(flac)) as c:
        frames = [f.to_ndarray() for f in c.decode(audio=0)]
    decoded = np.concatenate(frames, axis=1)[0].astype(np.float32) / 32768
    np.testing.assert_allclose(decoded, read_wav(info.wav)[0], atol=1e-6)
    with pytest.raises(RecordingError, match=r"\.mp3"):
        export_audio(info.wav, tmp_path / "out.mp3")


def test_delete_and_data_folder_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("GRANITE_DICTATE_HOME", str(tmp_path))
    assert recordings.recordings_dir() == tmp_path / "data" / "recordings"
    j = RecordingJournal()
    j.write(_signal(0.1))
    info = j.close()
    assert info.wav.parent == tmp_path / "data" / "recordings"
    recordings.delete(info)
    assert recordings.list_recordings(tmp_path / "data" / "recordings") == []
    (tmp_path / "data" / "recordings" / "bad.json").write_text("{not json")
    assert recordings.list_recordings(tmp_path / "data" / "recordings") == []  # skipped, no crash
