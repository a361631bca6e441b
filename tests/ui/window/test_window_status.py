"""What the window says about file jobs: no stale progress after Cancel, "No speech found"."""

from __future__ import annotations

import threading

import numpy as np

from tests.support.window_rig import WAIT_MS


def test_cancel_clears_the_transcribing_status(rig) -> None:
    rig.load()
    w = rig.window
    gate = threading.Event()
    (job,) = w.submit_paths([rig.audio_file("long.wav", 2.0, gate=gate)])
    w.jobs.jobProgress.emit(job, 56.0, 100.0)  # what the bridge reports midway
    assert w.statusBar().currentMessage() == "Transcribing long.wav"
    assert w.status.progress_bar.isVisibleTo(w)
    w.queue.panel.cancelRequested.emit(job)
    assert "Transcribing" not in w.statusBar().currentMessage()
    assert not w.status.progress_bar.isVisibleTo(w)
    gate.set()


def test_empty_result_says_no_speech_found_in_tab_and_queue(rig) -> None:
    rig.load()
    w = rig.window
    w.toolbar.lang_combo.setCurrentIndex(w.toolbar.lang_combo.findData("fr"))
    quiet = rig.tmp / "quiet.wav"
    quiet.write_bytes(b"")
    rig.files.add(str(quiet), np.zeros(16000 * 2, np.float32))
    w.submit_paths([str(quiet)])
    rig.wait_jobs_done()
    view = w.tabs.views()[-1]
    assert view.title == "quiet.wav"
    pane = view.panes[0]
    assert pane.editor.toPlainText() == ""
    assert pane.editor.placeholderText().startswith("quiet.wav: No speech found;")
    assert "the spoken language was set to French" in pane.editor.placeholderText()
    row = w.queue.panel.model().rows()[0]
    assert row.state == "done" and row.note.startswith("No speech found;")
    rig.qtbot.waitUntil(lambda: not w.jobs.active(), timeout=WAIT_MS)


def test_names_say_what_things_are(rig) -> None:
    rig.load()
    w = rig.window
    assert w.windowTitle() == "Untitled[*] — Granite Dictate" and not w.isWindowModified()
    rig.qtbot.keyClicks(w.current_pane().editor, "x")
    assert w.isWindowModified()
    tb = w.toolbar
    tb.task_combo.setCurrentIndex(tb.task_combo.findData("translate:fr"))
    tb.lang_combo.setCurrentIndex(tb.lang_combo.findData("en"))
    rec = rig.audio_file("20261201-035450-901816.wav", 1.0)
    w.submit_paths([rig.audio_file("meeting.wav", 1.0), rec])
    titles = [r.title for r in w.queue.panel.model().rows()]
    assert titles == [
        "meeting.wav — Translate → French from English",
        "Recording 1 Dec 03:54 — Translate → French from English",
    ]
    rig.wait_jobs_done()
    assert w.document_names()[-2:] == ["meeting.wav — French", "Recording 1 Dec 03:54 — French"]
    w.tabs.setCurrentIndex(w.tabs.count() - 2)
    assert w.windowTitle().startswith("meeting.wav — French[*]")
    view = w.new_document()
    tb.task_combo.setCurrentIndex(tb.task_combo.findData("transcribe"))
    w.dictation_panes(w.current_specs())
    assert view.title.startswith("Dictation ") and len(view.title) == len("Dictation 14:32")
    assert w.tabs.tabText(w.tabs.indexOf(view)) == view.title


def test_dragging_files_highlights_the_drop_target(rig) -> None:
    import warnings

    from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent
    from PySide6.QtWidgets import QApplication

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(rig.tmp / "a.wav"))])
    editor = rig.window.current_pane().editor
    for target, styled in ((rig.window, rig.window.tabs), (editor.viewport(), editor)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            enter = QDragEnterEvent(
                QPoint(5, 5),
                Qt.DropAction.CopyAction,
                mime,
                Qt.MouseButton.LeftButton,
                Qt.KeyboardModifier.NoModifier,
            )
        QApplication.sendEvent(target, enter)
        assert enter.isAccepted() and "dashed" in styled.styleSheet()
        QApplication.sendEvent(target, QDragLeaveEvent())
        assert styled.styleSheet() == ""
