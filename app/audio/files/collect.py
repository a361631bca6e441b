"""Collect streamed 16 kHz blocks into one array without holding more than the result."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import numpy as np
import numpy.typing as npt

from app.audio.files.limits import memory_cap_samples
from app.audio.resample import TARGET_RATE
from app.core.errors import OutOfMemoryError

Audio = npt.NDArray[np.float32]

#: Preallocation is capped so a corrupt header claiming days of audio does not reserve RAM.
_MAX_PREALLOC_S = 4 * 3600.0


def collect_blocks(
    blocks: Iterable[Audio],
    duration_s: float | None,
    name: str,
    on_progress: Callable[[float, float | None], None] | None = None,
) -> Audio:
    """Join 16 kHz blocks into one array preallocated from ``duration_s`` (an estimate).

    Grows by a quarter when the estimate is short (or unknown: one minute to start), trims at the
    end; resizing is in place (realloc), so the peak stays near the final size.
    """
    estimate = duration_s if duration_s is not None else 60.0
    capacity = math.ceil(min(estimate * 1.01 + 1.0, _MAX_PREALLOC_S) * TARGET_RATE)
    out = _alloc(capacity, name)
    n = 0
    for block in blocks:
        if n + block.size > out.size:
            if n + block.size > memory_cap_samples():
                raise _no_memory(name, n + block.size)
            out = _grow(out, max(n + block.size, out.size * 5 // 4), name)
        out[n : n + block.size] = block
        n += block.size
        if on_progress is not None:
            on_progress(n / TARGET_RATE, duration_s)
    if n < out.size:
        out = _grow(out, n, name)  # shrink in place: releases the unused tail
    if on_progress is not None and n == 0:
        on_progress(0.0, duration_s)
    return out


def _no_memory(name: str, samples: int) -> OutOfMemoryError:
    minutes = samples / TARGET_RATE / 60
    return OutOfMemoryError(
        f"Not enough memory to decode {name} ({minutes:.0f} min of audio need "
        f"{samples * 4 / 2**30:.1f} GB); split it into shorter files."
    )


def _alloc(size: int, name: str) -> Audio:
    try:
        return np.empty(min(size, memory_cap_samples()), dtype=np.float32)
    except MemoryError:
        raise _no_memory(name, size) from None


def _grow(out: Audio, size: int, name: str) -> Audio:
    try:
        out.resize(size, refcheck=False)
    except MemoryError:
        raise _no_memory(name, size) from None
    return out
