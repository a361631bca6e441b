"""Shortcut parsing, permission snapshot and the clipboard-paste algorithm."""

from __future__ import annotations

import pytest

from app.core.dictation.hotkey_state import PermissionStatus
from app.core.errors import UsageError
from app.system.base import MicrophoneStatus, Shortcut, SystemIntegrationError, permission_status
from app.system.fake import FakeClipboard, FakePermissions, FakeTextInjector, ManualScheduler


@pytest.mark.parametrize(
    ("text", "key", "mods"),
    [
        ("alt+space", "space", ("alt",)),
        ("Cmd+Shift+D", "d", ("cmd", "shift")),
        ("option-command-f5", "f5", ("alt", "cmd")),
        ("F13", "f13", ()),
    ],
)
def test_shortcut_parse(text: str, key: str, mods: tuple[str, ...]) -> None:
    s = Shortcut.parse(text)
    assert (s.key, s.modifiers) == (key, mods)
    assert Shortcut.parse(str(s)) == s


@pytest.mark.parametrize("text", ["", "  + ", "hyper+a", "cmd+shift"])
def test_shortcut_parse_rejects_nonsense_with_one_line(text: str) -> None:
    with pytest.raises(UsageError) as info:
        Shortcut.parse(text)
    assert "\n" not in str(info.value) and str(info.value)


def test_permission_status_treats_undetermined_microphone_as_askable() -> None:
    fake = FakePermissions(microphone=MicrophoneStatus.NOT_DETERMINED, accessibility=False)
    assert permission_status(fake) == PermissionStatus(
        microphone=True, accessibility=False, input_monitoring=True
    )
    fake.microphone = MicrophoneStatus.DENIED
    assert permission_status(fake).microphone is False


def test_paste_puts_text_sends_keystroke_then_restores_previous_clipboard() -> None:
    injector = FakeTextInjector(clipboard=FakeClipboard(content={"public.png": b"image"}))
    injector.paste("dictated")
    assert injector.keystrokes == [("paste", "dictated")]
    assert injector.clipboard.content == "dictated"  # not yet: the target app is still reading
    assert [d for d, _ in injector.scheduler.pending] == [pytest.approx(1.0)]  # the default
    assert injector.scheduler.run_pending() == 1
    restored: object = injector.clipboard.snapshot()
    assert restored == {"public.png": b"image"}


def test_restore_delay_is_configurable() -> None:
    injector = FakeTextInjector()
    injector.set_restore_delay(2.5)
    injector.paste("dictated")
    assert [d for d, _ in injector.scheduler.pending] == [pytest.approx(2.5)]


def test_paste_does_not_clobber_a_clipboard_changed_meanwhile() -> None:
    injector = FakeTextInjector(clipboard=FakeClipboard(content="old"))
    injector.paste("dictated")
    injector.clipboard.set_text("copied by the user")
    injector.scheduler.run_pending()
    assert injector.clipboard.content == "copied by the user"


def test_failed_keystroke_restores_clipboard_at_once_and_raises() -> None:
    injector = FakeTextInjector(
        clipboard=FakeClipboard(content="old"), fail_keystroke="Accessibility is not allowed."
    )
    with pytest.raises(SystemIntegrationError, match="Accessibility"):
        injector.paste("dictated")
    assert injector.clipboard.content == "old"
    assert injector.scheduler.pending == []


def test_manual_scheduler_runs_in_order() -> None:
    seen: list[int] = []
    sched = ManualScheduler()
    sched(0.1, lambda: seen.append(1))
    sched(0.0, lambda: seen.append(2))
    assert sched.run_pending() == 2 and seen == [1, 2]
