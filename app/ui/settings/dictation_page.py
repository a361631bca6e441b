"""Preferences → Dictation: where dictated text goes, the pause that ends an utterance, the live
preview, the Record shortcut, the input device, system-wide dictation and start at login.

The input devices are listed once, the first time the page is shown (``fill_devices``: listing
re-inits PortAudio, ~0.1–0.5 s), so opening the dialog stays instant.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QKeySequenceEdit,
    QLineEdit,
    QWidget,
)

from app.core.dictation.endpointing import PAUSE_RANGE
from app.core.errors import GraniteError
from app.core.preferences import HotkeyMode, InsertionMode, Preferences
from app.system.base import Shortcut
from app.ui.settings.form_rows import add_row, combo, select

#: Lists the input devices: names, or (label, PortAudio name) pairs.
DeviceLister = Callable[[], Sequence[str | tuple[str, str]]]


class DictationPage(QWidget):
    def __init__(
        self,
        input_devices: Sequence[str] = (),
        *,
        device_lister: DeviceLister | None = None,
        login_item_available: bool = True,
        global_hotkey_available: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._device_lister = device_lister
        form = QFormLayout(self)
        self.insertion_combo = combo(
            "Insert dictated text",
            [("At the cursor", "cursor"), ("At the end of the transcript", "end")],
        )
        add_row(form, "&Insert text:", self.insertion_combo)
        self.pause_spin = QDoubleSpinBox()
        self.pause_spin.setAccessibleName("Pause that ends an utterance, seconds")
        self.pause_spin.setRange(*PAUSE_RANGE)
        self.pause_spin.setSingleStep(0.1)
        self.pause_spin.setDecimals(2)
        self.pause_spin.setSuffix(" s")
        add_row(form, "&Pause ends utterance:", self.pause_spin)
        self.preview_check = QCheckBox("Live previe&w while speaking (greyed, approximate)")
        self.preview_check.setAccessibleName("Live preview while speaking")
        form.addRow(self.preview_check)
        self.shortcut_edit = QKeySequenceEdit()
        self.shortcut_edit.setAccessibleName("Record shortcut")
        self.shortcut_edit.setClearButtonEnabled(True)
        self.shortcut_edit.setMaximumSequenceLength(1)
        add_row(form, "&Record shortcut:", self.shortcut_edit)
        self.device_combo = combo(
            "Input device", [("System default", ""), *((d, d) for d in input_devices)]
        )
        add_row(form, "Input de&vice:", self.device_combo)
        self._build_system_wide(form, login_item_available, global_hotkey_available)

    def _build_system_wide(self, form: QFormLayout, login_item: bool, hotkey: bool) -> None:
        self.global_hotkey_edit = QLineEdit()
        self.global_hotkey_edit.setAccessibleName("System-wide dictation shortcut")
        self.global_hotkey_edit.setPlaceholderText("Off — e.g. alt+space or cmd+shift+d")
        self.global_hotkey_edit.setToolTip(
            "Dictate into any app: the text is pasted where the cursor is. Empty = off."
        )
        add_row(form, "&Global shortcut:", self.global_hotkey_edit)
        self.hotkey_mode_combo = combo(
            "System-wide shortcut mode",
            [("Press to start, press again to stop", "toggle"), ("Hold to talk", "hold")],
        )
        add_row(form, "S&hortcut works by:", self.hotkey_mode_combo)
        self.login_check = QCheckBox("Start at &login")
        self.login_check.setAccessibleName("Start Granite Dictate at login")
        self.login_check.setEnabled(login_item)
        if not login_item:
            self.login_check.setToolTip("Not supported on this system.")
        form.addRow(self.login_check)
        if not hotkey:
            for widget in (self.global_hotkey_edit, self.hotkey_mode_combo):
                widget.setEnabled(False)
                widget.setToolTip("A system-wide shortcut is not supported on this system.")

    def show_preferences(self, p: Preferences) -> None:
        select(self.insertion_combo, p.insertion_mode)
        self.pause_spin.setValue(p.pause_s)
        self.preview_check.setChecked(p.live_preview)
        self.shortcut_edit.setKeySequence(QKeySequence(p.record_shortcut))
        self.global_hotkey_edit.setText(p.global_hotkey)
        select(self.hotkey_mode_combo, p.global_hotkey_mode)
        self.login_check.setChecked(p.launch_at_login)
        if p.input_device and self.device_combo.findData(p.input_device) < 0:
            # A device that is not connected now keeps its setting.
            self.device_combo.addItem(f"{p.input_device} (not connected)", p.input_device)
        select(self.device_combo, p.input_device)

    def apply(self, p: Preferences) -> Preferences:
        """``p`` with this page's values; ``UsageError`` (one line) for a nonsense shortcut."""
        hotkey = self.global_hotkey_edit.text().strip()
        if hotkey:
            hotkey = str(Shortcut.parse(hotkey))
        mode: HotkeyMode = "hold" if self.hotkey_mode_combo.currentData() == "hold" else "toggle"
        insertion: InsertionMode = (
            "end" if self.insertion_combo.currentData() == "end" else "cursor"
        )
        return replace(
            p,
            insertion_mode=insertion,
            record_shortcut=self.shortcut_edit.keySequence().toString(),
            pause_s=round(self.pause_spin.value(), 2),
            input_device=str(self.device_combo.currentData() or ""),
            global_hotkey=hotkey,
            global_hotkey_mode=mode,
            launch_at_login=self.login_check.isChecked(),
            live_preview=self.preview_check.isChecked(),
        )

    def fill_devices(self) -> None:
        """List the input devices now (once; the dialog does it when the page is first shown)."""
        lister, self._device_lister = self._device_lister, None
        if lister is None:
            return
        try:
            devices = [(d, d) if isinstance(d, str) else d for d in lister()]  # (label, name)
        except GraniteError as err:  # no audio system: "System default" stays the only choice
            self.device_combo.setToolTip(str(err))
            return
        chosen = self.device_combo.currentData()
        for i in range(self.device_combo.count() - 1, 0, -1):  # keep "System default"
            self.device_combo.removeItem(i)
        for label, name in devices:
            self.device_combo.addItem(label, name)
        if chosen and self.device_combo.findData(chosen) < 0:
            self.device_combo.addItem(f"{chosen} (not connected)", chosen)
        select(self.device_combo, chosen)
