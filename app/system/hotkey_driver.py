"""Wires the dictation state machine to the platform services. Plain Python, no Qt.

The UI supplies what only it can do (start/stop the microphone, send audio to the model,
show messages) as callbacks, and a ``post`` function that moves hotkey callbacks — which the
platform may deliver on its own thread — onto the GUI thread before any state changes.

    driver = DictationDriver(platform, callbacks, post=gui_thread_post)
    driver.enable(Shortcut.parse("alt+space"), Mode.TOGGLE)
    ...                                      # later, from the model worker's result signal:
    driver.transcription_done(text)          # or driver.error(str(err))
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from app.core.dictation.hotkey_state import (
    Action,
    Cancel,
    Copy,
    DictationMachine,
    Error,
    Escape,
    Event,
    HotkeyDown,
    HotkeyUp,
    Mode,
    Notify,
    Paste,
    Permission,
    StartCapture,
    State,
    StopCapture,
    TranscriptionDone,
    startup_notices,
)
from app.core.errors import GraniteError
from app.system.base import Platform, Shortcut, permission_status

log = logging.getLogger(__name__)


@dataclass
class DictationCallbacks:
    start_capture: Callable[[], None]
    stop_capture: Callable[[], None]  # then transcribe what was captured
    cancel: Callable[[], None]  # close the mic if open, drop audio and any pending result
    notify: Callable[[str, Permission | None], None]
    state_changed: Callable[[State], None] = lambda _state: None
    #: every dictated text, pasted or not, so the window can keep it (no text is ever lost)
    text_ready: Callable[[str], None] = lambda _text: None


class DictationDriver:
    def __init__(
        self,
        platform: Platform,
        callbacks: DictationCallbacks,
        *,
        post: Callable[[Callable[[], None]], None] = lambda fn: fn(),
        clock: Callable[[], float] | None = None,
        use_typing: bool = False,
    ) -> None:
        import time

        self._platform = platform
        self._cb = callbacks
        self._post = post
        self._clock = clock or time.monotonic
        self.use_typing = use_typing
        self.machine = DictationMachine(permissions=permission_status(platform.permissions))
        self._enabled = False

    @property
    def state(self) -> State:
        return self.machine.state

    @property
    def enabled(self) -> bool:
        return self._enabled

    def enable(self, shortcut: Shortcut, mode: Mode = Mode.TOGGLE) -> bool:
        """Register the global shortcut. Returns False (after notifying why) when it cannot."""
        self.disable()
        self.machine.set_mode(mode)
        self.refresh_permissions()
        for notice in startup_notices(self.machine.permissions):
            self._cb.notify(notice.message, notice.permission)
        hotkey = self._platform.hotkey
        if hotkey is None:
            self._cb.notify("A global dictation shortcut is not supported on this system.", None)
            return False
        try:
            hotkey.register(
                shortcut,
                lambda: self._post(lambda: self.feed(HotkeyDown(self._clock()))),
                lambda: self._post(lambda: self.feed(HotkeyUp(self._clock()))),
            )
        except GraniteError as exc:
            self._cb.notify(str(exc), Permission.INPUT_MONITORING)
            return False
        self._enabled = True
        log.info("Global dictation enabled on %s (%s)", shortcut, mode.value)
        return True

    def disable(self) -> None:
        if self.machine.state is not State.IDLE:
            self.feed(Escape())
        if self._platform.hotkey is not None and self._enabled:
            self._platform.hotkey.unregister()
        self._enabled = False

    def refresh_permissions(self) -> None:
        """Call when the app becomes active again (the user may have changed System Settings)."""
        self.machine.set_permissions(permission_status(self._platform.permissions))

    def set_mode(self, mode: Mode) -> None:
        self._run(self.machine.set_mode(mode))

    # -- events from the UI / worker (GUI thread) ----------------------------------------------

    def toggle(self) -> None:
        """Start/stop from the tray menu: a press and release in toggle semantics."""
        mode = self.machine.mode
        self.machine.mode = Mode.TOGGLE
        try:
            now = self._clock()
            self.feed(HotkeyDown(now))
            self.feed(HotkeyUp(now))
        finally:
            self.machine.mode = mode

    def escape(self) -> None:
        self.feed(Escape())

    def transcription_done(self, text: str) -> None:
        self.feed(TranscriptionDone(text))

    def error(self, message: str) -> None:
        self.feed(Error(message))

    def feed(self, event: Event) -> None:
        before = self.machine.state
        actions = self.machine.handle(event)
        self._run(actions)
        after = self.machine.state
        if after is not before:
            self._watch_escape(after is not State.IDLE)
            self._cb.state_changed(after)

    # -- carrying out actions ------------------------------------------------------------------

    def _watch_escape(self, on: bool) -> None:
        hotkey = self._platform.hotkey
        if hotkey is not None and self._enabled:
            hotkey.watch_escape((lambda: self._post(self.escape)) if on else None)

    def _run(self, actions: list[Action]) -> None:
        for action in actions:
            try:
                self._do(action)
            except GraniteError as exc:
                self._cb.notify(str(exc), None)

    def _do(self, action: Action) -> None:
        match action:
            case StartCapture():
                self._cb.start_capture()
            case StopCapture():
                self._cb.stop_capture()
            case Cancel():
                self._cb.cancel()
            case Paste(text=text):
                self._cb.text_ready(text)
                injector = self._platform.injector
                if injector is None:
                    self._cb.notify("Pasting into other apps is not available here.", None)
                elif self.use_typing:
                    injector.type_text(text)
                else:
                    injector.paste(text)
            case Copy(text=text):
                self._cb.text_ready(text)
                if self._platform.injector is not None:
                    self._platform.injector.copy(text)
            case Notify(message=message, permission=permission):
                self._cb.notify(message, permission)
