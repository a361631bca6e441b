"""Decoding every supported format to mono float32 16 kHz: length, level, frequency, downmix."""

from __future__ import annotations

import numpy as np
import pytest

from app.audio import SUPPORTED_EXTENSIONS, AudioInfo, decode_file, is_supported, probe
from tests.support.media import FORMATS, tone, write_audio, write_speech, write_tone, write_wav_pcm

RATE = 16_000
LOSSLESS = {".wav", ".flac"}
# Raw ADTS has no encoder-delay/padding info: up to ~2 AAC frames of priming and padding stay.
FRAME_SLACK = {".aac": 3 * 1024}


def _peak_hz(x: np.ndarray) -> float:
    spec = np.abs(np.fft.rfft(x * np.hanning(x.size)))
    return float(np.argmax(spec)) * RATE / x.size


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


def _middle(x: np.ndarray, margin_s: float = 0.1) -> np.ndarray:
    m = int(margin_s * RATE)
    return x[m : x.size - m]


def _band_db(x: np.ndarray, lo: float, hi: float) -> float:
    """Energy outside [lo, hi] Hz relative to inside, in dB."""
    spec = np.abs(np.fft.rfft(x * np.hanning(x.size))) ** 2
    f = np.fft.rfftfreq(x.size, 1 / RATE)
    inside = spec[(f >= lo) & (f <= hi)].sum()
    outside = spec[(f < lo) | (f > hi)].sum()
    return float(10 * np.log10(outside / inside))


@pytest.mark.parametrize("rate", [8000, 22050, 44100, 48000])
@pytest.mark.parametrize("ext", [".wav", *sorted(FORMATS)])
def test_tone_in_every_format(tmp_path, ext, rate):
    path = write_tone(tmp_path / f"tone{ext}", 1.0, rate, channels=2, amplitude=0.5)

    x = decode_file(path)

    assert x.dtype == np.float32 and x.ndim == 1
    native = 48000 if FORMATS.get(ext, ("", ""))[1] == "libopus" else rate
    slack = FRAME_SLACK.get(ext, 1024) / native + 0.002
    assert abs(x.size / RATE - 1.0) <= slack, x.size
    mid = _middle(x)
    assert abs(_peak_hz(mid) - 1000.0) <= 2.0
    tol = 0.005 if ext in LOSSLESS else 0.08
    assert _rms(mid) == pytest.approx(0.5 / np.sqrt(2), rel=tol)
    assert _band_db(mid, 950, 1050) < (-60 if ext in LOSSLESS else -25)
    assert np.abs(x).max() <= 1.0


@pytest.mark.parametrize("sample_fmt", ["u8", "s16", "s24", "s32", "f32"])
@pytest.mark.parametrize("channels", [1, 2, 6])
def test_wav_pcm_variants(tmp_path, sample_fmt, channels):
    path = write_wav_pcm(
        tmp_path / "t.wav", tone(1.0, 16000, 1000.0, 0.5, channels), 16000, sample_fmt
    )

    x = decode_file(path)

    assert x.size == RATE and x.dtype == np.float32
    expected = tone(1.0, 16000, 1000.0, 0.5, 1)[0]
    # u8 has 1/256 steps; the others are exact to their quantisation.
    atol = {"u8": 1 / 128, "s16": 1 / 32768}.get(sample_fmt, 1e-6)
    np.testing.assert_allclose(x, expected, atol=atol)


def test_wav_at_16k_is_passed_through_without_resampling(tmp_path):
    rng = np.random.default_rng(1)
    noise = rng.uniform(-0.9, 0.9, 4000)
    path = write_wav_pcm(tmp_path / "n.wav", noise, 16000, "f32")

    np.testing.assert_array_equal(decode_file(path), noise.astype(np.float32))


def test_stereo_with_different_channels_downmixes_to_their_mean(tmp_path):
    left = tone(1.0, 16000, 440.0, 0.6)[0]
    right = tone(1.0, 16000, 1000.0, 0.2)[0]
    path = write_wav_pcm(tmp_path / "lr.wav", np.stack([left, right]), 16000, "f32")

    x = decode_file(path)

    np.testing.assert_allclose(x, (left + right) / 2, atol=1e-6)


def test_stereo_downmix_after_resampling(tmp_path):
    path = write_tone(
        tmp_path / "lr.flac", 1.0, 44100, 2, freq=[440.0, 2000.0], amplitude=[0.6, 0.2]
    )

    mid = _middle(decode_file(path))

    spec = np.abs(np.fft.rfft(mid)) * 2 / mid.size
    f = np.fft.rfftfreq(mid.size, 1 / RATE)
    assert spec[np.argmin(np.abs(f - 440))] == pytest.approx(0.3, rel=0.02)
    assert spec[np.argmin(np.abs(f - 2000))] == pytest.approx(0.1, rel=0.02)


def test_opposite_channels_cancel(tmp_path):
    left = tone(0.5, 44100, 1000.0, 0.5)[0]
    path = write_wav_pcm(tmp_path / "anti.wav", np.stack([left, -left]), 44100, "s16")

    assert np.abs(decode_file(path)).max() < 1e-4


def test_unsigned_8bit_is_centred(tmp_path):
    silence = write_wav_pcm(tmp_path / "z.wav", np.zeros(8000), 8000, "u8")
    sine = write_wav_pcm(tmp_path / "s.wav", tone(1.0, 8000, 1000.0, 0.5)[0], 8000, "u8")

    assert np.all(decode_file(silence) == 0.0)
    x = _middle(decode_file(sine))
    assert abs(float(x.mean())) < 1e-3
    assert _rms(x) == pytest.approx(0.5 / np.sqrt(2), rel=0.01)


def test_float_wav_beyond_full_scale_is_clipped(tmp_path):
    x = np.array([0.0, 1.5, -2.0, 0.25, 3.0, -1.0], dtype=np.float64)
    path = write_wav_pcm(tmp_path / "hot.wav", x, 16000, "f32")

    np.testing.assert_array_equal(decode_file(path), [0.0, 1.0, -1.0, 0.25, 1.0, -1.0])


def test_full_scale_square_stays_within_range_after_resampling(tmp_path):
    sq = np.sign(tone(1.0, 44100, 300.0, 1.0)[0])
    path = write_wav_pcm(tmp_path / "sq.wav", sq, 44100, "f32")

    x = decode_file(path)

    assert np.abs(x).max() == 1.0  # overshoot of the filter is clipped, not rescaled


@pytest.mark.parametrize("rate", [8000, 22050, 44100, 48000])
def test_resampled_sine_keeps_frequency_and_level(tmp_path, rate):
    path = write_wav_pcm(tmp_path / "t.wav", tone(2.0, rate, 1000.0, 0.5)[0], rate, "f32")

    x = decode_file(path)

    assert x.size == 2 * RATE
    mid = _middle(x)
    assert _peak_hz(mid) == pytest.approx(1000.0, abs=0.6)
    assert _rms(mid) == pytest.approx(0.5 / np.sqrt(2), rel=1e-3)
    assert _band_db(mid, 990, 1010) < -80


@pytest.mark.parametrize(("rate", "freq"), [(48000, 12000.0), (44100, 9000.0), (22050, 10000.0)])
def test_tone_above_8k_is_removed_not_aliased(tmp_path, rate, freq):
    path = write_wav_pcm(tmp_path / "hi.wav", tone(1.0, rate, freq, 0.5)[0], rate, "f32")

    x = decode_file(path)

    # Away from the abrupt start and end (whose splatter is genuinely in band) nothing is left:
    # an alias would show up as a steady tone at rate-relative mirror frequencies.
    attenuation_db = 20 * np.log10(_rms(_middle(x)) / (0.5 / np.sqrt(2)))
    assert attenuation_db < -90
    assert x.size == RATE


def test_passband_tone_near_nyquist_is_kept(tmp_path):
    path = write_wav_pcm(tmp_path / "7k.wav", tone(1.0, 48000, 7000.0, 0.5)[0], 48000, "f32")

    mid = _middle(decode_file(path))

    assert _rms(mid) == pytest.approx(0.5 / np.sqrt(2), rel=0.01)


def test_pure_silence_gives_zeros(tmp_path):
    path = write_audio(tmp_path / "quiet.flac", np.zeros((2, 44100)), 44100)

    x = decode_file(path)

    assert x.size == RATE
    assert np.all(x == 0.0)


def test_header_only_wav_gives_empty_array(tmp_path):
    path = write_wav_pcm(tmp_path / "hdr.wav", np.zeros((2, 0)), 44100, "s16")
    progress = []

    x = decode_file(path, on_progress=lambda done, total: progress.append((done, total)))

    assert x.dtype == np.float32 and x.shape == (0,)
    assert progress == [(0.0, probe(path).duration_s)]


def test_probe_describes_the_audio_track(tmp_path):
    path = write_tone(tmp_path / "v.mp4", 2.0, 44100, 2)

    info = probe(path)

    assert isinstance(info, AudioInfo)
    assert info.sample_rate == 44100 and info.channels == 2 and info.codec == "aac"
    assert "mp4" in info.container
    assert info.duration_s == pytest.approx(2.0, abs=0.05)


def test_speech_from_espeak_decodes_the_same_in_wav_and_mp3(tmp_path):
    wav = write_speech(tmp_path / "s.wav", "The quick brown fox jumps over the lazy dog.")
    mp3 = write_speech(tmp_path / "s.mp3", "The quick brown fox jumps over the lazy dog.")

    a, b = decode_file(wav), decode_file(mp3)

    assert a.size > RATE and abs(a.size - b.size) <= 0.03 * RATE
    n = min(a.size, b.size)
    assert _rms(a) > 0.01
    assert _rms(a[:n] - b[:n]) < 0.2 * _rms(a)


def test_is_supported_by_extension():
    assert is_supported("a/b/Talk.MP3") and is_supported("x.webm") and is_supported("x.opus")
    assert not is_supported("notes.txt") and not is_supported("noext")
    assert {".wav", ".flac", ".mp3", ".ogg", ".oga", ".opus", ".m4a", ".aac", ".mp4", ".mov"} <= (
        SUPPORTED_EXTENSIONS
    )
    assert {".m4v", ".webm", ".mkv"} <= SUPPORTED_EXTENSIONS
    assert set(FORMATS) <= SUPPORTED_EXTENSIONS


def test_content_decides_not_the_extension(tmp_path):
    flac = write_tone(tmp_path / "real.flac", 1.0, 44100)
    renamed = tmp_path / "labelled.mp3"
    renamed.write_bytes(flac.read_bytes())

    assert probe(renamed).codec == "flac"
    np.testing.assert_array_equal(decode_file(renamed), decode_file(flac))


def test_file_with_two_audio_tracks_decodes_one_of_them_only(tmp_path):
    import av

    path = tmp_path / "two-tracks.mka"
    specs = [(440.0, "mono", 0.3), (1000.0, "stereo", 0.5)]
    with av.open(str(path), "w", format="matroska") as out:
        streams = [out.add_stream("flac", rate=RATE) for _ in specs]  # all before muxing
        for stream, (_, layout, _) in zip(streams, specs, strict=True):
            stream.layout = layout
            stream.format = "s16"
        for stream, (freq, layout, amp) in zip(streams, specs, strict=True):
            x = tone(1.0, RATE, freq, amp, 1 if layout == "mono" else 2)
            packed = np.round(x.T.reshape(1, -1) * 32767).astype(np.int16)
            frame = av.AudioFrame.from_ndarray(packed, format="s16", layout=layout)
            frame.sample_rate, frame.pts = RATE, 0
            for packet in [*stream.encode(frame), *stream.encode(None)]:
                out.mux(packet)

    got = decode_file(path)

    assert probe(path).channels == 1  # FFmpeg's best audio stream here: the first
    np.testing.assert_allclose(got, tone(1.0, RATE, 440.0, 0.3)[0], atol=1e-4)
