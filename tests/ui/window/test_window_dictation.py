"""Dictation goes where the cursor is, whatever the document's origin; never silently elsewhere."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtGui import QTextCursor

from app.audio.session import DictationConfig, DictationSession
from app.core.preferences import Preferences
from app.core.transcript import Segment, Task, TaskSpec
from app.ui.dictation.wiring import install
from tests.support.fake_stream import FakeBackend, FakeDevice
from tests.support.window_rig import WAIT_MS
from tests.ui.dictation.test_dictation_controller import _speech

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")  # offscreen plugin, on show()
TRANSCRIPT = [TaskSpec()]


def _cursor_at(pane, pos: int) -> None:
    cursor = pane.editor.textCursor()
    cursor.setPosition(pos)
    pane.editor.setTextCursor(cursor)


def test_typed_note_takes_dictation_at_its_cursor(rig, tmp_path: Path) -> None:
    rig.load()
    w = rig.window
    w.actions_.new.trigger()
    note = w.tabs.current_view()
    pane = note.panes[0]
    rig.qtbot.keyClicks(pane.editor, "Dear Sam, see you.")
    _cursor_at(pane, len("Dear Sam,"))
    speech = _speech()
    backend = FakeBackend(FakeDevice("mic", speech.audio), speed=4)
    cfg = DictationConfig(journal_dir=tmp_path / "rec", max_seconds=speech.duration)
    dictation = install(
        w,
        rig.bridge,
        Preferences(),
        session_factory=lambda lis: DictationSession(lis, cfg, backend=backend),
        recordings_folder=tmp_path / "rec",
    )
    ctl = dictation.controller
    committed: list[Segment] = []
    ctl.utteranceCommitted.connect(committed.append)
    tabs_before = w.tabs.count()
    w.record_action.trigger()
    strip = dictation.recording_state.strip
    assert strip.isVisibleTo(w) and strip.label.text() == "Listening…"
    assert "#c62828" in w.toolbar.widgetForAction(w.record_action).styleSheet()
    rig.qtbot.waitUntil(
        lambda: len(committed) == 2 and not w.record_action.isChecked(), timeout=30000
    )
    assert w.tabs.count() == tabs_before and w.tabs.current_view() is note
    assert not strip.isVisibleTo(w)
    text = pane.editor.toPlainText()
    assert text.startswith("Dear Sam," + committed[0].text)
    assert text.endswith(committed[1].text + " see you.")


def test_opened_text_and_file_transcripts_take_dictation_too(rig) -> None:
    rig.load()
    w = rig.window
    txt = rig.tmp / "notes.md"
    txt.write_text("# Notes\n", encoding="utf-8")
    opened = w.open_text_file(str(txt))
    assert opened is not None
    assert w.dictation_panes(TRANSCRIPT) == [opened.panes[0]]
    w.submit_paths([rig.audio_file("talk.wav", 2.0)])
    rig.wait_jobs_done()
    transcript = w.tabs.views()[-1]
    w.tabs.setCurrentWidget(transcript)
    assert w.dictation_panes(TRANSCRIPT) == [transcript.panes[0]]
    assert w.tabs.count() == 3


def test_never_silently_into_a_busy_read_only_or_translation_pane(rig) -> None:
    rig.load()
    w = rig.window
    gate = threading.Event()
    [job] = w.submit_paths([rig.audio_file("slow.wav", 4.0, gate=gate)])
    rig.bridge.jobPartial.emit(job, 0, "speech", 0.0, 1.0)  # its first words arrive
    rig.qtbot.waitUntil(lambda: w.jobs.writing_into(w.tabs.views()[-1]), timeout=WAIT_MS)
    busy = w.tabs.views()[-1]
    w.tabs.setCurrentWidget(busy)
    [pane] = w.dictation_panes(TRANSCRIPT)
    assert pane not in busy.panes and pane in w.current_view().panes
    assert "still being transcribed" in w.statusBar().currentMessage()
    gate.set()
    rig.wait_jobs_done()

    locked = w.new_document()
    locked.panes[0].editor.setReadOnly(True)
    [pane] = w.dictation_panes(TRANSCRIPT)
    assert pane is not locked.panes[0] and "read-only" in w.statusBar().currentMessage()

    both = [TaskSpec(), TaskSpec(Task.TRANSLATE, "en", "fr")]
    view = w.new_document()
    panes = w.dictation_panes(both)
    rig.qtbot.keyClicks(panes[0].editor, "x")
    panes[0].editor.moveCursor(QTextCursor.MoveOperation.End)
    w.show()
    panes[1].editor.setFocus()
    rig.qtbot.waitUntil(lambda: view.current_pane() is panes[1])
    assert w.dictation_panes(TRANSCRIPT) == [panes[0]]
    assert "Dictating into the Transcript column" in w.statusBar().currentMessage()


def test_silence_warning_clears_when_sound_arrives_and_when_recording_ends(
    rig,
    tmp_path: Path,
) -> None:
    import numpy as np

    from app.audio.capture import silent_input_message

    rig.load()
    w = rig.window
    speech = _speech()
    zeros = np.zeros(16000 * 3, np.float32)
    sources = [np.concatenate([zeros, speech.audio]), np.concatenate([zeros, zeros])]
    seconds = [len(a) / 16000 for a in sources]

    def session(lis):
        audio = sources.pop(0)
        cfg = DictationConfig(journal_dir=tmp_path / "rec", max_seconds=seconds.pop(0))
        return DictationSession(lis, cfg, backend=FakeBackend(FakeDevice("mic", audio), speed=4))

    ctl = install(w, rig.bridge, Preferences(), session_factory=session).controller
    notices: list[str] = []
    ctl.notice.connect(notices.append)
    with rig.qtbot.waitSignal(ctl.noticeCleared, timeout=30000):
        w.record_action.trigger()  # silence first, then speech: the warning goes away
    assert notices == [silent_input_message()]
    assert w.banner.text() != silent_input_message()
    rig.qtbot.waitUntil(lambda: not w.record_action.isChecked(), timeout=30000)
    w.record_action.trigger()  # only silence: the warning stays until the recording ends
    rig.qtbot.waitUntil(lambda: w.banner.text() == silent_input_message(), timeout=30000)
    rig.qtbot.waitUntil(lambda: not w.record_action.isChecked(), timeout=30000)
    assert w.banner.text() != silent_input_message()
