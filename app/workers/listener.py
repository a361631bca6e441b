"""What the model thread reports, and to whom: the listener protocol and, for plain (non-Qt)
main threads, a listener that queues typed events (no Qt here)."""

from __future__ import annotations

import queue
from dataclasses import dataclass
from typing import Protocol

from app.core.model_state import ModelState
from app.core.segmentation import Chunk
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
