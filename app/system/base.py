"""Interfaces of the system-wide dictation layer (global hotkey, text injection, permissions,
launch at login) and the platform-independent clipboard-paste algorithm.

No Qt here. Implementations: ``app.system.fake`` (tests), ``app.system.macos`` (pyobjc, darwin
only), ``app.system.x11`` (xdotool/xclip on Linux, optional). Callbacks from a platform layer
may arrive on a foreign thread: the UI must hop to the GUI thread (queued signal) before
touching widgets.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from app.core.dictation.hotkey_state import Permission, PermissionStatus
from app.core.errors import GraniteError

log = logging.getLogger(__name__)

#: Seconds to wait after the synthetic paste before the previous clipboard is put back. The
#: target app reads the pasteboard asynchronously; restoring too early pastes the old content
#: (0.4 s was too short for slow apps; peers wait about a second). Preferences → Advanced.
RESTORE_DELAY_S = 1.0


class SystemIntegrationError(GraniteError):
    """A system-wide feature is unavailable (missing tool, permission or API)."""


class MicrophoneStatus(enum.Enum):
    GRANTED = "granted"
    DENIED = "denied"  # denied or restricted: only System Settings can change it
    NOT_DETERMINED = "not_determined"  # the system will ask on first use


#: The permissions dictation needs; shared with the state machine in ``app.core``.
PermissionKind = Permission


@dataclass(frozen=True)
class Shortcut:
    """A key combination such as ``Shortcut("space", ("alt",))``. Key names are lower-case:
    letters, digits, ``space``, ``escape``, ``f1``..``f20``; modifiers: cmd, ctrl, alt, shift."""

    key: str
    modifiers: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> Shortcut:
        """Parse ``"alt+space"`` / ``"Cmd+Shift+D"``; raises ``UsageError`` on nonsense."""
        from app.core.errors import UsageError

        parts = [p.strip().lower() for p in text.replace("-", "+").split("+") if p.strip()]
        if not parts:
            raise UsageError("The dictation shortcut is empty.")
        aliases = {"option": "alt", "opt": "alt", "command": "cmd", "control": "ctrl"}
        mods = tuple(sorted({aliases.get(p, p) for p in parts[:-1]}))
        unknown = [m for m in mods if m not in MODIFIERS]
        if unknown:
            raise UsageError(f"Unknown modifier in shortcut {text!r}: {unknown[0]}.")
        key = aliases.get(parts[-1], parts[-1])
        if key in MODIFIERS:
            raise UsageError(f"The shortcut {text!r} needs a key besides the modifiers.")
        return cls(key, mods)

    def __str__(self) -> str:
        return "+".join((*self.modifiers, self.key))


MODIFIERS = ("alt", "cmd", "ctrl", "shift")


class GlobalHotkey(Protocol):
    """A system-wide shortcut that works while another app is frontmost."""

    def register(
        self, shortcut: Shortcut, on_down: Callable[[], None], on_up: Callable[[], None]
    ) -> None:
        """Start listening. Key auto-repeat is filtered out. Raises ``SystemIntegrationError``
        when the platform refuses (e.g. Input Monitoring not granted)."""
        ...

    def unregister(self) -> None:
        """Stop listening; safe to call when nothing is registered."""
        ...

    def watch_escape(self, on_escape: Callable[[], None] | None) -> None:
        """While set, a bare Esc press anywhere calls ``on_escape`` (used only while recording
        or transcribing, so Esc keeps working normally in other apps the rest of the time)."""
        ...


class TextInjector(Protocol):
    def paste(self, text: str) -> None:
        """Insert ``text`` into the frontmost app: clipboard + synthetic paste keystroke, with
        the previous clipboard content restored shortly afterwards."""
        ...

    def type_text(self, text: str) -> None:
        """Type ``text`` as synthetic key events (slow; for apps that block paste)."""
        ...

    def copy(self, text: str) -> None:
        """Put ``text`` on the clipboard and leave it there."""
        ...

    def set_restore_delay(self, seconds: float) -> None:
        """How long after a paste the previous clipboard content is put back."""
        ...


#: Called once with the user's answer to the microphone prompt, on any thread.
MicrophoneAnswer = Callable[[bool], None]


class Permissions(Protocol):
    def accessibility_granted(self) -> bool: ...

    def input_monitoring_granted(self) -> bool: ...

    def microphone_status(self) -> MicrophoneStatus: ...

    def request_microphone(self, on_answer: MicrophoneAnswer) -> None:
        """Show the system's microphone prompt (status ``NOT_DETERMINED``); ``on_answer``
        gets the answer, possibly on another thread. Answers at once where nothing asks."""
        ...

    def prompt_accessibility(self) -> bool:
        """Ask the system to show its Accessibility prompt, which also lists the app in
        System Settings; returns whether access is granted already."""
        ...

    def explain(self, kind: PermissionKind) -> str:
        """One line telling the user where to grant ``kind``."""
        ...

    def settings_url(self, kind: PermissionKind) -> str | None:
        """A URL that opens the System Settings pane for ``kind`` (``None``: no such pane)."""
        ...


def permission_status(permissions: Permissions) -> PermissionStatus:
    """Snapshot for :class:`app.core.dictation.hotkey_state.DictationMachine`.

    A microphone the system has not asked about yet counts as granted here: starting a
    capture asks first (``app.system.permission_flow.MicrophoneGate``). Input Monitoring is
    checked only when the hotkey needs it: with Accessibility the hotkey is an active event
    tap, which needs nothing else; without it a listen-only tap needs Input Monitoring.
    """
    accessibility = permissions.accessibility_granted()
    return PermissionStatus(
        microphone=permissions.microphone_status() is not MicrophoneStatus.DENIED,
        accessibility=accessibility,
        input_monitoring=accessibility or permissions.input_monitoring_granted(),
    )


class LoginItem(Protocol):
    def enabled(self) -> bool: ...

    def set_enabled(self, enabled: bool) -> None:
        """Raises ``SystemIntegrationError`` with a one-line reason when it cannot."""
        ...


# --- clipboard paste, shared by the platform injectors -----------------------------------------


class Clipboard(Protocol):
    """The system clipboard as the paste algorithm needs it."""

    def snapshot(self) -> object:
        """Everything on the clipboard now (all types), opaque to the caller."""
        ...

    def set_text(self, text: str) -> None: ...

    def restore(self, snapshot: object) -> None: ...

    def change_count(self) -> int:
        """Increases whenever anyone writes to the clipboard."""
        ...


#: schedule(delay_s, fn): run ``fn`` once after ``delay_s`` seconds, not blocking the caller.
Scheduler = Callable[[float, Callable[[], None]], None]


def paste_via_clipboard(
    clipboard: Clipboard,
    send_paste_keystroke: Callable[[], None],
    text: str,
    schedule: Scheduler,
    restore_delay_s: float = RESTORE_DELAY_S,
) -> None:
    """Put ``text`` on the clipboard, send the paste keystroke, and put the previous content
    back after ``restore_delay_s`` unless someone else wrote to the clipboard meanwhile."""
    saved = clipboard.snapshot()
    clipboard.set_text(text)
    ours = clipboard.change_count()
    try:
        send_paste_keystroke()
    except Exception:
        clipboard.restore(saved)
        raise

    def _restore() -> None:
        if clipboard.change_count() != ours:
            log.info("Clipboard changed after paste; not restoring the previous content")
            return
        clipboard.restore(saved)

    schedule(restore_delay_s, _restore)


def timer_scheduler(delay_s: float, fn: Callable[[], None]) -> None:
    """A :data:`Scheduler` on a daemon ``threading.Timer`` (for injectors used without Qt)."""
    import threading

    timer = threading.Timer(delay_s, fn)
    timer.daemon = True
    timer.start()


@dataclass
class Platform:
    """The four services the UI wires together; ``None`` means unsupported on this system."""

    hotkey: GlobalHotkey | None
    injector: TextInjector | None
    permissions: Permissions
    login_item: LoginItem | None
    name: str
