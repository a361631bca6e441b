"""Floating recording indicator: shows for recording/transcribing, hides when idle, no focus."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.ui.desktop.recording_indicator import RecordingIndicator


def test_indicator_follows_state(qtbot) -> None:
    ind = RecordingIndicator()
    qtbot.addWidget(ind)
    assert not ind.isVisible()
    ind.set_state("recording")
    assert ind.isVisible() and "Esc" in ind.text()
    assert ind.windowFlags() & Qt.WindowType.WindowDoesNotAcceptFocus
    assert ind.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
    ind.set_level(0.8)
    assert ind.level == 0.8
    ind.set_level(7.0)
    assert ind.level == 1.0
    image = ind.grab().toImage()
    assert image.width() == ind.WIDTH
    ind.set_state("transcribing")
    assert ind.isVisible() and ind.text() == "Transcribing…"
    ind.set_state("idle")
    assert not ind.isVisible() and ind.level == 0.0


def test_indicator_sits_at_top_centre_of_screen(qtbot) -> None:
    ind = RecordingIndicator()
    qtbot.addWidget(ind)
    ind.set_state("recording")
    area = ind.screen().availableGeometry()
    assert abs(ind.geometry().center().x() - area.center().x()) <= 1
    assert ind.geometry().top() == area.top() + ind.MARGIN_TOP
