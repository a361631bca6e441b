from __future__ import annotations

import pytest

from app.core.errors import CancelledError
from app.core.segmentation import SegmentationConfig
from app.core.transcript import TaskSpec
from app.engine.base import SAMPLE_RATE, CancelToken
from app.workers.pipeline import FileTranscription, transcribe_file
from tests.support.fake_engine import FakeEngine, fake_text
from tests.workers.helpers import MemoryFiles, fixed_splitter, speech_like

CFG = SegmentationConfig(max_chunk_s=1.5)


def test_transcribe_file_reports_progress_and_frees_samples() -> None:
    files = MemoryFiles()
    audio = speech_like(4.0)
    files.add("/a", audio)
    progress: list[tuple[float, float]] = []
    segments = []
    [result] = transcribe_file(
        FakeEngine(name="m"),
        "/a",
        [TaskSpec()],
        CFG,
        on_progress=lambda d, t: progress.append((d, t)),
        on_segment=lambda i, s: segments.append(s),
        decoder=files,
        splitter=fixed_splitter,
    )
    assert progress == [(0.0, 3.0), (1.0, 3.0), (2.0, 3.0), (3.0, 3.0)]
    assert [(s.start, s.end) for s in result.segments] == [(0.0, 1.5), (1.5, 3.0), (3.0, 4.0)]
    assert result.segments == segments and result.model == "m" and result.duration == 4.0
    assert result.segments[2].text == fake_text(audio[3 * SAMPLE_RATE :], TaskSpec())


def test_cancel_before_and_during_steps() -> None:
    files = MemoryFiles()
    files.add("/a", speech_like(3.0))
    token = CancelToken()
    token.cancel()
    with pytest.raises(CancelledError):
        transcribe_file(
            FakeEngine(),
            "/a",
            [TaskSpec()],
            CFG,
            cancel=token,
            decoder=files,
            splitter=fixed_splitter,
        )
    job = FileTranscription("/a", [TaskSpec()], CFG, decoder=files, splitter=fixed_splitter)
    job.prepare(lambda: False)
    live = CancelToken()
    with pytest.raises(CancelledError):
        job.run_step(FakeEngine(), live, on_partial=lambda i, text, c: live.cancel())
    assert job.next_index == 0 and job.segments == [[]]
