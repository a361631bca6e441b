"""The one model thread: loads the model and runs every engine call (no Qt here).

Size: over 300 lines because the whole scheduling contract (priorities, prefetch, cancel,
shutdown) is kept in one class, under one lock; the jobs are in ``jobs``, what each does on
the model in ``steps`` and ``preview_streams``.

MLX streams belong to the thread that created them, so one long-lived ``threading.Thread``
owns the engine from load to drop. Work arrives as jobs with ids:

* ``load_model`` and ``submit_file`` jobs run in submission order (FIFO);
* ``submit_audio`` (a live-dictation utterance) jumps ahead of queued and running *file* jobs,
  but never ahead of an earlier ``load_model`` (it must use the model chosen before it);
* a file job runs one step of ``file_batch`` chunks at a time (decoded together when the
  engine batches: ``app.workers.files.pipeline``), so an utterance can run between two steps of a
  long file; it waits at most one step (``FILE_BATCH`` = 4 chunks by default). Decoding and
  VAD run on a helper thread, for the head file and the one after it, so they overlap a model
  load or the previous file's chunks and never block utterances.
* background work (``submit_audio(..., background=True)``: a meeting's utterances;
  ``submit_work``: other model work such as speaker detection, one step each) runs in
  submission order with files, behind every dictation utterance: an utterance waits at most
  for the one background step already running.
* ``submit_preview`` (live preview of the open utterance) is low priority and coalescing: the
  pending audio of a stream is merged into one update, which runs only while no utterance is
  queued (between file steps too) and reports ``preview(stream_id, text)`` to listeners that
  have that method. Previews never report failures; ``end_preview`` forgets a stream.

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
import queue
import threading
from collections.abc import Sequence

import numpy as np

from app.core.chunking.segmentation import SegmentationConfig
from app.core.errors import CancelledError, GraniteError, ModelMissingError
from app.core.model_state import ModelState
from app.core.transcript import TaskSpec, TranscriptResult
from app.engine import memory
from app.engine.base import SpeechEngine
from app.engine.runner import SpeedOptions
from app.workers import steps
from app.workers.engine_factory import EngineFactory, one_line_error
from app.workers.files.pipeline import (
    FILE_BATCH,
    Decoder,
    FileTranscription,
    Splitter,
    resume_splitter,
)
from app.workers.files.pipeline import default_decoder as _default_decoder
from app.workers.files.pipeline import default_splitter as _default_splitter
from app.workers.jobs import (
    AudioJob,
    FileJob,
    Job,
    LoadJob,
    ModelWork,
    Prep,
    PreviewJob,
    WorkJob,
    cancel_check,
    is_utterance,
    steppable,
)
from app.workers.listener import EngineListener
from app.workers.preview_streams import PreviewStreams, run_preview
from app.workers.process_exit import park

log = logging.getLogger(__name__)

#: Files decoded ahead of the model (each holds its samples: 16 kHz float32, 230 MB per hour).
PREFETCH_FILES = 2


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
        self._ids = itertools.count(1)
        self._stopping = False
        self._stopped = threading.Event()
        self._prep_stopped = threading.Event()
        self._engine: SpeechEngine | None = None
        self._previews = PreviewStreams()  # guarded by ``_cond``
        self._speed: SpeedOptions | None = None  # guarded by ``_cond``; applied on the thread
        self._cache_limit_mb: int | None = None  # guarded by ``_cond``; applied on the thread
        self._cache_applied: int | None = None  # model thread only
        self._preview_out = getattr(listener, "preview", None)
        self._thread = threading.Thread(target=self._run, name="granite-model", daemon=True)
        self._prep_queue: queue.SimpleQueue[FileJob | None] = queue.SimpleQueue()
        self._prep_thread = threading.Thread(
            target=self._prep_run, name="granite-decode", daemon=True
        )

    # --- API (any thread) -----------------------------------------------------------------------

    def start(self) -> None:
        self._thread.start()
        self._prep_thread.start()

    def shutdown(self, timeout: float = 10.0) -> None:
        """Cancel everything, stop both threads and wait up to ``timeout`` seconds for them."""
        with self._cond:
            self._stopping = True
            for job in self._jobs:
                job.token.cancel()
            self._cond.notify_all()
        self._prep_queue.put(None)
        if self._thread.is_alive() and not self._stopped.wait(timeout):
            log.warning("the model thread did not stop within %.1f s", timeout)
        if self._prep_thread.is_alive() and not self._prep_stopped.wait(timeout):
            log.warning("the decode thread did not stop within %.1f s", timeout)

    @property
    def stopped(self) -> bool:
        """True once both threads have finished their work and parked (after ``shutdown``)."""
        return self._stopped.is_set() and self._prep_stopped.is_set()

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
    ) -> int:
        """A file job; ``splitter`` replaces the thread's own for this job (the API server's
        ``chunking_strategy=none`` sends an upload as one chunk); ``resume_after`` (seconds)
        skips the chunks that start before it (a job resumed after a quit)."""
        split = splitter or self._splitter
        work = FileTranscription(
            path,
            specs,
            seg_cfg,
            decoder=self._decoder,
            splitter=resume_splitter(split, resume_after) if resume_after > 0 else split,
            batch_size=self._file_batch,
        )
        work.on_ready = self._wake
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
        with self._cond:
            for job in self._jobs:
                if job.id == job_id:
                    job.token.cancel()
            self._cond.notify_all()

    def cancel_all(self) -> None:
        with self._cond:
            for job in self._jobs:
                job.token.cancel()
            self._cond.notify_all()

    # --- scheduling -----------------------------------------------------------------------------

    def _add(self, job: Job) -> int:
        with self._cond:
            if self._stopping:
                job.token.cancel()
            self._jobs.append(job)
            self._start_preps()
            self._cond.notify_all()
        return job.id

    def _pick(self) -> Job | None:
        """The next job to step (lock held). See the module docstring for the order."""
        job = self._pick_job()
        if is_utterance(job) or (job is not None and job.token.cancelled):
            return job
        if self._engine is None or any(is_utterance(j) for j in self._jobs):
            return job  # utterances first (one waiting behind a load counts too)
        taken = self._previews.take()
        if taken is None:
            return job
        stream_id, audio, reset = taken
        return PreviewJob(stream_id, audio, reset)

    def _pick_job(self) -> Job | None:
        self._start_preps()
        first_file: FileJob | None = None
        background: Job | None = None  # the first background step not behind a ready file
        for job in self._jobs:
            if job.token.cancelled and not (isinstance(job, FileJob) and job.prep is Prep.RUNNING):
                return job  # removed (silently) by the caller
            if isinstance(job, AudioJob) and not job.background:
                return job
            if isinstance(job, AudioJob | WorkJob):
                if first_file is None or not steppable(first_file):
                    background = background or job
                continue
            if isinstance(job, LoadJob):
                if first_file is None and background is None:
                    return job
                break
            if first_file is None and isinstance(job, FileJob):
                first_file = job
        if first_file is None or not steppable(first_file):
            return background
        if background is not None and self._jobs.index(background) < self._jobs.index(first_file):
            return background
        return first_file

    def _start_preps(self) -> None:
        """Decode and split the next ``PREFETCH_FILES`` files on the helper thread (lock held):
        the head file overlaps a model load, the next one the head's last chunks."""
        files = [j for j in self._jobs if isinstance(j, FileJob) and not j.token.cancelled]
        for job in files[:PREFETCH_FILES]:
            if job.prep is Prep.WAITING:
                job.prep = Prep.RUNNING
                self._prep_queue.put(job)

    def _prep_run(self) -> None:
        while (job := self._prep_queue.get()) is not None:
            try:
                job.file.prepare(cancel_check(job.token))
            except BaseException as err:
                job.prep_error = err
            with self._cond:
                job.prep = Prep.DONE
                self._cond.notify_all()
            del job
        self._prep_stopped.set()
        park()

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
                self._step(job)
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
            if isinstance(err, CancelledError) or job.token.cancelled:
                log.info("job %d cancelled", job.id)
                return
            if not isinstance(err, GraniteError):
                log.exception("job %d (%s) failed", job.id, type(job).__name__)
            if not isinstance(err, Exception):
                raise
            message = one_line_error(err)
            log.warning("job %d failed: %s", job.id, message)
            if isinstance(job, LoadJob):
                state = (
                    ModelState.MISSING if isinstance(err, ModelMissingError) else ModelState.ERROR
                )
                self._listener.model_state(state, message)
            else:
                self._listener.job_failed(job.id, message)

    def _load(self, job: LoadJob) -> None:
        self._listener.model_state(ModelState.LOADING, job.spec)
        self._engine = None
        downloading = False

        def progress(done: int, total: int) -> None:
            nonlocal downloading
            if job.token.cancelled:
                return
            if not downloading:
                downloading = True
                self._listener.model_state(ModelState.DOWNLOADING, job.spec)
            self._listener.download_progress(done, total)

        engine = self._factory(job.spec, progress, lambda: job.token.cancelled)
        if job.token.cancelled:
            raise CancelledError()
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
