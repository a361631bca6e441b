"""The fakes behave like the real services they stand in for."""

from __future__ import annotations

import pytest

from app.system.base import Shortcut, SystemIntegrationError
from app.system.fake import FakeHotkey, FakeLoginItem, FakeTextInjector


def test_fake_hotkey_calls_back_only_while_registered() -> None:
    hk = FakeHotkey()
    seen: list[str] = []
    hk.press()  # nothing registered: nothing happens
    hk.register(Shortcut("space", ("alt",)), lambda: seen.append("down"), lambda: seen.append("up"))
    hk.press()
    hk.release()
    hk.unregister()
    hk.press()
    assert seen == ["down", "up"]
    assert hk.calls == ["register alt+space", "unregister"]


def test_fake_hotkey_can_refuse_like_a_missing_permission() -> None:
    hk = FakeHotkey(refuse="Input Monitoring is not allowed.")
    with pytest.raises(SystemIntegrationError):
        hk.register(Shortcut("d", ("cmd",)), lambda: None, lambda: None)
    assert not hk.registered


def test_fake_hotkey_escape_watch() -> None:
    hk = FakeHotkey()
    seen: list[str] = []
    hk.watch_escape(lambda: seen.append("esc"))
    hk.escape()
    hk.watch_escape(None)
    hk.escape()
    assert seen == ["esc"] and not hk.watching_escape


def test_fake_injector_type_and_copy() -> None:
    inj = FakeTextInjector()
    inj.type_text("typed")
    inj.copy("kept")
    assert inj.keystrokes == [("type", "typed")]
    assert inj.clipboard.content == "kept" and inj.scheduler.pending == []


def test_fake_login_item() -> None:
    item = FakeLoginItem()
    item.set_enabled(True)
    assert item.enabled()
    refusing = FakeLoginItem(refuse="Not in /Applications.")
    with pytest.raises(SystemIntegrationError):
        refusing.set_enabled(True)
    assert not refusing.enabled() and refusing.calls == [True]
