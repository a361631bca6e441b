"""Permissions in the wired app (fake engine, fake microphone, fake platform): the microphone
opens only after the prompt is answered, a denial shows one banner with the settings button,
Accessibility is prompted once and the hotkey is registered again when it arrives (on
activation or by the poll), Preferences lists the states."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.core.dictation.hotkey_state import Permission
from app.system.base import MicrophoneStatus
from app.system.fake import FakePermissions
from app.ui.desktop.permissions import BANNER_SOURCE, OPEN_SETTINGS
from app.ui.settings.permissions_page import PermissionsPage
from tests.support.wired_app import WAIT_MS, App


@pytest.fixture
def app(app: App) -> App:
    opened: list[str] = []
    app.shell.permissions.open_url = opened.append
    app.opened = opened  # type: ignore[attr-defined]
    return app


def _perms(app: App) -> FakePermissions:
    perms = app.platform.permissions
    assert isinstance(perms, FakePermissions)
    return perms


def _activate() -> None:
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    qapp.applicationStateChanged.emit(Qt.ApplicationState.ApplicationActive)


def test_record_waits_for_the_microphone_prompt_then_records(app: App) -> None:
    perms = _perms(app)
    perms.microphone = MicrophoneStatus.NOT_DETERMINED
    app.window.record_action.trigger()
    assert not app.ctl.recording and app.sessions.made == []  # no stream while asking
    assert not app.window.record_action.isChecked()
    assert len(perms.mic_requests) == 1
    perms.answer_microphone(True)
    app.qtbot.waitUntil(lambda: app.ctl.recording, timeout=WAIT_MS)
    assert app.window.banner.text() == ""


def test_denied_microphone_shows_one_banner_with_the_settings_button(app: App) -> None:
    perms = _perms(app)
    perms.microphone = MicrophoneStatus.DENIED
    app.window.record_action.trigger()
    assert not app.ctl.recording and app.sessions.made == []
    banner = app.window.banner
    assert "Microphone" in banner.text() and banner.source == BANNER_SOURCE
    assert banner.action_button.text() == OPEN_SETTINGS
    banner.action_button.click()
    assert app.opened == ["x-fake-settings:microphone"]  # type: ignore[attr-defined]


def test_system_wide_dictation_starts_once_the_microphone_is_allowed(app: App) -> None:
    perms = _perms(app)
    perms.microphone = MicrophoneStatus.NOT_DETERMINED
    app.window.apply_preferences(replace(app.window.prefs, global_hotkey="Alt+Space"))
    app.tap_hotkey()
    app.qtbot.waitUntil(lambda: bool(perms.mic_requests), timeout=WAIT_MS)
    assert not app.ctl.recording
    perms.answer_microphone(True)
    app.qtbot.waitUntil(lambda: app.ctl.recording, timeout=WAIT_MS)
    assert app.shell.driver.state.value == "recording"


def test_accessibility_prompted_once_and_hotkey_reregistered_on_activation(app: App) -> None:
    perms = _perms(app)
    perms.accessibility = False
    app.window.apply_preferences(replace(app.window.prefs, global_hotkey="Alt+Space"))
    assert perms.accessibility_prompts == 1
    assert app.shell.permissions.poll.isActive()
    assert "Accessibility" in app.window.banner.text()
    registrations = app.hotkey.calls.count("register alt+space")
    perms.accessibility = True  # the user flips the switch in System Settings
    _activate()
    assert app.hotkey.calls.count("register alt+space") == registrations + 1
    assert not app.shell.permissions.poll.isActive()
    assert app.window.banner.text() == ""
    assert app.shell.driver.machine.permissions.accessibility
    app.window.apply_preferences(replace(app.window.prefs, global_hotkey="Ctrl+Alt+D"))
    assert perms.accessibility_prompts == 1


def test_poll_notices_accessibility_while_the_settings_are_open(app: App) -> None:
    perms = _perms(app)
    perms.accessibility = False
    app.shell.permissions.poll.setInterval(10)
    app.window.apply_preferences(replace(app.window.prefs, global_hotkey="Alt+Space"))
    perms.accessibility = True
    app.qtbot.waitUntil(lambda: app.hotkey.calls.count("register alt+space") == 2, timeout=WAIT_MS)
    app.qtbot.waitUntil(lambda: not app.shell.permissions.poll.isActive(), timeout=WAIT_MS)


def test_input_monitoring_is_not_checked_when_accessibility_is_there(app: App) -> None:
    perms = _perms(app)
    perms.input_monitoring = False
    app.window.apply_preferences(replace(app.window.prefs, global_hotkey="Alt+Space"))
    assert "input_monitoring" not in perms.checked
    assert not any("Input Monitoring" in m for m in app.shell.messages)


def test_preferences_lists_states_with_a_fix_button(app: App, qtbot) -> None:
    perms = _perms(app)
    perms.accessibility = False
    app.shell.permissions.system_wide = True
    page = PermissionsPage(app.shell.permissions.rows, app.shell.permissions.fix)
    qtbot.addWidget(page)
    assert page.states[Permission.MICROPHONE].text() == "✓ Granted"
    assert page.states[Permission.ACCESSIBILITY].text() == "✗ Missing"
    assert Permission.MICROPHONE not in page.buttons
    page.buttons[Permission.ACCESSIBILITY].click()  # first time: the system prompt
    assert perms.accessibility_prompts == 1
    page.buttons[Permission.ACCESSIBILITY].click()  # then the pane
    assert app.opened == ["x-fake-settings:accessibility"]  # type: ignore[attr-defined]
    perms.accessibility = True
    page.refresh()
    assert page.states[Permission.ACCESSIBILITY].text() == "✓ Granted"


def test_accessibility_prompt_is_shown_once_ever(app: App, home) -> None:
    perms = _perms(app)
    perms.accessibility = False
    app.window.apply_preferences(replace(app.window.prefs, global_hotkey="Alt+Space"))
    assert perms.accessibility_prompts == 1
    marker = home / "config" / "accessibility-prompted"
    assert marker.is_file()  # the next start of the app does not prompt again
    from app.ui.desktop.permissions import PermissionsController

    again = PermissionsController(
        perms, post=lambda fn: fn(), show_banner=lambda *_: None, clear_banner=lambda: None,
        reregister_hotkey=lambda: None, prompted_marker=marker,
    )  # fmt: skip
    again.system_wide_enabled()
    assert perms.accessibility_prompts == 1 and again.accessibility.waiting
    again.system_wide_disabled()
