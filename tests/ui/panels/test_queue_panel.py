"""Queue panel: rows, progress text, cancel and retry signals, late events, retry re-use."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QProgressBar, QToolButton

from app.core.queue_model import JobState
from app.ui.panels.queue_panel import QueuePanel
from tests.support.clock import FakeClock
from tests.support.widgets import named_child


def make(qtbot, clock: FakeClock | None = None) -> QueuePanel:
    panel = QueuePanel(clock=clock or FakeClock())
    qtbot.addWidget(panel)
    return panel


def button(panel: QueuePanel, accessible: str) -> QToolButton:
    return named_child(panel, QToolButton, accessible)


def statuses(panel: QueuePanel) -> list[str]:
    return [label.text() for label in panel.findChildren(QLabel, "jobStatus")]


def test_progress_and_time_left(qtbot) -> None:
    clock = FakeClock()
    panel = make(qtbot, clock)
    panel.add("/audio/interview.m4a", 1)
    assert statuses(panel) == ["Waiting"]
    panel.set_decoding(1)
    assert statuses(panel) == ["Reading audio…"]
    clock.now = 20.0
    panel.set_progress(1, 30.0, 120.0)
    assert statuses(panel) == ["25 % · 1 min 00 s left"]
    bar = panel.findChild(QProgressBar)
    assert bar is not None and bar.value() == 250
    assert bar.accessibleName() == "Progress of interview.m4a"
    panel.set_finished(1)
    assert statuses(panel) == ["Done"]
    assert not button(panel, "Cancel interview.m4a").isVisibleTo(panel)


def test_cancel_button_emits_job_id_and_waits_for_confirmation(qtbot) -> None:
    panel = make(qtbot)
    panel.add("a.wav", 3)
    panel.add("b.wav", 4)
    cancel = button(panel, "Cancel b.wav")
    with qtbot.waitSignal(panel.cancelRequested) as blocker:
        qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    assert blocker.args == [4]
    assert statuses(panel) == ["Waiting", "Cancelling…"]
    assert not cancel.isEnabled()
    with qtbot.assertNotEmitted(panel.cancelRequested):
        qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    panel.set_cancelled(4)
    assert statuses(panel) == ["Waiting", "Cancelled"]
    assert button(panel, "Retry b.wav").isVisibleTo(panel)
    assert not button(panel, "Retry a.wav").isVisibleTo(panel)


def test_retry_of_failed_row_and_replace_job(qtbot) -> None:
    panel = make(qtbot)
    panel.add("/x/broken.ogg", 5)
    panel.set_failed(5, "broken.ogg: the model ran out of memory.")
    assert statuses(panel) == ["broken.ogg: the model ran out of memory."]
    with qtbot.waitSignal(panel.retryRequested) as blocker:
        qtbot.mouseClick(button(panel, "Retry broken.ogg"), Qt.MouseButton.LeftButton)
    assert blocker.args == ["/x/broken.ogg"]
    panel.replace_job(5, 6)
    assert panel.job_ids() == [6]
    assert statuses(panel) == ["Waiting"]
    assert not button(panel, "Retry broken.ogg").isVisibleTo(panel)
    with qtbot.waitSignal(panel.cancelRequested) as blocker:
        qtbot.mouseClick(button(panel, "Cancel broken.ogg"), Qt.MouseButton.LeftButton)
    assert blocker.args == [6]  # the button follows the new id


def test_re_adding_a_failed_path_reuses_its_row(qtbot) -> None:
    panel = make(qtbot)
    panel.add("c.wav", 1)
    panel.set_cancelled(1)
    panel.add("c.wav", 2)
    assert panel.job_ids() == [2]
    assert len(panel.findChildren(QLabel, "jobStatus")) == 1
    assert panel.model().row(2) is not None
    assert panel.model().row(2).state is JobState.QUEUED  # type: ignore[union-attr]


def test_late_events_after_cancel_are_ignored(qtbot) -> None:
    panel = make(qtbot)
    panel.add("d.wav", 9)
    panel.set_cancelled(9)
    panel.set_progress(9, 5, 10)
    panel.set_finished(9)
    panel.set_progress(123, 1, 2)  # unknown job: no error
    assert statuses(panel) == ["Cancelled"]


def test_clear_finished(qtbot) -> None:
    panel = make(qtbot)
    panel.add("e.wav", 1)
    panel.add("f.wav", 2)
    panel.set_finished(1)
    panel.clear_finished()
    assert panel.job_ids() == [2]
    qtbot.waitUntil(lambda: len(panel.findChildren(QLabel, "jobStatus")) == 1)


def test_adding_a_job_id_twice_keeps_one_row(qtbot) -> None:
    panel = make(qtbot)
    panel.add("g.wav", 1)
    panel.add("h.wav", 1)
    assert panel.job_ids() == [1]
    assert panel.model().row(1).path == "g.wav"  # type: ignore[union-attr]


def test_no_retry_for_a_file_that_is_not_audio_and_notes_on_done_rows(qtbot) -> None:
    panel = make(qtbot)
    panel.add("/x/notes.ogg", 1)
    panel.set_failed(1, "notes.ogg is not an audio or video file.")
    assert statuses(panel) == ["notes.ogg is not an audio or video file."]
    assert not button(panel, "Retry notes.ogg").isVisibleTo(panel)
    panel.add("/x/quiet.wav", 2)
    panel.set_finished_with_note(2, "No speech found.")
    panel.set_finished(2)  # the plain "done" that follows keeps the note
    assert statuses(panel)[1] == "No speech found."
