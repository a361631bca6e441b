"""The model thread's order rules, on job lists built by hand (no threads)."""

from __future__ import annotations

import numpy as np

from app.core.chunking.segmentation import Chunk, SegmentationConfig
from app.core.transcript import TaskSpec, TranscriptResult
from app.engine.base import CancelToken, SpeechEngine
from app.workers.files.pipeline import FileTranscription
from app.workers.jobs import AudioJob, FileJob, Job, LoadJob, Prep, PreviewJob, WorkJob
from app.workers.preview_streams import PreviewStreams
from app.workers.schedule import next_job, pick
from tests.workers.helpers import MemoryFiles, fixed_splitter

SAMPLES = np.zeros(160, np.float32)


def utterance(job_id: int, background: bool = False) -> AudioJob:
    return AudioJob(job_id, SAMPLES, 0.0, (TaskSpec(),), background=background)


def work(job_id: int) -> WorkJob:
    def run(engine: SpeechEngine | None, token: CancelToken) -> list[TranscriptResult]:
        return []

    return WorkJob(job_id, run)


def file_job(job_id: int, prep: Prep = Prep.DONE, ready_chunks: int = 0) -> FileJob:
    """A file job in the given preparation state; ``ready_chunks`` chunks already found by a
    streaming prepare (so it can step while ``prep`` is still RUNNING)."""
    transcription = FileTranscription(
        f"/{job_id}.wav",
        [TaskSpec()],
        SegmentationConfig(),
        decoder=MemoryFiles(),
        splitter=fixed_splitter,
    )
    transcription.add_chunks([Chunk(float(i), i + 1.0) for i in range(ready_chunks)])
    return FileJob(job_id, transcription, prep)


def cancelled(job: Job) -> Job:
    job.token.cancel()
    return job


def ids(jobs: list[Job]) -> int | None:
    job = next_job(jobs)
    return None if job is None else job.id


def test_nothing_queued_gives_none() -> None:
    assert next_job([]) is None


def test_loads_and_files_run_in_submission_order() -> None:
    assert ids([LoadJob(1, "a"), file_job(2)]) == 1
    assert ids([file_job(1), LoadJob(2, "a"), file_job(3)]) == 1


def test_an_utterance_jumps_ahead_of_files_but_not_of_an_earlier_load() -> None:
    assert ids([file_job(1), file_job(2), utterance(3)]) == 3
    assert ids([LoadJob(1, "a"), utterance(2)]) == 1
    assert ids([file_job(1), LoadJob(2, "a"), utterance(3)]) == 1


def test_a_file_still_being_prepared_lets_later_background_work_run() -> None:
    assert ids([file_job(1, Prep.RUNNING), work(2)]) == 2
    assert ids([file_job(1, Prep.RUNNING), utterance(2, background=True)]) == 2
    assert ids([file_job(1, Prep.RUNNING)]) is None


def test_a_streaming_file_with_a_chunk_ready_steps_before_later_background_work() -> None:
    assert ids([file_job(1, Prep.RUNNING, ready_chunks=1), work(2)]) == 1


def test_background_work_keeps_its_place_among_files() -> None:
    assert ids([work(1), file_job(2)]) == 1
    assert ids([file_job(1), work(2)]) == 1
    assert ids([utterance(1, background=True), file_job(2), utterance(3)]) == 3


def test_background_work_does_not_pass_a_later_load() -> None:
    assert ids([work(1), LoadJob(2, "a")]) == 1
    assert ids([file_job(1, Prep.RUNNING), LoadJob(2, "a"), work(3)]) is None


def test_a_cancelled_job_is_picked_at_once_unless_its_file_is_being_prepared() -> None:
    assert ids([file_job(1), cancelled(LoadJob(2, "a"))]) == 2
    assert ids([cancelled(file_job(1, Prep.DONE)), file_job(2)]) == 1
    # the decode thread still holds it: dropped once its preparation ends; files keep order
    assert ids([cancelled(file_job(1, Prep.RUNNING)), file_job(2)]) is None


def previews_with(stream_id: int) -> PreviewStreams:
    previews = PreviewStreams()
    previews.add(stream_id, SAMPLES, True)
    return previews


def test_a_preview_runs_when_a_model_is_loaded_and_no_utterance_waits() -> None:
    previews = previews_with(7)
    job = pick([file_job(1)], previews, model_loaded=True)
    assert isinstance(job, PreviewJob) and (job.id, job.reset) == (7, True)
    assert previews.pending == {}


def test_no_preview_before_a_model_or_while_an_utterance_waits() -> None:
    previews = previews_with(7)
    assert pick([], previews, model_loaded=False) is None
    waiting = [LoadJob(1, "b"), utterance(2)]
    assert pick(waiting, previews, model_loaded=True) is waiting[0]
    assert list(previews.pending) == [7]


def test_an_utterance_or_a_cancelled_job_comes_before_a_preview() -> None:
    previews = previews_with(7)
    jobs: list[Job] = [utterance(1)]
    assert pick(jobs, previews, model_loaded=True) is jobs[0]
    jobs = [cancelled(work(2))]
    assert pick(jobs, previews, model_loaded=True) is jobs[0]
    assert list(previews.pending) == [7]
