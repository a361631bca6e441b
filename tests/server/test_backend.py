"""The server's side of the model thread: uploads go through the app's own (streaming) file
pipeline, and the jobs tell which uploads were bad input (HTTP 400) from server failures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from app.core.chunking.segmentation import SegmentationConfig
from app.core.transcript import TaskSpec
from app.server.backend import MAX_WHOLE_S, EngineBackend, InputCheck
from app.workers.engine_thread import EngineThread
from tests.support import espeak
from tests.support.fake_engine import factory
from tests.support.media import write_audio
from tests.workers.helpers import Recorder


@pytest.fixture
def backend() -> Iterator[tuple[EngineBackend, Recorder]]:
    rec = Recorder()
    thread = EngineThread(factory, rec)
    thread.start()
    thread.load_model("fake")
    rec.wait_state("ready")
    try:
        yield EngineBackend(thread, InputCheck(), SegmentationConfig()), rec
    finally:
        thread.shutdown(5)


def test_unreadable_upload_is_bad_input_once(backend, tmp_path: Path) -> None:
    server, rec = backend
    bad = tmp_path / "notes.mp3"
    bad.write_text("this is not audio\n" * 50)
    job = server.submit(str(bad), TaskSpec(), whole=False)
    assert rec.wait_done(job)[0] == "job_failed"
    assert server.bad_input(str(bad))
    assert not server.bad_input(str(bad))  # asked once per job: forgotten


def test_too_long_for_one_piece_is_bad_input(backend, tmp_path: Path) -> None:
    server, rec = backend
    path = write_audio(tmp_path / "long.flac", np.zeros(round((MAX_WHOLE_S + 5) * 16_000)), 16_000)
    job = server.submit(str(path), TaskSpec(), whole=True)
    failed = rec.wait_done(job)
    assert failed[0] == "job_failed" and "chunking_strategy=none" in failed[2]
    assert server.bad_input(str(path))


def test_a_good_upload_is_transcribed_and_not_bad_input(backend, tmp_path: Path) -> None:
    server, rec = backend
    speech = espeak.synthesize("The quick brown fox jumps over the lazy dog.")
    path = write_audio(tmp_path / "talk.wav", speech.audio, 16_000)
    for whole in (False, True):
        job = server.submit(str(path), TaskSpec(), whole=whole)
        done = rec.wait_done(job)
        assert done[0] == "job_finished" and done[2][0].segments
        assert not server.bad_input(str(path))
