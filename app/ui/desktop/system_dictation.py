"""System-wide dictation: the global shortcut's driver records through the window's
``DictationController`` and pastes the session's text into the frontmost app.

The driver's start/stop/cancel call the controller, so the text also lands in the window
(nothing is lost); once the recording has stopped and its last utterance is transcribed, the
joined text (``app.core.dictation.system_session``) goes to ``driver.transcription_done`` and
is pasted, never into our own window (``paste_guard``). Copy / Paste Last Dictation give the
last session's text, or the last utterance dictated in the window, again.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QApplication

from app.core.dictation.hotkey_state import Permission, State
from app.core.dictation.system_session import SystemSession
from app.core.transcript import Segment
from app.system import Platform
from app.system.hotkey_driver import DictationCallbacks, DictationDriver
from app.ui.desktop.paste_guard import SkipWhenActive
from app.ui.dictation.dictation_controller import DictationController
from app.ui.window.main_window import MainWindow

Notify = Callable[[str, Permission | None], None]


class SystemDictation(QObject):
    def __init__(
        self,
        window: MainWindow,
        controller: DictationController,
        platform: Platform,
        *,
        post: Callable[[Callable[[], None]], None],
        notify: Notify,
        state_changed: Callable[[State], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._window = window
        self._controller = controller
        self._platform = platform
        self._post = post
        self._notify = notify
        self._guard: SkipWhenActive | None = None
        if platform.injector is not None:
            self._guard = SkipWhenActive(platform.injector, window)
            platform.injector = self._guard
        self.session = SystemSession()
        self.driver = DictationDriver(
            platform,
            DictationCallbacks(
                start_capture=self._start_capture,
                stop_capture=self._stop_capture,
                cancel=self._cancel,
                notify=notify,
                state_changed=state_changed,
            ),
            post=post,
        )
        controller.utteranceCommitted.connect(self._on_committed)
        controller.utteranceRemoved.connect(self._on_removed)
        controller.utteranceTrimmed.connect(self._on_trimmed)
        controller.sessionEnded.connect(self._on_session_ended)
        window.bridge.jobFinished.connect(self._on_job_over)
        window.bridge.jobFailed.connect(self._on_job_over)

    @property
    def last_text(self) -> str:
        return self.session.last_text

    # --- driver callbacks (GUI thread) -------------------------------------------------
    def _start_capture(self) -> None:
        if self._window.model_state != "ready":
            self._notify("The speech model is not ready yet; dictation starts once it is.", None)
            self._post(self.driver.escape)
            return
        self.session.start()
        if self._guard is not None:
            self._guard.active_at_start = bool(self._window.isActiveWindow())
        # While the system asks for the microphone, the driver toggles again once allowed.
        if not self._controller.start(retry=self.driver.toggle):  # the controller showed why
            self.session.abandon()
            self._post(self.driver.escape)

    def _stop_capture(self) -> None:
        self._controller.stop(tail=True)
        self._check_done()

    def _cancel(self) -> None:
        if self.session.abandon():
            self._controller.cancel()

    # --- controller / bridge signals ---------------------------------------------------
    @Slot()
    def _on_trimmed(self) -> None:
        self.session.trimmed()

    @Slot()
    def _on_removed(self) -> None:
        self.session.removed()

    @Slot(object)
    def _on_committed(self, segment: Segment) -> None:
        self.session.committed(segment.text)

    @Slot(object)
    def _on_session_ended(self, _summary: object) -> None:
        if self.session.ended():
            if self.driver.state is State.RECORDING:  # stopped in the window or by itself
                self.driver.toggle()
            self._check_done()

    @Slot(int)
    def _on_job_over(self, *_args: object) -> None:
        self._check_done()

    def _check_done(self) -> None:
        if self._controller.pending_jobs or self.driver.state is not State.TRANSCRIBING:
            return
        text = self.session.finish()
        if text is not None:
            self.driver.transcription_done(text)

    # --- the last dictation, again --------------------------------------------------------
    @Slot()
    def copy_last(self) -> bool:
        """Menu bar → Copy Last Dictation."""
        if not self.last_text:
            self._notify("Nothing dictated yet.", None)
            return False
        clipboard = QApplication.clipboard()
        if clipboard is None:
            return False
        clipboard.setText(self.last_text)
        return True

    @Slot()
    def paste_last(self) -> bool:
        """Menu bar → Paste Last Dictation Again: into the frontmost app, never into this
        window (the injector guard skips it while the window is active)."""
        injector = self._guard.inner if self._guard is not None else self._platform.injector
        if not self.last_text or injector is None or self._window.isActiveWindow():
            if not self.last_text:
                self._notify("Nothing dictated yet.", None)
            return False
        injector.paste(self.last_text)
        return True
