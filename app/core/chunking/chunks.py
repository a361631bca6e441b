"""What a chunk plan is made of: chunks, the samples they are cut from, the planner's settings
and the one range a user may choose for the longest chunk (``plan_chunks`` is in
``segmentation``)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from app.core.errors import UsageError

#: The longest chunk sent to the model, seconds: the one range for Preferences and
#: ``transcribe --max-chunk`` (pauses need room to be found; the model's context ends near 5 min
#: and long chunks delay text and cost memory).
MAX_CHUNK_RANGE = (5.0, 120.0)


class Samples(Protocol):
    """Mono samples: a numpy array, or a growing buffer read by slices (streaming)."""

    def __len__(self) -> int: ...
    def __getitem__(self, index: slice, /) -> npt.NDArray[np.float32]: ...


@dataclass(frozen=True)
class Chunk:
    """A stretch of the source to send to the model; ``start``/``end`` in absolute seconds."""

    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start

    def samples(self, rate: int = 16000) -> slice:
        """The sample slice of this chunk in an array sampled at ``rate``."""
        return slice(round(self.start * rate), round(self.end * rate))


@dataclass(frozen=True)
class SegmentationConfig:
    """Tuning of ``plan_chunks``; see the module docstring for the policy."""

    max_chunk_s: float = 30.0  # hard limit per chunk (the model takes ≤ ~5 min; IBM: ≤ 2 min)
    min_speech_s: float = 0.25  # shorter speech islands are dropped as noise
    min_silence_s: float = 0.3  # shortest pause that ends a region (and so may end a chunk)
    pad_s: float = 0.2  # kept around speech, never past the middle of the pause
    threshold: float = 0.5  # speech probability that starts speech
    hysteresis: float = 0.15  # speech continues until probability < threshold - hysteresis
    target_chunk_s: float = 10.0  # close a chunk at the first pause once it is this long
    break_pause_s: float = 1.0  # a pause this long always closes the chunk

    def validate(self) -> None:
        """Raise ``UsageError`` for settings that make no sense."""
        if not 0.0 < self.threshold < 1.0:
            raise UsageError(f"VAD threshold must be between 0 and 1, not {self.threshold}.")
        if not 0.0 <= self.hysteresis < self.threshold:
            raise UsageError(f"VAD hysteresis must be in [0, threshold), not {self.hysteresis}.")
        if not self.max_chunk_s >= 1.0:
            raise UsageError(f"Maximum chunk length must be at least 1 s, not {self.max_chunk_s}.")
        for name in ("min_speech_s", "min_silence_s", "pad_s", "target_chunk_s", "break_pause_s"):
            value = getattr(self, name)
            if not (value >= 0.0 and math.isfinite(value)):
                raise UsageError(f"Segmentation setting {name} must be ≥ 0, not {value}.")


def user_chunk_config(max_chunk_s: float) -> SegmentationConfig:
    """The file segmentation for a user's longest-chunk setting (Preferences or
    ``--max-chunk``): one range, ``MAX_CHUNK_RANGE``; raises ``UsageError`` outside it."""
    lo, hi = MAX_CHUNK_RANGE
    if not lo <= max_chunk_s <= hi:
        raise UsageError(f"The longest chunk must be between {lo:g} and {hi:g} seconds.")
    cfg = SegmentationConfig(max_chunk_s=max_chunk_s)
    cfg.validate()
    return cfg
