"""What one job does on the model thread, as plain functions of the engine, the job and the
listener (no Qt, no scheduling; ``app.workers.schedule`` decides when)."""

from __future__ import annotations

import logging

from app.core.chunking.segmentation import Chunk
from app.core.errors import CancelledError, GraniteError, ModelMissingError
from app.core.model_state import ModelState
from app.core.transcript import Segment, TranscriptResult
from app.engine.base import SAMPLE_RATE, SpeechEngine
from app.workers.engine_factory import EngineFactory, one_line_error
from app.workers.jobs import AudioJob, FileJob, Job, LoadJob
from app.workers.listener import EngineListener

log = logging.getLogger(__name__)


def load_engine(factory: EngineFactory, job: LoadJob, listener: EngineListener) -> SpeechEngine:
    """Load the model ``job`` names: LOADING, then DOWNLOADING and download progress if it
    has to be downloaded (READY is the caller's, once the engine is in place)."""
    listener.model_state(ModelState.LOADING, job.spec)
    downloading = False

    def progress(done: int, total: int) -> None:
        nonlocal downloading
        if job.token.cancelled:
            return
        if not downloading:
            downloading = True
            listener.model_state(ModelState.DOWNLOADING, job.spec)
        listener.download_progress(done, total)

    engine = factory(job.spec, progress, lambda: job.token.cancelled)
    if job.token.cancelled:
        raise CancelledError()
    return engine


def run_audio(
    engine: SpeechEngine, job: AudioJob, listener: EngineListener
) -> list[TranscriptResult]:
    """One utterance: partials and one segment per task, as the engine produces them."""
    chunk = Chunk(job.offset, job.offset + len(job.audio) / SAMPLE_RATE)

    def partial(index: int, text: str) -> None:
        if not job.token.cancelled:
            listener.job_partial(job.id, index, text, chunk)

    outputs = engine.run(job.audio, job.specs, on_partial=partial, cancel=job.token)
    results = []
    for index, (spec, out) in enumerate(zip(job.specs, outputs, strict=True)):
        text = out.text.strip()
        segs = [Segment(chunk.start, chunk.end, text, job.source)] if text else []
        for seg in segs:
            listener.job_segment(job.id, index, seg)
        results.append(
            TranscriptResult(spec, segs, engine.name, job.source, chunk.duration, out.timing)
        )
    return results


def file_step(engine: SpeechEngine, job: FileJob, listener: EngineListener) -> bool:
    """One step of a file job (a few chunks); True when the file is done."""
    work = job.file
    if job.prep_error is not None:
        raise job.prep_error
    work.model = engine.name
    if work.next_index == 0:
        listener.job_progress(job.id, *work.progress)

    def partial(index: int, text: str, chunk: Chunk) -> None:
        if not job.token.cancelled:
            listener.job_partial(job.id, index, text, chunk)

    def segment(index: int, seg: Segment) -> None:
        if not job.token.cancelled:
            listener.job_segment(job.id, index, seg)

    if not work.done:
        work.run_step(engine, job.token, partial, segment)
        if not job.token.cancelled:
            listener.job_progress(job.id, *work.progress)
    return work.done


def report_failure(job: Job, err: BaseException, listener: EngineListener) -> None:
    """Report what ``job`` raised: nothing when it was cancelled, ``model_state`` (MISSING or
    ERROR) for a load, else ``job_failed``, with a one-line message. Re-raises ``err`` when it
    is not an ``Exception`` (KeyboardInterrupt, SystemExit); logs the traceback of anything that
    is not a ``GraniteError``. A failed file job is cancelled after that, which stops its
    decoding (a streaming prepare may be waiting for the model)."""
    try:
        _report(job, err, listener)
    finally:
        if isinstance(job, FileJob):
            job.token.cancel()


def _report(job: Job, err: BaseException, listener: EngineListener) -> None:
    if isinstance(err, CancelledError) or job.token.cancelled:
        log.info("job %d cancelled", job.id)
        return
    if not isinstance(err, GraniteError):
        log.exception("job %d (%s) failed", job.id, type(job).__name__)
    if not isinstance(err, Exception):
        raise err
    message = one_line_error(err)
    log.warning("job %d failed: %s", job.id, message)
    if isinstance(job, LoadJob):
        missing = isinstance(err, ModelMissingError)
        listener.model_state(ModelState.MISSING if missing else ModelState.ERROR, message)
    else:
        listener.job_failed(job.id, message)
