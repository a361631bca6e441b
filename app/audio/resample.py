"""Decoded frames to mono float32, and streaming resampling to 16 kHz with soxr."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import soxr

TARGET_RATE = 16_000
QUALITY = "HQ"

Mono = npt.NDArray[np.float32]

# Integer sample formats: (offset, scale) so that (x - offset) / scale lies in [-1, 1).
_INT_SCALE: dict[type[np.generic], tuple[float, float]] = {
    np.uint8: (128.0, 128.0),
    np.int16: (0.0, 32768.0),
    np.int32: (0.0, 2147483648.0),
    np.int64: (0.0, 9223372036854775808.0),
}


def to_mono(samples: npt.NDArray[Any], channels: int, planar: bool) -> Mono:
    """Average the channels of one decoded frame (``frame.to_ndarray()``) in float.

    Planar arrays are (channels, n); packed arrays are (1, n * channels), interleaved.
    Integers are scaled to [-1, 1) (unsigned 8-bit centred on 128); floats are kept as is.
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
        return np.ascontiguousarray(x[0], dtype=np.float32)
    return np.asarray(x.mean(axis=0, dtype=np.float64), dtype=np.float32)


class MonoResampler:
    """Streaming mono resampler to 16 kHz that follows sample-rate changes mid-stream."""

    def __init__(self, out_rate: int = TARGET_RATE, quality: str = QUALITY) -> None:
        self._out_rate = out_rate
        self._quality = quality
        self._in_rate: int | None = None
        self._stream: soxr.ResampleStream | None = None

    def process(self, x: Mono, rate: int) -> Mono:
        """Resample one chunk taken at ``rate``; output may be shorter (filter delay)."""
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
        y = x if self._stream is None else self._stream.resample_chunk(x)
        if head is not None and head.size:
            return np.concatenate([head, y])
        return y

    def flush(self) -> Mono:
        """Return what is still held in the filter; the next chunk starts a new stream."""
        stream, self._stream, self._in_rate = self._stream, None, None
        if stream is None:
            return np.zeros(0, dtype=np.float32)
        out: Mono = stream.resample_chunk(np.zeros(0, dtype=np.float32), last=True)
        return out
