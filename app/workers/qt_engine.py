"""The Qt face of the model thread: job ids in, queued signals with plain data out.

``EngineBridge`` lives on the GUI thread. Its listener runs on the model thread and emits
private signals; because the bridge belongs to the GUI thread, Qt queues them there. The
bridge's own slots then drop anything belonging to a job cancelled on the GUI side and re-emit
the public signals, so once ``cancel(job_id)`` returns, no signal for that job is ever emitted.
The GUI thread never waits on the worker; only ``shutdown`` (at exit) joins with a timeout.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

from app.core.chunking.segmentation import Chunk, SegmentationConfig
from app.core.model_state import ModelState
from app.core.transcript import Segment, TaskSpec, TranscriptResult
from app.engine.runner import SpeedOptions
from app.workers.engine_factory import EngineFactory, default_engine_factory
from app.workers.engine_thread import EngineThread
from app.workers.files.pipeline import (
    FILE_BATCH,
    Decoder,
    Splitter,
    default_decoder,
    default_splitter,
)
from app.workers.jobs import ModelWork
from app.workers.listener import EngineListener, GuestListener, Shared


class _Forwarder(QObject):
    """EngineListener that re-emits every call as a signal (emitted on the model thread)."""

    state = Signal(object, str)  # ModelState, message
    download = Signal(object, object)
    progress = Signal(int, float, float)
    partial = Signal(int, int, str, float, float)
    segment = Signal(int, int, object)
    finished = Signal(int, object)
    failed = Signal(int, str)
    previewed = Signal(int, str)

    def model_state(self, state: ModelState, message: str) -> None:
        self.state.emit(state, message)

    def download_progress(self, done: int, total: int) -> None:
        self.download.emit(done, total)

    def job_progress(self, job_id: int, done: float, total: float) -> None:
        self.progress.emit(job_id, done, total)

    def job_partial(self, job_id: int, task_index: int, text: str, chunk: Chunk) -> None:
        self.partial.emit(job_id, task_index, text, chunk.start, chunk.end)

    def job_segment(self, job_id: int, task_index: int, segment: Segment) -> None:
        self.segment.emit(job_id, task_index, segment)

    def job_finished(self, job_id: int, results: list[TranscriptResult]) -> None:
        self.finished.emit(job_id, results)

    def job_failed(self, job_id: int, message: str) -> None:
        self.failed.emit(job_id, message)

    def preview(self, stream_id: int, text: str) -> None:
        self.previewed.emit(stream_id, text)


class Bridge(QObject):
    """What the GUI needs of the model thread: job calls in, queued signals with plain data
    out. ``EngineBridge`` is the real one; stand-ins (tests, the screenshot) subclass this."""

    modelStateChanged = Signal(object, str)  # ModelState, message
    downloadProgress = Signal(object, object)  # bytes done, total (Python ints, may be > 2 GiB)
    jobProgress = Signal(int, float, float)  # job_id, done, total (chunks)
    jobPartial = Signal(int, int, str, float, float)  # job_id, task_index, text, start, end
    jobSegment = Signal(int, int, object)  # job_id, task_index, Segment
    jobFinished = Signal(int, object)  # job_id, list[TranscriptResult]
    jobFailed = Signal(int, str)  # job_id, one-line message
    previewText = Signal(int, str)  # stream_id, the stream's whole (approximate) preview text

    def load_model(self, spec: str) -> int:
        raise NotImplementedError

    def submit_file(
        self,
        path: str,
        specs: Sequence[TaskSpec],
        seg_cfg: SegmentationConfig,
        resume_after: float = 0.0,
    ) -> int:
        raise NotImplementedError

    def submit_audio(
        self, audio: np.ndarray, offset: float, specs: Sequence[TaskSpec], source: str = ""
    ) -> int:
        raise NotImplementedError

    def submit_meeting_audio(
        self, audio: np.ndarray, offset: float, specs: Sequence[TaskSpec], source: str = ""
    ) -> int:
        """A meeting's utterance: a background step (dictation goes first). Stand-ins without
        priorities run it as an ordinary utterance."""
        return self.submit_audio(audio, offset, specs, source)

    def submit_work(self, work: ModelWork) -> int:
        """Other model work (speaker detection) as a background step on the model thread."""
        raise NotImplementedError

    def submit_preview(self, stream_id: int, samples: np.ndarray, reset: bool = False) -> None:
        """Optional: a bridge without live preview ignores it."""

    def end_preview(self, stream_id: int) -> None:
        """Optional: a bridge without live preview ignores it."""

    def set_speed(self, options: SpeedOptions) -> None:
        """Optional: a bridge whose engine has no speed-ups ignores it."""

    def set_cache_limit(self, megabytes: int) -> None:
        """Optional: a bridge without MLX ignores it."""

    def cancel(self, job_id: int) -> None:
        raise NotImplementedError

    def shutdown(self, timeout: float = 10.0) -> None:
        """At application exit only."""


class EngineBridge(Bridge):
    """The real bridge: owns the ``EngineThread`` (see the module docstring)."""

    def __init__(
        self,
        engine_factory: EngineFactory = default_engine_factory,
        parent: QObject | None = None,
        *,
        decoder: Decoder = default_decoder,
        splitter: Splitter = default_splitter,
        file_batch: int = FILE_BATCH,
        also: GuestListener | None = None,
    ) -> None:
        """``also`` shares the model thread (the in-app API server): it hears model events and
        its own jobs' (see ``listener.Shared``)."""
        super().__init__(parent)
        self._cancelled: set[int] = set()
        # The forwarder is a child of the bridge, so it lives on the GUI thread: signals
        # emitted on the model thread are queued to the slots below.
        self._fwd = _Forwarder(self)
        self._fwd.state.connect(self._on_state)
        self._fwd.download.connect(self._on_download)
        self._fwd.progress.connect(self._on_progress)
        self._fwd.partial.connect(self._on_partial)
        self._fwd.segment.connect(self._on_segment)
        self._fwd.finished.connect(self._on_finished)
        self._fwd.failed.connect(self._on_failed)
        self._fwd.previewed.connect(self._on_preview)
        self._ended_previews: set[int] = set()
        listener: EngineListener = self._fwd if also is None else Shared(self._fwd, also)
        self._thread = EngineThread(
            engine_factory, listener, decoder=decoder, splitter=splitter, file_batch=file_batch
        )
        self._thread.start()

    @property
    def engine_thread(self) -> EngineThread:
        """The model thread itself, for a front end that shares it (the in-app API server)."""
        return self._thread

    # --- GUI → worker ---------------------------------------------------------------------------

    def load_model(self, spec: str) -> int:
        return self._thread.load_model(spec)

    def submit_file(
        self,
        path: str,
        specs: Sequence[TaskSpec],
        seg_cfg: SegmentationConfig,
        resume_after: float = 0.0,
    ) -> int:
        """A file job; ``resume_after`` skips the chunks before it (a resumed job)."""
        return self._thread.submit_file(path, specs, seg_cfg, resume_after=resume_after)

    def submit_audio(
        self, audio: np.ndarray, offset: float, specs: Sequence[TaskSpec], source: str = ""
    ) -> int:
        return self._thread.submit_audio(audio, offset, specs, source)

    def submit_meeting_audio(
        self, audio: np.ndarray, offset: float, specs: Sequence[TaskSpec], source: str = ""
    ) -> int:
        return self._thread.submit_audio(audio, offset, specs, source, background=True)

    def submit_work(self, work: ModelWork) -> int:
        return self._thread.submit_work(work)

    def submit_preview(self, stream_id: int, samples: np.ndarray, reset: bool = False) -> None:
        """Low-priority, coalescing live preview (see EngineThread.submit_preview)."""
        self._ended_previews.discard(stream_id)
        self._thread.submit_preview(stream_id, samples, reset)

    def end_preview(self, stream_id: int) -> None:
        """No ``previewText`` for ``stream_id`` is emitted after this returns."""
        self._ended_previews.add(stream_id)
        self._thread.end_preview(stream_id)

    @property
    def preview_cost(self) -> tuple[float, float, int]:
        """(audio seconds previewed, compute seconds spent, updates) since start."""
        return self._thread.preview_cost

    def set_speed(self, options: SpeedOptions) -> None:
        """Applied on the model thread (see ``EngineThread.set_speed``)."""
        self._thread.set_speed(options)

    def set_cache_limit(self, megabytes: int) -> None:
        """MLX's buffer cache limit, applied on the model thread (0: MLX's default)."""
        self._thread.set_cache_limit(megabytes)

    def cancel(self, job_id: int) -> None:
        """No signal for ``job_id`` is emitted after this returns."""
        self._cancelled.add(job_id)
        self._thread.cancel(job_id)

    def shutdown(self, timeout: float = 10.0) -> None:
        """At application exit only: cancel everything and join the threads (with a timeout)."""
        self._thread.shutdown(timeout)

    # --- worker → GUI (queued to the GUI thread) -----------------------------------------------

    @Slot(object, str)
    def _on_state(self, state: ModelState, message: str) -> None:
        self.modelStateChanged.emit(ModelState(state), message)

    @Slot(object, object)
    def _on_download(self, done: int, total: int) -> None:
        self.downloadProgress.emit(done, total)

    @Slot(int, float, float)
    def _on_progress(self, job_id: int, done: float, total: float) -> None:
        if job_id not in self._cancelled:
            self.jobProgress.emit(job_id, done, total)

    @Slot(int, int, str, float, float)
    def _on_partial(self, job_id: int, index: int, text: str, start: float, end: float) -> None:
        if job_id not in self._cancelled:
            self.jobPartial.emit(job_id, index, text, start, end)

    @Slot(int, int, object)
    def _on_segment(self, job_id: int, index: int, segment: Segment) -> None:
        if job_id not in self._cancelled:
            self.jobSegment.emit(job_id, index, segment)

    @Slot(int, object)
    def _on_finished(self, job_id: int, results: list[TranscriptResult]) -> None:
        if job_id in self._cancelled:
            self._cancelled.discard(job_id)
        else:
            self.jobFinished.emit(job_id, results)

    @Slot(int, str)
    def _on_preview(self, stream_id: int, text: str) -> None:
        if stream_id not in self._ended_previews:
            self.previewText.emit(stream_id, text)

    @Slot(int, str)
    def _on_failed(self, job_id: int, message: str) -> None:
        if job_id in self._cancelled:
            self._cancelled.discard(job_id)
        else:
            self.jobFailed.emit(job_id, message)
