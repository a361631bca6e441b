"""Which job the model thread steps next: the order rules as plain functions of the job list
(no threads, no locks; ``app.workers.engine_thread`` calls them with its lock held).

* ``LoadJob`` and ``FileJob`` run in submission order (FIFO);
* a dictation utterance (``AudioJob``, not background) jumps ahead of queued and running
  *file* jobs, but never ahead of an earlier ``LoadJob`` (it must use the model chosen before
  it);
* a file job steps only when it is prepared, or streaming with a chunk ready (``steppable``);
* background work (a meeting's ``AudioJob(background=True)``, a ``WorkJob``) runs in
  submission order with files, behind every dictation utterance;
* a preview update (``PreviewJob``) runs only when a model is loaded and no utterance is
  queued; it is taken from the coalesced ``PreviewStreams``;
* a cancelled job is picked at once so the caller can drop it (except a file still being
  prepared: the decode thread still holds it).
"""

from __future__ import annotations

from collections.abc import Sequence

from app.workers.jobs import (
    AudioJob,
    FileJob,
    Job,
    LoadJob,
    Prep,
    PreviewJob,
    WorkJob,
    is_utterance,
    steppable,
)
from app.workers.preview_streams import PreviewStreams


def pick(jobs: Sequence[Job], previews: PreviewStreams, model_loaded: bool) -> Job | None:
    """The next job to step: ``next_job``, or a preview update when nothing more urgent is
    waiting (takes that update out of ``previews``)."""
    job = next_job(jobs)
    if is_utterance(job) or (job is not None and job.token.cancelled):
        return job
    if not model_loaded or any(is_utterance(j) for j in jobs):
        return job  # utterances first (one waiting behind a load counts too)
    taken = previews.take()
    if taken is None:
        return job
    stream_id, audio, reset = taken
    return PreviewJob(stream_id, audio, reset)


def next_job(jobs: Sequence[Job]) -> Job | None:
    """The next queued job by the rules above (``jobs`` in submission order), or None."""
    first_file: FileJob | None = None
    background: Job | None = None  # the first background step not behind a ready file
    for job in jobs:
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
    if background is not None and jobs.index(background) < jobs.index(first_file):
        return background
    return first_file
