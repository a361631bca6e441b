"""The streaming ``FileTranscription.prepare``: decode, voice detection and chunk planning block
by block, each chunk handed to the job (``add_chunks``) as soon as its end is certain, with
the same boundaries as the whole-file plan (``app.audio.files.stream_split``). Runs on the decode
thread while the model thread works on the chunks already found."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from app.audio.files.decode import iter_decode, probe
from app.audio.files.limits import memory_cap_samples
from app.audio.files.stream_split import StreamingSplitter
from app.core.chunking.segmentation import Chunk, SegmentationConfig
from app.core.errors import CancelledError, OutOfMemoryError

CancelCheck = Callable[[], bool]


#: How much decoded audio a file job on the model thread may hold ahead of the model (16 kHz
#: float32: 19 MB); the decoder waits beyond that while the model has chunks to run.
DECODE_AHEAD_S = 300.0


class Throttle:
    """Holds the decoder back while it holds more than ``ahead_s`` of samples and the model
    still has chunks waiting (never otherwise: a long pause, or speech with no pause yet,
    gives the model nothing to free). ``None``: no limit (the model steps only after the
    whole prepare, on the same thread)."""

    def __init__(self, ahead_s: float | None) -> None:
        self.limit = None if ahead_s is None else round(ahead_s * RATE)
        self._cond = threading.Condition()
        self.holding = False  # the decoder waits: the model should step whatever is waiting

    def wait(
        self,
        held: Callable[[], int],
        behind: Callable[[], bool],
        cancel: CancelCheck,
        wake: Callable[[], None],
    ) -> None:
        limit = self.limit
        if limit is None or held() <= limit or not behind():
            return
        with self._cond:
            self.holding = True
        wake()
        with self._cond:
            while held() > limit and behind() and not cancel():
                self._cond.wait(0.25)
            self.holding = False

    def moved(self) -> None:
        """The model ran chunks (and freed their samples)."""
        with self._cond:
            self._cond.notify_all()


class StreamTarget(Protocol):
    """What the streaming preparation fills in: a ``FileTranscription``."""

    path: str
    seg_cfg: SegmentationConfig
    expected_s: float | None
    decoded_s: float
    duration: float
    audio: Any
    chunks: list[Chunk]
    batch_size: int
    throttle: Throttle
    on_ready: Callable[[], None]

    @property
    def waiting(self) -> int: ...

    def add_chunks(self, chunks: Sequence[Chunk], *, complete: bool = False) -> None: ...


log = logging.getLogger(__name__)

#: Decoded audio per block: the first chunk can be certain after a few blocks.
BLOCK_S = 5.0
RATE = 16_000


def prepare_streaming(work: StreamTarget, cancel: CancelCheck) -> None:
    name = Path(work.path).name
    work.expected_s = probe(work.path).duration_s
    blocks = iter_decode(work.path, block_s=BLOCK_S, cancel=cancel)
    splitter = StreamingSplitter(work.seg_cfg, cancel)
    work.audio = splitter.samples
    cap = memory_cap_samples()
    for block in blocks:
        if splitter.samples.held + len(block) > cap:
            minutes = (splitter.samples.held + len(block)) / RATE / 60
            raise OutOfMemoryError(
                f"Not enough memory to decode {name} (more than {minutes:.0f} min of audio); "
                "split it into shorter files."
            )
        ready = splitter.feed(block)
        work.decoded_s = len(splitter.samples) / RATE
        work.duration = work.decoded_s
        work.add_chunks(ready)
        work.throttle.wait(
            lambda: splitter.samples.held, lambda: work.waiting > 0, cancel, work.on_ready
        )
    if cancel():
        raise CancelledError()
    work.add_chunks(splitter.finish(), complete=True)
    log.info(
        "%s: %.1f s of audio, %d chunks (%.1f s of speech), streamed, up to %d per step",
        name,
        work.duration,
        len(work.chunks),
        sum(c.duration for c in work.chunks),
        work.batch_size,
    )
