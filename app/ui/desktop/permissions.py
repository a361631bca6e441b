"""Permissions in the running app (Qt side of ``app.system.permission_flow``).

- The microphone opens only after the system said yes (``MicrophoneGate`` on the dictation
  controller); a denial shows one message in the window's banner with "Open System
  Settings" for the Microphone pane.
- Turning system-wide dictation on without Accessibility asks the system to prompt (the first
  time ever: a marker file in the config folder), then watches: on every app activation and
  every second while waiting (up to ``POLL_LIMIT_S``). When access arrives the hotkey is
  registered again and the banner clears.
- Missing permissions go to the banner (with the pane's button), not only to tray balloons,
  which macOS may never show.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, QUrl, Slot
from PySide6.QtGui import QDesktopServices

from app.core.dictation.hotkey_state import Permission
from app.system.base import Permissions
from app.system.permission_flow import (
    AccessibilityWatch,
    MicrophoneGate,
    PermissionRow,
    Post,
    permission_rows,
)

log = logging.getLogger(__name__)

POLL_MS = 1000
POLL_LIMIT_S = 600
BANNER_SOURCE = "permission"
OPEN_SETTINGS = "Open System Settings"
#: Marker file (config folder): the system's Accessibility prompt was shown once.
ACCESSIBILITY_PROMPTED = "accessibility-prompted"

#: show(message, (button text, callback) or None) in the window's banner
BannerShow = Callable[[str, tuple[str, Callable[[], None]] | None], None]


def _open_url(url: str) -> None:
    if not QDesktopServices.openUrl(QUrl(url)):
        log.warning("Could not open %s", url)


class PermissionsController(QObject):
    def __init__(
        self,
        permissions: Permissions,
        *,
        post: Post,
        show_banner: BannerShow,
        clear_banner: Callable[[], None],
        reregister_hotkey: Callable[[], None],
        open_url: Callable[[str], None] | None = None,
        prompted_marker: Path | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.permissions = permissions
        self._marker = prompted_marker
        self._show = show_banner
        self._clear = clear_banner
        self.open_url = open_url or _open_url
        self.microphone = MicrophoneGate(
            permissions, post=post, on_denied=lambda: self.show_missing(Permission.MICROPHONE)
        )
        self.accessibility = AccessibilityWatch(
            permissions,
            self._accessibility_arrived,
            prompted=prompted_marker is not None and prompted_marker.exists(),
            remember_prompted=self._remember_prompted,
        )
        self._reregister = reregister_hotkey
        self.system_wide = False
        self.poll = QTimer(self)
        self.poll.setInterval(POLL_MS)
        self.poll.timeout.connect(self._tick)
        self._ticks_left = 0

    def _remember_prompted(self) -> None:
        """The system prompt is shown once ever; afterwards the banner and Preferences offer
        the settings pane."""
        if self._marker is None:
            return
        try:
            self._marker.parent.mkdir(parents=True, exist_ok=True)
            self._marker.touch()
        except OSError as err:
            log.warning("Cannot remember the Accessibility prompt: %s", err)

    # --- system-wide dictation on / off --------------------------------------------------
    def system_wide_enabled(self) -> None:
        self.system_wide = True
        self._watch_accessibility()

    def _watch_accessibility(self) -> None:
        if self.accessibility.enable():
            self._ticks_left = POLL_LIMIT_S * 1000 // POLL_MS
            self.poll.start()

    def system_wide_disabled(self) -> None:
        self.system_wide = False
        self.accessibility.disable()
        self.poll.stop()

    # --- checks --------------------------------------------------------------------------
    @Slot()
    def recheck(self) -> None:
        """The app became active: the user may have changed System Settings."""
        self.accessibility.check()
        if not self.missing():
            self._clear()

    @Slot()
    def _tick(self) -> None:
        self._ticks_left -= 1
        if self.accessibility.check() or not self.accessibility.waiting or self._ticks_left <= 0:
            self.poll.stop()

    def _accessibility_arrived(self) -> None:
        log.info("Accessibility granted: registering the shortcut again")
        self.poll.stop()
        self._reregister()
        if not self.missing():
            self._clear()

    # --- what the user sees --------------------------------------------------------------
    def rows(self) -> list[PermissionRow]:
        return permission_rows(self.permissions, system_wide=self.system_wide)

    def missing(self) -> list[PermissionRow]:
        return [r for r in self.rows() if r.needed and not r.granted]

    def show_missing(self, kind: Permission, message: str | None = None) -> None:
        """The banner names what is missing, with the button for its settings pane."""
        text = message or self.permissions.explain(kind)
        url = self.permissions.settings_url(kind)
        action = None
        if url:

            def open_pane() -> None:
                self.open_url(url)

            action = (OPEN_SETTINGS, open_pane)
        log.info("Permission missing (%s): %s", kind.value, text)
        self._show(text, action)

    def fix(self, kind: Permission) -> None:
        """A "fix" button in Preferences: the system prompt where there is one, else the pane."""
        if kind is Permission.ACCESSIBILITY and not self.accessibility.prompted:
            self._watch_accessibility()
            return
        url = self.permissions.settings_url(kind)
        if url:
            self.open_url(url)
