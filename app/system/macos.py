"""macOS implementation on pyobjc: a Quartz event tap for the global shortcut (on its own
thread, ``macos_tap``), NSPasteboard + synthetic Cmd+V for pasting (the V key of the current
layout, ``macos_keyboard``); TCC checks and launch at login are in ``macos_services``.

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
    RESTORE_DELAY_S,
    PermissionKind,
    Scheduler,
    Shortcut,
    SystemIntegrationError,
    paste_via_clipboard,
    timer_scheduler,
)
from app.system.macos_keyboard import layout_keycode
from app.system.macos_services import MacLoginItem, MacPermissions, accessibility_trusted
from app.system.macos_tap import TapThread

if TYPE_CHECKING:
    from app.system.base import Platform

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
    """The global shortcut as a CGEventTap on its own thread and run loop
    (``app.system.macos_tap``): callbacks arrive on that thread, and the driver posts them to
    the GUI thread. An active tap swallows the shortcut and needs only Accessibility; without
    it a listen-only tap is used (needs Input Monitoring) and the keystroke also reaches the
    frontmost app."""

    def __init__(self, quartz: Any = None, cf: Any = None) -> None:
        self._q = quartz or _mod("Quartz")
        self._cf = cf or _mod("CoreFoundation")
        self._cb_ref = self._callback  # pyobjc must see one long-lived callable
        self._thread: TapThread | None = None
        self._want: tuple[int, int] | None = None
        self._down = False
        self._on_down: Callable[[], None] | None = None
        self._on_up: Callable[[], None] | None = None
        self._on_escape: Callable[[], None] | None = None

    @property
    def tap_thread(self) -> TapThread | None:
        return self._thread

    def register(
        self, shortcut: Shortcut, on_down: Callable[[], None], on_up: Callable[[], None]
    ) -> None:
        self.unregister()
        self._want = keycode_for(shortcut)
        self._on_down, self._on_up = on_down, on_up
        mask = (1 << EV_KEY_DOWN) | (1 << EV_KEY_UP)  # CGEventMaskBit is a C macro
        thread = TapThread(self._q, self._cf, mask, self._cb_ref)
        thread.start()  # raises SystemIntegrationError when the system refuses
        self._thread = thread
        log.info(
            "Event tap for %s on its own thread (%s)",
            shortcut,
            "active" if thread.active else "listen-only",
        )

    def unregister(self) -> None:
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.stop()
        self._want = None
        self._down = False

    def watch_escape(self, on_escape: Callable[[], None] | None) -> None:
        self._on_escape = on_escape

    def _callback(self, _proxy: Any, etype: int, event: Any, _refcon: Any) -> Any:
        """On the tap thread: match, hand on (the callbacks only post), return fast."""
        q = self._q
        thread = self._thread
        if etype in (EV_TAP_DISABLED_BY_TIMEOUT, EV_TAP_DISABLED_BY_USER):
            if thread is not None:
                thread.reenable()
            return event
        want = self._want
        if want is None:
            return event
        code = q.CGEventGetIntegerValueField(event, q.kCGKeyboardEventKeycode)
        flags = q.CGEventGetFlags(event)
        repeat = q.CGEventGetIntegerValueField(event, q.kCGKeyboardEventAutorepeat)
        swallow = None if thread is not None and thread.active else event
        try:
            if etype == EV_KEY_DOWN and matches(code, flags, *want):
                if not repeat and not self._down and self._on_down is not None:
                    self._down = True
                    self._on_down()
                return swallow
            if etype == EV_KEY_UP and self._down and code == want[0]:
                self._down = False  # modifiers may already be released: match the key only
                if self._on_up is not None:
                    self._on_up()
                return swallow
            on_escape = self._on_escape
            if (etype == EV_KEY_DOWN and code == KEY_ESCAPE and on_escape is not None
                    and not (flags & _ALL_MODS)):  # fmt: skip
                on_escape()
                return swallow
        except Exception:  # an exception must never escape into the event tap
            log.exception("Hotkey callback failed")
        return event


#: The pasteboard types a snapshot keeps (text, rich text, images, links and files). Other
#: types are never read: reading a promised type makes its owner render it (on our thread,
#: maybe slowly), and private or dynamic ("dyn.") types are no use to put back.
RESTORE_TYPES = (
    "public.utf8-plain-text",
    "public.utf16-external-plain-text",
    "public.rtf",
    "com.apple.flat-rtfd",
    "public.html",
    "public.png",
    "public.tiff",
    "public.pdf",
    "public.url",
    "public.file-url",
)


def types_to_save(types: Any) -> list[str]:
    """The item's types worth restoring, in the item's own order."""
    return [t for t in (str(k) for k in types or ()) if t in RESTORE_TYPES]


class MacClipboard:
    """NSPasteboard.generalPasteboard; a snapshot holds the restorable types of every item."""

    TRANSIENT = "org.nspasteboard.TransientType"  # clipboard managers skip our temporary text

    def __init__(self) -> None:
        self._appkit = _mod("AppKit")
        self._pb = self._appkit.NSPasteboard.generalPasteboard()

    def snapshot(self) -> object:
        saved: list[list[tuple[str, Any]]] = []
        for item in self._pb.pasteboardItems() or []:
            entries = []
            for kind in types_to_save(item.types()):
                data = item.dataForType_(kind)
                if data is not None:
                    entries.append((kind, data))
            if entries:
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
        self.restore_delay_s = RESTORE_DELAY_S

    def set_restore_delay(self, seconds: float) -> None:
        self.restore_delay_s = seconds

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
        """Cmd + the key that types "v" in the current keyboard layout (Dvorak, AZERTY …);
        runs on the GUI thread, where the Text Input Sources API must be called."""
        key_v = layout_keycode("v", fallback=KEY_V)
        send = lambda: self._post_key(key_v, FLAG_CMD)  # noqa: E731
        paste_via_clipboard(self._clipboard, send, text, self._schedule, self.restore_delay_s)

    def type_text(self, text: str) -> None:
        # CGEventKeyboardSetUnicodeString takes at most 20 UTF-16 units per event.
        for i in range(0, len(text), 16):
            self._post_key(0, 0, text[i : i + 16])

    def copy(self, text: str) -> None:
        self._clipboard.set_text(text)


def create(schedule: Scheduler = timer_scheduler) -> Platform:
    """The macOS :class:`app.system.Platform`; ``ImportError`` when pyobjc is missing."""
    from app.system.base import Platform

    for name in ("Quartz", "CoreFoundation", "AppKit", "ApplicationServices", "AVFoundation"):
        _mod(name)
    try:
        login: MacLoginItem | None = MacLoginItem()
    except (ImportError, AttributeError):
        login = None
    return Platform(MacHotkey(), MacTextInjector(schedule), MacPermissions(), login, "macos")
