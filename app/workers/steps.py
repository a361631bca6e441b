"""What one job does on the model thread, as plain functions of the engine, the job and the
listener (no Qt, no scheduling; ``app.workers.engine_thread`` decides when)."""

from __future__ import annotations

from app.core.chunking.segmentation import Chunk
from app.core.transcript import Segment, TranscriptResult
from app.engine.base import SAMPLE_RATE, SpeechEngine
from app.workers.jobs import AudioJob, FileJob
from app.workers.listener import EngineListener


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
