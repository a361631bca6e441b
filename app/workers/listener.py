"""What the model thread reports, and to whom: the listener protocol and, for plain (non-Qt)
main threads, a listener that queues typed events (no Qt here)."""

from __future__ import annotations

import queue
from dataclasses import dataclass
from typing import Protocol

from app.core.chunking.segmentation import Chunk
from app.core.model_state import ModelState
from app.core.transcript import Segment, TranscriptResult


class EngineListener(Protocol):
    """Called ON THE MODEL THREAD with plain data; implementations must be thread-safe."""

    def model_state(self, state: ModelState, message: str) -> None: ...
    def download_progress(self, done: int, total: int) -> None: ...
    def job_progress(self, job_id: int, done: float, total: float) -> None: ...
    def job_partial(self, job_id: int, task_index: int, text: str, chunk: Chunk) -> None: ...
    def job_segment(self, job_id: int, task_index: int, segment: Segment) -> None: ...
    def job_finished(self, job_id: int, results: list[TranscriptResult]) -> None: ...
    def job_failed(self, job_id: int, message: str) -> None: ...


class PreviewListener(Protocol):
    """Optional listener method (duck-typed): called ON THE MODEL THREAD."""

    def preview(self, stream_id: int, text: str) -> None: ...


@dataclass(frozen=True)
class ModelStateEvent:
    state: ModelState
    message: str


@dataclass(frozen=True)
class DownloadEvent:
    done: int
    total: int


@dataclass(frozen=True)
class ProgressEvent:
    job_id: int
    done: float
    total: float


@dataclass(frozen=True)
class FinishedEvent:
    job_id: int
    results: list[TranscriptResult]


@dataclass(frozen=True)
class FailedEvent:
    job_id: int
    message: str


EngineEvent = ModelStateEvent | DownloadEvent | ProgressEvent | FinishedEvent | FailedEvent


class QueueListener:
    """EngineListener for a plain main thread: the events it needs, typed, in ``q``.

    Partials and segments are not queued (the command-line front ends print whole results).
    Subclasses may put their own event types into the same queue.
    """

    def __init__(self) -> None:
        self.q: queue.Queue[object] = queue.Queue()

    def model_state(self, state: ModelState, message: str) -> None:
        self.q.put(ModelStateEvent(ModelState(state), message))

    def download_progress(self, done: int, total: int) -> None:
        self.q.put(DownloadEvent(done, total))

    def job_progress(self, job_id: int, done: float, total: float) -> None:
        self.q.put(ProgressEvent(job_id, done, total))

    def job_partial(self, job_id: int, task_index: int, text: str, chunk: Chunk) -> None:
        pass

    def job_segment(self, job_id: int, task_index: int, segment: Segment) -> None:
        pass

    def job_finished(self, job_id: int, results: list[TranscriptResult]) -> None:
        self.q.put(FinishedEvent(job_id, results))

    def job_failed(self, job_id: int, message: str) -> None:
        self.q.put(FailedEvent(job_id, message))


class GuestListener(EngineListener, Protocol):
    """A second front end on the same model thread (the in-app API server): it tells which
    jobs are its own."""

    def owns(self, job_id: int) -> bool: ...


class Shared:
    """The model thread's listener when two front ends share it: model events go to both, a
    job's events only to the front end that submitted it (``guest.owns``), previews to the
    main one."""

    def __init__(self, main: EngineListener, guest: GuestListener) -> None:
        self._main = main
        self._guest = guest
        self._preview = getattr(main, "preview", None)

    def _for(self, job_id: int) -> EngineListener:
        return self._guest if self._guest.owns(job_id) else self._main

    def model_state(self, state: ModelState, message: str) -> None:
        self._main.model_state(state, message)
        self._guest.model_state(state, message)

    def download_progress(self, done: int, total: int) -> None:
        self._main.download_progress(done, total)
        self._guest.download_progress(done, total)

    def job_progress(self, job_id: int, done: float, total: float) -> None:
        self._for(job_id).job_progress(job_id, done, total)

    def job_partial(self, job_id: int, task_index: int, text: str, chunk: Chunk) -> None:
        self._for(job_id).job_partial(job_id, task_index, text, chunk)

    def job_segment(self, job_id: int, task_index: int, segment: Segment) -> None:
        self._for(job_id).job_segment(job_id, task_index, segment)

    def job_finished(self, job_id: int, results: list[TranscriptResult]) -> None:
        self._for(job_id).job_finished(job_id, results)

    def job_failed(self, job_id: int, message: str) -> None:
        self._for(job_id).job_failed(job_id, message)

    def preview(self, stream_id: int, text: str) -> None:
        if self._preview is not None:
            self._preview(stream_id, text)
