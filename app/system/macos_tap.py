"""The global-hotkey event tap on a thread of its own with its own CFRunLoop (macOS).

A tap on the main run loop sits in the path of every keystroke system-wide: while the GUI
thread is busy, typing lags in every app until macOS disables the tap. Here the tap's run
loop source is added to a dedicated thread's run loop; the callback runs there and only hands
events on (``app.system.hotkey_driver`` posts them to the GUI thread). ``stop()`` ends the run
loop with ``CFRunLoopStop`` and the thread removes and invalidates the tap itself.

Quartz and CoreFoundation arrive as modules (pyobjc's, or fakes in tests), so this runs on
Linux under test.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from app.core.dictation.hotkey_state import default_explanation
from app.system.base import PermissionKind, SystemIntegrationError

log = logging.getLogger(__name__)

#: CGEventTapCallBack(proxy, type, event, refcon) -> event or None
TapCallback = Callable[[Any, int, Any, Any], Any]
START_TIMEOUT_S = 5.0


class TapThread:
    def __init__(self, quartz: Any, cf: Any, mask: int, callback: TapCallback) -> None:
        self._q = quartz
        self._cf = cf
        self._mask = mask
        self._callback = callback  # one long-lived callable: pyobjc keeps a reference to it
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._loop: Any = None
        self.tap: Any = None
        self.active = False  # True: an active tap (can swallow the shortcut)
        self._error: str | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def thread_ident(self) -> int | None:
        return self._thread.ident if self._thread is not None else None

    def start(self) -> None:
        """Create the tap on the new thread; ``SystemIntegrationError`` when the system
        refuses both an active and a listen-only tap (no Accessibility / Input Monitoring)."""
        self._thread = threading.Thread(target=self._run, name="hotkey-event-tap", daemon=True)
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT_S):
            raise SystemIntegrationError("The dictation shortcut could not start (event tap).")
        if self._error is not None:
            self._thread.join(START_TIMEOUT_S)
            raise SystemIntegrationError(self._error)

    def _create_tap(self) -> Any:
        q = self._q
        for option, active in ((q.kCGEventTapOptionDefault, True),
                               (q.kCGEventTapOptionListenOnly, False)):  # fmt: skip
            tap = q.CGEventTapCreate(
                q.kCGSessionEventTap, q.kCGHeadInsertEventTap, option, self._mask,
                self._callback, None,
            )  # fmt: skip
            if tap is not None:
                self.active = active
                return tap
        return None

    def _run(self) -> None:
        q, cf = self._q, self._cf
        tap = self._create_tap()
        if tap is None:
            self._error = default_explanation(PermissionKind.INPUT_MONITORING)
            self._ready.set()
            return
        source = cf.CFMachPortCreateRunLoopSource(None, tap, 0)
        loop = cf.CFRunLoopGetCurrent()
        cf.CFRunLoopAddSource(loop, source, cf.kCFRunLoopCommonModes)
        q.CGEventTapEnable(tap, True)
        self.tap, self._loop = tap, loop
        self._ready.set()
        try:
            cf.CFRunLoopRun()  # until stop(): CFRunLoopStop from the GUI thread
        finally:
            q.CGEventTapEnable(tap, False)
            cf.CFRunLoopRemoveSource(loop, source, cf.kCFRunLoopCommonModes)
            cf.CFMachPortInvalidate(tap)
            self.tap = None
            log.info("Event tap thread ended")

    def reenable(self) -> None:
        """The system turned the tap off (a slow callback, or user input): turn it back on."""
        if self.tap is not None:
            self._q.CGEventTapEnable(self.tap, True)

    def stop(self) -> None:
        if self._loop is not None:
            self._cf.CFRunLoopStop(self._loop)
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(START_TIMEOUT_S)
        self._thread = self._loop = None
