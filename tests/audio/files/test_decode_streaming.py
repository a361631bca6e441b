"""Streaming: blocks, cancellation, progress, in-place collection, frame conversion."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from app.audio import decode_file, iter_decode, probe
from app.audio.files.collect import collect_blocks
from app.audio.resample import MonoResampler, frame_to_mono, to_mono
from app.core.errors import CancelledError
from tests.support.media import tone, write_tone, write_wav_pcm

RATE = 16_000


class CancelAfter:
    """A cancel callable that turns True after ``n`` polls."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.polls = 0

    def __call__(self) -> bool:
        self.polls += 1
        return self.polls > self.n


def test_blocks_have_the_requested_size_and_join_to_the_whole(tmp_path):
    path = write_tone(tmp_path / "t.flac", 3.5, 44100, 2)

    blocks = list(iter_decode(path, block_s=1.0))

    assert [b.size for b in blocks] == [RATE, RATE, RATE, RATE // 2]
    assert all(b.dtype == np.float32 and b.ndim == 1 for b in blocks)
    np.testing.assert_array_equal(np.concatenate(blocks), decode_file(path))


def test_block_size_must_be_positive(tmp_path):
    path = write_tone(tmp_path / "t.wav", 0.2)
    with pytest.raises(ValueError):
        iter_decode(path, block_s=0)


def test_cancel_before_start(tmp_path):
    path = write_tone(tmp_path / "t.mp3", 1.0, 44100)
    with pytest.raises(CancelledError):
        decode_file(path, cancel=lambda: True)


def test_cancel_midway_stops_the_stream(tmp_path):
    path = write_tone(tmp_path / "t.flac", 4.0, 16000)
    cancel = CancelAfter(20)
    got = []

    with pytest.raises(CancelledError):
        for block in iter_decode(path, block_s=0.25, cancel=cancel):
            got.append(block)

    assert cancel.polls == 21
    assert 0 < sum(b.size for b in got) < 4 * RATE


def test_never_cancelled_decodes_everything(tmp_path):
    path = write_tone(tmp_path / "t.flac", 2.0, 16000)
    cancel = CancelAfter(10**9)

    assert decode_file(path, cancel=cancel).size == 2 * RATE
    assert cancel.polls > 1


def test_progress_rises_to_the_decoded_length(tmp_path):
    path = write_tone(tmp_path / "t.ogg", 12.0, 22050)
    calls: list[tuple[float, float | None]] = []

    x = decode_file(path, on_progress=lambda done, total: calls.append((done, total)))

    done = [c[0] for c in calls]
    assert len(calls) >= 3 and done == sorted(done) and done[0] > 0
    assert done[-1] == x.size / RATE
    assert {c[1] for c in calls} == {probe(path).duration_s}


def _blocks(sizes: list[int]) -> Iterator[np.ndarray]:
    start = 0
    for n in sizes:
        yield np.arange(start, start + n, dtype=np.float32)
        start += n


@pytest.mark.parametrize("duration_s", [None, 0.01, 0.5, 100.0])
def test_collect_blocks_grows_and_trims_to_exactly_the_data(duration_s):
    sizes = [RATE, RATE, 5, RATE * 2, 7]
    calls = []

    out = collect_blocks(_blocks(sizes), duration_s, "x.wav", lambda d, t: calls.append((d, t)))

    np.testing.assert_array_equal(out, np.arange(sum(sizes), dtype=np.float32))
    assert out.flags.owndata and out.dtype == np.float32
    assert [c[0] for c in calls] == list(np.cumsum(sizes) / RATE)


def test_collect_blocks_of_nothing():
    calls = []
    out = collect_blocks(iter(()), 3.0, "x.wav", lambda d, t: calls.append((d, t)))
    assert out.shape == (0,) and calls == [(0.0, 3.0)]


def test_resampler_follows_a_rate_change_mid_stream():
    r = MonoResampler()
    a = tone(0.5, 44100, 500.0)[0].astype(np.float32)
    b = tone(0.5, 22050, 500.0)[0].astype(np.float32)

    out = np.concatenate([r.process(a, 44100), r.process(b, 22050), r.flush()])

    assert abs(out.size - RATE) <= 2
    assert np.sqrt(np.mean(out[2000:-2000] ** 2)) == pytest.approx(0.5 / np.sqrt(2), rel=0.02)


def test_resampler_at_16k_is_identity():
    r = MonoResampler()
    x = np.linspace(-1, 1, 1000, dtype=np.float32)
    np.testing.assert_array_equal(np.concatenate([r.process(x, RATE), r.flush()]), x)


def test_to_mono_packed_and_planar_integer_formats():
    packed_s16 = np.array([[16384, -16384, 32767, 32767]], dtype=np.int16)  # L R L R
    np.testing.assert_allclose(to_mono(packed_s16, 2, planar=False), [0.0, 32767 / 32768])
    planar_s32 = np.array([[2**30, 0], [2**30, -(2**31)]], dtype=np.int32)
    np.testing.assert_allclose(to_mono(planar_s32, 2, planar=True), [0.5, -0.5])
    u8 = np.array([[0, 128, 255]], dtype=np.uint8)
    np.testing.assert_allclose(to_mono(u8, 1, planar=False), [-1.0, 0.0, 127 / 128])
    dbl = np.array([[0.25, -0.5], [0.75, 0.5]], dtype=np.float64)
    out = to_mono(dbl, 2, planar=True)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [0.5, 0.0])


def test_iter_decode_on_a_6_channel_wav(tmp_path):
    x = tone(1.0, 48000, [100.0, 200.0, 300.0, 400.0, 500.0, 600.0], 0.3, channels=6)
    path = write_wav_pcm(tmp_path / "surround.wav", x, 48000, "s24")

    mono = np.concatenate(list(iter_decode(path, block_s=0.3)))

    spec = np.abs(np.fft.rfft(mono)) * 2 / mono.size
    for f in (100, 200, 300, 400, 500, 600):
        assert spec[f] == pytest.approx(0.05, rel=0.02)


@pytest.mark.parametrize("fmt", ["u8", "s16", "s32", "flt", "dbl", "u8p", "s16p", "s32p", "fltp"])
@pytest.mark.parametrize("layout", ["mono", "stereo"])
def test_frame_to_mono_matches_to_ndarray(fmt, layout):
    import av

    channels = 1 if layout == "mono" else 2
    planar = fmt.endswith("p")
    dtype = {
        "u8": np.uint8,
        "s16": np.int16,
        "s32": np.int32,
        "flt": np.float32,
        "dbl": np.float64,
    }[fmt.removesuffix("p")]
    rng = np.random.default_rng(3)
    shape = (channels, 333) if planar else (1, 333 * channels)
    if np.issubdtype(dtype, np.integer):
        lo, hi = np.iinfo(dtype).min, np.iinfo(dtype).max  # type: ignore[type-var]
        data = rng.integers(lo, hi, size=shape, dtype=dtype, endpoint=True)
    else:
        data = rng.uniform(-1, 1, size=shape).astype(dtype)
    frame = av.AudioFrame.from_ndarray(data, format=fmt, layout=layout)

    got = frame_to_mono(frame)

    assert got.dtype == np.float32 and got.shape == (333,)
    np.testing.assert_array_equal(got, to_mono(frame.to_ndarray(), channels, planar))
    assert np.abs(got).max() <= 1.0
