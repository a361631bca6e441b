"""The text of a system-wide dictation session (global shortcut → record → paste into the
frontmost app), kept as the window's pane joins it, and the last dictation for Copy / Paste Last
Dictation (no Qt here; ``app.ui.desktop.system_dictation`` feeds it the controller's signals).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.core.text.postprocess import join_lines


def session_text(pieces: list[str]) -> str:
    """A system-wide session's text to paste: its utterances as they were joined in the pane
    (spaces, capitals, the line breaks of spoken commands), the first one capitalised afresh."""
    if not pieces:
        return ""
    return (join_lines("", pieces[0]) + "".join(pieces[1:])).rstrip(" ")


@dataclass
class SystemSession:
    #: A system-wide (driver-started) recording is under way.
    active: bool = False
    #: Its recording has ended; its last utterances may still be on their way.
    over: bool = False
    #: Its utterances' texts as committed to the pane.
    texts: list[str] = field(default_factory=list)
    #: The last dictation: a session's text, or an utterance dictated in the window.
    last_text: str = ""

    def start(self) -> None:
        self.active, self.over, self.texts = True, False, []

    def abandon(self) -> bool:
        """Cancelled, or could not start: nothing is pasted. True if a session was under way."""
        was_active, self.active, self.texts = self.active, False, []
        return was_active

    def committed(self, text: str) -> None:
        """An utterance reached the pane (joined text, line breaks kept)."""
        if self.active:
            self.texts.append(text)
        else:
            self.last_text = text.strip()

    def removed(self) -> None:
        """The last utterance was scratched ("scratch that"): it is not pasted either."""
        if self.active and self.texts:
            self.texts.pop()

    def trimmed(self) -> None:
        """The last utterance's closing mark gave way to a spoken one."""
        if self.active and self.texts:
            self.texts[-1] = self.texts[-1].rstrip(" ")[:-1]

    def ended(self) -> bool:
        """The recording ended; True if it was a system-wide session's."""
        if self.active:
            self.over = True
        return self.active

    def finish(self) -> str | None:
        """Once the session is over (call it when no utterance is pending): the text to paste,
        which also becomes the last dictation; None while there is no finished session."""
        if not (self.active and self.over):
            return None
        text = session_text(self.texts)
        self.active, self.texts = False, []
        self.last_text = text or self.last_text
        return text
