from __future__ import annotations

from typing import Any

import pytest

from app.core.chunking.segmentation import SegmentationConfig
from app.core.errors import CancelledError, OutOfMemoryError, UsageError
from app.core.transcript import Task, TaskSpec
from app.engine.base import SAMPLE_RATE, CancelToken
from app.workers.files.pipeline import MAX_FILE_BATCH, FileTranscription, transcribe_file
from tests.support.fake_engine import FakeEngine, UnbatchedFakeEngine, fake_text
from tests.workers.helpers import MemoryFiles, fixed_splitter, speech_like

CFG = SegmentationConfig(max_chunk_s=1.5)
EN = TaskSpec()
EN_FR = TaskSpec(Task.TRANSLATE, "en", "fr")


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


def _job(files: MemoryFiles, seconds: float, batch_size: int, specs=(EN, EN_FR)):
    files.add("/long", speech_like(seconds))
    job = FileTranscription(
        "/long", specs, CFG, decoder=files, splitter=fixed_splitter, batch_size=batch_size
    )
    job.prepare(lambda: False)
    return job


def _run_all(
    job: FileTranscription, engine: FakeEngine
) -> tuple[list[tuple[Any, ...]], list[tuple[float, float]]]:
    events: list[tuple[Any, ...]] = []
    progress = []
    while not job.done:
        job.run_step(
            engine,
            CancelToken(),
            on_partial=lambda i, text, c: events.append(("partial", i, text, c)),
            on_segment=lambda i, s: events.append(("segment", i, s)),
        )
        progress.append(job.progress)
    return events, progress


def test_batched_steps_match_one_chunk_at_a_time() -> None:
    files = MemoryFiles()
    results = {}
    for batch in (1, 3):
        engine = FakeEngine()
        job = _job(files, 7.0, batch)  # chunks 0-1.5, 1.5-3, 3-4.5, 4.5-6, 6-7
        events, progress = _run_all(job, engine)
        results[batch] = (job.results(), engine, events, progress)
    plain, one_engine, one_events, one_progress = results[1]
    batched, engine, events, progress = results[3]
    assert one_engine.batch_calls == [] and len(one_engine.calls) == 5
    assert engine.batch_calls == [[24000] * 3, [24000, 16000]] and engine.calls == []
    assert one_progress == [(float(i), 5.0) for i in range(1, 6)]
    assert progress == [(3.0, 5.0), (5.0, 5.0)]
    assert batched == plain  # same segments, texts, timings (summed per task)
    assert batched[0].timing.generated_tokens == 15 and batched[1].timing.generated_tokens == 20
    # Segments arrive in chunk order, each task's after its chunk's, as one at a time.
    segments = [e for e in events if e[0] == "segment"]
    assert segments == [e for e in one_events if e[0] == "segment"]
    # Every partial carries its own chunk and ends at that chunk's segment text.
    chunks = [s[2] for s in segments if s[1] == 0]
    assert len(chunks) == 5
    for task in (0, 1):
        for seg in (s[2] for s in segments if s[1] == task):
            last = [
                e[2]
                for e in events
                if e[0] == "partial" and e[1] == task and e[3].start == seg.start
            ]
            assert last and last[-1] == seg.text
    # The lockstep partials interleave chunks (they are not grouped chunk by chunk).
    starts = [e[3].start for e in events if e[0] == "partial"][:4]
    assert starts == [0.0, 1.5, 3.0, 0.0]
    assert chunks[0].start == 0.0


def test_engines_without_run_batch_are_stepped_chunk_by_chunk() -> None:
    engine = UnbatchedFakeEngine()
    job = _job(MemoryFiles(), 4.0, 4, specs=(EN,))
    job.run_step(engine, CancelToken())
    assert job.done and [c.samples for c in engine.calls] == [24000, 24000, 16000]
    assert [s.text for s in job.results()[0].segments][2] == fake_text(speech_like(4.0)[48000:], EN)


def test_cancel_mid_batch_drops_the_whole_step() -> None:
    job = _job(MemoryFiles(), 7.0, 3)
    job.run_step(FakeEngine(), CancelToken())
    token = CancelToken()
    seen: list[str] = []

    def partial(index: int, text: str, chunk) -> None:
        seen.append(text)
        if chunk.start == 4.5:  # the second chunk of this step has started
            token.cancel()

    segments_before = [list(s) for s in job.segments]
    timings_before = list(job.timings)
    with pytest.raises(CancelledError):
        job.run_step(
            FakeEngine(), token, on_partial=partial, on_segment=lambda i, s: seen.append("seg")
        )
    assert "seg" not in seen and seen  # partials were streaming, no segment was emitted
    assert job.next_index == 3 and job.progress == (3.0, 5.0)
    assert job.segments == segments_before and job.timings == timings_before
    job.run_step(FakeEngine(), CancelToken())  # the step can run again from the same place
    assert job.done and len(job.results()[0].segments) == 5


def test_a_batch_out_of_memory_falls_back_to_one_chunk_per_step() -> None:
    job = _job(MemoryFiles(), 4.0, 3, specs=(EN,))
    engine = FakeEngine(fail_with=OutOfMemoryError("Out of memory while decoding a batch."))
    job.run_step(engine, CancelToken())
    assert job.batch_size == 1 and job.next_index == 0 and len(engine.batch_calls) == 1
    engine.fail_with = None
    job.run_step(engine, CancelToken())
    assert job.next_index == 1 and len(engine.calls) == 1
    engine.fail_with = OutOfMemoryError("still")
    with pytest.raises(OutOfMemoryError):  # one chunk at a time: a real failure
        job.run_step(engine, CancelToken())


def test_batch_size_is_checked() -> None:
    with pytest.raises(UsageError):
        FileTranscription("/a", [EN], CFG, batch_size=0)
    with pytest.raises(UsageError):
        FileTranscription("/a", [EN], CFG, batch_size=MAX_FILE_BATCH + 1)
