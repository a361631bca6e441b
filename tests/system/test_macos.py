"""macOS layer: pure key handling on any system, the event-tap callback against a fake Quartz."""

from __future__ import annotations

import queue
import sys
import threading
import types
from collections.abc import Iterator
from typing import Any

import pytest

from app.system import macos, macos_services
from app.system.base import PermissionKind, Shortcut, SystemIntegrationError


def test_keycodes_match_hitoolbox() -> None:
    assert macos.KEYCODES["a"] == 0 and macos.KEYCODES["v"] == 9
    assert macos.KEYCODES["space"] == 49 and macos.KEYCODES["escape"] == 53
    assert macos.KEYCODES["l"] == 37 and macos.KEYCODES["."] == 47
    assert macos.KEYCODES["f1"] == 122 and macos.KEYCODES["f13"] == 105
    assert "_" not in macos.KEYCODES
    assert len(set(macos.KEYCODES.values())) == len(macos.KEYCODES)


def test_keycode_for_and_matches() -> None:
    code, flags = macos.keycode_for(Shortcut.parse("cmd+shift+d"))
    assert code == 2 and flags == macos.FLAG_CMD | macos.FLAG_SHIFT
    caps_lock = 1 << 16
    assert macos.matches(2, flags | caps_lock, code, flags)
    assert not macos.matches(2, flags | macos.FLAG_ALT, code, flags)  # extra modifier
    assert not macos.matches(3, flags, code, flags)
    with pytest.raises(SystemIntegrationError):
        macos.keycode_for(Shortcut("pagedown"))


@pytest.mark.skipif(sys.platform == "darwin", reason="pyobjc is present on macOS")
def test_create_without_pyobjc_raises_import_error() -> None:
    with pytest.raises(ImportError):
        macos.create()


class FakeQuartz(types.ModuleType):
    """Just enough of Quartz/CoreFoundation for MacHotkey: events are (code, flags, repeat)."""

    kCGEventKeyDown, kCGEventKeyUp = 10, 11
    kCGKeyboardEventKeycode, kCGKeyboardEventAutorepeat = 9, 8
    kCGSessionEventTap = kCGHeadInsertEventTap = kCFRunLoopCommonModes = 0
    kCGEventTapOptionDefault, kCGEventTapOptionListenOnly = 0, 1

    def __init__(self, grant_active: bool = True) -> None:
        super().__init__("Quartz")
        self.grant_active = grant_active
        self.enabled: list[bool] = []
        self.callback: Any = None
        self.events: queue.Queue[Any] = queue.Queue()  # posted into the tap's run loop
        self.loop_threads: list[int] = []
        self.invalidated = 0

    def CGEventTapCreate(self, tap, place, option, mask, callback, refcon):
        if option == self.kCGEventTapOptionDefault and not self.grant_active:
            return None
        self.callback = callback
        return ("tap", option)

    # A run loop: the thread that runs it delivers the queued key events to the tap.
    def CFRunLoopGetCurrent(self):
        return ("loop", threading.get_ident())

    def CFRunLoopRun(self):
        self.loop_threads.append(threading.get_ident())
        while True:
            item = self.events.get()
            if item == "stop":
                return
            etype, event, results = item
            results.append((self.callback(None, etype, event, None), threading.get_ident()))

    def CFRunLoopStop(self, loop):
        self.events.put("stop")

    def deliver(self, etype: int, event: Any) -> tuple[Any, int]:
        """A key event through the running tap; (what the tap returned, the thread)."""
        results: list[tuple[Any, int]] = []
        self.events.put((etype, event, results))
        for _ in range(500):
            if results:
                return results[0]
            threading.Event().wait(0.01)
        raise AssertionError("the tap thread did not run the callback")

    def CGEventTapEnable(self, tap, on):
        self.enabled.append(on)

    def CFMachPortCreateRunLoopSource(self, alloc, tap, order):
        return "source"

    def CFRunLoopGetMain(self):
        return "main"

    def CFRunLoopAddSource(self, *args):
        pass

    CFRunLoopRemoveSource = CFRunLoopAddSource

    def CFMachPortInvalidate(self, tap):
        self.invalidated += 1

    def CGEventGetIntegerValueField(self, event, field):
        return event[0] if field == self.kCGKeyboardEventKeycode else event[2]

    def CGEventGetFlags(self, event):
        return event[1]


@pytest.fixture
def quartz(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeQuartz]:
    fake = FakeQuartz()
    monkeypatch.setitem(sys.modules, "Quartz", fake)
    monkeypatch.setitem(sys.modules, "CoreFoundation", fake)
    yield fake
    for _ in range(4):  # end tap threads a test left running
        fake.events.put("stop")


def test_event_tap_callback(quartz: FakeQuartz) -> None:
    hk = macos.MacHotkey()
    seen: list[str] = []
    hk.register(Shortcut.parse("alt+space"), lambda: seen.append("down"), lambda: seen.append("up"))
    cb = hk._cb_ref
    alt, space = macos.FLAG_ALT, 49
    assert cb(None, 10, (space, alt, 0), None) is None  # swallowed by the active tap
    assert cb(None, 10, (space, alt, 1), None) is None  # auto-repeat: swallowed, not reported
    assert cb(None, 11, (space, 0, 0), None) is None  # released after alt: still matches
    other = (space, 0, 0)
    assert cb(None, 10, other, None) is other  # plain space passes through
    assert seen == ["down", "up"]
    hk.watch_escape(lambda: seen.append("esc"))
    assert cb(None, 10, (53, 0, 0), None) is None
    hk.watch_escape(None)
    esc = (53, 0, 0)
    assert cb(None, 10, esc, None) is esc
    assert seen == ["down", "up", "esc"]
    assert cb(None, macos.EV_TAP_DISABLED_BY_TIMEOUT, "x", None) == "x"
    assert quartz.enabled[-1] is True  # re-enabled after the system timed it out
    hk.unregister()
    assert cb(None, 10, (space, alt, 0), None) == (space, alt, 0)


def test_tap_runs_on_its_own_thread_and_run_loop(quartz: FakeQuartz) -> None:
    hk = macos.MacHotkey()
    seen: list[tuple[str, int]] = []
    down = lambda: seen.append(("down", threading.get_ident()))  # noqa: E731
    hk.register(Shortcut.parse("alt+space"), down, lambda: None)
    thread = hk.tap_thread
    assert thread is not None and thread.running
    tap_ident = thread.thread_ident
    assert tap_ident != threading.get_ident() and quartz.loop_threads == [tap_ident]
    returned, ran_on = quartz.deliver(10, (49, macos.FLAG_ALT, 0))
    assert returned is None and ran_on == tap_ident  # swallowed, on the tap's thread
    assert seen == [("down", tap_ident)]  # the driver posts from here to the GUI thread
    other = (0, 0, 0)
    assert quartz.deliver(10, other)[0] is other  # other keys pass straight through
    hk.unregister()
    assert not thread.running and quartz.invalidated == 1 and hk.tap_thread is None
    hk.register(Shortcut.parse("f13"), lambda: None, lambda: None)  # again: a new thread
    again = hk.tap_thread
    assert again is not None and again is not thread and again.running
    hk.unregister()


def test_listen_only_tap_passes_events_and_failure_explains(quartz: FakeQuartz) -> None:
    quartz.grant_active = False
    hk = macos.MacHotkey()
    hk.register(Shortcut.parse("f13"), lambda: None, lambda: None)
    event = (105, 0, 0)
    assert hk._cb_ref(None, 10, event, None) is event
    quartz.CGEventTapCreate = lambda *a: None  # type: ignore[method-assign]
    with pytest.raises(SystemIntegrationError, match="Input Monitoring"):
        hk.register(Shortcut.parse("f13"), lambda: None, lambda: None)
    assert hk.tap_thread is None


def test_layout_keycode_search_and_fallback() -> None:
    from app.system import macos_keyboard

    dvorak = {47: "v", 9: "."}  # on Dvorak the "v" is where QWERTY has "."
    assert macos_keyboard.find_keycode("v", dvorak.get) == 47
    assert macos_keyboard.find_keycode("V", {9: "V"}.get) == 9
    none: dict[int, str] = {}
    assert macos_keyboard.find_keycode("v", none.get) is None
    if sys.platform != "darwin":  # no Carbon here: the ANSI key code
        assert macos_keyboard.layout_keycode("v", fallback=macos.KEY_V) == macos.KEY_V


def test_clipboard_snapshot_reads_only_restorable_types() -> None:
    kinds = ["dyn.ah62d4rv4gu8y", "public.utf8-plain-text", "com.example.private",
             "public.png", "public.file-url", "com.apple.NSFilePromiseItemMetaData"]  # fmt: skip
    assert macos.types_to_save(kinds) == ["public.utf8-plain-text", "public.png",
                                          "public.file-url"]  # fmt: skip
    assert macos.types_to_save(None) == []


def test_callback_exception_never_escapes(quartz: FakeQuartz) -> None:
    hk = macos.MacHotkey()

    def boom() -> None:
        raise RuntimeError("bug")

    hk.register(Shortcut.parse("f13"), boom, boom)
    event = (105, 0, 0)
    assert hk._cb_ref(None, 10, event, None) is event


def test_every_permission_has_a_settings_pane_and_explanation() -> None:
    perms = macos_services.MacPermissions()
    for kind in PermissionKind:
        url = perms.settings_url(kind)
        assert url is not None and url.startswith("x-apple.systempreferences:")
        assert perms.explain(kind) and "\n" not in perms.explain(kind)


@pytest.mark.skipif(sys.platform == "darwin", reason="pyobjc is present on macOS")
def test_permission_checks_without_pyobjc_raise_import_error() -> None:
    with pytest.raises(ImportError):
        macos_services.MacPermissions().microphone_status()
    with pytest.raises(ImportError):
        macos_services.MacLoginItem()
