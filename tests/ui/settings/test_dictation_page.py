"""Preferences → Dictation on its own: its fields round-trip, a nonsense shortcut is refused
with one line, devices are listed with human labels (or the failure said in a tooltip)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.core.errors import UsageError
from app.core.preferences import Preferences
from app.ui.settings.dictation_page import DictationPage

MINE = replace(
    Preferences(),
    insertion_mode="end",
    pause_s=1.25,
    live_preview=False,
    record_shortcut="Ctrl+Alt+R",
    input_device="USB Mic",
    global_hotkey="alt+space",
    global_hotkey_mode="hold",
    launch_at_login=True,
)


def test_the_page_shows_and_returns_its_fields(qtbot) -> None:
    page = DictationPage(["Built-in Mic"])
    qtbot.addWidget(page)
    page.show_preferences(MINE)
    assert page.device_combo.currentText() == "USB Mic (not connected)"  # setting kept
    assert page.apply(Preferences()) == MINE
    page.pause_spin.setValue(0.333)
    assert page.apply(MINE).pause_s == 0.33


def test_a_nonsense_global_shortcut_is_refused_with_one_line(qtbot) -> None:
    page = DictationPage()
    qtbot.addWidget(page)
    page.global_hotkey_edit.setText("ctrl+shift")
    with pytest.raises(UsageError, match="needs a key") as caught:
        page.apply(Preferences())
    assert "\n" not in str(caught.value)


def test_unsupported_login_item_and_global_shortcut_are_off_with_a_reason(qtbot) -> None:
    page = DictationPage(login_item_available=False, global_hotkey_available=False)
    qtbot.addWidget(page)
    assert not page.login_check.isEnabled() and "Not supported" in page.login_check.toolTip()
    assert not page.global_hotkey_edit.isEnabled() and not page.hotkey_mode_combo.isEnabled()
    page.show_preferences(MINE)
    assert page.apply(Preferences()).global_hotkey == "alt+space"  # kept, not lost


def test_device_listing_failure_keeps_the_system_default(qtbot) -> None:
    from app.audio.devices import AudioDeviceError

    def lister() -> list[str]:
        raise AudioDeviceError("Audio input is unavailable: no PortAudio")

    page = DictationPage(device_lister=lister)
    qtbot.addWidget(page)
    page.show_preferences(Preferences())
    page.fill_devices()
    assert page.device_combo.count() == 1 and "unavailable" in page.device_combo.toolTip()
    assert page.apply(Preferences()) == Preferences()


def test_devices_show_human_labels_and_keep_portaudio_names(qtbot) -> None:
    calls: list[int] = []

    def lister() -> list[str | tuple[str, str]]:
        calls.append(1)
        return [("PulseAudio sound server (pulse)", "pulse"), "USB Mic"]

    page = DictationPage(device_lister=lister)
    qtbot.addWidget(page)
    page.fill_devices()
    page.fill_devices()
    assert calls == [1]  # listed once
    labels = [page.device_combo.itemText(i) for i in range(page.device_combo.count())]
    assert labels == ["System default", "PulseAudio sound server (pulse)", "USB Mic"]
    page.device_combo.setCurrentIndex(1)
    assert page.apply(Preferences()).input_device == "pulse"
