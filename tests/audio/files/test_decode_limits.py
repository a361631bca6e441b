"""Memory bombs: header fields and expansion are bounded by what the file can really hold."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from app.audio import decode_file, iter_decode, probe
from app.audio.files import limits
from app.core.errors import AudioDecodeError
from tests.support.media import write_wav_pcm

RATE = 16_000


def _wav_with(
    tmp_path: Path,
    name: str,
    *,
    rate: int | None = None,
    channels: int | None = None,
    seconds: float = 30.0,
) -> Path:
    """A 16 kHz s16 WAV of noise whose header fields are then overwritten."""
    noise = np.random.default_rng(1).uniform(-0.5, 0.5, int(seconds * RATE))
    path = write_wav_pcm(tmp_path / name, noise, RATE, "s16")
    data = bytearray(path.read_bytes())
    if rate is not None:
        data[24:28] = struct.pack("<I", rate)
    if channels is not None:
        data[22:24] = struct.pack("<H", channels)
    path.write_bytes(bytes(data))
    return path


def _one_line(exc_info, path) -> str:
    message = str(exc_info.value)
    assert "\n" not in message and os.path.basename(path) in message
    return message


# decode_file on these grows without bound when unchecked: it is tested under a memory cap below.
@pytest.mark.parametrize("fn", [probe, lambda p: next(iter_decode(p))])
@pytest.mark.parametrize("rate", [1, 7, 999, 5_000_000])
def test_absurd_sample_rate_is_refused(tmp_path, fn, rate):
    path = _wav_with(tmp_path, f"rate{rate}.wav", rate=rate)
    with pytest.raises(AudioDecodeError) as info:
        fn(path)
    assert "sample rate" in _one_line(info, path)


def test_absurd_channel_count_is_refused(tmp_path):
    path = _wav_with(tmp_path, "many.wav", channels=200, seconds=20.0)
    with pytest.raises(AudioDecodeError) as info:
        decode_file(path)
    assert "channels" in _one_line(info, path)


def test_real_low_rate_file_still_decodes(tmp_path):
    path = write_wav_pcm(tmp_path / "phone.wav", np.zeros(8000 * 3), 8000, "u8")
    assert decode_file(path).size == pytest.approx(3 * RATE, abs=16)


def test_output_is_bounded_by_the_bytes(tmp_path, monkeypatch):
    """A codec that expands a few bytes into much audio is stopped at the file's bound."""
    path = write_wav_pcm(tmp_path / "expands.wav", np.zeros(RATE * 40), RATE, "s16")
    # Pretend every byte may hold at most 1/100000 s: the 1.28 MB file then holds ~13 + 10 s.
    monkeypatch.setattr(limits, "MIN_BYTES_PER_SECOND", 100_000)
    monkeypatch.setattr(limits, "MAX_DECLARED_SECONDS_PER_BYTE", 1 / 100_000)
    with pytest.raises(AudioDecodeError) as info:
        decode_file(path)
    assert "more audio than a file of" in _one_line(info, path)
    with pytest.raises(AudioDecodeError):
        for _ in iter_decode(path):
            pass


def test_bound_follows_bytes_and_believes_a_plausible_declared_duration():
    assert limits.max_source_seconds(1 << 20, None) == pytest.approx((1 << 20) / 64 + 10)
    assert limits.max_source_seconds(1000, 3600.0) == pytest.approx(1000 / 16 * 1.02 + 10)
    assert limits.max_source_seconds(10 << 20, 3600.0) > 3600


@pytest.mark.timeout(60)
def test_one_hertz_bomb_fails_in_bounded_memory(tmp_path):
    """The 1 MB WAV claiming 1 Hz (it grew past 4 GB before): fails under a 1.5 GB cap."""
    path = _wav_with(tmp_path, "bomb.wav", rate=1, seconds=32.0)
    code = textwrap.dedent(
        f"""
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (1536 << 20, 1536 << 20))
        from app.audio import decode_file
        from app.core.errors import GraniteError
        try:
            decode_file({str(path)!r})
        except GraniteError as e:
            print("refused:", e)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=50, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "refused:" in done.stdout and "sample rate" in done.stdout
