"""The driver wires hotkey → state machine → capture callbacks → injector, through fakes."""

from __future__ import annotations

from collections.abc import Callable

from app.core.dictation.hotkey_state import Mode, Permission, State
from app.system import Platform
from app.system.base import MicrophoneStatus, Shortcut
from app.system.fake import (
    FakeClipboard,
    FakeHotkey,
    FakeLoginItem,
    FakePermissions,
    FakeTextInjector,
)
from app.system.hotkey_driver import DictationCallbacks, DictationDriver


class Recorder:
    def __init__(self) -> None:
        self.log: list[str] = []
        self.notes: list[tuple[str, Permission | None]] = []
        self.texts: list[str] = []
        self.states: list[State] = []

    def last_permission(self) -> Permission | None:
        return self.notes[-1][1]

    def callbacks(self) -> DictationCallbacks:
        return DictationCallbacks(
            start_capture=lambda: self.log.append("start"),
            stop_capture=lambda: self.log.append("stop"),
            cancel=lambda: self.log.append("cancel"),
            notify=lambda msg, perm: self.notes.append((msg, perm)),
            state_changed=self.states.append,
            text_ready=self.texts.append,
        )


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def make(
    permissions: FakePermissions | None = None,
    hotkey: FakeHotkey | None = None,
    injector: FakeTextInjector | None = None,
    posted: list[Callable[[], None]] | None = None,
) -> tuple[DictationDriver, Recorder, FakeHotkey, FakeTextInjector, Clock]:
    hk = hotkey or FakeHotkey()
    inj = injector or FakeTextInjector(clipboard=FakeClipboard(content="previous"))
    platform = Platform(hk, inj, permissions or FakePermissions(), FakeLoginItem(), "fake")
    rec = Recorder()
    clock = Clock()
    post = posted.append if posted is not None else (lambda fn: fn())
    driver = DictationDriver(platform, rec.callbacks(), post=post, clock=clock)
    return driver, rec, hk, inj, clock


def test_toggle_dictation_pastes_and_restores_clipboard() -> None:
    driver, rec, hk, inj, _ = make()
    assert driver.enable(Shortcut.parse("alt+space"), Mode.TOGGLE)
    hk.press()
    hk.release()
    assert rec.log == ["start"] and hk.watching_escape
    hk.press()
    hk.release()
    assert rec.log == ["start", "stop"]
    driver.transcription_done("Hello there.")
    assert inj.keystrokes == [("paste", "Hello there.")]
    assert rec.texts == ["Hello there."]
    inj.scheduler.run_pending()
    assert inj.clipboard.content == "previous"
    assert rec.states == [State.RECORDING, State.TRANSCRIBING, State.IDLE]
    assert not hk.watching_escape


def test_hold_to_talk_uses_the_clock() -> None:
    driver, rec, hk, _inj, clock = make()
    driver.enable(Shortcut.parse("f13"), Mode.HOLD)
    hk.press()
    clock.now = 0.1
    hk.release()  # a tap
    assert rec.log == ["start", "cancel"]
    hk.press()
    clock.now = 3.0
    hk.release()
    assert rec.log[-1] == "stop"


def test_global_escape_cancels_without_paste() -> None:
    driver, rec, hk, inj, _ = make()
    driver.enable(Shortcut.parse("alt+space"))
    hk.press()
    hk.release()
    hk.escape()
    driver.transcription_done("late")
    assert rec.log == ["start", "cancel"] and inj.keystrokes == []
    assert driver.state is State.IDLE


def test_hotkey_callbacks_go_through_post() -> None:
    posted: list[Callable[[], None]] = []
    driver, rec, hk, _, _ = make(posted=posted)
    driver.enable(Shortcut.parse("alt+space"))
    hk.press()
    assert rec.log == [] and len(posted) == 1  # nothing happens on the platform thread
    posted.pop()()
    assert rec.log == ["start"]


def test_missing_permissions_are_explained_on_enable_and_on_use() -> None:
    perms = FakePermissions(accessibility=False, microphone=MicrophoneStatus.DENIED)
    driver, rec, hk, inj, _ = make(permissions=perms)
    driver.enable(Shortcut.parse("alt+space"))
    assert [p for _, p in rec.notes] == [Permission.MICROPHONE, Permission.ACCESSIBILITY]
    hk.press()
    assert rec.log == [] and rec.notes[-1][1] is Permission.MICROPHONE
    perms.microphone = MicrophoneStatus.GRANTED
    driver.refresh_permissions()
    hk.release()
    hk.press()
    hk.release()
    hk.press()
    driver.transcription_done("words")
    assert inj.keystrokes == [] and inj.clipboard.content == "words"  # copied, not pasted
    assert rec.last_permission() == Permission.ACCESSIBILITY
    assert rec.texts == ["words"]


def test_refused_hotkey_is_reported_not_swallowed() -> None:
    hk = FakeHotkey(refuse="Allow Granite Dictate in Input Monitoring.")
    driver, rec, _, _, _ = make(hotkey=hk)
    assert driver.enable(Shortcut.parse("alt+space")) is False
    msg = "Allow Granite Dictate in Input Monitoring."
    assert rec.notes == [(msg, Permission.INPUT_MONITORING)]
    assert not driver.enabled


def test_failed_paste_keystroke_is_reported() -> None:
    inj = FakeTextInjector(fail_keystroke="Could not send Cmd+V.")
    driver, rec, _hk, _, _ = make(injector=inj)
    driver.enable(Shortcut.parse("alt+space"))
    driver.toggle()
    driver.toggle()
    driver.transcription_done("text")
    assert rec.notes == [("Could not send Cmd+V.", None)]
    assert rec.texts == ["text"]


def test_no_hotkey_support_still_allows_tray_toggle_and_typing() -> None:
    inj = FakeTextInjector()
    platform = Platform(None, inj, FakePermissions(), None, "none")
    rec = Recorder()
    driver = DictationDriver(platform, rec.callbacks(), use_typing=True)
    assert driver.enable(Shortcut.parse("alt+space")) is False
    assert "not supported" in rec.notes[-1][0]
    driver.toggle()
    driver.toggle()
    driver.transcription_done("typed out")
    assert inj.keystrokes == [("type", "typed out")]


def test_disable_cancels_recording_and_unregisters() -> None:
    driver, rec, hk, _, _ = make()
    driver.enable(Shortcut.parse("alt+space"))
    hk.press()
    driver.disable()
    assert rec.log == ["start", "cancel"] and not hk.registered and not driver.enabled


def test_error_from_worker_cancels_and_notifies() -> None:
    driver, rec, _hk, _, _ = make()
    driver.enable(Shortcut.parse("alt+space"))
    driver.toggle()
    driver.error("The microphone stopped.")
    assert rec.log == ["start", "cancel"] and rec.notes[-1] == ("The microphone stopped.", None)
