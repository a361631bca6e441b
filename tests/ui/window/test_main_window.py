"""The main window with the real bridge and model thread, a fake engine and in-memory audio."""

from __future__ import annotations

import os
import threading
from typing import Any

import pytest
from PySide6.QtGui import QKeySequence, QTextCursor
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QToolButton,
)

from app.core.preferences import Preferences
from app.core.text.export import parse_srt, parse_vtt
from app.core.transcript import Task, TaskSpec
from app.workers.engine_factory import default_engine_factory
from tests.support import fake_engine
from tests.support.cli import run_gui_script
from tests.support.window_rig import WAIT_MS, Rig, drop_urls

__all__ = ["WAIT_MS", "Rig"]  # tests/ui/meeting imports them from here
from tests.workers.helpers import speech_like


def test_window_opens_at_once_and_loads_the_model_in_the_background(rig) -> None:
    w = rig.window
    assert w.document_names() == ["Untitled"]
    assert not w.record_action.isEnabled()
    assert "not loaded" in w.record_action.toolTip()
    w.use_model("fake")  # returns at once: the state only changes via queued signals
    assert w.model_state == "idle"
    with rig.qtbot.waitSignal(rig.bridge.modelStateChanged, timeout=WAIT_MS):
        pass
    rig.qtbot.waitUntil(lambda: w.model_state == "ready", timeout=WAIT_MS)
    assert w.record_action.isEnabled()
    assert w.record_action.toolTip().startswith("Start or stop dictation")
    assert w.toolbar.model_label.text() == "Model: ready"


def test_missing_model_is_shown_once_and_controls_say_why(rig) -> None:
    rig.load("missing-model")
    w = rig.window
    assert w.model_state == "missing"
    assert not w.record_action.isEnabled()
    assert "was not found" in w.record_action.toolTip()
    assert "was not found" in w.banner.text()
    assert not w.actions_.open_audio.isEnabled()
    assert w.submit_paths([rig.audio_file("a.wav", 1.0)]) == []
    assert "No speech model is loaded" in w.banner.text()


def test_dropped_files_fill_the_queue_and_each_gets_a_tab(rig) -> None:
    rig.load()
    a = rig.audio_file("a.wav", 3.0)
    b = rig.audio_file("b.mp3", 2.0)
    notes = rig.tmp / "notes.txt"
    notes.write_text("x")
    drop_urls(rig.window, [a, notes, b])
    assert "notes.txt: not a supported audio or video file (.txt)." in rig.window.banner.text()
    queue = rig.window.queue.panel
    assert [row.path for row in queue.model().rows()] == [a, b]
    rig.wait_jobs_done()
    assert rig.window.document_names() == ["Untitled", "a.wav", "b.mp3"]
    views = rig.window.tabs.views()
    expected = fake_engine.fake_text(rig.files.files[a], TaskSpec())
    assert views[1].panes[0].editor.toPlainText() == expected
    assert views[1].source == a
    assert all(row.state == "done" for row in queue.model().rows())


def test_translate_shows_transcript_and_translation_side_by_side(rig) -> None:
    rig.load()
    tb = rig.window.toolbar
    tb.task_combo.setCurrentIndex(tb.task_combo.findData("translate:fr"))
    tb.lang_combo.setCurrentIndex(tb.lang_combo.findData("en"))
    specs = rig.window.current_specs()
    assert [(s.task, s.target_language) for s in specs] == [
        (Task.TRANSCRIBE, None),
        (Task.TRANSLATE, "fr"),
    ]
    rig.window.submit_paths([rig.audio_file("talk.wav", 2.0)])
    rig.wait_jobs_done()
    view = rig.window.tabs.views()[-1]
    assert view.view.is_side_by_side
    assert [p.label for p in view.panes] == ["Transcript", "Translation (French)"]
    transcript, translation = (p.editor.toPlainText() for p in view.panes)
    assert transcript.startswith("speech ") and translation.startswith("[fr] speech ")
    for pane in view.panes:
        assert not pane.editor.isReadOnly()


def test_export_uses_segment_timings_after_user_edits(rig) -> None:
    prefs = Preferences(max_chunk_s=5.0)
    rig.window.prefs = prefs
    rig.load()
    with rig.qtbot.waitSignal(rig.bridge.jobFinished, timeout=WAIT_MS) as blocker:
        rig.window.submit_paths([rig.audio_file("long.wav", 12.0)])
    results = blocker.args[1]
    rig.wait_jobs_done()
    segments = results[0].segments
    assert [(s.start, s.end) for s in segments] == [(0.0, 5.0), (5.0, 10.0), (10.0, 12.0)]
    pane = rig.window.tabs.views()[-1].panes[0]
    cursor = pane.editor.textCursor()
    cursor.setPosition(0)
    pane.editor.setTextCursor(cursor)
    rig.qtbot.keyClicks(pane.editor, "Meeting notes. ")
    cursor.movePosition(QTextCursor.MoveOperation.End)
    pane.editor.setTextCursor(cursor)
    rig.qtbot.keyClicks(pane.editor, " The end.")
    rig.window.tabs.setCurrentWidget(rig.window.tabs.views()[-1])
    for fmt, parse in (("srt", parse_srt), ("vtt", parse_vtt)):
        out = rig.tmp / f"long.{fmt}"
        assert rig.window.export_to(str(out), fmt)
        cues = parse(out.read_text(encoding="utf-8"))
        assert [(c.start, c.end) for c in cues] == [(s.start, s.end) for s in segments]
        assert cues[0].text.startswith("Meeting notes. speech")
        assert cues[-1].text.endswith("The end.")
    refused = rig.window.export_to(rig.window.tabs.views()[-1].source, "srt")
    assert not refused and "Refusing to overwrite" in rig.window.banner.text()


def test_cancelled_job_results_are_dropped(rig) -> None:
    rig.load()
    gate = threading.Event()
    slow = rig.audio_file("slow.wav", 2.0, gate=gate)
    (job,) = rig.window.submit_paths([slow])
    rig.window.queue.panel.cancelRequested.emit(job)
    gate.set()
    assert rig.window.jobs.active() == []
    rig.window.submit_paths([rig.audio_file("after.wav", 1.0)])
    rig.wait_jobs_done()  # the model thread has moved past the cancelled job
    assert "slow.wav" not in rig.window.document_names()
    assert rig.window.queue.panel.model().rows()[0].state == "cancelled"


def test_dictation_api_streams_partials_without_touching_user_text(rig) -> None:
    w = rig.window
    pane = w.dictation_panes(w.current_specs())[0]
    assert pane is w.current_pane()
    rig.qtbot.keyClicks(pane.editor, "Dear team, ")
    handle = pane.begin_partial("mic")
    pane.update_partial(handle, "thanks for")
    rig.qtbot.keyClicks(pane.editor, "!")  # the user's cursor moved past the partial
    pane.update_partial(handle, "thanks for coming")
    from app.core.transcript import Segment

    pane.commit(handle, Segment(0.0, 1.2, "Thanks for coming."))
    assert pane.editor.toPlainText() == "Dear team, Thanks for coming.!"
    # Translate while dictating: the same tab gains a translation column beside the transcript.
    specs = [TaskSpec(), TaskSpec(Task.TRANSLATE, "en", "de")]
    transcript, german = w.dictation_panes(specs)
    assert transcript is pane and w.current_view().view.is_side_by_side
    assert german.label == "Translation (German)"
    # A tab whose outputs do not match gets a new tab instead.
    other = w.dictation_panes([TaskSpec(Task.TRANSLATE, "en", "ja")])
    assert other[0] is not pane and len(w.document_names()) == 2


def test_save_open_and_new(rig) -> None:
    w = rig.window
    rig.qtbot.keyClicks(w.current_pane().editor, "Some text")
    target = rig.tmp / "out.md"
    assert w.save_to(str(target))
    assert target.read_text(encoding="utf-8") == "Some text"
    assert w.document_names() == ["out.md"] and not w.current_view().modified
    view = w.open_text_file(str(target))
    assert view is not None and view.panes[0].editor.toPlainText() == "Some text"
    assert w.open_text_file(str(rig.tmp / "missing.txt")) is None
    assert "Could not open missing.txt" in w.banner.text()
    w.actions_.new.trigger()
    assert w.document_names() == ["out.md", "out.md", "Untitled"]
    w.actions_.close_tab.trigger()
    assert len(w.document_names()) == 2


def test_controls_have_accessible_names_and_standard_shortcuts(rig) -> None:
    w = rig.window
    mine = [w.toolbar, w.banner, *w.panes(), w.tabs]
    for parent in mine:
        for kind in (QComboBox, QToolButton, QLineEdit, QPlainTextEdit):
            for widget in parent.findChildren(kind):
                if widget.objectName().startswith("qt_") or isinstance(
                    widget.parent(), (QComboBox, QLineEdit)
                ):  # Qt-internal parts (overflow, clear buttons)
                    continue
                assert widget.accessibleName(), widget
    acts = w.actions_
    for action, key in (
        (acts.new, QKeySequence.StandardKey.New),
        (acts.open, QKeySequence.StandardKey.Open),
        (acts.save, QKeySequence.StandardKey.Save),
        (acts.find, QKeySequence.StandardKey.Find),
    ):
        assert action.shortcut() == QKeySequence.keyBindings(key)[0]
    assert acts.export.shortcut() == QKeySequence("Ctrl+E")
    assert QKeySequence("Ctrl+R") in acts.record.shortcuts()
    assert acts.record.isCheckable() and w.record_action is acts.record
    for action in w.menuBar().actions():
        assert "&" in action.text()
    w.show_find()
    assert w.current_pane().find_bar.isVisibleTo(w)


@pytest.mark.slow
def test_tiny_model_text_arrives_in_a_tab(qtbot, tmp_path, monkeypatch, tiny_model_dir) -> None:
    from app.workers.files.pipeline import default_decoder
    from tests.support.media import write_speech

    monkeypatch.setenv("GRANITE_DICTATE_HOME", str(tmp_path / "home"))
    r = Rig(
        qtbot,
        tmp_path,
        Preferences(max_chunk_s=10.0),
        factory=default_engine_factory,
        decoder=default_decoder,
    )
    try:
        r.load(str(tiny_model_dir))
        assert r.window.model_state == "ready", r.window.banner.text()
        speech = write_speech(tmp_path / "hello.wav", "Hello there, this is a short test.")
        with qtbot.waitSignal(r.bridge.jobFinished, timeout=240_000) as blocker:
            r.window.submit_paths([str(speech)])
        results = blocker.args[1]
        view = r.window.tabs.views()[-1]
        assert view.title == "hello.wav"
        text = view.panes[0].editor.toPlainText()
        assert text.replace("\n", " ").split() == results[0].text.split()
        assert os.path.basename(results[0].source) == "hello.wav"
    finally:
        r.close()


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_screenshot_command_renders_the_window(qtbot, tmp_path, monkeypatch) -> None:
    from PySide6.QtGui import QImage

    from app.ui import screenshot

    monkeypatch.setenv("GRANITE_DICTATE_HOME", str(tmp_path / "home"))  # restored afterwards
    out = tmp_path / "shot.png"
    assert screenshot.main([str(out)]) == 0
    image = QImage(str(out))
    assert (image.width(), image.height()) == screenshot.SIZE
    assert screenshot.main([]) == 2


def test_failed_file_is_reported_and_can_be_retried(rig) -> None:
    rig.load()
    broken = rig.tmp / "broken.wav"
    broken.write_bytes(b"")  # exists, but the decoder does not know it: a decode error
    assert len(rig.window.submit_paths([str(broken)])) == 1
    rig.wait_jobs_done()
    assert rig.window.banner.text().startswith("broken.wav: ")
    assert rig.window.queue.panel.model().rows()[0].state == "failed"
    rig.files.add(str(broken), speech_like(1.0))
    rig.window.queue.panel.retryRequested.emit(str(broken))
    rig.wait_jobs_done()
    assert rig.window.document_names()[-1] == "broken.wav"
    assert rig.window.tabs.views()[-1].panes[0].editor.toPlainText().startswith("speech")


def test_closing_a_result_tab_cancels_its_job(rig) -> None:
    rig.load()
    gate = threading.Event()
    path = rig.audio_file("meeting.wav", 2.0, gate=gate)
    (job,) = rig.window.submit_paths([path])
    # A partial arrives for the job: its tab exists while the job still runs.
    rig.bridge.jobPartial.emit(job, 0, "so far", 0.0, 2.0)
    rig.qtbot.waitUntil(
        lambda: rig.window.tabs.views()[-1].panes[0].editor.toPlainText() == "so far",
        timeout=WAIT_MS,
    )
    view = rig.window.tabs.views()[-1]
    assert view.title == "meeting.wav" and view.panes[0].editor.toPlainText() == "so far"
    rig.window.ask_discard = lambda _w, _v: True
    rig.window.tabs.request_close(view)
    gate.set()
    assert rig.window.jobs.active() == []
    assert rig.window.queue.panel.model().rows()[0].state == "cancelled"


def test_preferences_apply_to_open_and_new_tabs(rig) -> None:
    w = rig.window
    w.apply_preferences(Preferences(insertion_mode="end", font_size=20))
    pane = w.current_pane()
    assert pane.insertion_mode == "end" and pane.editor.font().pointSize() == 20
    rig.qtbot.keyClicks(pane.editor, "ab")
    pane.editor.moveCursor(QTextCursor.MoveOperation.Start)
    from app.core.transcript import Segment

    pane.insert_segment(Segment(0, 1, "C"))
    assert pane.editor.toPlainText() == "abC"
    assert w.new_document().panes[0].editor.font().pointSize() == 20


RUN_GUI = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDockWidget
from app.ui.app import make_application, run_gui

app = make_application()

def poll():
    for w in app.topLevelWidgets():
        if type(w).__name__ == "MainWindow" and w.model_state not in ("idle", "loading"):
            print(w.model_state, w.isVisible(), w.record_action.isEnabled(), flush=True)
            # wired: dictation controller, Recordings dock, shell (tray menu, indicator)
            docks = sorted(d.objectName() for d in w.findChildren(QDockWidget))
            ctl = [type(c).__name__ for c in w.children() if type(c).__name__.startswith("Dict")]
            print(*ctl, type(w.desktop).__name__, *docks, flush=True)
            app.quit()
            return
    QTimer.singleShot(20, poll)

QTimer.singleShot(0, poll)
sys.exit(run_gui([]))
"""


@pytest.mark.slow
def test_run_gui_shows_the_window_then_loads_the_model(tmp_path) -> None:
    proc = run_gui_script(RUN_GUI, tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["ready", "True", "True"]
    assert lines[1].split() == [
        "DictationController",
        "AppShell",
        "history_dock",
        "keywords_dock",
        "queue_dock",
        "recordings_dock",
    ]
    log = (tmp_path / "logs" / "granite-dictate.log").read_text(encoding="utf-8")
    assert "App wired" in log
    assert "Traceback" not in log and " ERROR " not in log, log[-2000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]


def test_add_to_keywords_from_the_transcript(rig) -> None:
    pane = rig.window.current_pane()
    with rig.qtbot.waitSignal(rig.window.keywords.activeKeywordsChanged) as blocker:
        pane.editor.keywordRequested.emit("Kubernetes")
    assert "Kubernetes" in blocker.args[0]
    assert "Kubernetes" in rig.window.current_specs()[0].keywords


@pytest.mark.qt_log_ignore("propagateSizeHints")  # exec() shows a top-level dialog
def test_model_manager_folder_choice_loads_that_model(rig) -> None:
    from PySide6.QtCore import QTimer

    w = rig.window
    seen = []

    def drive() -> None:
        dialog: Any = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(10, drive)
            return
        seen.append(dialog)
        QTimer.singleShot(WAIT_MS, dialog.reject)  # safety net: never hang the suite
        dialog.folderChosen.emit("fake-folder")  # the fake factory loads any other name

    QTimer.singleShot(0, drive)
    w.open_model_manager()  # returns when the dialog accepts itself on "ready"
    assert seen and seen[0].result() == 1
    assert w.model_state == "ready" and w.prefs.model == "fake-folder"
    assert rig.settings.load_preferences().model == "fake-folder"


def test_batched_partials_show_the_earliest_chunk_only(rig) -> None:
    """A batched step decodes chunks in lockstep: partials interleave, the pane must not jump."""
    from app.core.transcript import Segment

    rig.load()
    gate = threading.Event()
    path = rig.audio_file("long.wav", 2.0, gate=gate)
    (job,) = rig.window.submit_paths([path])

    def pane_text() -> str:
        views = rig.window.tabs.views()
        return views[-1].panes[0].document.toPlainText() if views else ""

    def show(text: str, start: float, expected: str) -> None:
        rig.bridge.jobPartial.emit(job, 0, text, start, start + 10.0)
        rig.qtbot.waitUntil(lambda: pane_text() == expected, timeout=WAIT_MS)

    show("later chunk", 10.0, "later chunk")
    view = rig.window.tabs.views()[-1]
    show("first", 0.0, "first")  # an earlier chunk of the same step takes over
    show("first chunk", 0.0, "first chunk")
    rig.bridge.jobPartial.emit(job, 0, "later chunk grows", 10.0, 20.0)
    show("first chunk!", 0.0, "first chunk!")  # the later chunk never shows in between
    rig.bridge.jobSegment.emit(job, 0, Segment(0.0, 10.0, "first chunk.", path))
    rig.qtbot.waitUntil(lambda: pane_text() == "first chunk.\nlater chunk grows", timeout=WAIT_MS)
    rig.bridge.jobSegment.emit(job, 0, Segment(10.0, 20.0, "later chunk grows.", path))
    assert pane_text() == "first chunk.\nlater chunk grows."
    assert view.panes[0].document.toPlainText() == pane_text()
    rig.window.jobs.cancel(job)
    gate.set()


def test_a_burst_of_partials_costs_one_pane_update(rig) -> None:
    rig.load()
    gate = threading.Event()
    path = rig.audio_file("burst.wav", 2.0, gate=gate)
    (job,) = rig.window.submit_paths([path])
    rig.bridge.jobPartial.emit(job, 0, "w", 0.0, 2.0)
    rig.qtbot.waitUntil(lambda: rig.window.tabs.views()[-1].title == "burst.wav", timeout=WAIT_MS)
    pane = rig.window.tabs.views()[-1].panes[0]
    rig.qtbot.waitUntil(lambda: pane.document.toPlainText() == "w", timeout=WAIT_MS)
    updates: list[str] = []
    original = pane.update_partial

    def counting(handle: int, text: str) -> None:
        updates.append(text)
        original(handle, text)

    pane.update_partial = counting
    for n in range(2, 60):
        rig.bridge.jobPartial.emit(job, 0, "w" * n, 0.0, 2.0)
    rig.qtbot.waitUntil(lambda: pane.document.toPlainText() == "w" * 59, timeout=WAIT_MS)
    assert updates == ["w" * 59]
    rig.window.jobs.cancel(job)
    gate.set()
