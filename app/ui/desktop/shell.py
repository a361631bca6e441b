"""Everything around the main window: tray / menu-bar icon, the floating recording indicator,
system-wide dictation (global shortcut → record → paste into the frontmost app), launch at
login and messages from a second launch.

    shell = AppShell(window, controller, platform=create_platform(schedule=qt_scheduler))
    shell.apply_preferences(prefs)     # also on every change (MainWindow.preferencesApplied)

The parts with their own rules live beside it: ``system_dictation`` (the driver and what it
pastes), ``lifecycle``, ``permissions``, ``paste_guard``, ``tray``. The tray shows "recording"
while the controller records and "transcribing" while dictation or file jobs are pending.
"""

from __future__ import annotations

import logging
import sys

from PySide6.QtCore import QObject, Qt, QTimer, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

from app.core.dictation.hotkey_state import Mode, Permission, State
from app.core.errors import GraniteError
from app.core.preferences import Preferences
from app.core.storage import paths
from app.system import Platform
from app.system.base import Shortcut
from app.ui.desktop.lifecycle import AppLifecycle
from app.ui.desktop.permissions import (
    ACCESSIBILITY_PROMPTED,
    BANNER_SOURCE,
    PermissionsController,
)
from app.ui.desktop.recording_indicator import RecordingIndicator
from app.ui.desktop.system_dictation import SystemDictation
from app.ui.desktop.tray import GuiThreadPoster, TrayController
from app.ui.dictation.dictation_controller import DictationController
from app.ui.dictation.level_meter import db_to_fraction
from app.ui.settings.permissions_page import PermissionsPage
from app.ui.window.main_window import MainWindow

log = logging.getLogger(__name__)

TITLE = "Granite Dictate"


class AppShell(QObject):
    def __init__(
        self,
        window: MainWindow,
        controller: DictationController,
        platform: Platform,
        *,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent or window)
        self.window = window
        self.controller = controller
        self.platform = platform
        self.prefs: Preferences | None = None
        self.messages: list[str] = []  # notices shown to the user (also in the log)
        self._poster = GuiThreadPoster(self)
        self.dictation = SystemDictation(
            window,
            controller,
            platform,
            post=self._poster.post,
            notify=self._notify,
            state_changed=self._on_driver_state,
            parent=self,
        )
        self.driver = self.dictation.driver
        self.permissions = PermissionsController(
            platform.permissions,
            post=self._poster.post,
            show_banner=lambda text, action: window.banner.show_message(
                text, BANNER_SOURCE, action
            ),
            clear_banner=lambda: window.banner.clear_if(BANNER_SOURCE),
            reregister_hotkey=self._register_hotkey,
            prompted_marker=paths.config_dir() / ACCESSIBILITY_PROMPTED,
            parent=self,
        )
        self.controller.microphone = self.permissions.microphone
        self.indicator = RecordingIndicator()
        self.indicator.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)
        self.tray = self._make_tray(window)
        # Closing the window hides it while the tray (or the Dock) can bring it back.
        self.lifecycle = AppLifecycle(
            window,
            busy=self.busy_reasons,
            bring_to_front=self.bring_to_front,
            hide_on_close=self.tray.available or sys.platform == "darwin",
            before_hide=self._save_window,
        )
        self._follow(window)

    def _make_tray(self, window: MainWindow) -> TrayController:
        tray = TrayController(parent=self)
        tray.start_stop_requested.connect(self.toggle)
        tray.open_window_requested.connect(self.bring_to_front)
        tray.preferences_requested.connect(self._open_preferences)
        tray.copy_last_requested.connect(self.dictation.copy_last)
        tray.paste_last_requested.connect(self.dictation.paste_last)
        tray.quit_requested.connect(self.quit)
        keywords = window.keywords
        tray.keyword_list_chosen.connect(self._choose_keywords)
        keywords.listsChanged.connect(
            lambda names, current: tray.set_keyword_lists(names, current, include_none=False)
        )
        tray.set_keyword_lists(
            keywords.list_names(), keywords.active_list_name(), include_none=False
        )
        tray.set_start_enabled(window.model_state == "ready")
        tray.show()
        return tray

    def _follow(self, window: MainWindow) -> None:
        """Follow the dictation controller, the model, file jobs and preferences."""
        ctl = self.controller
        ctl.sessionEnded.connect(self._refresh)  # after ``dictation`` saw the session end
        ctl.recordingChanged.connect(self._refresh)
        ctl.levelChanged.connect(self._on_level)
        bridge = window.bridge
        bridge.jobFinished.connect(self._refresh_later)  # after ``dictation`` checked for text
        bridge.jobFailed.connect(self._refresh_later)
        bridge.modelStateChanged.connect(self._on_model_state)
        for signal in (
            window.jobs.jobAdded,
            window.jobs.jobDone,
            window.jobs.jobFailed,
            window.jobs.jobCancelled,
        ):
            signal.connect(self._refresh_later)
        window.preferencesApplied.connect(self.apply_preferences)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            # The user may have granted a permission in System Settings meanwhile.
            app.applicationStateChanged.connect(self._on_app_state)

    # --- preferences -------------------------------------------------------------------
    @Slot(object)
    def apply_preferences(self, prefs: Preferences) -> None:
        """Register or drop the global shortcut; switch launch at login to the preference."""
        old = self.prefs
        self.prefs = prefs
        self.driver.use_typing = prefs.type_instead_of_paste
        if self.platform.injector is not None:
            self.platform.injector.set_restore_delay(prefs.clipboard_restore_s)
        hotkey_changed = old is None or (old.global_hotkey, old.global_hotkey_mode) != (
            prefs.global_hotkey,
            prefs.global_hotkey_mode,
        )
        if hotkey_changed:
            if prefs.global_hotkey:
                self._register_hotkey()
            else:
                self.driver.disable()
                self.permissions.system_wide_disabled()
        # Never at start-up; afterwards follow the dialog, which shows the system's state.
        login = self.platform.login_item
        if old is not None and login and self.login_enabled() != prefs.launch_at_login:
            try:
                login.set_enabled(prefs.launch_at_login)
            except GraniteError as err:
                self._notify(str(err), None)

    def _register_hotkey(self) -> None:
        """(Re-)register the global shortcut from the preferences; also after Accessibility
        arrives, so the hotkey becomes an active tap and pasting works without a restart."""
        prefs = self.prefs
        if prefs is None or not prefs.global_hotkey:
            return
        try:
            shortcut = Shortcut.parse(prefs.global_hotkey)
        except GraniteError as err:
            self._notify(str(err), None)
            return
        self.driver.enable(shortcut, Mode(prefs.global_hotkey_mode))
        self.permissions.system_wide_enabled()

    def hotkey_available(self) -> bool:
        return self.platform.hotkey is not None

    def permission_states(self) -> dict[str, str]:
        """Each permission and whether it is granted (Help → Copy Diagnostics)."""
        return {
            r.label: ("granted" if r.granted else "not granted")
            + ("" if r.needed else ", not needed")
            for r in self.permissions.rows()
        }

    def permissions_page(self) -> QWidget:
        """The Preferences page with each permission's state and a fix button."""
        return PermissionsPage(self.permissions.rows, self.permissions.fix)

    def login_enabled(self) -> bool | None:
        """Whether the system starts the app at login now; ``None`` where it cannot."""
        login = self.platform.login_item
        if login is None:
            return None
        try:
            return bool(login.enabled())
        except (GraniteError, OSError) as err:
            log.info("Cannot read the login item: %s", err)
            return self.prefs.launch_at_login if self.prefs else False

    # --- user actions ------------------------------------------------------------------
    @Slot()
    def toggle(self) -> None:
        """Tray Start/Stop: stop a recording begun in the window, else the driver toggles
        (its text is pasted into the frontmost app)."""
        if self.driver.state is State.IDLE and self.controller.recording:
            self.controller.stop()
        else:
            self.driver.toggle()

    @Slot()
    def bring_to_front(self) -> None:
        w = self.window
        if w.isMinimized():
            w.showNormal()
        w.show()
        if QGuiApplication.platformName() not in ("offscreen", "minimal"):
            w.raise_()
            w.activateWindow()

    @Slot(str, list)
    def on_instance_message(self, command: str, _args: list[str]) -> None:
        """A second launch: ``activate`` brings the window up, ``toggle`` toggles dictation."""
        log.info("Message from a second launch: %s", command)
        if command == "toggle":
            self.toggle()
        else:
            self.bring_to_front()

    @Slot()
    def quit(self) -> None:
        """File → Quit and the tray's Quit: asks first when work is running."""
        self.lifecycle.quit()

    def busy_reasons(self) -> list[str]:
        """What quitting now would stop (empty: nothing)."""
        reasons = []
        if self.controller.recording or self.driver.state is State.RECORDING:
            reasons.append("a recording")
        if self.controller.pending_jobs or self.driver.state is State.TRANSCRIBING:
            reasons.append("dictated text still being transcribed")
        files = len(self.window.jobs.active())
        if files:
            reasons.append(f"{files} file{'s' if files != 1 else ''} being transcribed")
        return reasons

    def _save_window(self) -> None:
        from app.ui.window.window_parts import save_window_state

        self.window.autosave.flush()
        save_window_state(self.window)

    def shutdown(self) -> None:
        self.lifecycle.shutdown()
        self.driver.disable()
        self.tray.hide()
        self.indicator.hide()

    @Slot()
    def _open_preferences(self) -> None:
        self.bring_to_front()
        QTimer.singleShot(0, self.window.open_preferences)

    @Slot(str)
    def _choose_keywords(self, name: str) -> None:
        self.window.keywords.set_active_list(name)

    # --- notices and driver state (GUI thread) -------------------------------------------
    def _notify(self, message: str, permission: Permission | None) -> None:
        log.info("Dictation notice%s: %s", f" ({permission.value})" if permission else "", message)
        self.messages.append(message)
        if permission is not None:  # in the window's banner with the pane's button
            self.permissions.show_missing(permission, message)
            self.tray.show_message(TITLE, message)
        elif not self.tray.show_message(TITLE, message):
            self.window.show_error(message)

    def _on_driver_state(self, state: State) -> None:
        self.indicator.set_state(state.value)
        self._refresh()

    # --- controller / bridge signals ---------------------------------------------------
    @Slot(float, float)
    def _on_level(self, rms_db: float, _peak_db: float) -> None:
        if self.indicator.isVisible():
            self.indicator.set_level(db_to_fraction(rms_db))

    @Slot(Qt.ApplicationState)
    def _on_app_state(self, state: Qt.ApplicationState) -> None:
        if state == Qt.ApplicationState.ApplicationActive:
            self.driver.refresh_permissions()
            self.permissions.recheck()

    @Slot(str, str)
    def _on_model_state(self, state: str, _message: str) -> None:
        self.tray.set_start_enabled(state == "ready")

    # --- tray state --------------------------------------------------------------------
    def tray_state(self) -> str:
        if self.controller.recording:
            return "recording"
        busy = self.controller.pending_jobs or self.window.jobs.active()
        if busy or self.driver.state is State.TRANSCRIBING:
            return "transcribing"
        return "idle"

    @Slot()
    def _refresh_later(self, *_args: object) -> None:
        QTimer.singleShot(0, self._refresh)

    def dictation_busy(self) -> bool:
        """A dictated text is on its way (the driver ignores the shortcut until it lands)."""
        return self.driver.state is State.TRANSCRIBING

    @Slot()
    def _refresh(self, *_args: object) -> None:
        self.tray.set_state(self.tray_state(), dictation_busy=self.dictation_busy())
