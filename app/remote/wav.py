"""Audio chunks as WAV bytes for upload: 32-bit float, mono, 16 kHz, so that the server hears
exactly the samples the local model would (16-bit PCM would round them)."""

from __future__ import annotations

import struct

import numpy as np
import numpy.typing as npt

SAMPLE_RATE = 16_000
_FLOAT = 3  # WAVE_FORMAT_IEEE_FLOAT


def float_wav(samples: npt.NDArray[np.float32], rate: int = SAMPLE_RATE) -> bytes:
    data = np.ascontiguousarray(samples, dtype="<f4").tobytes()
    fmt = struct.pack("<HHIIHH", _FLOAT, 1, rate, rate * 4, 4, 32)
    fact = struct.pack("<I", len(data) // 4)
    body = (
        b"WAVE"
        + b"fmt "
        + struct.pack("<I", len(fmt))
        + fmt
        + b"fact"
        + struct.pack("<I", len(fact))
        + fact
        + b"data"
        + struct.pack("<I", len(data))
        + data
    )
    return b"RIFF" + struct.pack("<I", len(body)) + body
