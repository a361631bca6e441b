"""Eager endpointing in the window: text shown as soon as the tail arrived, committed only when
the pause confirms it, replaced in place when speech resumes."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from app.audio.session import DictationConfig, DictationSession
from app.core.dictation.endpointing import Utterance
from app.core.dictation.regions import PREVIEW_MARK
from app.core.transcript import Segment, TaskSpec
from app.ui.dictation.dictation_controller import DictationController
from app.ui.editor.transcript_pane import TranscriptPane
from app.workers.qt_engine import EngineBridge
from tests.support import fake_engine
from tests.support.espeak import compose, synthesize
from tests.support.fake_stream import FakeBackend, FakeDevice
from tests.ui.dictation.test_dictation_controller import (
    FakeBridge,
    FakeSession,
    _pane,
    _result,
)


class CancelBridge(FakeBridge):
    def __init__(self) -> None:
        super().__init__()
        self.cancelled: list[int] = []

    def cancel(self, job_id: int) -> None:
        self.cancelled.append(job_id)


def _rig(qtbot, panes, specs=None, preview: bool = True):
    bridge = CancelBridge()
    sessions: list[FakeSession] = []

    def factory(listener):
        sessions.append(FakeSession(listener))
        return sessions[-1]

    ctl = DictationController(
        bridge,
        lambda: specs or [TaskSpec()],
        lambda _s: panes,
        session_factory=factory,
        preview=preview,
    )
    committed: list[Segment] = []
    ctl.utteranceCommitted.connect(committed.append)
    assert ctl.start()
    return ctl, bridge, sessions[0].listener, committed


def _utt(seconds: float, *, confirms: bool = False) -> Utterance:
    audio = np.full(round(seconds * 16000), 0.1, np.float32)
    return Utterance(0, 2.0, 2.0 + seconds, audio, False, confirms)


def test_eager_text_shows_at_once_and_the_pause_commits_it_without_a_second_run(qtbot):
    pane = _pane(qtbot, "Notes:")
    ctl, bridge, relay, committed = _rig(qtbot, [pane])
    relay.preview(np.zeros(8000, np.float32), True)
    bridge.previewText.emit(1, "hello wor")
    [handle] = pane.open_partials()
    relay.eager(_utt(1.0))  # the tail arrived: run now
    assert bridge.jobs == [100] and bridge.ended == []  # the utterance is still open
    bridge.jobPartial.emit(100, 0, "Hello", 2.0, 3.0)
    assert pane.open_partials() == [handle]  # the preview's region, replaced in place
    bridge.jobFinished.emit(100, [_result("Hello world.")])
    assert pane.document.toPlainText() == "Notes: hello world."  # shown at once
    assert pane.open_partials() == [handle] and committed == []  # but not committed
    assert ctl.pending_jobs == [100]  # system-wide dictation does not paste yet
    bridge.previewText.emit(1, "hello world and")  # previews during the pause stay away
    assert pane.document.toPlainText() == "Notes: hello world."
    relay.utterance(_utt(1.0, confirms=True))  # the pause completed: the same utterance
    assert bridge.jobs == [100]  # no second run
    assert pane.open_partials() == [] and pane.document.toPlainText() == "Notes: hello world."
    assert [c.text for c in committed] == [" hello world."] and ctl.pending_jobs == []
    assert bridge.ended == [1]


def test_confirmation_before_the_eager_run_ends_commits_when_it_ends(qtbot):
    pane = _pane(qtbot)
    ctl, bridge, relay, committed = _rig(qtbot, [pane], preview=False)
    relay.eager(_utt(1.0))
    relay.utterance(_utt(1.0, confirms=True))
    assert bridge.jobs == [100] and committed == []
    bridge.jobFinished.emit(100, [_result("Hello.")])
    assert [c.text for c in committed] == ["Hello."] and pane.document.toPlainText() == "Hello."
    assert ctl.pending_jobs == [] and pane.open_partials() == []


def test_resumed_speech_keeps_the_text_in_place_until_the_longer_utterance_replaces_it(qtbot):
    pane = _pane(qtbot, "Notes:")
    ctl, bridge, relay, committed = _rig(qtbot, [pane])
    relay.preview(np.zeros(8000, np.float32), True)
    bridge.previewText.emit(1, "send the")
    [handle] = pane.open_partials()
    relay.eager(_utt(1.0))
    bridge.jobFinished.emit(100, [_result("Send the report.")])
    relay.eager_retracted(0)  # speech resumed before the pause completed
    assert bridge.cancelled == [100] and committed == [] and ctl.pending_jobs == []
    assert pane.document.toPlainText() == "Notes: send the report."  # no flicker
    bridge.jobPartial.emit(100, 0, "stale", 2.0, 3.0)  # late signals of the dropped run
    bridge.jobFinished.emit(100, [_result("stale")])
    assert pane.document.toPlainText() == "Notes: send the report."
    relay.preview(np.zeros(8000, np.float32), False)  # the preview goes on, same region
    bridge.previewText.emit(1, "send the report to the")
    assert pane.open_partials() == [handle]
    assert pane.document.toPlainText() == "Notes: send the report to the" + PREVIEW_MARK
    relay.eager(_utt(2.0))  # the longer utterance's tail arrived
    bridge.jobFinished.emit(101, [_result("Send the report to the team.")])
    relay.utterance(_utt(2.0, confirms=True))
    assert bridge.jobs == [100, 101]
    assert pane.open_partials() == [] and committed[0].text == " send the report to the team."
    assert pane.document.toPlainText() == "Notes: send the report to the team."


def test_retracted_text_without_preview_is_replaced_by_the_final_run_and_keeps_edits(qtbot):
    pane = _pane(qtbot, "Notes:")
    _ctl, bridge, relay, committed = _rig(qtbot, [pane], preview=False)
    relay.eager(_utt(1.0))
    bridge.jobFinished.emit(100, [_result("Send the report.")])
    relay.eager_retracted(0)
    cursor = pane.editor.textCursor()
    cursor.setPosition(0)
    cursor.insertText("Meeting. ")  # the user edits elsewhere meanwhile
    assert pane.document.toPlainText() == "Meeting. Notes: send the report."
    relay.utterance(_utt(2.0))  # speech resumed, then the pause: a plain final utterance
    assert bridge.jobs == [100, 101]
    assert pane.document.toPlainText() == "Meeting. Notes: send the report."  # kept until…
    bridge.jobFinished.emit(101, [_result("Send the report to the team.")])
    assert pane.document.toPlainText() == "Meeting. Notes: send the report to the team."
    assert len(pane.open_partials()) == 0 and len(committed) == 1


def test_a_failed_eager_run_is_run_again_when_the_pause_completes(qtbot):
    pane = _pane(qtbot)
    ctl, bridge, relay, committed = _rig(qtbot, [pane], preview=False)
    messages: list[str] = []
    ctl.message.connect(messages.append)
    relay.eager(_utt(1.0))
    bridge.jobFailed.emit(100, "Out of memory.")
    relay.utterance(_utt(1.0, confirms=True))
    assert bridge.jobs == [100, 101] and messages == ["Out of memory."]
    bridge.jobFinished.emit(101, [_result("Hello.")])
    assert [c.text for c in committed] == ["Hello."]


def test_cancel_drops_an_eager_run_and_its_text(qtbot):
    pane = _pane(qtbot, "Notes:")
    ctl, bridge, relay, committed = _rig(qtbot, [pane], preview=False)
    relay.eager(_utt(1.0))
    bridge.jobFinished.emit(100, [_result("Hello.")])
    ctl.cancel()
    assert bridge.cancelled == [100] and pane.document.toPlainText() == "Notes:"
    assert committed == [] and ctl.pending_jobs == []


def _dictate(qtbot, bridge, tmp_path: Path, eager: bool) -> tuple[str, list[Segment]]:
    a, b, c = (synthesize(t) for t in ("send the report", "to the team", "thank you"))
    speech = compose([0.5, a, 0.6, b, 1.5, c, 1.2])  # 0.6 s: past the tail, short of the pause
    pane = TranscriptPane()
    qtbot.addWidget(pane)
    backend = FakeBackend(FakeDevice("mic", speech.audio), speed=4)
    cfg = DictationConfig(journal_dir=tmp_path, max_seconds=speech.duration)
    ctl = DictationController(
        bridge,
        lambda: [TaskSpec()],
        lambda _s: [pane],
        session_factory=lambda lis: DictationSession(lis, cfg, backend=backend),
        eager=eager,
    )
    committed: list[Segment] = []
    ctl.utteranceCommitted.connect(committed.append)
    assert ctl.start()
    qtbot.waitUntil(lambda: len(committed) == 2 and not ctl.recording, timeout=30000)
    qtbot.waitUntil(lambda: ctl.pending_jobs == [], timeout=10000)
    assert pane.open_partials() == []
    return pane.document.toPlainText(), committed


def test_eager_dictation_through_the_fake_engine_gives_the_plain_text(qtbot, tmp_path: Path):
    engine = EngineBridge(fake_engine.factory)
    try:
        with qtbot.waitSignal(engine.modelStateChanged, check_params_cb=lambda s, _m: s == "ready"):
            engine.load_model("fake")
        plain_text, plain = _dictate(qtbot, engine, tmp_path / "plain", eager=False)
        eager_text, eager = _dictate(qtbot, engine, tmp_path / "eager", eager=True)
    finally:
        engine.shutdown(3.0)
    assert eager_text == plain_text and plain_text.strip()
    assert [(s.start, s.end) for s in eager] == [(s.start, s.end) for s in plain]
