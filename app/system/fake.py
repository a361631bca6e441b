"""In-memory implementations of the system layer: they record calls for tests and stand in on
systems without global-hotkey support."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from app.core.dictation.hotkey_state import default_explanation
from app.system.base import (
    RESTORE_DELAY_S,
    MicrophoneAnswer,
    MicrophoneStatus,
    PermissionKind,
    Shortcut,
    SystemIntegrationError,
    paste_via_clipboard,
)


class ManualScheduler:
    """A :data:`~app.system.base.Scheduler` that runs callbacks only when told to."""

    def __init__(self) -> None:
        self.pending: list[tuple[float, Callable[[], None]]] = []

    def __call__(self, delay_s: float, fn: Callable[[], None]) -> None:
        self.pending.append((delay_s, fn))

    def run_pending(self) -> int:
        ran = 0
        while self.pending:
            _, fn = self.pending.pop(0)
            fn()
            ran += 1
        return ran


class FakeHotkey:
    """Records registration; ``press()``/``release()`` play the user's part."""

    def __init__(self, *, refuse: str | None = None) -> None:
        self.shortcut: Shortcut | None = None
        self.calls: list[str] = []
        self._refuse = refuse
        self._on_down: Callable[[], None] | None = None
        self._on_up: Callable[[], None] | None = None
        self._on_escape: Callable[[], None] | None = None

    def register(
        self, shortcut: Shortcut, on_down: Callable[[], None], on_up: Callable[[], None]
    ) -> None:
        self.calls.append(f"register {shortcut}")
        if self._refuse:
            raise SystemIntegrationError(self._refuse)
        self.shortcut, self._on_down, self._on_up = shortcut, on_down, on_up

    def unregister(self) -> None:
        self.calls.append("unregister")
        self.shortcut = self._on_down = self._on_up = None

    def watch_escape(self, on_escape: Callable[[], None] | None) -> None:
        self.calls.append("watch_escape" if on_escape else "unwatch_escape")
        self._on_escape = on_escape

    @property
    def watching_escape(self) -> bool:
        return self._on_escape is not None

    def escape(self) -> None:
        if self._on_escape is not None:
            self._on_escape()

    @property
    def registered(self) -> bool:
        return self.shortcut is not None

    def press(self) -> None:
        if self._on_down is not None:
            self._on_down()

    def release(self) -> None:
        if self._on_up is not None:
            self._on_up()


@dataclass
class FakeClipboard:
    """A clipboard holding one snapshot value (any object) and a change counter."""

    content: object = None
    changes: int = 0

    def snapshot(self) -> object:
        return self.content

    def set_text(self, text: str) -> None:
        self.content = text
        self.changes += 1

    def restore(self, snapshot: object) -> None:
        self.content = snapshot
        self.changes += 1

    def change_count(self) -> int:
        return self.changes


@dataclass
class FakeTextInjector:
    """Runs the real clipboard-paste algorithm against :class:`FakeClipboard`. ``keystrokes``
    lists ``("paste", clipboard content at that moment)`` and ``("type", text)``."""

    clipboard: FakeClipboard = field(default_factory=FakeClipboard)
    scheduler: ManualScheduler = field(default_factory=ManualScheduler)
    keystrokes: list[tuple[str, object]] = field(default_factory=list)
    fail_keystroke: str | None = None
    restore_delay_s: float = RESTORE_DELAY_S

    def _send_paste(self) -> None:
        if self.fail_keystroke:
            raise SystemIntegrationError(self.fail_keystroke)
        self.keystrokes.append(("paste", self.clipboard.content))

    def paste(self, text: str) -> None:
        paste_via_clipboard(
            self.clipboard, self._send_paste, text, self.scheduler, self.restore_delay_s
        )

    def type_text(self, text: str) -> None:
        self.keystrokes.append(("type", text))

    def copy(self, text: str) -> None:
        self.clipboard.set_text(text)

    def set_restore_delay(self, seconds: float) -> None:
        self.restore_delay_s = seconds


@dataclass
class FakePermissions:
    """Permission states the test sets; ``answer_microphone`` plays the user's click on the
    system prompt, ``grant_accessibility`` the switch in System Settings."""

    accessibility: bool = True
    input_monitoring: bool = True
    microphone: MicrophoneStatus = MicrophoneStatus.GRANTED
    mic_requests: list[MicrophoneAnswer] = field(default_factory=list)
    accessibility_prompts: int = 0
    checked: list[str] = field(default_factory=list)

    def accessibility_granted(self) -> bool:
        self.checked.append("accessibility")
        return self.accessibility

    def input_monitoring_granted(self) -> bool:
        self.checked.append("input_monitoring")
        return self.input_monitoring

    def microphone_status(self) -> MicrophoneStatus:
        return self.microphone

    def request_microphone(self, on_answer: MicrophoneAnswer) -> None:
        if self.microphone is MicrophoneStatus.NOT_DETERMINED:
            self.mic_requests.append(on_answer)
        else:
            on_answer(self.microphone is MicrophoneStatus.GRANTED)

    def answer_microphone(self, granted: bool) -> None:
        self.microphone = MicrophoneStatus.GRANTED if granted else MicrophoneStatus.DENIED
        requests, self.mic_requests = self.mic_requests, []
        for on_answer in requests:
            on_answer(granted)

    def prompt_accessibility(self) -> bool:
        self.accessibility_prompts += 1
        return self.accessibility

    def explain(self, kind: PermissionKind) -> str:
        return default_explanation(kind)

    def settings_url(self, kind: PermissionKind) -> str | None:
        return f"x-fake-settings:{kind.value}"


class AllGrantedPermissions(FakePermissions):
    """Systems without a permission model (Linux, X11): nothing to ask, no settings pane."""

    def settings_url(self, kind: PermissionKind) -> str | None:
        return None


@dataclass
class FakeLoginItem:
    is_enabled: bool = False
    refuse: str | None = None
    calls: list[bool] = field(default_factory=list)

    def enabled(self) -> bool:
        return self.is_enabled

    def set_enabled(self, enabled: bool) -> None:
        self.calls.append(enabled)
        if self.refuse:
            raise SystemIntegrationError(self.refuse)
        self.is_enabled = enabled
