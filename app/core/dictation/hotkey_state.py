"""State machine for system-wide dictation: a global hotkey starts and stops capture, the
transcript is pasted into the frontmost app.

Pure logic: feed it events, carry out the actions it returns. The caller (the main window or
the tray controller) owns the microphone, the model worker and the text injector.

States: ``IDLE`` → ``RECORDING`` → ``TRANSCRIBING`` → ``IDLE``.

- Toggle mode: hotkey press starts recording, the next press stops it. Key releases are ignored.
- Hold-to-talk mode: press starts, release stops. A press shorter than ``min_hold_s`` is a
  tap: it is treated as a cancel (nothing to transcribe, nothing pasted).
- Escape while recording discards the audio; while transcribing it drops the coming result.
- A missing permission never fails silently: ``Notify`` carries a one-line explanation.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, field

log = logging.getLogger(__name__)


class State(enum.Enum):
    IDLE = "idle"
    RECORDING = "recording"
    TRANSCRIBING = "transcribing"


class Mode(enum.Enum):
    TOGGLE = "toggle"
    HOLD = "hold"


class Permission(enum.Enum):
    """Permissions system-wide dictation needs (macOS names; other systems map onto them)."""

    MICROPHONE = "microphone"
    ACCESSIBILITY = "accessibility"  # synthetic Cmd+V into other apps
    INPUT_MONITORING = "input_monitoring"  # global hotkey event tap


# --- events ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HotkeyDown:
    time_s: float = 0.0


@dataclass(frozen=True)
class HotkeyUp:
    time_s: float = 0.0


@dataclass(frozen=True)
class Escape:
    pass


@dataclass(frozen=True)
class TranscriptionDone:
    text: str


@dataclass(frozen=True)
class Error:
    message: str


Event = HotkeyDown | HotkeyUp | Escape | TranscriptionDone | Error


# --- actions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StartCapture:
    """Open the microphone and start buffering audio."""


@dataclass(frozen=True)
class StopCapture:
    """Close the microphone and send the buffered audio to the model."""


@dataclass(frozen=True)
class Cancel:
    """Close the microphone (if open), discard its audio and drop any pending result."""


@dataclass(frozen=True)
class Paste:
    """Insert ``text`` into the frontmost app (clipboard + Cmd+V, clipboard restored)."""

    text: str


@dataclass(frozen=True)
class Copy:
    """Put ``text`` on the clipboard and leave it there (pasting is not possible)."""

    text: str


@dataclass(frozen=True)
class Notify:
    """Show a one-line message (tray balloon / status bar). ``permission`` is set when the
    message explains a missing permission, so the UI can offer to open the settings pane."""

    message: str
    permission: Permission | None = None


Action = StartCapture | StopCapture | Cancel | Paste | Copy | Notify


@dataclass(frozen=True)
class PermissionStatus:
    """What the platform layer reported; ``True`` = granted (or not needed on this system)."""

    microphone: bool = True
    accessibility: bool = True
    input_monitoring: bool = True


_EXPLAIN: dict[Permission, str] = {
    Permission.MICROPHONE: (
        "Granite Dictate cannot use the microphone: allow it in System Settings › "
        "Privacy & Security › Microphone."
    ),
    Permission.ACCESSIBILITY: (
        "Granite Dictate cannot paste into other apps: allow it in System Settings › "
        "Privacy & Security › Accessibility. The text was copied to the clipboard."
    ),
    Permission.INPUT_MONITORING: (
        "The dictation shortcut cannot work: allow Granite Dictate in System Settings › "
        "Privacy & Security › Input Monitoring."
    ),
}


def default_explanation(permission: Permission) -> str:
    return _EXPLAIN[permission]


@dataclass
class DictationMachine:
    """Feed events with :meth:`handle`; it returns the actions to carry out, in order."""

    mode: Mode = Mode.TOGGLE
    min_hold_s: float = 0.25
    permissions: PermissionStatus = field(default_factory=PermissionStatus)
    explanations: dict[Permission, str] = field(default_factory=lambda: dict(_EXPLAIN))
    state: State = State.IDLE
    _pressed_at: float | None = field(default=None, repr=False)
    _key_down: bool = field(default=False, repr=False)

    def set_mode(self, mode: Mode) -> list[Action]:
        """Switch mode; an ongoing recording is cancelled so no half-state survives."""
        actions: list[Action] = []
        if mode is not self.mode and self.state is State.RECORDING:
            actions = self._cancel()
        self.mode = mode
        return actions

    def set_permissions(self, permissions: PermissionStatus) -> None:
        self.permissions = permissions

    def handle(self, event: Event) -> list[Action]:
        actions = self._dispatch(event)
        if actions:
            log.debug("%s in %s -> %s", event, self.state.value, actions)
        return actions

    # -- internals ----------------------------------------------------------------------------

    def _dispatch(self, event: Event) -> list[Action]:
        match event:
            case HotkeyDown():
                return self._down(event)
            case HotkeyUp():
                return self._up(event)
            case Escape():
                self._key_down = False  # recovers from a key release the system swallowed
                return self._cancel() if self.state is not State.IDLE else []
            case TranscriptionDone(text=text):
                return self._done(text)
            case Error(message=message):
                was_idle = self.state is State.IDLE
                self.state = State.IDLE
                self._pressed_at = None
                return [Notify(message)] if was_idle else [Cancel(), Notify(message)]
        return []  # pragma: no cover - exhaustive match

    def _down(self, event: HotkeyDown) -> list[Action]:
        if self._key_down:  # auto-repeat of a held key
            return []
        self._key_down = True
        if self.state is State.IDLE:
            if not self.permissions.microphone:
                return [self._explain(Permission.MICROPHONE)]
            self.state = State.RECORDING
            self._pressed_at = event.time_s
            return [StartCapture()]
        if self.state is State.RECORDING and self.mode is Mode.TOGGLE:
            self.state = State.TRANSCRIBING
            return [StopCapture()]
        return []  # busy transcribing: ignore, the result is on its way

    def _up(self, event: HotkeyUp) -> list[Action]:
        self._key_down = False
        if self.mode is not Mode.HOLD or self.state is not State.RECORDING:
            return []
        started = self._pressed_at if self._pressed_at is not None else event.time_s
        if event.time_s - started < self.min_hold_s:
            return self._cancel()  # a tap, not speech
        self.state = State.TRANSCRIBING
        return [StopCapture()]

    def _cancel(self) -> list[Action]:
        self.state = State.IDLE
        self._pressed_at = None
        return [Cancel()]

    def _done(self, text: str) -> list[Action]:
        if self.state is not State.TRANSCRIBING:
            return []  # late result of a cancelled recording
        self.state = State.IDLE
        self._pressed_at = None
        text = text.strip()
        if not text:
            return [Notify("No speech was recognised.")]
        if not self.permissions.accessibility:
            # The synthetic Cmd+V would be dropped: leave the text on the clipboard instead.
            return [Copy(text), self._explain(Permission.ACCESSIBILITY)]
        return [Paste(text)]

    def _explain(self, permission: Permission) -> Notify:
        return Notify(self.explanations.get(permission, _EXPLAIN[permission]), permission)


def startup_notices(
    permissions: PermissionStatus, explanations: dict[Permission, str] | None = None
) -> list[Notify]:
    """Messages to show when global dictation is switched on and something is missing."""
    table = explanations or _EXPLAIN
    missing = [
        p
        for p, granted in (
            (Permission.MICROPHONE, permissions.microphone),
            (Permission.INPUT_MONITORING, permissions.input_monitoring),
            (Permission.ACCESSIBILITY, permissions.accessibility),
        )
        if not granted
    ]
    return [Notify(table.get(p, _EXPLAIN[p]), p) for p in missing]
