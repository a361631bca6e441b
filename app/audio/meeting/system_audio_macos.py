"""macOS system audio: a Core Audio process tap read through PortAudio (macOS 14.2+).

Chosen over a ScreenCaptureKit audio-only stream on this evidence:

* permission: a tap asks for "System Audio Recording Only" (System Settings → Privacy &
  Security → Screen & System Audio Recording), with the usage string of the Info.plist key
  ``NSAudioCaptureUsageDescription`` (Apple's sample "Capturing system audio with Core Audio
  taps": without the key the prompt cannot be shown). ScreenCaptureKit needs the full Screen
  Recording permission, a display in its content filter even for audio only, and macOS 15
  re-asks for it periodically: too much to ask for a dictation app;
* no Python on the audio thread: a tap is added to a private aggregate device, which is an
  ordinary input device to the HAL, so the existing PortAudio capture (``AudioCapture``) reads
  it. ScreenCaptureKit hands every buffer to an Objective-C delegate (a CMSampleBuffer crossing
  PyObjC per 10 ms), and PyObjC IOProc blocks on a tap's device were reported not to be
  called (ProcessAudioTap's investigation), which this design avoids;
* the tap is global, mono, unmuted and excludes our own process (no feedback).

PyObjC (``pyobjc-framework-CoreAudio``) is imported only here, on first use. Untested on
this Linux machine: the Linux monitor source carries the tests.

The app bundle's Info.plist (``packaging/Info.plist``) carries the usage string under
``NSAudioCaptureUsageDescription``.
"""

from __future__ import annotations

import logging
import os
import platform
import uuid
from typing import Any

from app.audio.capture import AudioCapture
from app.audio.devices import AudioBackend, resolve_device
from app.audio.meeting.sources import CaptureEventSink, DeviceSource, SystemAudioError

log = logging.getLogger(__name__)

USAGE_KEY = "NSAudioCaptureUsageDescription"
PERMISSION = "System Settings → Privacy & Security → Screen & System Audio Recording"
AGGREGATE_NAME = "Granite Dictate system audio"


def _macos_version() -> tuple[int, ...]:
    try:
        return tuple(int(x) for x in platform.mac_ver()[0].split(".") if x.isdigit())
    except ValueError:
        return ()


class ProcessTapSource(DeviceSource):
    """The aggregate device holding the tap, captured like a microphone; ``close`` destroys
    the aggregate device and the tap."""

    def __init__(self, capture: AudioCapture, core_audio: Any, tap_id: int, agg_id: int) -> None:
        super().__init__(capture)
        self._ca = core_audio
        self._tap, self._agg = tap_id, agg_id

    @property
    def name(self) -> str:
        return "system audio"

    def close(self) -> None:
        super().close()
        if self._agg:
            self._ca.AudioHardwareDestroyAggregateDevice(self._agg)
            self._agg = 0
        if self._tap:
            self._ca.AudioHardwareDestroyProcessTap(self._tap)
            self._tap = 0


def open_process_tap(backend: AudioBackend, on_event: CaptureEventSink | None) -> DeviceSource:
    if _macos_version() < (14, 2):
        raise SystemAudioError(
            "Capturing system audio needs macOS 14.2 or later; pick a loopback input device."
        )
    try:
        import CoreAudio  # type: ignore[import-not-found,unused-ignore]
        import objc  # type: ignore[import-not-found,unused-ignore]
    except ImportError as err:
        raise SystemAudioError(f"System audio capture is unavailable: {err}") from err
    tap_id = _create_tap(CoreAudio, objc)
    agg_id = 0
    try:
        agg_id = _create_aggregate(CoreAudio, tap_id)
        backend.refresh()  # PortAudio lists devices at initialisation
        device = resolve_device(backend, AGGREGATE_NAME)
        capture = AudioCapture(backend, device, on_event=on_event, fallback_to_default=False)
    except BaseException:
        if agg_id:
            CoreAudio.AudioHardwareDestroyAggregateDevice(agg_id)
        CoreAudio.AudioHardwareDestroyProcessTap(tap_id)
        raise
    return ProcessTapSource(capture, CoreAudio, tap_id, agg_id)


def _create_tap(ca: Any, objc: Any) -> int:
    tap_class = objc.lookUpClass("CATapDescription")
    own = _own_process_object(ca)
    desc = tap_class.alloc().initMonoGlobalTapButExcludeProcesses_([own] if own else [])
    desc.setName_(AGGREGATE_NAME)
    desc.setPrivate_(True)
    status, tap_id = ca.AudioHardwareCreateProcessTap(desc, None)
    if status != 0 or not tap_id:
        raise SystemAudioError(
            f"Cannot capture system audio (Core Audio error {status}): allow Granite Dictate "
            f"in {PERMISSION}."
        )
    return int(tap_id)


def _own_process_object(ca: Any) -> int:
    try:
        address = ca.AudioObjectPropertyAddress(
            ca.kAudioHardwarePropertyTranslatePIDToProcessObject,
            ca.kAudioObjectPropertyScopeGlobal,
            ca.kAudioObjectPropertyElementMain,
        )
        status, _size, obj = ca.AudioObjectGetPropertyData(
            ca.kAudioObjectSystemObject, address, 4, os.getpid(), 4, None
        )
    except (AttributeError, TypeError, ValueError) as err:
        log.info("own process object unavailable: %s", err)
        return 0
    return int(obj) if status == 0 and obj else 0


def _create_aggregate(ca: Any, tap_id: int) -> int:
    address = ca.AudioObjectPropertyAddress(
        ca.kAudioTapPropertyUID,
        ca.kAudioObjectPropertyScopeGlobal,
        ca.kAudioObjectPropertyElementMain,
    )
    status, _size, tap_uid = ca.AudioObjectGetPropertyData(tap_id, address, 0, None, 8, None)
    if status != 0:
        raise SystemAudioError(f"Cannot read the system audio tap (Core Audio error {status}).")
    description = {
        ca.kAudioAggregateDeviceNameKey: AGGREGATE_NAME,
        ca.kAudioAggregateDeviceUIDKey: f"granite-dictate-{uuid.uuid4()}",
        ca.kAudioAggregateDeviceIsPrivateKey: True,
        ca.kAudioAggregateDeviceTapAutoStartKey: True,
        ca.kAudioAggregateDeviceTapListKey: [{ca.kAudioSubTapUIDKey: tap_uid}],
    }
    status, agg_id = ca.AudioHardwareCreateAggregateDevice(description, None)
    if status != 0 or not agg_id:
        raise SystemAudioError(f"Cannot set up system audio capture (Core Audio error {status}).")
    return int(agg_id)
