"""Plain helpers around the model thread: the listener protocol, the real engine factory,
one-line error messages, safe process/thread endings after MLX and the live-preview queue
(no Qt here)."""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NoReturn, Protocol, cast

import numpy as np

from app.core.errors import GraniteError
from app.core.segmentation import Chunk
from app.core.transcript import Segment, TranscriptResult
from app.engine.base import Audio, CancelToken, DownloadProgress, SpeechEngine

if TYPE_CHECKING:
    from app.engine.granite import GraniteEngine

EngineFactory = Callable[[str, DownloadProgress, Callable[[], bool]], SpeechEngine]


class EngineListener(Protocol):
    """Called ON THE MODEL THREAD with plain data; implementations must be thread-safe."""

    def model_state(self, state: str, message: str) -> None: ...
    def download_progress(self, done: int, total: int) -> None: ...
    def job_progress(self, job_id: int, done: float, total: float) -> None: ...
    def job_partial(self, job_id: int, task_index: int, text: str, chunk: Chunk) -> None: ...
    def job_segment(self, job_id: int, task_index: int, segment: Segment) -> None: ...
    def job_finished(self, job_id: int, results: list[TranscriptResult]) -> None: ...
    def job_failed(self, job_id: int, message: str) -> None: ...


def park() -> None:
    """End a worker thread's work without ending the OS thread (daemon: dropped at exit).

    A thread that ever touched an MLX object (even by garbage-collecting one) runs MLX's
    thread-local destructors when it exits; they need the GIL, and if that happens while the
    interpreter is finalizing, Python ends the thread with a forced unwind through C++ code
    and the process aborts ("terminate called without an active exception"; 5 runs in 6 of
    the CLI here). ``join()`` returns before those destructors run, so joining cannot help.
    """
    threading.Event().wait()


def exit_process(code: int) -> NoReturn:
    """Flush stdio and the logs, then end the process without interpreter finalization.

    Use at the very end of a process whose model thread ran MLX (the CLI; the GUI after its
    event loop returned and everything is saved). Finalizing the interpreter while a worker
    thread that touched MLX is still running can abort the process (see ``park``).
    """
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    logging.shutdown()
    os._exit(code)


class _CheckToken(CancelToken):
    """A CancelToken that asks a callable (the loader takes tokens, factories get callables)."""

    def __init__(self, check: Callable[[], bool]) -> None:
        super().__init__()
        self._check = check

    @property
    def cancelled(self) -> bool:
        return self._check()


def default_engine_factory(
    spec: str, on_progress: DownloadProgress, cancel: Callable[[], bool]
) -> SpeechEngine:
    """The real engine: ``app.engine.loader.load_engine`` (downloads from the Hub if needed)."""
    from app.engine.loader import load_engine

    return load_engine(spec, on_progress=on_progress, cancel=_CheckToken(cancel))


def one_line_error(err: BaseException) -> str:
    """The user-facing line for an exception (typed errors carry their own)."""
    if isinstance(err, GraniteError):
        return str(err)
    detail = " ".join(str(err).split())
    return f"Unexpected error ({type(err).__name__}{': ' + detail if detail else ''})."


# --- live preview (approximate text while an utterance is still open) -------------------------


class Previewer(Protocol):
    """One utterance's incremental preview (``app.engine.preview.CtcPreview`` or a fake)."""

    def feed(self, samples: Audio) -> str: ...


class PreviewListener(Protocol):
    """Optional listener method (duck-typed): called ON THE MODEL THREAD."""

    def preview(self, stream_id: int, text: str) -> None: ...


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


class QueueListener:
    """EngineListener for a plain (non-Qt) main thread: the events it needs, as tuples in ``q``.

    ``("state", state, message)``, ``("download", done, total)``, ``("progress", job, done,
    total)``, ``("finished", job, results)``, ``("failed", job, message)``; partials and
    segments are not queued (the command-line front ends print whole results).
    """

    def __init__(self) -> None:
        self.q: queue.Queue[tuple[Any, ...]] = queue.Queue()

    def model_state(self, state: str, message: str) -> None:
        self.q.put(("state", state, message))

    def download_progress(self, done: int, total: int) -> None:
        self.q.put(("download", done, total))

    def job_progress(self, job_id: int, done: float, total: float) -> None:
        self.q.put(("progress", job_id, done, total))

    def job_partial(self, job_id: int, task_index: int, text: str, chunk: Chunk) -> None:
        pass

    def job_segment(self, job_id: int, task_index: int, segment: Segment) -> None:
        pass

    def job_finished(self, job_id: int, results: list[TranscriptResult]) -> None:
        self.q.put(("finished", job_id, results))

    def job_failed(self, job_id: int, message: str) -> None:
        self.q.put(("failed", job_id, message))
