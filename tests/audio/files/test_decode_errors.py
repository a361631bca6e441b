"""Bad input: always AudioDecodeError with one line naming the file; truncated files keep audio."""

from __future__ import annotations

import logging
import os
import struct

import numpy as np
import pytest

from app.audio import decode_file, iter_decode, probe
from app.core.errors import AudioDecodeError
from tests.support.media import tone, write_tone, write_video_only, write_wav_pcm

RATE = 16_000


def _fails(path, fn=decode_file) -> str:
    with pytest.raises(AudioDecodeError) as info:
        fn(path)
    message = str(info.value)
    assert "\n" not in message
    assert os.path.basename(path) in message
    return message


@pytest.mark.parametrize("fn", [decode_file, probe, iter_decode])
def test_missing_file(tmp_path, fn):
    assert "does not exist" in _fails(tmp_path / "nope.wav", fn)


def test_directory(tmp_path):
    (tmp_path / "folder.wav").mkdir()
    assert "folder" in _fails(tmp_path / "folder.wav")


def test_fifo_is_rejected_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "pipe.wav")
    assert "not a regular file" in _fails(tmp_path / "pipe.wav")


def test_zero_length_file(tmp_path):
    (tmp_path / "empty.mp3").write_bytes(b"")
    assert "empty" in _fails(tmp_path / "empty.mp3")


def test_text_file_renamed_wav(tmp_path):
    (tmp_path / "notes.wav").write_text("Meeting notes\nnot audio at all\n" * 20)
    assert "not a readable audio" in _fails(tmp_path / "notes.wav")


@pytest.mark.parametrize(
    "ext", [".wav", ".mp3", ".flac", ".ogg", ".opus", ".m4a", ".aac", ".webm", ".bin"]
)
@pytest.mark.parametrize("size", [1, 17, 100, 1000, 10_000, 100_000, 1_000_000])
@pytest.mark.timeout(60)  # a hang in FFmpeg on garbage fails here, not after the 300 s default
def test_random_bytes_fail_cleanly(tmp_path, ext, size):
    path = tmp_path / f"noise{size}{ext}"
    path.write_bytes(np.random.default_rng(size).bytes(size))
    _fails(path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files regardless of permissions")
def test_permission_denied(tmp_path):
    path = write_tone(tmp_path / "locked.wav", 0.2)
    path.chmod(0)
    assert "ermission" in _fails(path)


def test_permission_denied_message(tmp_path, monkeypatch):
    """Runs as root too: the file system refusal is simulated where the decoder opens the file."""
    import app.audio.files.decode as decode

    path = write_tone(tmp_path / "private.wav", 0.2)

    def refuse(file, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(file))

    monkeypatch.setattr(decode, "open", refuse, raising=False)
    assert "cannot be read: Permission denied" in _fails(path)


def test_video_without_audio_track(tmp_path):
    path = write_video_only(tmp_path / "silent-film.mp4")
    assert "has no audio track" in _fails(path)
    assert "has no audio track" in _fails(path, probe)


def test_unknown_wav_codec(tmp_path):
    path = write_wav_pcm(tmp_path / "odd.wav", tone(0.5, 16000)[0], 16000, "s16")
    data = bytearray(path.read_bytes())
    data[20:22] = struct.pack("<H", 0x1234)  # a WAVE format tag no decoder knows
    path.write_bytes(bytes(data))
    assert "cannot be decoded" in _fails(path)


def test_m4a_with_drm_sample_entry(tmp_path):
    path = write_tone(tmp_path / "protected.m4a", 0.5, 44100)
    data = path.read_bytes()
    esds_aac = b"\x04\x80\x80\x80\x17\x40"  # DecoderConfigDescriptor, object type 0x40 (AAC)
    assert data.count(b"mp4a") == 1 and data.count(esds_aac) == 1
    # iTunes FairPlay files carry a "drms" sample entry; with the AAC object type also gone
    # nothing is left that FFmpeg could decode.
    data = data.replace(b"mp4a", b"drms").replace(esds_aac, esds_aac[:-1] + b"\xc0")
    path.write_bytes(data)
    assert "DRM" in _fails(path)
    assert "DRM" in _fails(path, probe)


def test_matroska_with_unknown_codec(tmp_path):
    path = write_tone(tmp_path / "odd.mka", 0.5, 48000)
    data = path.read_bytes()
    assert data.count(b"A_OPUS") == 1
    path.write_bytes(data.replace(b"A_OPUS", b"A_XDRM"))
    assert "cannot be decoded" in _fails(path)


@pytest.mark.parametrize("ext", [".wav", ".flac", ".mp3", ".ogg", ".opus", ".m4a", ".webm"])
def test_file_cut_inside_its_header(tmp_path, ext):
    full = write_tone(tmp_path / f"full{ext}", 1.0, 44100).read_bytes()
    cut = tmp_path / f"cut{ext}"
    cut.write_bytes(full[:30])
    _fails(cut)


@pytest.mark.parametrize(
    ("ext", "fraction"),
    [(".wav", 0.5), (".wav", 0.123), (".flac", 0.6), (".mp3", 0.5), (".mp3", 0.8),
     (".ogg", 0.8), (".opus", 0.7), (".aac", 0.5), (".webm", 0.5)],
)  # fmt: skip
def test_truncated_file_keeps_the_audio_that_is_there(tmp_path, caplog, ext, fraction):
    seconds = 3.0
    full = write_tone(tmp_path / f"full{ext}", seconds, 44100, 2).read_bytes()
    cut = tmp_path / f"cut{ext}"
    cut.write_bytes(full[: int(len(full) * fraction)])

    with caplog.at_level(logging.WARNING, logger="app.audio"):
        x = decode_file(cut)

    # The container overhead sits mostly at the start, so a cut at f keeps a bit less than f.
    assert 0.4 * fraction * seconds * RATE < x.size < (fraction * seconds + 0.1) * RATE
    mid = x[RATE // 10 : x.size - RATE // 10]
    assert np.sqrt(np.mean(mid.astype(np.float64) ** 2)) == pytest.approx(0.5 / np.sqrt(2), rel=0.1)


def test_damaged_middle_is_skipped_and_decoding_goes_on(tmp_path):
    path = write_tone(tmp_path / "hole.flac", 3.0, 44100)
    data = bytearray(path.read_bytes())
    start = len(data) // 2
    data[start : start + 2000] = np.random.default_rng(5).bytes(2000)
    path.write_bytes(bytes(data))

    x = decode_file(path)

    assert 2.0 * RATE < x.size < 3.0 * RATE
    assert np.abs(x[-RATE // 2 :]).max() > 0.4  # the audio after the hole is there


def test_truncation_is_logged_as_a_warning_naming_the_file(tmp_path, caplog):
    full = write_tone(tmp_path / "full.flac", 2.0, 44100).read_bytes()
    cut = tmp_path / "cut-short.flac"
    cut.write_bytes(full[: len(full) * 3 // 4])

    with caplog.at_level(logging.WARNING, logger="app.audio"):
        x = decode_file(cut)

    assert x.size > RATE // 2
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "cut-short.flac" in warnings[0].getMessage()


def test_m4a_cut_before_its_index_fails(tmp_path):
    full = write_tone(tmp_path / "full.m4a", 1.0, 44100).read_bytes()
    cut = tmp_path / "cut.m4a"
    cut.write_bytes(full[: len(full) // 2])  # the moov index is written at the end
    _fails(cut)


def test_webm_cut_before_any_audio_fails(tmp_path):
    full = write_tone(tmp_path / "full.webm", 2.0, 48000).read_bytes()
    cut = tmp_path / "cut.webm"
    cut.write_bytes(full[:600])
    _fails(cut)
