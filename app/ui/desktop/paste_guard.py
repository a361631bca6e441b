"""What system-wide dictation pastes: the session's joined text, and an injector that never
pastes into our own window (the text is already there)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.core.text.postprocess import join_lines
from app.system.base import TextInjector


def session_text(pieces: list[str]) -> str:
    """A system-wide session's text to paste: its utterances as they were joined in the pane
    (spaces, capitals, the line breaks of spoken commands), the first one capitalised afresh."""
    if not pieces:
        return ""
    return (join_lines("", pieces[0]) + "".join(pieces[1:])).rstrip(" ")


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
