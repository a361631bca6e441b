"""The one model thread: loads the model and runs every engine call (no Qt here).

MLX streams belong to the thread that created them, so one long-lived ``threading.Thread``
owns the engine from load to drop. Work arrives as jobs with ids (``jobs``): ``load_model``,
``submit_file`` (run a step of ``file_batch`` chunks at a time, so a dictation utterance waits
at most one step), ``submit_audio`` (an utterance; ``background=True``: a meeting's),
``submit_work`` (other model work, e.g. speaker detection) and ``submit_preview`` (coalesced
live preview, reported by the listener's ``preview(stream_id, text)`` if it has one; never
reports failures). Which job steps next is ``schedule``'s rule, what each does on the model is
in ``steps`` and ``preview_streams``, and the decode thread (``prefetch``) prepares files ahead.

Cancellation is cooperative (the engine's CancelToken between tokens; decode and VAD poll a
callable). Once a job is seen cancelled it reports nothing more; a callback already running
when ``cancel`` is called may still arrive, so GUI code filters by id too (see qt_engine).

Load jobs report through ``model_state`` only (``ModelState``). Other jobs end with exactly
one ``job_finished`` or ``job_failed`` unless cancelled.
"""

from __future__ import annotations

import gc
import itertools
import logging
import threading
from collections.abc import Callable, Sequence

import numpy as np

from app.core.chunking.segmentation import SegmentationConfig
from app.core.errors import GraniteError
from app.core.model_state import ModelState
from app.core.transcript import TaskSpec, TranscriptResult
from app.engine import memory
from app.engine.base import SpeechEngine
from app.engine.runner import SpeedOptions
from app.workers import schedule, steps
from app.workers.engine_factory import EngineFactory
from app.workers.files.file_stream import DECODE_AHEAD_S
from app.workers.files.pipeline import (
    FILE_BATCH,
    Decoder,
    FileTranscription,
    Splitter,
)
from app.workers.files.pipeline import default_decoder as _default_decoder
from app.workers.files.pipeline import default_splitter as _default_splitter
from app.workers.jobs import AudioJob, FileJob, Job, LoadJob, ModelWork, PreviewJob, WorkJob
from app.workers.listener import EngineListener
from app.workers.prefetch import Prefetcher
from app.workers.preview_streams import PreviewStreams, run_preview
from app.workers.process_exit import park

log = logging.getLogger(__name__)


class EngineThread:
    def __init__(
        self,
        engine_factory: EngineFactory,
        listener: EngineListener,
        *,
        decoder: Decoder = _default_decoder,
        splitter: Splitter = _default_splitter,
        file_batch: int = FILE_BATCH,
    ) -> None:
        self._factory = engine_factory
        self._file_batch = file_batch
        self._listener = listener
        self._decoder = decoder
        self._splitter = splitter
        self._cond = threading.Condition()
        self._jobs: list[Job] = []  # pending and running, in submission order
        self._running: Job | None = None  # the job being stepped (utterances leave _jobs first)
        self._ids = itertools.count(1)
        self._stopping = False
        self._stopped = threading.Event()
        self._engine: SpeechEngine | None = None
        self._previews = PreviewStreams()  # guarded by ``_cond``
        self._speed: SpeedOptions | None = None  # guarded by ``_cond``; applied on the thread
        self._cache_limit_mb: int | None = None  # guarded by ``_cond``; applied on the thread
        self._cache_applied: int | None = None  # model thread only
        self._preview_out = getattr(listener, "preview", None)
        self._thread = threading.Thread(target=self._run, name="granite-model", daemon=True)
        self._prefetch = Prefetcher(self._cond)

    # --- API (any thread) -----------------------------------------------------------------------

    def start(self) -> None:
        self._thread.start()
        self._prefetch.start()

    def shutdown(self, timeout: float = 10.0) -> None:
        """Cancel everything, stop both threads and wait up to ``timeout`` seconds for them."""
        with self._cond:
            self._stopping = True
            for job in self._live():
                job.token.cancel()
            self._cond.notify_all()
        self._prefetch.stop()
        if self._thread.is_alive() and not self._stopped.wait(timeout):
            log.warning("the model thread did not stop within %.1f s", timeout)
        if not self._prefetch.wait(timeout):
            log.warning("the decode thread did not stop within %.1f s", timeout)

    @property
    def stopped(self) -> bool:
        """True once both threads have finished their work and parked (after ``shutdown``)."""
        return self._stopped.is_set() and self._prefetch.stopped

    def load_model(self, spec: str) -> int:
        return self._add(LoadJob(next(self._ids), spec))

    def submit_file(
        self,
        path: str,
        specs: Sequence[TaskSpec],
        seg_cfg: SegmentationConfig,
        *,
        splitter: Splitter | None = None,
        resume_after: float = 0.0,
        on_failed: Callable[[BaseException], None] | None = None,
    ) -> int:
        """A file job; ``splitter`` replaces the thread's own for this job (the API server's
        ``chunking_strategy=none`` sends an upload as one chunk); ``resume_after`` (seconds)
        skips the chunks that start before it (a job resumed after a quit); ``on_failed``
        hears why decoding or splitting failed (the API server tells bad input apart)."""
        work = FileTranscription(
            path,
            specs,
            seg_cfg,
            decoder=self._decoder,
            splitter=splitter or self._splitter,
            batch_size=self._file_batch,
            resume_after=resume_after,
            ahead_s=DECODE_AHEAD_S,
        )
        work.on_ready = self._wake
        if on_failed is not None:
            work.on_failed = on_failed
        return self._add(FileJob(next(self._ids), work))

    def _wake(self) -> None:
        """A streaming prepare found chunks: the model thread may be waiting for them."""
        with self._cond:
            self._cond.notify_all()

    def submit_audio(
        self,
        audio: np.ndarray,
        offset: float,
        specs: Sequence[TaskSpec],
        source: str = "",
        *,
        background: bool = False,
    ) -> int:
        samples = np.ascontiguousarray(audio, dtype=np.float32).reshape(-1)
        job = AudioJob(next(self._ids), samples, offset, tuple(specs), source, background)
        return self._add(job)

    def submit_work(self, work: ModelWork) -> int:
        """Run ``work`` once on the model thread as a background step; its results are
        reported by ``job_finished`` (a raised ``GraniteError`` by ``job_failed``)."""
        return self._add(WorkJob(next(self._ids), work))

    def submit_preview(self, stream_id: int, samples: np.ndarray, reset: bool = False) -> None:
        """Queue ``samples`` (new audio since the stream's last call) for a preview update;
        ``reset`` starts a new utterance on the stream (drops what is pending for it)."""
        if self._preview_out is None:
            return
        audio = np.ascontiguousarray(samples, dtype=np.float32).reshape(-1)
        with self._cond:
            if self._stopping:
                return
            self._previews.add(stream_id, audio, reset)
            self._cond.notify_all()

    def end_preview(self, stream_id: int) -> None:
        """Forget a stream (its utterance ended): pending audio and previewer are dropped."""
        with self._cond:
            self._previews.end(stream_id)

    @property
    def preview_cost(self) -> tuple[float, float, int]:
        """(audio seconds previewed, compute seconds spent, updates run) so far."""
        with self._cond:
            p = self._previews
            return p.audio_s, p.compute_s, p.updates

    def set_speed(self, options: SpeedOptions) -> None:
        """The engine's exact speed-up options (speculative decoding …). Applied ON THE MODEL
        THREAD before its next step and to every engine it loads later; the GUI never touches
        the engine."""
        with self._cond:
            self._speed = options
            self._cond.notify_all()

    def set_cache_limit(self, megabytes: int) -> None:
        """MLX's buffer cache limit (``app.engine.memory``), applied ON THE MODEL THREAD
        before its next step; 0 keeps MLX's default."""
        with self._cond:
            self._cache_limit_mb = megabytes
            self._cond.notify_all()

    def cancel(self, job_id: int) -> None:
        """Queued, or a running utterance: it stops at its next cancel check (after the
        encoder, between decode steps), so a dropped eager utterance costs only what ran."""
        with self._cond:
            for job in self._live():
                if job.id == job_id:
                    job.token.cancel()
            self._cond.notify_all()

    def cancel_all(self) -> None:
        with self._cond:
            for job in self._live():
                job.token.cancel()
            self._cond.notify_all()

    def _live(self) -> list[Job]:
        """Pending jobs and a running utterance (lock held). A running load or work job keeps
        its old contract (it reports its outcome), so only utterances are added."""
        running = self._running
        live = isinstance(running, AudioJob)
        return [*self._jobs, running] if live and running is not None else list(self._jobs)

    # --- scheduling -----------------------------------------------------------------------------

    def _add(self, job: Job) -> int:
        with self._cond:
            if self._stopping:
                job.token.cancel()
            self._jobs.append(job)
            self._prefetch.request(self._jobs)
            self._cond.notify_all()
        return job.id

    def _pick(self) -> Job | None:
        """The next job to step (lock held): ``schedule.pick``, after queueing the next files
        for decoding."""
        self._prefetch.request(self._jobs)
        return schedule.pick(self._jobs, self._previews, self._engine is not None)

    def _run(self) -> None:
        try:
            while True:
                with self._cond:
                    job = None if self._stopping else self._pick()
                    while job is None and not self._stopping:
                        self._cond.wait()
                        job = None if self._stopping else self._pick()
                    if job is None:
                        return
                if job.token.cancelled:
                    self._remove(job)
                    continue
                self._apply_speed()
                self._apply_cache_limit()
                with self._cond:
                    self._running = job
                try:
                    self._step(job)
                finally:
                    with self._cond:
                        self._running = None
        finally:
            self._engine = None  # drop the model on the thread that made it
            with self._cond:
                self._jobs.clear()
            gc.collect()
            self._stopped.set()
        park()

    def _apply_speed(self) -> None:
        with self._cond:
            options = self._speed
        if options is not None and self._engine is not None and hasattr(self._engine, "speed"):
            self._engine.speed = options  # the granite adapter; fakes may have no speed-ups

    def _apply_cache_limit(self) -> None:
        """Once MLX is in use (a real engine loaded), and again whenever the limit changes."""
        with self._cond:
            limit = self._cache_limit_mb
        if limit is not None and limit != self._cache_applied and memory.set_cache_limit(limit):
            self._cache_applied = limit

    def _remove(self, job: Job) -> None:
        with self._cond:
            if job in self._jobs:
                self._jobs.remove(job)

    # --- work (model thread) --------------------------------------------------------------------

    def _step(self, job: Job) -> None:
        try:
            match job:
                case PreviewJob():
                    self._run_preview(job)
                case LoadJob():
                    self._remove(job)
                    self._load(job)
                case AudioJob():
                    self._remove(job)
                    self._finish(job, self._run_audio(job))
                case WorkJob():
                    self._remove(job)
                    self._finish(job, job.work(self._engine, job.token))
                case FileJob():
                    self._file_step(job)
        except BaseException as err:
            self._remove(job)
            steps.report_failure(job, err, self._listener)  # re-raises what is no Exception

    def _load(self, job: LoadJob) -> None:
        self._engine = None
        engine = steps.load_engine(self._factory, job, self._listener)
        self._engine = engine
        self._apply_speed()
        self._apply_cache_limit()
        with self._cond:
            self._previews.clear_runners()
        self._listener.model_state(ModelState.READY, engine.name)

    def _need_engine(self) -> SpeechEngine:
        if self._engine is None:
            raise GraniteError("No model is loaded.")
        return self._engine

    def _run_audio(self, job: AudioJob) -> list[TranscriptResult]:
        return steps.run_audio(self._need_engine(), job, self._listener)

    def _run_preview(self, job: PreviewJob) -> None:
        """One coalesced preview update (``job.id`` is the stream id); never raises."""
        assert self._preview_out is not None
        text = run_preview(self._previews, self._cond, self._engine, job.id, job.audio)
        if text is not None:
            self._preview_out(job.id, text)

    def _file_step(self, job: FileJob) -> None:
        if steps.file_step(self._need_engine(), job, self._listener):
            self._remove(job)
            self._finish(job, job.file.results())
            memory.clear_cache()  # a long file leaves a large cache behind

    def _finish(self, job: Job, results: list[TranscriptResult]) -> None:
        if job.token.cancelled:
            log.info("job %d cancelled", job.id)
            return
        self._listener.job_finished(job.id, results)
