"""Dictation in the window: fake microphone → session → EngineBridge(FakeEngine) → pane."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from PySide6.QtCore import Signal
from PySide6.QtGui import QAction

from app.audio.session import DictationConfig, DictationSession
from app.core.dictation.endpointing import Utterance
from app.core.dictation.regions import PREVIEW_MARK
from app.core.transcript import Segment, Task, TaskSpec
from app.ui.dictation.dictation_controller import DictationController
from app.ui.dictation.level_meter import LevelMeter, db_to_fraction
from app.ui.editor.transcript_pane import TranscriptPane
from app.workers.qt_engine import Bridge, EngineBridge
from tests.support import fake_engine
from tests.support.espeak import Speech, compose, synthesize
from tests.support.fake_stream import EnergyVad, FakeBackend, FakeDevice


@pytest.fixture
def bridge(qtbot):
    b = EngineBridge(fake_engine.factory)
    with qtbot.waitSignal(b.modelStateChanged, check_params_cb=lambda s, _m: s == "ready"):
        b.load_model("fake")
    yield b
    b.shutdown(3.0)


def _speech() -> Speech:
    a = synthesize("the quick brown fox jumps over the lazy dog")
    b = synthesize("hello world, this is a test")
    return compose([0.6, a, 1.5, b, 1.0])


def _controller(bridge, tmp_path: Path, specs, panes, backend, **kw):
    cfg = DictationConfig(journal_dir=tmp_path, **kw)
    return DictationController(
        bridge,
        lambda: specs,
        lambda _specs: panes,
        session_factory=lambda listener: DictationSession(listener, cfg, backend=backend),
    )


def test_dictated_text_arrives_in_the_pane_and_joins(qtbot, bridge, tmp_path: Path):
    speech = _speech()
    pane = TranscriptPane()
    qtbot.addWidget(pane)
    pane.editor.setPlainText("Notes:")
    pane.editor.moveCursor(pane.editor.textCursor().MoveOperation.End)
    backend = FakeBackend(FakeDevice("mic", speech.audio), speed=4)
    ctl = _controller(bridge, tmp_path, [TaskSpec()], [pane], backend, max_seconds=speech.duration)
    action = QAction("Record")
    action.setCheckable(True)
    ctl.attach_action(action)
    meter = LevelMeter()
    qtbot.addWidget(meter)
    ctl.levelChanged.connect(meter.set_level)
    committed: list[Segment] = []
    ctl.utteranceCommitted.connect(committed.append)

    with qtbot.waitSignal(ctl.recordingChanged, timeout=5000):
        action.setChecked(True)
    assert ctl.recording
    with qtbot.waitSignal(ctl.levelChanged, check_params_cb=lambda rms, _p: rms > -60):
        pass  # the ~20 Hz meter sees the speech
    # ``recording`` turns False on the consumer thread; the button follows once the queued
    # "stopped" signal arrives, so wait for both (asserting right away was a race).
    qtbot.waitUntil(
        lambda: len(committed) == 2 and not ctl.recording and not action.isChecked(),
        timeout=30000,
    )  # the session ended by itself: the button follows
    first, second = committed
    assert first.start < second.start
    text = pane.document.toPlainText()
    expected_a = fake_engine.fake_text(
        speech.audio[round(first.start * 16000) : round(first.end * 16000)], TaskSpec()
    )
    # "Notes:" ends mid-sentence → a space, and the model's lower-case start is kept
    assert text.startswith("Notes: " + expected_a)
    assert text == "Notes:" + first.text + second.text
    assert second.text.startswith(" ")
    assert pane.open_partials() == []
    assert ctl.pending_jobs == []


def test_specs_are_read_at_each_utterance_and_fill_one_pane_per_task(qtbot, bridge, tmp_path: Path):
    speech = _speech()
    panes = [TranscriptPane(), TranscriptPane()]
    for p in panes:
        qtbot.addWidget(p)
    current = [[TaskSpec()]]
    asked: list[list[TaskSpec]] = []

    def specs():
        asked.append(current[0])
        return current[0]

    backend = FakeBackend(FakeDevice("mic", speech.audio), speed=4)
    cfg = DictationConfig(journal_dir=tmp_path, max_seconds=speech.duration)
    ctl = DictationController(
        bridge,
        specs,
        lambda s: panes[: len(s)],
        session_factory=lambda lis: DictationSession(lis, cfg, backend=backend),
        preview=False,  # the live preview reads the specs too (to pick its pane)
    )
    committed: list[Segment] = []
    ctl.utteranceCommitted.connect(committed.append)

    def switch(_seg):  # after the first utterance the user turns on translation + a keyword
        current[0] = [
            TaskSpec(keywords=("Granite",)),
            TaskSpec(Task.TRANSLATE, target_language="fr", keywords=("Granite",)),
        ]

    ctl.utteranceCommitted.connect(switch)
    assert ctl.start()
    qtbot.waitUntil(lambda: len(committed) == 2 and not ctl.recording, timeout=30000)
    assert len(asked) == 2
    assert "+Granite" not in committed[0].text and "+Granite" in committed[1].text
    assert "[fr]" in panes[1].document.toPlainText().lower()
    assert "[fr]" not in panes[0].document.toPlainText().lower()


def test_start_failure_is_a_message_and_unchecks_the_button(qtbot, bridge, tmp_path: Path):
    ctl = _controller(bridge, tmp_path, [TaskSpec()], [], FakeBackend())
    action = QAction("Record")
    action.setCheckable(True)
    ctl.attach_action(action)
    with qtbot.waitSignal(ctl.message) as blocker:
        action.setChecked(True)
    assert "No audio input device" in blocker.args[0]
    assert not action.isChecked() and not ctl.recording


def test_push_to_talk_release_flushes_the_open_utterance(qtbot, bridge, tmp_path: Path):
    tone = (0.3 * np.sin(2 * np.pi * 200 * np.arange(16000 * 20) / 16000)).astype(np.float32)
    pane = TranscriptPane()
    qtbot.addWidget(pane)
    backend = FakeBackend(FakeDevice("mic", tone), speed=2)
    cfg = DictationConfig(journal_dir=tmp_path)
    ctl = DictationController(
        bridge,
        lambda: [TaskSpec()],
        lambda _s: [pane],
        session_factory=lambda lis: DictationSession(
            lis, cfg, backend=backend, vad_factory=EnergyVad
        ),
    )
    committed: list[Segment] = []
    ctl.utteranceCommitted.connect(committed.append)
    ctl.push_to_talk(True)
    with qtbot.waitSignal(ctl.levelChanged, check_params_cb=lambda rms, _p: rms > -30):
        pass
    with qtbot.waitSignal(ctl.recordingChanged, timeout=10000):
        ctl.push_to_talk(False)
    qtbot.waitUntil(lambda: len(committed) == 1, timeout=10000)
    assert committed[0].start == 0.0 and committed[0].end > 0.4
    assert pane.document.toPlainText() == committed[0].text


def test_level_meter_scale():
    assert db_to_fraction(-120) == 0.0
    assert db_to_fraction(0) == 1.0
    assert db_to_fraction(-30) == pytest.approx(0.5)


# --- the Recordings panel ------------------------------------------------------------------


class FakePlayer:
    def __init__(self) -> None:
        self.played: list[tuple[int, int]] = []
        self.playing = False

    def play(self, audio, rate: int) -> None:
        self.played.append((len(audio), rate))
        self.playing = True

    def stop(self) -> None:
        self.playing = False


def _recording(folder: Path, seconds: float, *, killed: bool = False) -> Path:
    import subprocess
    import sys

    from app.audio.journal import RecordingJournal

    j = RecordingJournal(folder)
    j.write((0.1 * np.ones(round(seconds * 16000))).astype(np.float32))
    if not killed:
        return j.close().wav
    j.flush()
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    j.info.pid = int(dead.stdout)  # as if written by a process that no longer runs
    j.info.save()
    return j.path


def test_recordings_panel_recovers_plays_transcribes_exports_deletes(qtbot, tmp_path: Path):
    from app.audio.journal import read_wav
    from app.ui.panels.recordings_panel import RecordingsPanel

    done = _recording(tmp_path, 1.0)
    crashed = _recording(tmp_path, 2.0, killed=True)
    player = FakePlayer()
    panel = RecordingsPanel(tmp_path, player=player)
    qtbot.addWidget(panel)
    assert len(panel.recordings()) == 2
    with qtbot.waitSignal(panel.message) as blocker:
        (recovered,) = panel.recover_unfinished()
    assert recovered.wav == crashed and "Recovered 1" in blocker.args[0]
    chosen = panel.selected()
    assert chosen is not None and chosen.status == "recovered"
    assert {r.status for r in panel.recordings()} == {"complete", "recovered"}

    panel.play_button.click()
    assert player.played == [(32000, 16000)] and panel.play_button.text() == "Stop"
    panel.play_button.click()
    assert not player.playing and panel.play_button.text() == "Play"

    with qtbot.waitSignal(panel.transcribeRequested) as blocker:
        panel.transcribe_button.click()
    assert blocker.args == [str(crashed)]

    panel.ask_export_path = lambda _p, _i: str(tmp_path / "copy.flac")
    panel.export_button.click()
    assert (tmp_path / "copy.flac").stat().st_size > 0

    panel.ask_delete = lambda _p, _i: True
    panel.delete_button.click()
    assert [r.wav for r in panel.recordings()] == [done]
    assert not crashed.exists()
    assert len(read_wav(done)[0]) == 16000


# --- the whole window ----------------------------------------------------------------------


def test_install_in_the_main_window_dictates_into_the_current_tab(
    qtbot, tmp_path: Path, monkeypatch
):
    from app.core.preferences import Preferences
    from app.core.storage.autosave_store import AutosaveStore
    from app.ui.dictation.wiring import install
    from app.ui.window.main_window import MainWindow

    monkeypatch.setenv("GRANITE_DICTATE_HOME", str(tmp_path / "home"))
    crashed = _recording(tmp_path / "rec", 1.0, killed=True)
    bridge = EngineBridge(fake_engine.factory)
    window = MainWindow(bridge, Preferences(), autosave_store=AutosaveStore(tmp_path / "auto"))
    qtbot.addWidget(window)
    speech = _speech()
    backend = FakeBackend(FakeDevice("mic", speech.audio), speed=4)
    cfg = DictationConfig(journal_dir=tmp_path / "rec", max_seconds=speech.duration)
    try:
        parts = install(
            window,
            bridge,
            Preferences(),
            session_factory=lambda lis: DictationSession(lis, cfg, backend=backend),
            recordings_folder=tmp_path / "rec",
        )
        ctl = parts.controller
        assert [r.wav for r in parts.recordings_panel.recordings()] == [crashed]
        assert parts.recordings_panel.recordings()[0].status == "recovered"
        window.use_model("fake")
        qtbot.waitUntil(window.record_action.isEnabled, timeout=10000)
        committed: list[Segment] = []
        ctl.utteranceCommitted.connect(committed.append)
        window.record_action.trigger()
        assert ctl.recording
        qtbot.waitUntil(
            lambda: (
                len(committed) == 2 and not ctl.recording and not window.record_action.isChecked()
            ),
            timeout=30000,
        )
        text = window.current_pane().document.toPlainText()
        assert text == committed[0].text + committed[1].text
        assert text.startswith("Speech ")  # an empty document starts a sentence
        # the new recording is listed with its transcript
        qtbot.waitUntil(lambda: len(parts.recordings_panel.recordings()) == 2, timeout=5000)
        newest = parts.recordings_panel.recordings()[0]
        assert newest.status == "complete" and newest.transcript == text
    finally:
        bridge.shutdown(3.0)


def test_preferences_apply_to_the_next_recording(qtbot, bridge, tmp_path: Path):
    from app.core.preferences import Preferences

    ctl = _controller(bridge, tmp_path, [TaskSpec()], [], FakeBackend())
    ctl.apply_preferences(Preferences(pause_s=1.5, input_device="USB Mic", max_chunk_s=8.0))
    ep = ctl.config.endpoint
    assert ctl.config.device == "USB Mic"
    assert (ep.pause_s, ep.tail_s, ep.max_chunk_s, ep.cut_search_s) == (1.5, 0.4, 8.0, 4.0)
    ctl.apply_preferences(Preferences(pause_s=0.3, input_device=""))
    assert ctl.config.device is None and ctl.config.endpoint.tail_s == 0.3
    assert ctl.config.preview
    ctl.apply_preferences(Preferences(live_preview=False))
    assert not ctl.config.preview  # the next session sends no preview audio


# --- live preview ----------------------------------------------------------------------------


class FakeBridge(Bridge):
    """Records what the controller sends; the test emits the engine's signals itself."""

    jobPartial = Signal(int, int, str, float, float)
    jobFinished = Signal(int, object)
    jobFailed = Signal(int, str)
    previewText = Signal(int, str)

    def __init__(self) -> None:
        super().__init__()
        self.previews: list[tuple[int, int, bool]] = []
        self.ended: list[int] = []
        self.jobs: list[int] = []

    def submit_audio(self, audio, offset, specs, source=""):
        self.jobs.append(100 + len(self.jobs))
        return self.jobs[-1]

    def submit_preview(self, stream_id: int, samples, reset: bool = False) -> None:
        self.previews.append((stream_id, len(samples), reset))

    def end_preview(self, stream_id: int) -> None:
        self.ended.append(stream_id)

    def cancel(self, job_id: int) -> None:
        pass


class FakeSession:
    """Stands in for DictationSession: the test drives its listener (the controller's relay)."""

    def __init__(self, listener) -> None:
        self.listener = listener
        self.recording = False
        self.journal_path = None

    def start(self) -> None:
        self.recording = True

    def stop(self, tail: bool = True) -> None:
        self.recording = False


def _preview_rig(qtbot, specs, panes, preview: bool = True):
    bridge = FakeBridge()
    sessions: list[FakeSession] = []

    def factory(listener):
        sessions.append(FakeSession(listener))
        return sessions[-1]

    ctl = DictationController(
        bridge, lambda: specs, lambda _s: panes, session_factory=factory, preview=preview
    )
    assert ctl.start()
    return ctl, bridge, sessions[0].listener


def _pane(qtbot, text: str = "") -> TranscriptPane:
    pane = TranscriptPane()
    qtbot.addWidget(pane)
    pane.editor.setPlainText(text)
    pane.editor.moveCursor(pane.editor.textCursor().MoveOperation.End)
    return pane


def _utterance(seconds: float = 1.0) -> Utterance:
    audio = np.full(round(seconds * 16000), 0.1, np.float32)
    return Utterance(0, 2.0, 2.0 + seconds, audio, False)


def _result(text: str) -> SimpleNamespace:
    return SimpleNamespace(text=text)


def test_preview_shows_greyed_then_the_exact_text_replaces_it_in_place(qtbot) -> None:
    pane = _pane(qtbot, "Notes:")
    _ctl, bridge, relay = _preview_rig(qtbot, [TaskSpec()], [pane])
    relay.preview(np.zeros(8000, np.float32), True)
    relay.preview(np.zeros(8000, np.float32), False)
    assert bridge.previews == [(1, 8000, True), (1, 8000, False)]
    bridge.previewText.emit(1, "hello wor")
    [handle] = pane.open_partials()
    assert pane.document.toPlainText() == "Notes: hello wor" + PREVIEW_MARK
    bridge.previewText.emit(1, "hello world ")
    assert pane.document.toPlainText() == "Notes: hello world" + PREVIEW_MARK
    relay.utterance(_utterance())  # the utterance ends: its job takes over the partial
    assert bridge.ended == [1] and bridge.jobs == [100]
    bridge.previewText.emit(1, "stale text")  # a late preview of the ended stream
    assert pane.document.toPlainText() == "Notes: hello world" + PREVIEW_MARK
    bridge.jobPartial.emit(100, 0, "Hello", 2.0, 3.0)
    assert pane.open_partials() == [handle]  # the same region: replaced in place
    assert pane.document.toPlainText() == "Notes: hello"
    bridge.jobFinished.emit(100, [_result("Hello world.")])
    assert pane.open_partials() == []
    assert pane.document.toPlainText() == "Notes: hello world."
    relay.preview_end()  # the session says the utterance closed: nothing left to drop
    assert pane.document.toPlainText() == "Notes: hello world."
    # the next utterance gets a new stream id, reset
    relay.preview(np.zeros(4000, np.float32), True)
    assert bridge.previews[-1] == (2, 4000, True)


def test_preview_shows_only_in_the_transcript_pane_and_never_over_pending_text(qtbot) -> None:
    panes = [_pane(qtbot), _pane(qtbot)]
    specs = [TaskSpec(), TaskSpec(Task.TRANSLATE, target_language="fr")]
    _ctl, bridge, relay = _preview_rig(qtbot, specs, panes)
    relay.preview(np.zeros(8000, np.float32), True)
    bridge.previewText.emit(1, "bonjour")
    assert panes[0].document.toPlainText() == "Bonjour" + PREVIEW_MARK
    assert panes[1].document.toPlainText() == "" and panes[1].open_partials() == []
    relay.utterance(_utterance())  # job 100 takes the transcript pane's partial
    relay.preview_end()
    relay.preview(np.zeros(8000, np.float32), True)  # the next utterance, while 100 is pending
    bridge.previewText.emit(2, "encore")
    assert panes[0].document.toPlainText() == "Bonjour" + PREVIEW_MARK  # not over job 100
    bridge.jobFinished.emit(100, [_result("Bonjour."), _result("Hello.")])
    assert [p.document.toPlainText() for p in panes] == ["Bonjour.", "Hello."]
    bridge.previewText.emit(2, "encore")  # now it shows, after the committed text
    assert panes[0].document.toPlainText() == "Bonjour. Encore" + PREVIEW_MARK
    relay.preview_end()  # too short to be an utterance: the preview goes away
    assert panes[0].document.toPlainText() == "Bonjour." and panes[0].open_partials() == []
    assert bridge.ended == [1, 2]


def test_translation_only_and_preview_off_show_no_preview(qtbot) -> None:
    pane = _pane(qtbot)
    _ctl, bridge, relay = _preview_rig(qtbot, [TaskSpec(Task.TRANSLATE, "en", "fr")], [pane])
    relay.preview(np.zeros(8000, np.float32), True)
    bridge.previewText.emit(1, "hello")
    assert pane.document.toPlainText() == "" and pane.open_partials() == []
    off_pane = _pane(qtbot)
    _off, off_bridge, off_relay = _preview_rig(qtbot, [TaskSpec()], [off_pane], preview=False)
    assert not hasattr(off_relay, "preview")  # the session is not even asked for audio
    off_bridge.previewText.emit(1, "hello")
    assert off_pane.document.toPlainText() == ""


def test_live_preview_through_the_fake_engine_leaves_only_the_exact_text(
    qtbot, bridge, tmp_path: Path
) -> None:
    speech = _speech()
    pane = _pane(qtbot, "Notes:")
    backend = FakeBackend(FakeDevice("mic", speech.audio), speed=4)
    ctl = _controller(bridge, tmp_path, [TaskSpec()], [pane], backend, max_seconds=speech.duration)
    shown: list[str] = []
    bridge.previewText.connect(lambda _s, text: shown.append(pane.document.toPlainText()))
    committed: list[Segment] = []
    ctl.utteranceCommitted.connect(committed.append)
    assert ctl.start()
    qtbot.waitUntil(lambda: len(committed) == 2 and not ctl.recording, timeout=30000)
    assert pane.document.toPlainText() == "Notes:" + committed[0].text + committed[1].text
    assert PREVIEW_MARK not in pane.document.toPlainText() and pane.open_partials() == []
    audio_s, _compute_s, updates = bridge.preview_cost
    assert updates > 0 and audio_s > 0
    assert any(PREVIEW_MARK in text and "preview" in text for text in shown)
