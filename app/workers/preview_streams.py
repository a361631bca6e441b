"""Live preview bookkeeping for the model thread: pending audio per stream (coalesced) and
each stream's previewer (approximate text while an utterance is still open; no Qt here)."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, cast

import numpy as np

from app.engine.base import SAMPLE_RATE, Audio, SpeechEngine
from app.workers.engine_factory import one_line_error

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from app.engine.runner import GraniteEngine


class Previewer(Protocol):
    """One utterance's incremental preview (``app.engine.preview.CtcPreview`` or a fake)."""

    def feed(self, samples: Audio) -> str: ...


def make_previewer(engine: SpeechEngine) -> Previewer | None:
    """A previewer for ``engine``: its own ``make_preview()`` if it has one (fakes), the CTC
    preview for engines with an encoder and CTC head (``features`` + ``model``), else None."""
    make = getattr(engine, "make_preview", None)
    if callable(make):
        made: Previewer = make()
        return made
    if hasattr(engine, "features") and hasattr(engine, "model"):
        from app.engine.preview import CtcPreview

        return CtcPreview(cast("GraniteEngine", engine))
    return None


MAX_STREAMS = 4


@dataclass
class PreviewStreams:
    """Pending preview audio per stream (coalesced) and the streams' previewers.

    Not thread-safe by itself: the engine thread holds its lock around every call. Pending
    audio of one stream is concatenated (the previewer is incremental, nothing may be lost);
    ``reset`` drops the stream's pending audio and its previewer state.
    """

    pending: dict[int, tuple[list[Audio], bool]] = field(default_factory=dict)
    runners: dict[int, Previewer | None] = field(default_factory=dict)
    audio_s: float = 0.0  #: seconds of audio previewed, all streams
    compute_s: float = 0.0  #: wall time spent in previewers, all streams
    updates: int = 0

    def add(self, stream_id: int, samples: Audio, reset: bool) -> None:
        queued = self.pending.get(stream_id)
        if reset or queued is None:
            self.pending[stream_id] = ([samples], reset)
        else:
            queued[0].append(samples)

    def take(self) -> tuple[int, Audio, bool] | None:
        """The oldest stream's pending audio (all of it, concatenated) and its reset flag."""
        if not self.pending:
            return None
        stream_id = next(iter(self.pending))
        parts, reset = self.pending.pop(stream_id)
        if reset:
            self.runners.pop(stream_id, None)
        return stream_id, np.concatenate(parts).astype(np.float32, copy=False), reset

    def keep(self, stream_id: int, runner: Previewer | None) -> None:
        """Remember a stream's previewer (the newest ``MAX_STREAMS`` only: a stream whose
        ``end`` raced with its last update must not stay forever)."""
        self.runners[stream_id] = runner
        while len(self.runners) > MAX_STREAMS:
            del self.runners[next(iter(self.runners))]

    def end(self, stream_id: int) -> None:
        self.pending.pop(stream_id, None)
        self.runners.pop(stream_id, None)

    def clear_runners(self) -> None:
        """The engine changed: previewers made from the old one must not be used again."""
        self.runners.clear()

    def account(self, audio_s: float, compute_s: float) -> None:
        self.audio_s += audio_s
        self.compute_s += compute_s
        self.updates += 1

    @property
    def cost(self) -> float:
        """Compute seconds per second of previewed audio (0 before any preview)."""
        return self.compute_s / self.audio_s if self.audio_s else 0.0


def run_preview(
    previews: PreviewStreams,
    lock: threading.Condition,
    engine: SpeechEngine | None,
    stream: int,
    audio: Audio,
) -> str | None:
    """One coalesced update of ``stream`` ON THE MODEL THREAD: its whole preview text, or None
    (no model, a model that cannot preview, or a failure: a preview never disturbs dictation).
    ``lock`` guards ``previews`` (other threads add audio)."""
    with lock:
        runner = previews.runners.get(stream, ())
    if engine is None or runner is None:
        return None
    started = time.perf_counter()
    try:
        if runner == ():
            runner = make_previewer(engine)
            with lock:
                previews.keep(stream, runner)
            if runner is None:
                log.info("the model %s gives no live preview", engine.name)
                return None
        assert not isinstance(runner, tuple)
        text = runner.feed(audio)
    except Exception as err:
        log.warning("preview of stream %d failed: %s", stream, one_line_error(err))
        with lock:
            previews.keep(stream, None)
        return None
    with lock:
        previews.account(len(audio) / SAMPLE_RATE, time.perf_counter() - started)
    return text
