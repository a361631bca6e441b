"""Streaming file pipeline: the model works on the first chunks while the file still decodes,
and the transcript is the one the whole-file pipeline gives."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np

from app.audio.files.stream_split import BlockSamples
from app.core.chunking.segmentation import Chunk, SegmentationConfig
from app.core.transcript import Segment, TaskSpec
from app.engine.base import CancelToken
from app.workers.engine_thread import EngineThread
from app.workers.files.pipeline import FileTranscription
from tests.audio.files.test_stream_split import _long_file
from tests.support import espeak
from tests.support.fake_engine import FakeEngine, factory
from tests.support.media import write_audio
from tests.workers.helpers import Recorder


def _segments(work: FileTranscription, engine: FakeEngine) -> list[Segment]:
    token = CancelToken()
    while not work.done:
        work.run_step(engine, token)
    return work.results()[0].segments


def test_streamed_transcript_equals_the_whole_file_one(tmp_path: Path) -> None:
    path = str(_long_file(tmp_path, 2.0, 3))
    cfg = SegmentationConfig()
    whole = FileTranscription(path, [TaskSpec()], cfg, streaming=False, batch_size=4)
    whole.prepare(lambda: False)
    streamed = FileTranscription(path, [TaskSpec()], cfg, batch_size=4)
    assert streamed.streaming
    engine = FakeEngine()
    early: list[int] = []  # chunks stepped while the decoder was still running
    ready = threading.Event()
    streamed.on_ready = ready.set
    prep = threading.Thread(target=streamed.prepare, args=(lambda: False,))
    prep.start()
    token = CancelToken()
    while not streamed.done:
        ready.wait(5)
        ready.clear()
        if streamed.ready:
            complete = streamed.complete
            streamed.run_step(engine, token)
            if not complete:
                early.append(streamed.next_index)
    prep.join()
    assert streamed.chunks == whole.chunks
    assert streamed.results()[0].segments == _segments(whole, FakeEngine())
    assert early  # text before the whole file was decoded


def test_a_resumed_job_streams_the_chunks_after_its_resume_point(tmp_path: Path) -> None:
    path = str(_long_file(tmp_path, 2.0, 6))
    cfg = SegmentationConfig()
    whole = FileTranscription(path, [TaskSpec()], cfg, streaming=False, batch_size=4)
    whole.prepare(lambda: False)
    after = whole.chunks[len(whole.chunks) // 2].start
    resumed = FileTranscription(path, [TaskSpec()], cfg, batch_size=4, resume_after=after)
    assert resumed.streaming
    resumed.prepare(lambda: False)
    samples = resumed.audio
    assert isinstance(samples, BlockSamples)
    assert len(samples) - samples.held >= after * 16_000 - 5 * 16_000  # the done part freed
    assert resumed.chunks == [c for c in whole.chunks if c.start >= after]
    expected = [s for s in _segments(whole, FakeEngine()) if s.start >= after]
    assert _segments(resumed, FakeEngine()) == expected and expected


def _wait_until(check, what: str) -> None:
    deadline = time.monotonic() + 30
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def _step_as_ready(work: FileTranscription, engine: FakeEngine) -> None:
    """The model thread's part: step whenever the job says a step is ready."""
    ready = threading.Event()
    work.on_ready = ready.set
    token = CancelToken()
    deadline = time.monotonic() + 60
    while not work.done:
        assert time.monotonic() < deadline, "the decoder and the model wait for each other"
        ready.wait(0.5)
        ready.clear()
        if work.ready:
            work.run_step(engine, token)


def test_the_decoder_waits_for_a_slow_model_and_never_deadlocks(tmp_path: Path) -> None:
    path = str(_long_file(tmp_path, 2.0, 7))
    cfg = SegmentationConfig()
    whole = FileTranscription(path, [TaskSpec()], cfg, streaming=False, batch_size=4)
    whole.prepare(lambda: False)
    work = FileTranscription(path, [TaskSpec()], cfg, batch_size=4, ahead_s=20.0)
    prep = threading.Thread(target=work.prepare, args=(lambda: False,))
    prep.start()
    _wait_until(lambda: work.throttle.holding, "the decoder to wait for the model")
    samples = work.audio
    assert isinstance(samples, BlockSamples) and not work.complete
    assert samples.held <= (20 + 5) * 16_000  # the limit plus the block it just decoded
    assert work.ready  # the model may step whatever waits, even less than a whole step
    _step_as_ready(work, FakeEngine())
    prep.join()
    assert work.results()[0].segments == _segments(whole, FakeEngine())


def test_a_long_silence_does_not_hold_the_decoder(tmp_path: Path) -> None:
    speech = espeak.synthesize("The quick brown fox jumps over the lazy dog.")
    audio = espeak.compose([0.5, speech, 60.0, speech, 60.0, speech, 1.0]).audio
    path = str(write_audio(tmp_path / "gaps.flac", audio, 16_000))
    work = FileTranscription(path, [TaskSpec()], SegmentationConfig(), batch_size=4, ahead_s=10.0)
    prep = threading.Thread(target=work.prepare, args=(lambda: False,))
    prep.start()
    _step_as_ready(work, FakeEngine())
    prep.join()
    assert len(work.chunks) == 3


def test_while_streaming_the_model_steps_a_first_chunk_then_whole_batches() -> None:
    work = FileTranscription("/x", [TaskSpec()], SegmentationConfig(), batch_size=3)
    work.audio = np.zeros(16_000 * 20, dtype=np.float32)
    engine, token = FakeEngine(), CancelToken()
    chunks = [Chunk(float(i), i + 0.5) for i in range(8)]
    assert not work.ready
    work.add_chunks(chunks[:2])
    assert work.ready  # the first chunk at once: the first text early
    work.run_step(engine, token)
    assert work.next_index == 2  # (both waiting chunks fit in the step)
    work.add_chunks(chunks[2:4])
    assert not work.ready  # 2 of 3: wait for a whole step
    work.add_chunks(chunks[4:5])
    assert work.ready
    work.run_step(engine, token)
    work.add_chunks(chunks[5:7])
    assert not work.ready
    work.add_chunks(chunks[7:], complete=True)
    assert work.ready  # the last chunks
    work.run_step(engine, token)
    assert work.done


def test_samples_behind_the_model_are_freed(tmp_path: Path) -> None:
    path = str(_long_file(tmp_path, 2.0, 5))
    work = FileTranscription(path, [TaskSpec()], SegmentationConfig(), batch_size=2)
    work.prepare(lambda: False)
    samples = work.audio
    assert isinstance(samples, BlockSamples) and samples.held == len(samples)
    held = []
    engine, token = FakeEngine(), CancelToken()
    while not work.done:
        work.run_step(engine, token)
        if not work.done:
            start = work.chunks[work.next_index].samples(16_000).start
            assert len(samples) - samples.held <= start  # nothing the next chunk needs
            held.append(samples.held)
    assert held == sorted(held, reverse=True) and held[-1] < len(samples) // 2
    assert samples.held == 0  # all freed at the end


def test_engine_thread_reports_segments_before_the_file_is_decoded(tmp_path: Path) -> None:
    path = str(_long_file(tmp_path, 2.0, 4))
    rec = Recorder()
    thread = EngineThread(factory, rec)
    thread.start()
    try:
        thread.load_model("fake")
        job = thread.submit_file(path, [TaskSpec()], SegmentationConfig())
        assert rec.wait_done(job)[0] == "job_finished"
    finally:
        thread.shutdown(5)
    progress = [(e[2], e[3]) for e in rec.of("job_progress", job)]
    assert rec.of("job_segment", job)
    # while streaming, the total is an estimate, never reached before the end
    assert all(done < total for done, total in progress[:-1])
    assert progress[-1][0] == progress[-1][1] > 0
