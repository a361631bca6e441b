"""Which virtual key types a character in the current keyboard layout (macOS), so the synthetic
paste is Cmd + the layout's "v" (Dvorak, AZERTY, …) rather than the fixed ANSI key code 9.

``TISCopyCurrentKeyboardLayoutInputSource`` → its ``kTISPropertyUnicodeKeyLayoutData`` (a
``UCKeyboardLayout``) → ``UCKeyTranslate`` for each key code with the Command modifier (the
"⌘ QWERTY" layouts type QWERTY with Command). Called through ctypes, on the GUI thread: the
Text Input Sources API must run on the main thread. :func:`find_keycode` is the pure search,
tested on Linux; everything else falls back to the ANSI code when anything is missing.
"""

from __future__ import annotations

import ctypes
import logging
from collections.abc import Callable

log = logging.getLogger(__name__)

CARBON = "/System/Library/Frameworks/Carbon.framework/Carbon"
CORE_FOUNDATION = "/System/Library/Frameworks/CoreFoundation.framework/CoreFoundation"
K_UC_KEY_ACTION_DISPLAY = 3
K_UC_KEY_TRANSLATE_NO_DEAD_KEYS = 1
CMD_KEY_STATE = (1 << 8) >> 8  # (cmdKey >> 8) & 0xFF, as UCKeyTranslate wants modifiers
KEY_CODES = range(128)

Translate = Callable[[int], str | None]


def find_keycode(char: str, translate: Translate) -> int | None:
    """The lowest key code whose translation is ``char`` (case-insensitive), else None."""
    want = char.lower()
    for code in KEY_CODES:
        got = translate(code)
        if got is not None and got.lower() == want:
            return code
    return None


def layout_keycode(char: str, fallback: int) -> int:
    """The key code for ``char`` in the current layout; ``fallback`` when it cannot tell."""
    try:
        with _LayoutTranslator() as translate:
            code = find_keycode(char, translate)
    except (OSError, AttributeError, ValueError) as err:
        log.info("Keyboard layout not readable (%s); using key code %d", err, fallback)
        return fallback
    return fallback if code is None else code


class _LayoutTranslator:
    """Context manager yielding ``translate(keycode) -> str | None`` for the current layout."""

    def __enter__(self) -> Translate:
        carbon = ctypes.cdll.LoadLibrary(CARBON)
        cf = ctypes.cdll.LoadLibrary(CORE_FOUNDATION)
        vp = ctypes.c_void_p
        carbon.TISCopyCurrentKeyboardLayoutInputSource.restype = vp
        carbon.TISGetInputSourceProperty.restype = vp
        carbon.TISGetInputSourceProperty.argtypes = [vp, vp]
        carbon.LMGetKbdType.restype = ctypes.c_uint8
        cf.CFDataGetBytePtr.restype = vp
        cf.CFDataGetBytePtr.argtypes = [vp]
        cf.CFRelease.argtypes = [vp]
        self._cf = cf
        self._source = carbon.TISCopyCurrentKeyboardLayoutInputSource()
        prop = vp.in_dll(carbon, "kTISPropertyUnicodeKeyLayoutData")
        data = carbon.TISGetInputSourceProperty(self._source, prop)
        if not data:
            raise ValueError("the current input source has no key layout")
        layout = cf.CFDataGetBytePtr(data)
        kbd_type = carbon.LMGetKbdType()
        uc = carbon.UCKeyTranslate
        uc.restype = ctypes.c_int32
        uc.argtypes = [vp, ctypes.c_uint16, ctypes.c_uint16, ctypes.c_uint32, ctypes.c_uint32,
                       ctypes.c_uint32, ctypes.POINTER(ctypes.c_uint32), ctypes.c_ulong,
                       ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_uint16)]  # fmt: skip

        def translate(code: int) -> str | None:
            dead = ctypes.c_uint32(0)
            length = ctypes.c_ulong(0)
            chars = (ctypes.c_uint16 * 4)()
            status = uc(layout, code, K_UC_KEY_ACTION_DISPLAY, CMD_KEY_STATE, kbd_type,
                        K_UC_KEY_TRANSLATE_NO_DEAD_KEYS, ctypes.byref(dead), 4,
                        ctypes.byref(length), chars)  # fmt: skip
            if status != 0 or length.value == 0:
                return None
            return "".join(chr(chars[i]) for i in range(min(length.value, 4)))

        return translate

    def __exit__(self, *_exc: object) -> None:
        if getattr(self, "_source", None):
            self._cf.CFRelease(self._source)
