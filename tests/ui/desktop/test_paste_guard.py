from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.system.fake import FakeTextInjector
from app.ui.desktop.paste_guard import SkipWhenActive


def test_text_goes_to_the_other_app_unless_our_window_was_active_at_the_start(qtbot) -> None:
    window = QWidget()
    qtbot.addWidget(window)  # never shown: not the active window
    inner = FakeTextInjector()
    guard = SkipWhenActive(inner, window)
    guard.paste("one")
    guard.type_text("two")
    assert inner.keystrokes == [("paste", "one"), ("type", "two")]
    guard.active_at_start = True  # the text is already in our window: not again
    guard.paste("three")
    guard.type_text("four")
    assert inner.keystrokes == [("paste", "one"), ("type", "two")]
    guard.copy("five")  # copying is never a second paste
    guard.set_restore_delay(0.25)
    assert inner.clipboard.content == "five" and inner.restore_delay_s == 0.25
