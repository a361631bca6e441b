"""A thread-safe recording EngineListener and in-memory decoder/splitter fakes."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from app.core.chunking.segmentation import Chunk, SegmentationConfig
from app.core.errors import AudioDecodeError, CancelledError
from app.engine.base import SAMPLE_RATE

WAIT_S = 20.0


class Recorder:
    """Records every listener call as ``(name, *args)`` plus the calling thread."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.events: list[tuple[Any, ...]] = []
        self.threads: set[int] = set()

    def _add(self, *event: Any) -> None:
        with self._cond:
            self.events.append(event)
            self.threads.add(threading.get_ident())
            self._cond.notify_all()

    def model_state(self, state: str, message: str) -> None:
        self._add("model_state", state, message)

    def download_progress(self, done: int, total: int) -> None:
        self._add("download_progress", done, total)

    def job_progress(self, job_id: int, done: float, total: float) -> None:
        self._add("job_progress", job_id, done, total)

    def job_partial(self, job_id: int, task_index: int, text: str, chunk: Chunk) -> None:
        self._add("job_partial", job_id, task_index, text, chunk)

    def job_segment(self, job_id: int, task_index: int, segment: Any) -> None:
        self._add("job_segment", job_id, task_index, segment)

    def job_finished(self, job_id: int, results: list[Any]) -> None:
        self._add("job_finished", job_id, results)

    def job_failed(self, job_id: int, message: str) -> None:
        self._add("job_failed", job_id, message)

    def wait_for(self, predicate: Callable[[list[tuple[Any, ...]]], bool]) -> None:
        with self._cond:
            ok = self._cond.wait_for(lambda: predicate(self.events), timeout=WAIT_S)
        assert ok, f"condition not reached; events: {self.events}"

    def wait_done(self, job_id: int) -> tuple[Any, ...]:
        """Wait for job_finished/job_failed of ``job_id`` and return that event."""
        self.wait_for(
            lambda ev: any(e[0] in ("job_finished", "job_failed") and e[1] == job_id for e in ev)
        )
        return next(
            e for e in self.events if e[0] in ("job_finished", "job_failed") and e[1] == job_id
        )

    def wait_state(self, *states: str) -> tuple[Any, ...]:
        self.wait_for(lambda ev: any(e[0] == "model_state" and e[1] in states for e in ev))
        return next(e for e in self.events if e[0] == "model_state" and e[1] in states)

    def of(self, name: str, job_id: int | None = None) -> list[tuple[Any, ...]]:
        with self._cond:
            return [e for e in self.events if e[0] == name and (job_id is None or e[1] == job_id)]

    def done_order(self) -> list[int]:
        with self._cond:
            return [e[1] for e in self.events if e[0] in ("job_finished", "job_failed")]


def speech_like(seconds: float, level: float = 0.5, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.uniform(-level, level, round(seconds * SAMPLE_RATE))).astype(np.float32)


class MemoryFiles:
    """decoder: ``path`` → the registered array; unknown paths raise AudioDecodeError.

    A path registered with ``gate`` waits for that Event (or cancellation) before returning.
    """

    def __init__(self) -> None:
        self.files: dict[str, np.ndarray] = {}
        self.gates: dict[str, threading.Event] = {}
        self.decoded: list[str] = []

    def add(self, path: str, audio: np.ndarray, gate: threading.Event | None = None) -> str:
        self.files[path] = audio
        if gate is not None:
            self.gates[path] = gate
        return path

    def __call__(self, path: str, cancel: Callable[[], bool]) -> np.ndarray:
        gate = self.gates.get(path)
        if gate is not None:
            while not gate.wait(0.005):
                if cancel():
                    raise CancelledError()
        self.decoded.append(path)
        if path not in self.files:
            raise AudioDecodeError(f"{path}: not an audio file.")
        return self.files[path]


def fixed_splitter(
    audio: np.ndarray, cfg: SegmentationConfig, cancel: Callable[[], bool]
) -> list[Chunk]:
    """Consecutive chunks of ``cfg.max_chunk_s`` (the last shorter) covering the audio."""
    total = len(audio) / SAMPLE_RATE
    chunks, start = [], 0.0
    while start < total - 1e-9:
        end = min(total, start + cfg.max_chunk_s)
        chunks.append(Chunk(start, end))
        start = end
    return chunks
