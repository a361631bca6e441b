"""The decode thread: which files it prepares, and what it leaves on the job."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import numpy as np
import pytest

from app.core.chunking.segmentation import SegmentationConfig
from app.core.errors import AudioDecodeError
from app.core.transcript import TaskSpec
from app.workers.files.pipeline import FileTranscription
from app.workers.jobs import FileJob, Job, LoadJob, Prep
from app.workers.prefetch import PREFETCH_FILES, Prefetcher
from tests.workers.helpers import WAIT_S, MemoryFiles, fixed_splitter, speech_like


class Rig:
    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.files = MemoryFiles()
        self.prefetch = Prefetcher(self.cond)
        self.prefetch.start()

    def job(self, job_id: int, audio: np.ndarray | None = None) -> FileJob:
        path = f"/{job_id}.wav"
        if audio is not None:
            self.files.add(path, audio)
        work = FileTranscription(
            path,
            [TaskSpec()],
            SegmentationConfig(max_chunk_s=1.0),
            decoder=self.files,
            splitter=fixed_splitter,
        )
        return FileJob(job_id, work)

    def request(self, jobs: list[Job]) -> None:
        with self.cond:
            self.prefetch.request(jobs)

    def wait_done(self, *jobs: FileJob) -> None:
        with self.cond:
            ok = self.cond.wait_for(lambda: all(j.prep is Prep.DONE for j in jobs), WAIT_S)
        assert ok


@pytest.fixture
def rig() -> Iterator[Rig]:
    r = Rig()
    yield r
    r.prefetch.stop()
    assert r.prefetch.wait(WAIT_S)
    assert r.prefetch.stopped


def test_the_first_live_files_are_prepared_and_later_ones_wait(rig: Rig) -> None:
    assert PREFETCH_FILES == 2
    skipped = rig.job(1, speech_like(1.0))
    skipped.token.cancel()
    jobs: list[Job] = [LoadJob(9, "m"), skipped]
    jobs += [rig.job(i, speech_like(2.0)) for i in (2, 3, 4)]
    rig.request(jobs)
    first, second, third = jobs[2:]
    assert isinstance(first, FileJob) and isinstance(second, FileJob)
    rig.wait_done(first, second)
    assert rig.files.decoded == ["/2.wav", "/3.wav"]
    assert [c.end for c in first.file.chunks] == [1.0, 2.0]
    assert isinstance(third, FileJob) and third.prep is Prep.WAITING
    assert skipped.prep is Prep.WAITING


def test_a_file_is_queued_once(rig: Rig) -> None:
    job = rig.job(1, speech_like(1.0))
    rig.request([job])
    rig.request([job])
    rig.wait_done(job)
    second = rig.job(2, speech_like(1.0))
    rig.request([job, second])
    rig.wait_done(second)
    assert rig.files.decoded == ["/1.wav", "/2.wav"]


def test_a_failed_preparation_is_kept_on_the_job(rig: Rig) -> None:
    job = rig.job(1)  # not registered: the decoder refuses it
    rig.request([job])
    rig.wait_done(job)
    assert isinstance(job.prep_error, AudioDecodeError)


def test_wait_on_a_prefetcher_never_started_returns_at_once() -> None:
    prefetch = Prefetcher(threading.Condition())
    assert prefetch.wait(0.0)
    assert not prefetch.stopped
