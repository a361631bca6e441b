"""An injector for system-wide dictation that never pastes into our own window (the text is
already there); the session's text itself is ``app.core.dictation.system_session``'s."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.system.base import TextInjector


class SkipWhenActive:
    """A text injector that does nothing when the main window was active at the start of the
    recording or is active now: the dictated text is already there, and pasting it again
    would double it."""

    def __init__(self, inner: TextInjector, window: QWidget) -> None:
        self.inner = inner
        self.window = window
        self.active_at_start = False

    def _ours(self) -> bool:
        return self.active_at_start or bool(self.window.isActiveWindow())

    def paste(self, text: str) -> None:
        if not self._ours():
            self.inner.paste(text)

    def type_text(self, text: str) -> None:
        if not self._ours():
            self.inner.type_text(text)

    def copy(self, text: str) -> None:
        self.inner.copy(text)

    def set_restore_delay(self, seconds: float) -> None:
        self.inner.set_restore_delay(seconds)
