"""Decoded frames to mono float32, and streaming resampling to 16 kHz with soxr."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import soxr

TARGET_RATE = 16_000
QUALITY = "HQ"
#: Input is gathered into chunks of at least this many samples before each soxr call: codec
#: frames are small (20 ms for opus) and per-call overhead would otherwise dominate.
MIN_CHUNK = 16_384

Mono = npt.NDArray[np.float32]

# Integer sample formats: (offset, scale) so that (x - offset) / scale lies in [-1, 1).
_INT_SCALE: dict[type[np.generic], tuple[float, float]] = {
    np.uint8: (128.0, 128.0),
    np.int16: (0.0, 32768.0),
    np.int32: (0.0, 2147483648.0),
    np.int64: (0.0, 9223372036854775808.0),
}
_DTYPES: dict[str, type[np.generic]] = {
    "u8": np.uint8,
    "s16": np.int16,
    "s32": np.int32,
    "s64": np.int64,
    "flt": np.float32,
    "dbl": np.float64,
}


def to_mono(samples: npt.NDArray[Any], channels: int, planar: bool) -> Mono:
    """Average the channels of one decoded frame (``frame.to_ndarray()``) in float.

    Planar arrays are (channels, n); packed arrays are (1, n * channels), interleaved.
    Integers are scaled to [-1, 1) (unsigned 8-bit centred on 128); floats are kept as is.
    The result never shares memory with ``samples``.
    """
    x = samples if planar else samples.reshape(-1, channels).T
    scale = _INT_SCALE.get(x.dtype.type)
    if scale is not None:
        offset, div = scale
        y = x.astype(np.float64) if x.dtype.type is np.int64 else x.astype(np.float32)
        if offset:
            y -= offset
        y /= div
        x = y
    if x.shape[0] == 1:
        return np.array(x[0], dtype=np.float32)
    return np.asarray(x.mean(axis=0, dtype=np.float64), dtype=np.float32)


def frame_to_mono(frame: Any) -> Mono:
    """Mono float32 from a PyAV ``AudioFrame``, read straight from its planes (no vstack)."""
    fmt = frame.format
    channels = int(frame.layout.nb_channels)
    dtype = _DTYPES.get(fmt.name.removesuffix("p"))
    if dtype is None or channels < 1:
        return to_mono(frame.to_ndarray(), max(channels, 1), bool(fmt.is_planar))
    n = int(frame.samples)
    if fmt.is_planar:
        planes = [np.frombuffer(p, dtype=dtype, count=n) for p in frame.planes[:channels]]
        arr = planes[0][None, :] if channels == 1 else np.stack(planes)
        return to_mono(arr, channels, True)
    return to_mono(np.frombuffer(frame.planes[0], dtype=dtype, count=n * channels), channels, False)


class MonoResampler:
    """Streaming mono resampler to 16 kHz that follows sample-rate changes mid-stream.

    Input is buffered up to :data:`MIN_CHUNK` samples, so ``process`` often returns nothing;
    ``flush`` returns everything still held.
    """

    def __init__(self, out_rate: int = TARGET_RATE, quality: str = QUALITY) -> None:
        self._out_rate = out_rate
        self._quality = quality
        self._in_rate: int | None = None
        self._stream: soxr.ResampleStream | None = None
        self._pending: list[Mono] = []
        self._held = 0

    def process(self, x: Mono, rate: int) -> Mono:
        """Take one chunk sampled at ``rate``; return whatever output is ready."""
        head: Mono | None = None
        if rate != self._in_rate:
            head = self.flush()
            self._in_rate = rate
            self._stream = (
                None
                if rate == self._out_rate
                else soxr.ResampleStream(
                    rate, self._out_rate, 1, dtype="float32", quality=self._quality
                )
            )
        self._pending.append(x)
        self._held += x.size
        y = self._run(last=False) if self._held >= MIN_CHUNK else _EMPTY
        if head is not None and head.size:
            return np.concatenate([head, y])
        return y

    def flush(self) -> Mono:
        """Return what is still held; the next chunk starts a new stream."""
        out = self._run(last=True) if self._in_rate is not None else _EMPTY
        self._stream, self._in_rate = None, None
        return out

    def _run(self, last: bool) -> Mono:
        if not self._pending:
            x = _EMPTY
        else:
            x = np.concatenate(self._pending) if len(self._pending) > 1 else self._pending[0]
        self._pending, self._held = [], 0
        if self._stream is None:
            return x
        out: Mono = self._stream.resample_chunk(x, last=last)
        return out


_EMPTY: Mono = np.zeros(0, dtype=np.float32)
_EMPTY.flags.writeable = False
