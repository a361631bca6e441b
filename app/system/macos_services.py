"""macOS permissions (Accessibility, Input Monitoring, Microphone) and launch at login
(SMAppService) on pyobjc, imported lazily like ``app.system.macos``."""

from __future__ import annotations

import ctypes
import importlib
import logging
from typing import Any

from app.core.dictation.hotkey_state import default_explanation
from app.system.base import (
    MicrophoneAnswer,
    MicrophoneStatus,
    PermissionKind,
    SystemIntegrationError,
)

log = logging.getLogger(__name__)

SETTINGS_URLS = {
    PermissionKind.ACCESSIBILITY: (
        "x-apple.systempreferences:com.apple.preference.security?Privacy_Accessibility"
    ),
    PermissionKind.INPUT_MONITORING: (
        "x-apple.systempreferences:com.apple.preference.security?Privacy_ListenEvent"
    ),
    PermissionKind.MICROPHONE: (
        "x-apple.systempreferences:com.apple.preference.security?Privacy_Microphone"
    ),
}


def _mod(name: str) -> Any:
    return importlib.import_module(name)


def accessibility_trusted(prompt: bool = False) -> bool:
    hi = _mod("ApplicationServices")
    if prompt:
        return bool(hi.AXIsProcessTrustedWithOptions({hi.kAXTrustedCheckOptionPrompt: True}))
    return bool(hi.AXIsProcessTrusted())


def _iohid_check_access(request_type: int) -> int:
    """IOHIDCheckAccess (IOKit, macOS 10.15+): 0 granted, 1 denied, 2 unknown."""
    iokit = ctypes.cdll.LoadLibrary("/System/Library/Frameworks/IOKit.framework/IOKit")
    fn = iokit.IOHIDCheckAccess
    fn.argtypes = [ctypes.c_uint32]
    fn.restype = ctypes.c_uint32
    return int(fn(request_type))


class MacPermissions:
    LISTEN_EVENT = 1  # kIOHIDRequestTypeListenEvent

    def accessibility_granted(self) -> bool:
        return accessibility_trusted()

    def input_monitoring_granted(self) -> bool:
        try:
            return _iohid_check_access(self.LISTEN_EVENT) == 0
        except (OSError, AttributeError):
            return bool(_mod("Quartz").CGPreflightListenEventAccess())

    def microphone_status(self) -> MicrophoneStatus:
        av = _mod("AVFoundation")
        status = int(av.AVCaptureDevice.authorizationStatusForMediaType_(av.AVMediaTypeAudio))
        # AVAuthorizationStatus: 0 not determined, 1 restricted, 2 denied, 3 authorized
        return {0: MicrophoneStatus.NOT_DETERMINED, 3: MicrophoneStatus.GRANTED}.get(
            status, MicrophoneStatus.DENIED
        )

    def explain(self, kind: PermissionKind) -> str:
        return default_explanation(kind)

    def settings_url(self, kind: PermissionKind) -> str | None:
        return SETTINGS_URLS[kind]

    def request_microphone(self, on_answer: MicrophoneAnswer) -> None:
        """``AVCaptureDevice.requestAccessForMediaType:completionHandler:``: the system prompt
        when the status is not determined; the handler runs on an arbitrary queue."""
        av = _mod("AVFoundation")

        def handler(granted: bool) -> None:
            log.info("Microphone access answered: %s", bool(granted))
            on_answer(bool(granted))

        av.AVCaptureDevice.requestAccessForMediaType_completionHandler_(
            av.AVMediaTypeAudio, handler
        )

    def prompt_accessibility(self) -> bool:
        """``AXIsProcessTrustedWithOptions`` with ``kAXTrustedCheckOptionPrompt``: the system
        dialog that offers System Settings and adds the app to the Accessibility list."""
        return accessibility_trusted(prompt=True)

    def request(self, kind: PermissionKind) -> None:
        """Show the system prompt where macOS has one, else open the settings pane."""
        if kind is PermissionKind.ACCESSIBILITY:
            accessibility_trusted(prompt=True)
        elif kind is PermissionKind.INPUT_MONITORING:
            _mod("Quartz").CGRequestListenEventAccess()
        else:
            self.request_microphone(lambda granted: None)


class MacLoginItem:
    """SMAppService.mainAppService (macOS 13+); works only for the signed app bundle."""

    ENABLED, REQUIRES_APPROVAL = 1, 2

    def __init__(self) -> None:
        self._service = _mod("ServiceManagement").SMAppService.mainAppService()

    def enabled(self) -> bool:
        return int(self._service.status()) == self.ENABLED

    def set_enabled(self, enabled: bool) -> None:
        if enabled:
            ok, err = self._service.registerAndReturnError_(None)
        else:
            ok, err = self._service.unregisterAndReturnError_(None)
        if int(self._service.status()) == self.REQUIRES_APPROVAL:
            raise SystemIntegrationError(
                "Allow Granite Dictate in System Settings › General › Login Items."
            )
        if not ok:
            reason = err.localizedDescription() if err is not None else "unknown error"
            raise SystemIntegrationError(f"Cannot change launch at login: {reason}")
