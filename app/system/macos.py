"""macOS implementation on pyobjc: a Quartz event tap for the global shortcut, NSPasteboard +
synthetic Cmd+V for pasting; TCC checks and launch at login are in ``macos_services``.

pyobjc (pyobjc-framework-Quartz, -Cocoa, -ApplicationServices, -AVFoundation,
-ServiceManagement) is imported lazily, so this module imports on any system; :func:`create`
raises ``ImportError`` without it. The pure parts (key codes, shortcut matching) are tested on
Linux; the rest needs a Mac.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from app.core.dictation.hotkey_state import default_explanation
from app.system.base import (
    PermissionKind,
    Scheduler,
    Shortcut,
    SystemIntegrationError,
    paste_via_clipboard,
    timer_scheduler,
)
from app.system.macos_services import MacLoginItem, MacPermissions, accessibility_trusted

if TYPE_CHECKING:
    from app.system import Platform

log = logging.getLogger(__name__)

# Virtual key codes (HIToolbox/Events.h, ANSI layout positions).
_LETTERS = "asdfhgzxcv_bqweryt123465=97-80]ou[ip_lj'k;\\,/nm."
KEYCODES: dict[str, int] = {ch: code for code, ch in enumerate(_LETTERS) if ch != "_"}
KEYCODES.update(
    {"return": 36, "tab": 48, "space": 49, "delete": 51, "escape": 53, "`": 50}
    | {f"f{n}": code for n, code in zip(range(1, 21), (
        122, 120, 99, 118, 96, 97, 98, 100, 101, 109, 103, 111, 105, 107, 113, 106, 64, 79, 80, 90
    ), strict=True)}
)  # fmt: skip
KEY_V = KEYCODES["v"]
KEY_ESCAPE = KEYCODES["escape"]

# CGEventFlags
FLAG_SHIFT = 1 << 17
FLAG_CTRL = 1 << 18
FLAG_ALT = 1 << 19
FLAG_CMD = 1 << 20
MODIFIER_FLAGS = {"shift": FLAG_SHIFT, "ctrl": FLAG_CTRL, "alt": FLAG_ALT, "cmd": FLAG_CMD}
_ALL_MODS = FLAG_SHIFT | FLAG_CTRL | FLAG_ALT | FLAG_CMD

# CGEventType
EV_KEY_DOWN, EV_KEY_UP = 10, 11
EV_TAP_DISABLED_BY_TIMEOUT, EV_TAP_DISABLED_BY_USER = 0xFFFFFFFE, 0xFFFFFFFF


def _mod(name: str) -> Any:
    return importlib.import_module(name)


def keycode_for(shortcut: Shortcut) -> tuple[int, int]:
    """(virtual key code, required modifier flags); ``SystemIntegrationError`` if unknown."""
    code = KEYCODES.get(shortcut.key)
    if code is None:
        raise SystemIntegrationError(f"The key {shortcut.key!r} cannot be used as a shortcut.")
    flags = 0
    for m in shortcut.modifiers:
        flags |= MODIFIER_FLAGS[m]
    return code, flags


def matches(keycode: int, flags: int, want_code: int, want_flags: int) -> bool:
    """Exact modifier match, ignoring caps lock, fn and the numeric-pad bit."""
    return keycode == want_code and (flags & _ALL_MODS) == want_flags


class MacHotkey:
    """A CGEventTap on the main run loop (which Qt's Cocoa event loop runs), so callbacks arrive
    on the GUI thread. An active tap swallows the shortcut (needs Accessibility); without it a
    listen-only tap is used (needs Input Monitoring) and the keystroke also reaches the app."""

    def __init__(self) -> None:
        self._q = _mod("Quartz")
        self._cf = _mod("CoreFoundation")
        self._cb_ref = self._callback  # pyobjc must see one long-lived callable
        self._tap: Any = None
        self._source: Any = None
        self._want: tuple[int, int] | None = None
        self._down = False
        self._on_down: Callable[[], None] | None = None
        self._on_up: Callable[[], None] | None = None
        self._on_escape: Callable[[], None] | None = None
        self._active = False

    def register(
        self, shortcut: Shortcut, on_down: Callable[[], None], on_up: Callable[[], None]
    ) -> None:
        self.unregister()
        q = self._q
        self._want = keycode_for(shortcut)
        self._on_down, self._on_up = on_down, on_up
        mask = (1 << EV_KEY_DOWN) | (1 << EV_KEY_UP)  # CGEventMaskBit is a C macro
        for option, active in ((q.kCGEventTapOptionDefault, True),
                               (q.kCGEventTapOptionListenOnly, False)):  # fmt: skip
            tap = q.CGEventTapCreate(
                q.kCGSessionEventTap, q.kCGHeadInsertEventTap, option, mask, self._cb_ref, None
            )
            if tap is not None:
                self._tap, self._active = tap, active
                break
        if self._tap is None:
            raise SystemIntegrationError(default_explanation(PermissionKind.INPUT_MONITORING))
        cf = self._cf
        self._source = cf.CFMachPortCreateRunLoopSource(None, self._tap, 0)
        cf.CFRunLoopAddSource(cf.CFRunLoopGetMain(), self._source, cf.kCFRunLoopCommonModes)
        q.CGEventTapEnable(self._tap, True)
        log.info(
            "Event tap for %s installed (%s)", shortcut, "active" if self._active else "listen"
        )

    def unregister(self) -> None:
        cf = self._cf
        if self._tap is not None:
            self._q.CGEventTapEnable(self._tap, False)
            cf.CFRunLoopRemoveSource(cf.CFRunLoopGetMain(), self._source, cf.kCFRunLoopCommonModes)
            cf.CFMachPortInvalidate(self._tap)
        self._tap = self._source = self._want = None
        self._down = False

    def watch_escape(self, on_escape: Callable[[], None] | None) -> None:
        self._on_escape = on_escape

    def _callback(self, _proxy: Any, etype: int, event: Any, _refcon: Any) -> Any:
        q = self._q
        if etype in (EV_TAP_DISABLED_BY_TIMEOUT, EV_TAP_DISABLED_BY_USER):
            if self._tap is not None:  # the system turns slow taps off; turn it back on
                q.CGEventTapEnable(self._tap, True)
            return event
        if self._want is None:
            return event
        code = q.CGEventGetIntegerValueField(event, q.kCGKeyboardEventKeycode)
        flags = q.CGEventGetFlags(event)
        repeat = q.CGEventGetIntegerValueField(event, q.kCGKeyboardEventAutorepeat)
        swallow = None if self._active else event
        try:
            if etype == EV_KEY_DOWN and matches(code, flags, *self._want):
                if not repeat and not self._down and self._on_down is not None:
                    self._down = True
                    self._on_down()
                return swallow
            if etype == EV_KEY_UP and self._down and code == self._want[0]:
                self._down = False  # modifiers may already be released: match the key only
                if self._on_up is not None:
                    self._on_up()
                return swallow
            if (etype == EV_KEY_DOWN and code == KEY_ESCAPE and self._on_escape is not None
                    and not (flags & _ALL_MODS)):  # fmt: skip
                self._on_escape()
                return swallow
        except Exception:  # an exception must never escape into the event tap
            log.exception("Hotkey callback failed")
        return event


class MacClipboard:
    """NSPasteboard.generalPasteboard with every type of every item saved and restored."""

    TRANSIENT = "org.nspasteboard.TransientType"  # clipboard managers skip our temporary text

    def __init__(self) -> None:
        self._appkit = _mod("AppKit")
        self._pb = self._appkit.NSPasteboard.generalPasteboard()

    def snapshot(self) -> object:
        saved: list[list[tuple[str, Any]]] = []
        for item in self._pb.pasteboardItems() or []:
            entries = []
            for kind in item.types():
                data = item.dataForType_(kind)
                if data is not None:
                    entries.append((str(kind), data))
            saved.append(entries)
        return saved

    def set_text(self, text: str) -> None:
        ak = self._appkit
        self._pb.clearContents()
        self._pb.declareTypes_owner_([ak.NSPasteboardTypeString, self.TRANSIENT], None)
        if not self._pb.setString_forType_(text, ak.NSPasteboardTypeString):
            raise SystemIntegrationError("Could not put the text on the clipboard.")
        self._pb.setData_forType_(ak.NSData.data(), self.TRANSIENT)

    def restore(self, snapshot: object) -> None:
        ak = self._appkit
        self._pb.clearContents()
        items = []
        for entries in snapshot if isinstance(snapshot, list) else []:
            item = ak.NSPasteboardItem.alloc().init()
            for kind, data in entries:
                item.setData_forType_(data, kind)
            items.append(item)
        if items:
            self._pb.writeObjects_(items)

    def change_count(self) -> int:
        return int(self._pb.changeCount())


class MacTextInjector:
    def __init__(self, schedule: Scheduler = timer_scheduler) -> None:
        self._q = _mod("Quartz")
        self._clipboard = MacClipboard()
        self._schedule = schedule

    def _post_key(self, code: int, flags: int, text: str | None = None) -> None:
        q = self._q
        if not accessibility_trusted():
            raise SystemIntegrationError(default_explanation(PermissionKind.ACCESSIBILITY))
        source = q.CGEventSourceCreate(q.kCGEventSourceStateCombinedSessionState)
        for is_down in (True, False):
            ev = q.CGEventCreateKeyboardEvent(source, code, is_down)
            q.CGEventSetFlags(ev, flags)
            if text is not None:
                q.CGEventKeyboardSetUnicodeString(ev, len(text.encode("utf-16-le")) // 2, text)
            q.CGEventPost(q.kCGHIDEventTap, ev)

    def paste(self, text: str) -> None:
        send = lambda: self._post_key(KEY_V, FLAG_CMD)  # noqa: E731
        paste_via_clipboard(self._clipboard, send, text, self._schedule)

    def type_text(self, text: str) -> None:
        # CGEventKeyboardSetUnicodeString takes at most 20 UTF-16 units per event.
        for i in range(0, len(text), 16):
            self._post_key(0, 0, text[i : i + 16])

    def copy(self, text: str) -> None:
        self._clipboard.set_text(text)


def create(schedule: Scheduler = timer_scheduler) -> Platform:
    """The macOS :class:`app.system.Platform`; ``ImportError`` when pyobjc is missing."""
    from app.system import Platform

    for name in ("Quartz", "CoreFoundation", "AppKit", "ApplicationServices", "AVFoundation"):
        _mod(name)
    try:
        login: MacLoginItem | None = MacLoginItem()
    except (ImportError, AttributeError):
        login = None
    return Platform(MacHotkey(), MacTextInjector(schedule), MacPermissions(), login, "macos")
