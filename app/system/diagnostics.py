"""Self-test checks of the system integration: microphone permission, Accessibility and Input
Monitoring, and whether the global shortcut registers (an event tap on its own thread)."""

from __future__ import annotations

import sys

from app.core.about.selftest import CheckResult, failed, passed, skipped
from app.system.base import MicrophoneStatus, PermissionKind, Platform, Shortcut

#: A shortcut nobody uses, registered for a moment and dropped again.
PROBE_SHORTCUT = "ctrl+alt+cmd+f19"


def permission_checks(platform: Platform) -> list[CheckResult]:
    if sys.platform != "darwin" or platform.name != "macos":
        return [skipped(n) for n in ("microphone permission", "Accessibility", "Input Monitoring")]
    perms = platform.permissions
    mic = perms.microphone_status()
    mic_result = {
        MicrophoneStatus.GRANTED: passed("microphone permission", "granted"),
        MicrophoneStatus.NOT_DETERMINED: passed(
            "microphone permission", "not asked yet: macOS asks at the first recording"
        ),
        MicrophoneStatus.DENIED: failed(
            "microphone permission", "denied: " + perms.explain(PermissionKind.MICROPHONE)
        ),
    }[mic]
    acc = perms.accessibility_granted()
    im = perms.input_monitoring_granted()
    acc_result = (
        passed("Accessibility", "granted: pasting and the active shortcut tap work")
        if acc
        else failed("Accessibility", "missing: " + perms.explain(PermissionKind.ACCESSIBILITY))
    )
    if acc:
        im_result = passed(
            "Input Monitoring", f"not needed (Accessibility granted); {'granted' if im else 'off'}"
        )
    elif im:
        im_result = passed("Input Monitoring", "granted: the shortcut works listen-only")
    else:
        im_result = failed("Input Monitoring", perms.explain(PermissionKind.INPUT_MONITORING))
    return [mic_result, acc_result, im_result]


def hotkey_check(platform: Platform) -> CheckResult:
    if sys.platform != "darwin" or platform.name != "macos":
        return skipped("global shortcut")
    hotkey = platform.hotkey
    if hotkey is None:
        return failed("global shortcut", "no hotkey implementation")
    hotkey.register(Shortcut.parse(PROBE_SHORTCUT), lambda: None, lambda: None)
    try:
        kind = "registered"
        tap = getattr(hotkey, "tap_thread", None)
        if tap is not None:
            kind += " (active tap)" if tap.active else " (listen-only tap)"
    finally:
        hotkey.unregister()
    return passed("global shortcut", f"{PROBE_SHORTCUT} {kind}")
