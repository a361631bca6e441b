"""Preferences dialog: edits a copy of ``Preferences``; the caller saves the result.

Size: over 300 lines: one form per Preferences field (about 40); the newer pages live in
their own modules (``*_page.py``).

API::

    PreferencesDialog(prefs: Preferences, parent: QWidget | None = None, *,
                      input_devices: Sequence[str] = (),
                      device_lister: Callable[[], Sequence[str | tuple[str, str]]] | None = None,
                      login_item_available: bool = True,
                      global_hotkey_available: bool = True)
        result_preferences() -> Preferences   # validated; raises UsageError if invalid
        ask_directory: Callable[[str], str | None]   # replaceable for tests

``device_lister`` is called once, the first time the Dictation tab is shown (listing re-inits
PortAudio, ~0.1–0.5 s): opening the dialog stays instant. Typical use::

    dialog = PreferencesDialog(prefs, self, device_lister=names)
    if dialog.exec():
        prefs = dialog.result_preferences(); store.save_preferences(prefs)

OK refuses to close while a value is invalid and shows the one-line reason. Every control has
an accessible name and a label with a mnemonic; tabs switch with Ctrl+Tab.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QFont, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFontComboBox,
    QFormLayout,
    QHBoxLayout,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core import languages
from app.core.dictation.endpointing import PAUSE_RANGE
from app.core.errors import GraniteError
from app.core.preferences import (
    CHUNK_RANGE,
    FONT_SIZE_RANGE,
    HotkeyMode,
    InsertionMode,
    Preferences,
)
from app.core.transcript import Task
from app.system.base import Shortcut
from app.ui.settings.advanced_page import AdvancedPage
from app.ui.settings.server_page import ServerPage
from app.ui.settings.text_history_page import TextHistoryPage


def _combo(name: str, items: Sequence[tuple[str, object]]) -> QComboBox:
    combo = QComboBox()
    combo.setAccessibleName(name)
    for label, data in items:
        combo.addItem(label, data)
    return combo


def _select(combo: QComboBox, data: object) -> None:
    index = combo.findData(data)
    combo.setCurrentIndex(max(0, index))


class PreferencesDialog(QDialog):
    def __init__(
        self,
        prefs: Preferences,
        parent: QWidget | None = None,
        *,
        input_devices: Sequence[str] = (),
        device_lister: Callable[[], Sequence[str | tuple[str, str]]] | None = None,
        login_item_available: bool = True,
        global_hotkey_available: bool = True,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self._original = prefs
        self._device_lister = device_lister
        self.ask_directory: Callable[[str], str | None] = self._ask_directory
        self.tabs = tabs = QTabWidget()
        tabs.addTab(self._build_model_tab(), "&Model && languages")
        self.dictation_tab = self._build_dictation_tab(input_devices, login_item_available)
        if not global_hotkey_available:
            for widget in (self.global_hotkey_edit, self.hotkey_mode_combo):
                widget.setEnabled(False)
                widget.setToolTip("A system-wide shortcut is not supported on this system.")
        tabs.addTab(self.dictation_tab, "&Dictation")
        tabs.addTab(self._build_files_tab(), "&Files && display")
        self.advanced = AdvancedPage()
        tabs.addTab(self.advanced, "Advanced")  # every letter is taken
        self.text_page = TextHistoryPage()
        tabs.addTab(self.text_page, "Text && history")
        self.server_page = ServerPage()
        tabs.addTab(self.server_page, "Server")
        tabs.currentChanged.connect(self._on_tab_changed)
        self._error = QLabel("")
        self._error.setObjectName("preferencesError")
        self._error.setWordWrap(True)
        self._error.setStyleSheet("color: #b91c1c;")
        self._error.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        layout.addWidget(self._error)
        layout.addWidget(buttons)
        self.setMinimumWidth(480)
        self._show(prefs)

    # -- building -----------------------------------------------------------------------------
    def _row(self, form: QFormLayout, label: str, widget: QWidget, field: QWidget) -> None:
        title = QLabel(label)
        title.setBuddy(field)
        form.addRow(title, widget)

    def _browse_row(self, edit: QLineEdit, name: str, title: str) -> QWidget:
        button = QPushButton("Browse…")
        button.setAccessibleName(f"Choose {name}")
        button.clicked.connect(lambda: self._browse(edit, title))
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(edit, 1)
        row.addWidget(button)
        return box

    def _build_model_tab(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.model_edit = QLineEdit()
        self.model_edit.setAccessibleName("Model: folder or Hugging Face repo id")
        self._row(
            form,
            "Mod&el:",
            self._browse_row(self.model_edit, "model folder", "Choose the model folder"),
            self.model_edit,
        )
        self.task_combo = _combo(
            "Default task", [("Transcribe", Task.TRANSCRIBE), ("Translate", Task.TRANSLATE)]
        )
        self._row(form, "Default &task:", self.task_combo, self.task_combo)
        spoken = [(languages.name(c), c) for c in languages.SPOKEN_LANGUAGES]
        self.source_combo = _combo("Spoken language", [("Auto-detect", None), *spoken])
        self._row(form, "&Spoken language:", self.source_combo, self.source_combo)
        targets = [(languages.name(c), c) for c in languages.TRANSLATION_TARGETS]
        self.target_combo = _combo("Translate to", targets)
        self._row(form, "Translate t&o:", self.target_combo, self.target_combo)
        self.extra_list = QListWidget()
        self.extra_list.setAccessibleName("Extra translation targets for meetings")
        self.extra_list.setMaximumHeight(120)
        for code in languages.TRANSLATION_TARGETS:
            item = QListWidgetItem(languages.name(code))
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.extra_list.addItem(item)
        self._row(form, "Meetings, &also into:", self.extra_list, self.extra_list)
        self.speculative_check = QCheckBox("S&peculative decoding (faster, same text)")
        self.speculative_check.setAccessibleName("Speculative decoding")
        form.addRow(self.speculative_check)
        return page

    def _build_dictation_tab(self, input_devices: Sequence[str], login_item: bool) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.insertion_combo = _combo(
            "Insert dictated text",
            [("At the cursor", "cursor"), ("At the end of the transcript", "end")],
        )
        self._row(form, "&Insert text:", self.insertion_combo, self.insertion_combo)
        self.pause_spin = QDoubleSpinBox()
        self.pause_spin.setAccessibleName("Pause that ends an utterance, seconds")
        self.pause_spin.setRange(*PAUSE_RANGE)
        self.pause_spin.setSingleStep(0.1)
        self.pause_spin.setDecimals(2)
        self.pause_spin.setSuffix(" s")
        self._row(form, "&Pause ends utterance:", self.pause_spin, self.pause_spin)
        self.preview_check = QCheckBox("Live previe&w while speaking (greyed, approximate)")
        self.preview_check.setAccessibleName("Live preview while speaking")
        form.addRow(self.preview_check)
        self.shortcut_edit = QKeySequenceEdit()
        self.shortcut_edit.setAccessibleName("Record shortcut")
        self.shortcut_edit.setClearButtonEnabled(True)
        self.shortcut_edit.setMaximumSequenceLength(1)
        self._row(form, "&Record shortcut:", self.shortcut_edit, self.shortcut_edit)
        self.device_combo = _combo(
            "Input device", [("System default", ""), *((d, d) for d in input_devices)]
        )
        self._row(form, "Input de&vice:", self.device_combo, self.device_combo)
        self.global_hotkey_edit = QLineEdit()
        self.global_hotkey_edit.setAccessibleName("System-wide dictation shortcut")
        self.global_hotkey_edit.setPlaceholderText("Off — e.g. alt+space or cmd+shift+d")
        self.global_hotkey_edit.setToolTip(
            "Dictate into any app: the text is pasted where the cursor is. Empty = off."
        )
        self._row(form, "&Global shortcut:", self.global_hotkey_edit, self.global_hotkey_edit)
        self.hotkey_mode_combo = _combo(
            "System-wide shortcut mode",
            [("Press to start, press again to stop", "toggle"), ("Hold to talk", "hold")],
        )
        self._row(form, "S&hortcut works by:", self.hotkey_mode_combo, self.hotkey_mode_combo)
        self.login_check = QCheckBox("Start at &login")
        self.login_check.setAccessibleName("Start Granite Dictate at login")
        self.login_check.setEnabled(login_item)
        if not login_item:
            self.login_check.setToolTip("Not supported on this system.")
        form.addRow(self.login_check)
        return page

    def _build_files_tab(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.chunk_spin = QDoubleSpinBox()
        self.chunk_spin.setAccessibleName("Maximum chunk length, seconds")
        self.chunk_spin.setRange(*CHUNK_RANGE)
        self.chunk_spin.setDecimals(1)
        self.chunk_spin.setSingleStep(5)
        self.chunk_spin.setSuffix(" s")
        self._row(form, "Max &chunk length:", self.chunk_spin, self.chunk_spin)
        self.autosave_edit = QLineEdit()
        self.autosave_edit.setAccessibleName("Autosave folder")
        self.autosave_edit.setPlaceholderText("Default folder")
        self._row(
            form,
            "&Autosave folder:",
            self._browse_row(self.autosave_edit, "autosave folder", "Choose the autosave folder"),
            self.autosave_edit,
        )
        self.system_font_check = QCheckBox("&Use the system font")
        self.system_font_check.setAccessibleName("Use the system font")
        self.font_combo = QFontComboBox()
        self.font_combo.setAccessibleName("Transcript font")
        self.system_font_check.toggled.connect(lambda on: self.font_combo.setEnabled(not on))
        form.addRow(self.system_font_check)
        self._row(form, "Transcript fo&nt:", self.font_combo, self.font_combo)
        self.font_size_spin = QSpinBox()
        self.font_size_spin.setAccessibleName("Transcript font size")
        self.font_size_spin.setRange(int(FONT_SIZE_RANGE[0]), int(FONT_SIZE_RANGE[1]))
        self.font_size_spin.setSuffix(" pt")
        self._row(form, "Font si&ze:", self.font_size_spin, self.font_size_spin)
        return page

    # -- values -------------------------------------------------------------------------------
    def _show(self, p: Preferences) -> None:
        self.model_edit.setText(p.model)
        _select(self.task_combo, Task(p.default_task))
        _select(self.source_combo, p.source_language)
        _select(self.target_combo, p.target_language)
        for i in range(self.extra_list.count()):
            item = self.extra_list.item(i)
            code = item.data(Qt.ItemDataRole.UserRole)
            checked = code in p.extra_translation_targets
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.speculative_check.setChecked(p.speculative_decoding)
        _select(self.insertion_combo, p.insertion_mode)
        self.pause_spin.setValue(p.pause_s)
        self.preview_check.setChecked(p.live_preview)
        self.shortcut_edit.setKeySequence(QKeySequence(p.record_shortcut))
        self.global_hotkey_edit.setText(p.global_hotkey)
        _select(self.hotkey_mode_combo, p.global_hotkey_mode)
        self.login_check.setChecked(p.launch_at_login)
        if p.input_device and self.device_combo.findData(p.input_device) < 0:
            # A device that is not connected now keeps its setting.
            self.device_combo.addItem(f"{p.input_device} (not connected)", p.input_device)
        _select(self.device_combo, p.input_device)
        self.chunk_spin.setValue(p.max_chunk_s)
        self.autosave_edit.setText(p.autosave_dir)
        self.system_font_check.setChecked(not p.font_family)
        self.font_combo.setEnabled(bool(p.font_family))
        if p.font_family:
            self.font_combo.setCurrentFont(QFont(p.font_family))
        self.font_size_spin.setValue(p.font_size)
        self.advanced.show_preferences(p)
        self.text_page.show_preferences(p)
        self.server_page.show_preferences(p)

    def result_preferences(self) -> Preferences:
        extras = tuple(
            str(self.extra_list.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.extra_list.count())
            if self.extra_list.item(i).checkState() == Qt.CheckState.Checked
        )
        insertion: InsertionMode = (
            "end" if self.insertion_combo.currentData() == "end" else "cursor"
        )
        font = "" if self.system_font_check.isChecked() else self.font_combo.currentFont().family()
        hotkey = self.global_hotkey_edit.text().strip()
        if hotkey:
            hotkey = str(Shortcut.parse(hotkey))  # UsageError with one line if it is nonsense
        mode: HotkeyMode = "hold" if self.hotkey_mode_combo.currentData() == "hold" else "toggle"
        prefs = replace(
            self._original,  # fields not on these pages keep their values
            model=self.model_edit.text(),
            default_task=Task(self.task_combo.currentData()),
            source_language=self.source_combo.currentData(),
            target_language=str(self.target_combo.currentData()),
            extra_translation_targets=extras,
            max_chunk_s=self.chunk_spin.value(),
            insertion_mode=insertion,
            autosave_dir=self.autosave_edit.text(),
            font_family=font,
            font_size=self.font_size_spin.value(),
            record_shortcut=self.shortcut_edit.keySequence().toString(),
            pause_s=round(self.pause_spin.value(), 2),
            input_device=str(self.device_combo.currentData() or ""),
            speculative_decoding=self.speculative_check.isChecked(),
            global_hotkey=hotkey,
            global_hotkey_mode=mode,
            launch_at_login=self.login_check.isChecked(),
            live_preview=self.preview_check.isChecked(),
        )
        return self.server_page.apply(self.text_page.apply(self.advanced.apply(prefs))).validate()

    def fill_devices(self) -> None:
        """List the input devices now (once; the Dictation tab does it when first shown)."""
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
        _select(self.device_combo, chosen)

    # -- slots --------------------------------------------------------------------------------
    @Slot()
    def accept(self) -> None:
        try:
            self.result_preferences()
        except GraniteError as err:
            self._error.setText(str(err))
            self._error.show()
            return
        self._error.hide()
        super().accept()

    @Slot(int)
    def _on_tab_changed(self, _index: int) -> None:
        if self.tabs.currentWidget() is self.dictation_tab:
            self.fill_devices()

    def _browse(self, edit: QLineEdit, title: str) -> None:
        path = self.ask_directory(title)
        if path:
            edit.setText(path)

    def _ask_directory(self, title: str) -> str | None:
        return QFileDialog.getExistingDirectory(self, title) or None
