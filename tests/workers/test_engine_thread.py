from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

import numpy as np
import pytest

from app.core.chunking.segmentation import Chunk, SegmentationConfig
from app.core.errors import AudioTooShortError
from app.core.transcript import Task, TaskSpec
from app.engine.base import SAMPLE_RATE
from app.workers.engine_factory import one_line_error
from app.workers.engine_thread import EngineThread
from tests.support import fake_engine
from tests.support.fake_engine import FakeEngine, fake_text
from tests.workers.helpers import MemoryFiles, Recorder, fixed_splitter, speech_like

EN = TaskSpec()
EN_FR = TaskSpec(Task.TRANSLATE, "en", "fr")
CFG = SegmentationConfig(max_chunk_s=2.0)


class Rig:
    """One chunk per step unless ``file_batch`` says otherwise (the scheduling tests below
    count chunks; the batched steps have their own tests)."""

    def __init__(self, engine: FakeEngine | None = None, file_batch: int = 1) -> None:
        self.rec = Recorder()
        self.files = MemoryFiles()
        self.engine = engine
        factory = fake_engine.factory if engine is None else (lambda spec, p, c: engine)
        self.thread = EngineThread(
            factory, self.rec, decoder=self.files, splitter=fixed_splitter, file_batch=file_batch
        )
        self.thread.start()

    def load(self, spec: str = "fake") -> None:
        self.thread.load_model(spec)
        self.rec.wait_state("ready", "error", "missing")


@pytest.fixture
def rig() -> Iterator[Rig]:
    r = Rig()
    yield r
    r.thread.shutdown()


@pytest.fixture
def blocked() -> Iterator[Rig]:
    r = Rig(FakeEngine(block=threading.Event()))
    yield r
    assert r.engine is not None and r.engine.block is not None
    r.engine.block.set()
    r.thread.shutdown()


def test_file_job_runs_chunks_on_the_model_thread_and_sums_results(rig: Rig) -> None:
    rig.load()
    audio = np.concatenate(
        [speech_like(2.0, 0.5), np.zeros(2 * SAMPLE_RATE, np.float32), speech_like(1.0, 0.25)]
    )
    path = rig.files.add("/talk.wav", audio)
    job = rig.thread.submit_file(path, [EN, EN_FR], CFG)
    _, _, results = rig.rec.wait_done(job)

    assert rig.rec.of("job_progress", job) == [
        ("job_progress", job, 0.0, 3.0),
        ("job_progress", job, 1.0, 3.0),
        ("job_progress", job, 2.0, 3.0),
        ("job_progress", job, 3.0, 3.0),
    ]
    assert [r.spec for r in results] == [EN, EN_FR]
    transcript, translation = results
    # The silent chunk (2-4 s) produced no segment.
    assert [(s.start, s.end) for s in transcript.segments] == [(0.0, 2.0), (4.0, 5.0)]
    assert transcript.segments[0].text == fake_text(audio[: 2 * SAMPLE_RATE], EN)
    assert translation.segments[1].text == fake_text(audio[4 * SAMPLE_RATE :], EN_FR)
    assert all(s.source == path for s in transcript.segments)
    assert transcript.duration == 5.0 and transcript.model == "fake"
    assert transcript.timing.generated_tokens == 6  # 3 words x 2 speech chunks
    assert len(rig.rec.of("job_segment", job)) == 4
    partials = rig.rec.of("job_partial", job)
    assert partials[0][3] == "speech" and partials[0][4] == Chunk(0.0, 2.0)
    # Every engine call and every callback came from the one model thread that built the engine.
    engine = fake_engine.created[-1]
    assert {c.thread for c in engine.calls} == {engine.created_on} == rig.rec.threads
    assert engine.created_on != threading.get_ident()


def test_resumed_file_job_skips_the_chunks_already_done(rig: Rig) -> None:
    rig.load()
    path = rig.files.add("/long.wav", speech_like(7.0, 0.5))
    job = rig.thread.submit_file(path, [EN], CFG, resume_after=4.0)
    _, _, results = rig.rec.wait_done(job)
    assert [(s.start, s.end) for s in results[0].segments] == [(4.0, 6.0), (6.0, 7.0)]


def test_audio_job_gives_one_segment_per_task_at_its_offset(rig: Rig) -> None:
    rig.load()
    audio = speech_like(1.5)
    job = rig.thread.submit_audio(audio, 10.0, [EN, EN_FR], source="mic")
    _, _, results = rig.rec.wait_done(job)
    assert [r.segments[0].text for r in results] == [fake_text(audio, EN), fake_text(audio, EN_FR)]
    assert results[0].segments[0].start == 10.0 and results[0].segments[0].end == 11.5
    assert results[0].source == "mic" and results[0].duration == 1.5
    silent = rig.thread.submit_audio(np.zeros(SAMPLE_RATE, np.float32), 0.0, [EN])
    _, _, quiet = rig.rec.wait_done(silent)
    assert quiet[0].segments == []


def test_jobs_without_a_model_fail_with_one_line(rig: Rig) -> None:
    job = rig.thread.submit_audio(speech_like(1.0), 0.0, [EN])
    assert rig.rec.wait_done(job) == ("job_failed", job, "No model is loaded.")


@pytest.mark.parametrize(
    ("spec", "state"), [("missing-x", "missing"), ("corrupt-x", "error"), ("boom", "error")]
)
def test_model_load_failures_report_a_state(rig: Rig, spec: str, state: str, caplog) -> None:
    rig.load(spec)
    event = rig.rec.wait_state("ready", "error", "missing")
    assert event[1] == state and "\n" not in event[2]
    if spec == "boom":
        assert event[2] == "Unexpected error (RuntimeError: unexpected multiline failure)."
        assert "Traceback" in caplog.text


def test_download_progress_reports_values_beyond_two_gib(rig: Rig) -> None:
    rig.load("download-x")
    states = [e[1] for e in rig.rec.of("model_state")]
    assert states == ["loading", "downloading", "ready"]
    assert rig.rec.of("download_progress")[-1] == ("download_progress", 3 * 1024**3, 3 * 1024**3)


def test_dictation_jumps_ahead_of_queued_file_chunks(blocked: Rig) -> None:
    engine = blocked.engine
    assert engine is not None and engine.block is not None
    blocked.load()
    a = blocked.thread.submit_file(blocked.files.add("/a", speech_like(6.0)), [EN], CFG)
    engine.entered.wait(10)  # chunk 1 of /a is running
    b = blocked.thread.submit_file(blocked.files.add("/b", speech_like(2.0, seed=1)), [EN], CFG)
    u = blocked.thread.submit_audio(speech_like(0.5), 0.0, [EN])
    engine.block.set()
    blocked.rec.wait_done(b)
    assert blocked.rec.done_order() == [u, a, b]
    samples = [c.samples for c in engine.calls]
    assert samples == [
        2 * SAMPLE_RATE,
        SAMPLE_RATE // 2,
        2 * SAMPLE_RATE,
        2 * SAMPLE_RATE,
        2 * SAMPLE_RATE,
    ]


def test_dictation_never_jumps_ahead_of_an_earlier_model_load(rig: Rig) -> None:
    gate = threading.Event()
    rig.load()
    a = rig.thread.submit_file(rig.files.add("/a", speech_like(1.0), gate=gate), [EN], CFG)
    rig.thread.load_model("second")
    u = rig.thread.submit_audio(speech_like(0.5), 0.0, [EN])
    gate.set()
    _, _, results = rig.rec.wait_done(u)
    assert rig.rec.done_order() == [a, u]
    assert results[0].model == "second"


def test_cancel_running_job_reports_nothing_and_the_next_job_runs(blocked: Rig) -> None:
    engine = blocked.engine
    assert engine is not None
    blocked.load()
    a = blocked.thread.submit_file(blocked.files.add("/a", speech_like(4.0)), [EN], CFG)
    b = blocked.thread.submit_file(blocked.files.add("/b", speech_like(4.0)), [EN], CFG)
    engine.entered.wait(10)
    blocked.thread.cancel(a)
    assert engine.block is not None
    engine.block.set()
    blocked.rec.wait_done(b)
    assert blocked.rec.done_order() == [b]
    assert [
        e for e in blocked.rec.events if len(e) > 1 and e[1] == a and e[0] != "job_progress"
    ] == []
    assert len(engine.calls) == 3  # the cancelled chunk of /a, then both chunks of /b


def test_cancelled_queued_jobs_never_run(blocked: Rig) -> None:
    engine = blocked.engine
    assert engine is not None and engine.block is not None
    blocked.load()
    first = blocked.thread.submit_audio(speech_like(1.0), 0.0, [EN])
    engine.entered.wait(10)
    gate = threading.Event()  # never set: /q is still decoding when cancelled
    queued = blocked.thread.submit_file(blocked.files.add("/q", speech_like(1.0), gate), [EN], CFG)
    utter = blocked.thread.submit_audio(speech_like(1.0), 0.0, [EN])
    blocked.thread.cancel(queued)
    blocked.thread.cancel(utter)
    last = blocked.thread.submit_audio(speech_like(0.25), 0.0, [EN])
    engine.block.set()
    blocked.rec.wait_done(last)
    assert blocked.rec.done_order() == [first, last]
    assert len(engine.calls) == 2
    assert "/q" not in blocked.files.decoded


def test_decoding_overlaps_the_model_load() -> None:
    rec, files, decoded = Recorder(), MemoryFiles(), threading.Event()

    def decoder(path, cancel):
        audio = files(path, cancel)
        decoded.set()
        return audio

    def slow_factory(spec, progress, cancel):
        overlapped.append(decoded.wait(20))
        return FakeEngine(name=spec)

    overlapped: list[bool] = []
    thread = EngineThread(slow_factory, rec, decoder=decoder, splitter=fixed_splitter)
    thread.start()
    try:
        thread.load_model("fake")
        job = thread.submit_file(files.add("/a", speech_like(1.0)), [EN], CFG)
        assert rec.wait_done(job)[0] == "job_finished"
        assert overlapped == [True]
    finally:
        thread.shutdown()


def test_cancel_all_and_cancel_during_decode(rig: Rig) -> None:
    gate = threading.Event()
    rig.load()
    a = rig.thread.submit_file(rig.files.add("/slow", speech_like(1.0), gate=gate), [EN], CFG)
    b = rig.thread.submit_audio(speech_like(1.0), 0.0, [EN])
    rig.thread.cancel_all()
    c = rig.thread.submit_audio(speech_like(0.5), 0.0, [EN])
    rig.rec.wait_done(c)
    assert a not in rig.rec.done_order() and b not in rig.rec.done_order()


def test_errors_become_job_failed_and_the_thread_carries_on(rig: Rig, caplog) -> None:
    rig.load()
    bad = rig.thread.submit_file("/missing.mp3", [EN], CFG)
    assert rig.rec.wait_done(bad) == ("job_failed", bad, "/missing.mp3: not an audio file.")
    engine = fake_engine.created[-1]
    engine.fail_with = AudioTooShortError("Audio shorter\nthan 0.1 s.")
    short = rig.thread.submit_audio(speech_like(1.0), 0.0, [EN])
    assert rig.rec.wait_done(short) == ("job_failed", short, "Audio shorter than 0.1 s.")
    engine.fail_with = ValueError("broken")
    with caplog.at_level(logging.ERROR):
        odd = rig.thread.submit_file(rig.files.add("/x", speech_like(1.0)), [EN], CFG)
        assert rig.rec.wait_done(odd) == (
            "job_failed",
            odd,
            "Unexpected error (ValueError: broken).",
        )
    assert "Traceback" in caplog.text
    engine.fail_with = None
    ok = rig.thread.submit_audio(speech_like(1.0), 0.0, [EN])
    assert rig.rec.wait_done(ok)[0] == "job_finished"


def test_empty_file_finishes_with_empty_results(rig: Rig) -> None:
    rig.load()
    job = rig.thread.submit_file(rig.files.add("/empty", np.zeros(0, np.float32)), [EN], CFG)
    _, _, results = rig.rec.wait_done(job)
    assert results[0].segments == [] and results[0].duration == 0.0


def test_shutdown_stops_threads_and_cancels_later_jobs() -> None:
    r = Rig()
    r.load()
    r.thread.shutdown(timeout=10)
    job = r.thread.submit_audio(speech_like(1.0), 0.0, [EN])
    assert job > 0
    assert r.thread.stopped
    assert r.rec.of("job_finished") == []


def test_one_line_error() -> None:
    assert one_line_error(AudioTooShortError("short")) == "short"
    assert one_line_error(KeyError()) == "Unexpected error (KeyError)."


def test_batched_file_steps_let_dictation_in_between() -> None:
    engine = FakeEngine(block=threading.Event())
    rig = Rig(engine, file_batch=2)
    try:
        rig.load()
        a = rig.thread.submit_file(rig.files.add("/a", speech_like(7.0)), [EN], CFG)
        engine.entered.wait(10)  # the first step (chunks 1-2 of /a) is running
        u = rig.thread.submit_audio(speech_like(0.5), 0.0, [EN])
        assert engine.block is not None
        engine.block.set()
        _, _, [result] = rig.rec.wait_done(a)
        assert rig.rec.done_order() == [u, a]
        # Chunks of 2, 2, 2 and 1 s: two steps of two chunks; the utterance alone in between.
        assert engine.batch_calls == [[2 * SAMPLE_RATE] * 2, [2 * SAMPLE_RATE, SAMPLE_RATE]]
        assert [c.samples for c in engine.calls] == [SAMPLE_RATE // 2]
        assert [p[2:] for p in rig.rec.of("job_progress", a)] == [
            (0.0, 4.0),
            (2.0, 4.0),
            (4.0, 4.0),
        ]
        assert [(s.start, s.end) for s in result.segments] == [
            (0.0, 2.0),
            (2.0, 4.0),
            (4.0, 6.0),
            (6.0, 7.0),
        ]
        # The utterance ran right after the first batched step, before the second.
        events = [e[0] for e in rig.rec.events if e[0] in ("job_finished", "job_progress")]
        assert events[:3] == ["job_progress", "job_progress", "job_finished"]
    finally:
        rig.thread.shutdown()


def test_cancel_reaches_a_running_utterance(blocked: Rig) -> None:
    """A dropped eager utterance stops at the engine's next cancel check, not at its end."""
    engine = blocked.engine
    assert engine is not None and engine.block is not None
    blocked.load()
    first = blocked.thread.submit_audio(speech_like(1.0), 0.0, [EN])
    assert engine.entered.wait(10)
    engine.entered.clear()
    second = blocked.thread.submit_audio(speech_like(0.5), 0.0, [EN])
    blocked.thread.cancel(first)
    # the block is still closed: the second run can only start once the first one gave up
    assert engine.entered.wait(10)
    engine.block.set()
    blocked.rec.wait_done(second)
    assert blocked.rec.done_order() == [second]
    assert [e for e in blocked.rec.events if len(e) > 1 and e[1] == first] == []
