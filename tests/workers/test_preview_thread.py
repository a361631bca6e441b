"""Live preview on the model thread: low priority, coalescing, per-stream, never failing."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import numpy as np
import pytest

from app.core.transcript import TaskSpec
from app.engine.base import SAMPLE_RATE
from app.workers.engine_thread import EngineThread
from tests.support.fake_engine import FakeEngine
from tests.workers.helpers import MemoryFiles, Recorder, fixed_splitter, speech_like

EN = TaskSpec()


class PreviewRecorder(Recorder):
    def preview(self, stream_id: int, text: str) -> None:
        self._add("preview", stream_id, text)


class Rig:
    def __init__(self, engine: FakeEngine, listener: Recorder | None = None) -> None:
        self.engine = engine
        self.rec = listener or PreviewRecorder()
        self.thread = EngineThread(
            lambda spec, p, c: engine, self.rec, decoder=MemoryFiles(), splitter=fixed_splitter
        )
        self.thread.start()
        self.thread.load_model("fake")
        self.rec.wait_state("ready")

    def names(self) -> list[str]:
        return [e[0] for e in self.rec.events if e[0] in ("preview", "job_finished")]


@pytest.fixture
def blocked() -> Iterator[Rig]:
    """The engine blocks in ``run`` until ``engine.block`` is set."""
    r = Rig(FakeEngine(block=threading.Event()))
    yield r
    assert r.engine.block is not None
    r.engine.block.set()
    r.thread.shutdown()


def _half_second(seed: int = 0) -> np.ndarray:
    return speech_like(0.5, seed=seed)


def test_pending_previews_of_a_stream_merge_into_one_update(blocked: Rig) -> None:
    first = blocked.thread.submit_audio(speech_like(1.0), 0.0, [EN])
    assert blocked.engine.entered.wait(10)  # the model thread is busy with the utterance
    for seed in range(3):
        blocked.thread.submit_preview(7, _half_second(seed), reset=seed == 0)
    assert blocked.engine.block is not None
    blocked.engine.block.set()
    blocked.rec.wait_for(lambda ev: any(e[0] == "preview" for e in ev))
    blocked.rec.wait_done(first)
    # Three submissions, one update with all 1.5 s (the previewer is incremental: no loss).
    assert blocked.engine.preview_feeds == [3 * SAMPLE_RATE // 2]
    assert blocked.rec.of("preview") == [("preview", 7, "preview 1.50s")]
    # on the model thread, as the utterance
    assert blocked.engine.preview_threads == {c.thread for c in blocked.engine.calls}
    assert threading.get_ident() not in blocked.engine.preview_threads


def test_utterances_run_before_queued_previews(blocked: Rig) -> None:
    first = blocked.thread.submit_audio(speech_like(1.0), 0.0, [EN])
    assert blocked.engine.entered.wait(10)
    blocked.thread.submit_preview(1, _half_second(), reset=True)
    second = blocked.thread.submit_audio(speech_like(0.8), 1.0, [EN])
    assert blocked.engine.block is not None
    blocked.engine.block.set()
    blocked.rec.wait_for(lambda ev: any(e[0] == "preview" for e in ev))
    assert blocked.rec.done_order() == [first, second]
    assert blocked.names() == ["job_finished", "job_finished", "preview"]


def test_reset_drops_stale_pending_audio_and_starts_a_new_previewer(blocked: Rig) -> None:
    first = blocked.thread.submit_audio(speech_like(1.0), 0.0, [EN])
    assert blocked.engine.entered.wait(10)
    blocked.thread.submit_preview(3, _half_second(1), reset=True)
    blocked.thread.submit_preview(3, _half_second(2))
    blocked.thread.submit_preview(3, speech_like(0.25), reset=True)  # a new utterance
    assert blocked.engine.block is not None
    blocked.engine.block.set()
    blocked.rec.wait_done(first)
    blocked.rec.wait_for(lambda ev: any(e[0] == "preview" for e in ev))
    assert blocked.engine.preview_feeds == [SAMPLE_RATE // 4]
    assert blocked.rec.of("preview") == [("preview", 3, "preview 0.25s")]


def test_streams_accumulate_until_reset_or_end() -> None:
    engine = FakeEngine(preview_block=threading.Event())
    rig = Rig(engine)
    try:
        rig.thread.submit_preview(1, _half_second(), reset=True)
        assert engine.preview_entered.wait(10)  # update 1 runs (and waits on the gate)
        rig.thread.submit_preview(1, _half_second())
        rig.thread.submit_preview(2, speech_like(1.0), reset=True)
        assert engine.preview_block is not None
        engine.preview_block.set()
        rig.rec.wait_for(lambda ev: len([e for e in ev if e[0] == "preview"]) == 3)
        assert rig.rec.of("preview") == [
            ("preview", 1, "preview 0.50s"),
            ("preview", 1, "preview 1.00s"),  # the same previewer kept the first 0.5 s
            ("preview", 2, "preview 1.00s"),
        ]
        assert engine.previews_made == 2
        rig.thread.end_preview(1)
        rig.thread.submit_preview(1, _half_second())  # after end: a fresh previewer
        rig.rec.wait_for(lambda ev: len([e for e in ev if e[0] == "preview"]) == 4)
        assert rig.rec.of("preview")[-1] == ("preview", 1, "preview 0.50s")
        audio_s, compute_s, updates = rig.thread.preview_cost
        assert audio_s == pytest.approx(2.5) and updates == 4 and compute_s > 0
    finally:
        rig.thread.shutdown()


def test_no_model_or_no_preview_listener_means_no_preview() -> None:
    plain = Rig(FakeEngine(), Recorder())  # a listener without ``preview``
    try:
        plain.thread.submit_preview(1, _half_second(), reset=True)
        job = plain.thread.submit_audio(speech_like(0.5), 0.0, [EN])
        plain.rec.wait_done(job)
        assert plain.engine.preview_feeds == []
    finally:
        plain.thread.shutdown()


def test_a_failing_previewer_is_logged_once_and_dictation_goes_on(caplog) -> None:
    engine = FakeEngine()

    def broken() -> object:
        raise RuntimeError("no ctc head")

    engine.make_preview = broken  # type: ignore[assignment,method-assign]
    rig = Rig(engine)
    try:
        rig.thread.submit_preview(1, _half_second(), reset=True)
        rig.thread.submit_preview(1, _half_second())
        job = rig.thread.submit_audio(speech_like(0.5), 0.0, [EN])
        assert rig.rec.wait_done(job)[0] == "job_finished"
        rig.thread.submit_preview(1, _half_second())
        done = rig.thread.submit_audio(speech_like(0.5), 0.0, [EN])
        rig.rec.wait_done(done)
        assert rig.rec.of("preview") == []
        assert caplog.text.count("preview of stream 1 failed") == 1
    finally:
        rig.thread.shutdown()
