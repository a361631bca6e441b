"""Background model work (a meeting's utterances, speaker detection) and dictation fairness."""

from __future__ import annotations

import threading

from app.core.errors import GraniteError
from app.core.transcript import Segment, TaskSpec, TranscriptResult
from app.engine.base import CancelToken, SpeechEngine
from tests.support.fake_engine import FakeEngine
from tests.workers.helpers import speech_like
from tests.workers.test_engine_thread import CFG, EN, Rig, blocked, rig  # noqa: F401 - fixtures


def test_dictation_waits_behind_at_most_one_meeting_step(blocked: Rig) -> None:  # noqa: F811
    engine = blocked.engine
    assert engine is not None and engine.block is not None
    blocked.load()
    first = blocked.thread.submit_audio(speech_like(1.0), 0.0, [EN], "others", background=True)
    engine.entered.wait(10)  # the first meeting step is running
    more = [
        blocked.thread.submit_audio(speech_like(1.0, seed=i), 0.0, [EN], background=True)
        for i in (1, 2)
    ]
    work = blocked.thread.submit_work(lambda _engine, _token: [])
    utt = blocked.thread.submit_audio(speech_like(0.5), 0.0, [EN])
    engine.block.set()
    blocked.rec.wait_done(work)
    assert blocked.rec.done_order() == [first, utt, *more, work]


def test_background_steps_keep_their_order_with_files(blocked: Rig) -> None:  # noqa: F811
    engine = blocked.engine
    assert engine is not None and engine.block is not None
    blocked.load()
    a = blocked.thread.submit_file(blocked.files.add("/a", speech_like(2.0)), [EN], CFG)
    engine.entered.wait(10)
    m = blocked.thread.submit_audio(speech_like(1.0), 0.0, [EN], background=True)
    b = blocked.thread.submit_file(blocked.files.add("/b", speech_like(2.0, seed=1)), [EN], CFG)
    engine.block.set()
    blocked.rec.wait_done(b)
    assert blocked.rec.done_order() == [a, m, b]


def test_work_runs_on_the_model_thread_with_the_engine(rig: Rig) -> None:  # noqa: F811
    rig.load()
    seen: list[tuple[int, SpeechEngine | None]] = []

    def work(engine: SpeechEngine | None, token: CancelToken) -> list[TranscriptResult]:
        seen.append((threading.get_ident(), engine))
        return [TranscriptResult(TaskSpec(), [Segment(0, 1, "", speaker="Speaker 1")])]

    rig.thread.submit_audio(speech_like(0.5), 0.0, [EN])  # records the model thread's id
    job = rig.thread.submit_work(work)
    event = rig.rec.wait_done(job)
    ((ident, engine),) = seen
    assert isinstance(engine, FakeEngine) and ident == engine.calls[0].thread
    assert ident != threading.get_ident()
    assert event[0] == "job_finished" and event[2][0].segments[0].speaker == "Speaker 1"


def test_failing_work_reports_one_line(rig: Rig) -> None:  # noqa: F811
    def work(_engine: SpeechEngine | None, _token: CancelToken) -> list[TranscriptResult]:
        raise GraniteError("no speaker model\nhere")

    job = rig.thread.submit_work(work)
    assert rig.rec.wait_done(job) == ("job_failed", job, "no speaker model here")
