"""The permission steps around system-wide dictation, as plain Python (the UI drives them).

- :class:`MicrophoneGate`: the microphone opens only once the system said yes. While the
  status is *not determined* it shows the system prompt and waits for the answer (a stream
  opened meanwhile would record zeros); on yes it calls the caller's ``retry``, on no (or
  *denied* already) ``on_denied`` once, so the UI shows one message with the settings button.
- :class:`AccessibilityWatch`: the first time system-wide dictation is switched on without
  Accessibility, ask the system to prompt (which also lists the app in System Settings), then
  watch — on every app activation and on a poll while waiting — and call ``on_granted`` when
  it arrives, so the hotkey is registered again (an active tap) and pasting works without a
  restart.
- :func:`permission_rows`: the states shown in Preferences and the window's banner.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from app.system.base import MicrophoneStatus, PermissionKind, Permissions

log = logging.getLogger(__name__)

Post = Callable[[Callable[[], None]], None]


class MicrophoneGate:
    def __init__(
        self,
        permissions: Permissions,
        *,
        post: Post = lambda fn: fn(),
        on_denied: Callable[[], None] = lambda: None,
    ) -> None:
        self._permissions = permissions
        self._post = post  # the answer arrives on a system thread: hop to the GUI thread
        self.on_denied = on_denied
        self._retry: Callable[[], None] | None = None
        self.asking = False

    def check(self, retry: Callable[[], None]) -> bool:
        """True: open the microphone now. False: not now; ``retry`` runs if the user allows
        access at the prompt now on screen (the latest caller's ``retry`` wins)."""
        status = self._permissions.microphone_status()
        if status is MicrophoneStatus.GRANTED:
            return True
        if status is MicrophoneStatus.DENIED:
            self.on_denied()
            return False
        self._retry = retry
        if not self.asking:
            self.asking = True
            log.info("Microphone access not determined: asking the system")
            self._permissions.request_microphone(
                lambda granted: self._post(lambda: self._answered(granted))
            )
        return False

    def _answered(self, granted: bool) -> None:
        self.asking = False
        retry, self._retry = self._retry, None
        if not granted:
            self.on_denied()
        elif retry is not None:
            retry()


class AccessibilityWatch:
    """``enable()`` when system-wide dictation is switched on; ``check()`` on app activation
    and on each poll tick while ``waiting``."""

    def __init__(
        self,
        permissions: Permissions,
        on_granted: Callable[[], None],
        *,
        prompted: bool = False,
        remember_prompted: Callable[[], None] = lambda: None,
    ) -> None:
        self._permissions = permissions
        self.on_granted = on_granted
        self.prompted = prompted
        self._remember = remember_prompted
        self.waiting = False

    def enable(self) -> bool:
        """Start waiting if Accessibility is missing (prompting the first time ever).
        Returns ``waiting``."""
        if self._permissions.accessibility_granted():
            self.waiting = False
            return False
        if not self.prompted:
            self.prompted = True
            self._remember()
            if self._permissions.prompt_accessibility():
                self.waiting = False
                self.on_granted()
                return False
        self.waiting = True
        return True

    def disable(self) -> None:
        self.waiting = False

    def check(self) -> bool:
        """True when access arrived just now (``on_granted`` was called)."""
        if not self.waiting or not self._permissions.accessibility_granted():
            return False
        self.waiting = False
        log.info("Accessibility access granted")
        self.on_granted()
        return True


@dataclass(frozen=True)
class PermissionRow:
    kind: PermissionKind
    label: str
    granted: bool
    needed: bool  # False: not needed with the current settings (shown as such)
    detail: str  # one line: what it is for, or what to do
    settings_url: str | None


_LABELS = {
    PermissionKind.MICROPHONE: "Microphone",
    PermissionKind.ACCESSIBILITY: "Accessibility",
    PermissionKind.INPUT_MONITORING: "Input Monitoring",
}
_USES = {
    PermissionKind.MICROPHONE: "records your speech",
    PermissionKind.ACCESSIBILITY: "pastes into other apps and runs the shortcut",
    PermissionKind.INPUT_MONITORING: "runs the shortcut without Accessibility",
}


def permission_rows(permissions: Permissions, *, system_wide: bool) -> list[PermissionRow]:
    """One row per permission: granted or missing, whether it is needed now, the pane URL.
    Input Monitoring is needed only when system-wide dictation is on and Accessibility is
    missing (then the hotkey falls back to a listen-only tap)."""
    mic = permissions.microphone_status()
    accessibility = permissions.accessibility_granted()
    rows = [
        (PermissionKind.MICROPHONE, mic is MicrophoneStatus.GRANTED, True, mic),
        (PermissionKind.ACCESSIBILITY, accessibility, system_wide, None),
    ]
    im_needed = system_wide and not accessibility
    im = permissions.input_monitoring_granted() if im_needed else True
    rows.append((PermissionKind.INPUT_MONITORING, im, im_needed, None))
    out = []
    for kind, granted, needed, status in rows:
        if status is MicrophoneStatus.NOT_DETERMINED:
            detail = "the system asks when you first record"
        elif granted or not needed:
            detail = _USES[kind]
        else:
            detail = permissions.explain(kind)
        out.append(
            PermissionRow(kind, _LABELS[kind], granted, needed, detail, _url(permissions, kind))
        )
    return out


def _url(permissions: Permissions, kind: PermissionKind) -> str | None:
    return permissions.settings_url(kind)
