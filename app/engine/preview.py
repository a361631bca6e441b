"""Live preview while speaking: greedy character CTC text of the audio heard so far.

APPROXIMATE, show it as a preview (greyed): the final text of an utterance always comes from the
exact pipeline over the whole utterance.

The audio is cut into fixed blocks (4 s = 200 encoder frames, the encoder's attention context).
Each update re-encodes the open block plus ``context_blocks`` closed blocks before it (left
context for the convolutions) and reads the CTC labels of the open block only; when a block
closes, its labels are kept and never recomputed. The cost per update is therefore bounded by
``(context_blocks + 1) x 4 s`` of encoder work, whatever the utterance length. Only the encoder
and its CTC head run (no projector, no language model). Use on the engine's thread.
"""

from __future__ import annotations

import logging
import time

import numpy as np
import numpy.typing as npt

from app.core.errors import UsageError
from app.engine.base import SAMPLE_RATE, Audio
from app.engine.model import ctc
from app.engine.model.granite import GraniteModel

log = logging.getLogger(__name__)

BLOCK_SECONDS = 4.0
#: Samples per encoder frame (50 frames per second).
SAMPLES_PER_FRAME = SAMPLE_RATE // ctc.FRAMES_PER_SECOND
#: The front end's shortest input.
MIN_SAMPLES = SAMPLE_RATE // 10


class CtcPreview:
    """Incremental CTC preview of one utterance: ``feed(new_samples) -> preview text``."""

    def __init__(
        self,
        engine: GraniteModel,
        *,
        block_seconds: float = BLOCK_SECONDS,
        context_blocks: int = 1,
        min_new_seconds: float = 0.0,
    ) -> None:
        if context_blocks < 1:
            raise UsageError("The preview needs at least one closed block of context.")
        self._engine = engine
        self.block = round(block_seconds * SAMPLE_RATE / SAMPLES_PER_FRAME) * SAMPLES_PER_FRAME
        if self.block < MIN_SAMPLES:
            raise UsageError("Preview blocks must be at least 0.1 s long.")
        self.context_blocks = context_blocks
        self.min_new = int(min_new_seconds * SAMPLE_RATE)
        self.reset()

    def reset(self) -> None:
        """Start a new utterance."""
        self._closed: list[npt.NDArray[np.int64]] = []  # frame labels of closed blocks
        self._context: list[Audio] = []  # the last ``context_blocks`` closed blocks' samples
        self._open = np.zeros(0, dtype=np.float32)
        self._open_labels: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        self._decoded_at = 0  # open-block length at the last decode
        self._text = ""
        self.audio_s = 0.0  #: seconds of audio fed
        self.encoded_s = 0.0  #: seconds of audio run through the encoder
        self.compute_s = 0.0  #: wall time spent in feed()

    @property
    def text(self) -> str:
        return self._text

    def _labels(self, audio: Audio, skip_samples: int) -> npt.NDArray[np.int64]:
        """CTC frame labels of ``audio`` (context + block) after ``skip_samples`` of context."""
        features, _ = self._engine.features(audio)
        hidden = self._engine.model.encoder(features)
        labels = ctc.frame_labels(self._engine.model.encoder.out(hidden))
        self.encoded_s += audio.shape[0] / SAMPLE_RATE
        return labels[skip_samples // SAMPLES_PER_FRAME :]

    def _encode_open(self, block: Audio) -> npt.NDArray[np.int64]:
        context = np.concatenate(self._context) if self._context else np.zeros(0, np.float32)
        return self._labels(np.concatenate([context, block]), context.shape[0])

    def feed(self, samples: Audio) -> str:
        """Add new mono float32 16 kHz samples; return the preview text of everything so far."""
        samples = np.asarray(samples)
        if samples.dtype != np.float32 or samples.ndim != 1:
            raise UsageError("Preview audio must be 1-D float32 samples at 16 kHz.")
        started = time.perf_counter()
        self.audio_s += samples.shape[0] / SAMPLE_RATE
        self._open = np.concatenate([self._open, samples])
        changed = False
        while self._open.shape[0] >= self.block:
            block, self._open = self._open[: self.block], self._open[self.block :]
            self._closed.append(self._encode_open(block))
            self._context = [*self._context, block][-self.context_blocks :]
            self._open_labels = np.zeros(0, dtype=np.int64)
            self._decoded_at = 0
            changed = True
        length = self._open.shape[0]
        if length >= MIN_SAMPLES and length - self._decoded_at >= max(self.min_new, 1):
            self._open_labels = self._encode_open(self._open)
            self._decoded_at = length
            changed = True
        if changed:
            labels = np.concatenate([*self._closed, self._open_labels])
            self._text = ctc.labels_to_text(ctc.collapse(labels.tolist()))
        self.compute_s += time.perf_counter() - started
        return self._text
