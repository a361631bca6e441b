"""The model thread's events, delivered to the request that owns the job (on its event loop).

``JobHub`` is the ``EngineListener`` of the server's ``EngineThread``. It is called on the model
thread and hands each event to the job's ``asyncio.Queue`` with ``call_soon_threadsafe``. It also
keeps the bounded queue: a request ``reserve``s a slot before its upload is read and
``release``s it when its job is over, so at most ``max_queue`` jobs are queued or running and
the next request gets 429 at once (``retry_after`` estimates when a slot frees up).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from app.core.chunking.segmentation import Chunk
from app.core.model_state import ModelState
from app.core.transcript import Segment, TranscriptResult


class EventKind(StrEnum):
    SEGMENT = "segment"
    FINISHED = "finished"
    FAILED = "failed"


@dataclass(frozen=True)
class JobEvent:
    kind: EventKind
    segment: Segment | None = None
    results: list[TranscriptResult] = field(default_factory=list)
    message: str = ""


@dataclass
class _Sink:
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[JobEvent]
    started: float = field(default_factory=time.monotonic)


class JobHub:
    """EngineListener → per-job asyncio queues; model state; the bounded request queue."""

    def __init__(self, max_queue: int) -> None:
        self.max_queue = max_queue
        self._lock = threading.Lock()
        self._sinks: dict[int, _Sink] = {}
        self._active = 0
        self._job_seconds = 5.0  # running mean of a job's wall time, for Retry-After
        self.state = ModelState.LOADING
        self.state_message = ""
        self.model_name = ""
        self.ready = threading.Event()  # set at the first "ready", "error" or "missing"

    # --- the bounded queue (any thread) ---------------------------------------------------------

    def reserve(self) -> bool:
        with self._lock:
            if self._active >= self.max_queue:
                return False
            self._active += 1
            return True

    def release(self) -> None:
        with self._lock:
            self._active = max(0, self._active - 1)

    @property
    def active(self) -> int:
        """Requests holding a slot: uploading, queued or running."""
        with self._lock:
            return self._active

    def retry_after(self) -> int:
        """Seconds until a slot is likely to free up (at least 1)."""
        with self._lock:
            return max(1, min(600, math.ceil(self._job_seconds)))

    # --- jobs -----------------------------------------------------------------------------------

    def submit(self, start: Callable[[], int]) -> tuple[int, asyncio.Queue[JobEvent]]:
        """Run ``start`` (which submits the job and returns its id) and register the job's queue
        before the model thread can report anything about it. Call on the event loop."""
        sink = _Sink(asyncio.get_running_loop(), asyncio.Queue())
        with self._lock:
            job_id = start()
            self._sinks[job_id] = sink
        return job_id, sink.queue

    def owns(self, job_id: int) -> bool:
        """A job submitted through this hub and not forgotten yet."""
        with self._lock:
            return job_id in self._sinks

    def forget(self, job_id: int) -> None:
        with self._lock:
            self._sinks.pop(job_id, None)

    def _deliver(self, job_id: int, event: JobEvent) -> None:
        with self._lock:
            sink = self._sinks.get(job_id)
            if sink is None:
                return
            if event.kind is not EventKind.SEGMENT:
                spent = time.monotonic() - sink.started
                self._job_seconds = 0.7 * self._job_seconds + 0.3 * spent
        with contextlib.suppress(RuntimeError):  # a closed loop: the server stopped
            sink.loop.call_soon_threadsafe(sink.queue.put_nowait, event)

    # --- EngineListener (model thread) ----------------------------------------------------------

    def model_state(self, state: ModelState, message: str) -> None:
        self.state = ModelState(state)
        self.state_message = message
        if self.state is ModelState.READY:
            self.model_name = message
        if self.state.settled:
            self.ready.set()

    def download_progress(self, done: int, total: int) -> None:
        pass

    def job_progress(self, job_id: int, done: float, total: float) -> None:
        pass

    def job_partial(self, job_id: int, task_index: int, text: str, chunk: Chunk) -> None:
        pass

    def job_segment(self, job_id: int, task_index: int, segment: Segment) -> None:
        self._deliver(job_id, JobEvent(EventKind.SEGMENT, segment=segment))

    def job_finished(self, job_id: int, results: list[TranscriptResult]) -> None:
        self._deliver(job_id, JobEvent(EventKind.FINISHED, results=results))

    def job_failed(self, job_id: int, message: str) -> None:
        self._deliver(job_id, JobEvent(EventKind.FAILED, message=message))
