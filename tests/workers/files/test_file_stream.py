"""Streaming file pipeline: the model works on the first chunks while the file still decodes,
and the transcript is the one the whole-file pipeline gives."""

from __future__ import annotations

import threading
from pathlib import Path

from app.core.chunking.segmentation import SegmentationConfig
from app.core.transcript import Segment, TaskSpec
from app.engine.base import CancelToken
from app.workers.engine_thread import EngineThread
from app.workers.files.pipeline import FileTranscription
from tests.audio.files.test_stream_split import _long_file
from tests.support.fake_engine import FakeEngine, factory
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
