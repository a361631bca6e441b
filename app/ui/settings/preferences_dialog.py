"""Preferences dialog: edits a copy of ``Preferences``; the caller saves the result.

API::

    PreferencesDialog(prefs: Preferences, parent: QWidget | None = None, *,
                      input_devices: Sequence[str] = (),
                      device_lister: Callable[[], Sequence[str | tuple[str, str]]] | None = None,
                      login_item_available: bool = True,
                      global_hotkey_available: bool = True)
        result_preferences() -> Preferences   # validated; raises UsageError if invalid
        ask_directory: Callable[[str], str | None]   # replaceable for tests

The Model & languages and Files & display pages are built here; the others are page modules
(``dictation_page``, ``advanced_page``, ``text_history_page``, ``server_page``), each with
``show_preferences(p)`` and ``apply(p) -> Preferences``. ``device_lister`` is called once, the
first time the Dictation tab is shown (listing re-inits PortAudio, ~0.1–0.5 s): opening the
dialog stays instant. Typical use::

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
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFontComboBox,
    QFormLayout,
    QHBoxLayout,
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
from app.core.errors import GraniteError
from app.core.preferences import (
    CHUNK_RANGE,
    FONT_SIZE_RANGE,
    Preferences,
)
from app.core.transcript import Task
from app.ui.settings.advanced_page import AdvancedPage
from app.ui.settings.dictation_page import DictationPage
from app.ui.settings.form_rows import add_row, combo, select
from app.ui.settings.server_page import ServerPage
from app.ui.settings.text_history_page import TextHistoryPage


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
        self.ask_directory: Callable[[str], str | None] = self._ask_directory
        self.tabs = tabs = QTabWidget()
        tabs.addTab(self._build_model_tab(), "&Model && languages")
        self.dictation_tab = DictationPage(
            input_devices,
            device_lister=device_lister,
            login_item_available=login_item_available,
            global_hotkey_available=global_hotkey_available,
        )
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
        add_row(
            form,
            "Mod&el:",
            self._browse_row(self.model_edit, "model folder", "Choose the model folder"),
            self.model_edit,
        )
        self.task_combo = combo(
            "Default task", [("Transcribe", Task.TRANSCRIBE), ("Translate", Task.TRANSLATE)]
        )
        add_row(form, "Default &task:", self.task_combo)
        spoken = [(languages.name(c), c) for c in languages.SPOKEN_LANGUAGES]
        self.source_combo = combo("Spoken language", [("Auto-detect", None), *spoken])
        add_row(form, "&Spoken language:", self.source_combo)
        targets = [(languages.name(c), c) for c in languages.TRANSLATION_TARGETS]
        self.target_combo = combo("Translate to", targets)
        add_row(form, "Translate t&o:", self.target_combo)
        self.extra_list = QListWidget()
        self.extra_list.setAccessibleName("Extra translation targets for meetings")
        self.extra_list.setMaximumHeight(120)
        for code in languages.TRANSLATION_TARGETS:
            item = QListWidgetItem(languages.name(code))
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.extra_list.addItem(item)
        add_row(form, "Meetings, &also into:", self.extra_list)
        self.speculative_check = QCheckBox("S&peculative decoding (faster, same text)")
        self.speculative_check.setAccessibleName("Speculative decoding")
        form.addRow(self.speculative_check)
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
        add_row(form, "Max &chunk length:", self.chunk_spin)
        self.autosave_edit = QLineEdit()
        self.autosave_edit.setAccessibleName("Autosave folder")
        self.autosave_edit.setPlaceholderText("Default folder")
        add_row(
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
        add_row(form, "Transcript fo&nt:", self.font_combo)
        self.font_size_spin = QSpinBox()
        self.font_size_spin.setAccessibleName("Transcript font size")
        self.font_size_spin.setRange(int(FONT_SIZE_RANGE[0]), int(FONT_SIZE_RANGE[1]))
        self.font_size_spin.setSuffix(" pt")
        add_row(form, "Font si&ze:", self.font_size_spin)
        return page

    # -- values -------------------------------------------------------------------------------
    def _show(self, p: Preferences) -> None:
        self.model_edit.setText(p.model)
        select(self.task_combo, Task(p.default_task))
        select(self.source_combo, p.source_language)
        select(self.target_combo, p.target_language)
        for i in range(self.extra_list.count()):
            item = self.extra_list.item(i)
            code = item.data(Qt.ItemDataRole.UserRole)
            checked = code in p.extra_translation_targets
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.speculative_check.setChecked(p.speculative_decoding)
        self.chunk_spin.setValue(p.max_chunk_s)
        self.autosave_edit.setText(p.autosave_dir)
        self.system_font_check.setChecked(not p.font_family)
        self.font_combo.setEnabled(bool(p.font_family))
        if p.font_family:
            self.font_combo.setCurrentFont(QFont(p.font_family))
        self.font_size_spin.setValue(p.font_size)
        self.dictation_tab.show_preferences(p)
        self.advanced.show_preferences(p)
        self.text_page.show_preferences(p)
        self.server_page.show_preferences(p)

    def result_preferences(self) -> Preferences:
        extras = tuple(
            str(self.extra_list.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.extra_list.count())
            if self.extra_list.item(i).checkState() == Qt.CheckState.Checked
        )
        font = "" if self.system_font_check.isChecked() else self.font_combo.currentFont().family()
        prefs = replace(
            self.dictation_tab.apply(self._original),  # fields on no page keep their values
            model=self.model_edit.text(),
            default_task=Task(self.task_combo.currentData()),
            source_language=self.source_combo.currentData(),
            target_language=str(self.target_combo.currentData()),
            extra_translation_targets=extras,
            max_chunk_s=self.chunk_spin.value(),
            autosave_dir=self.autosave_edit.text(),
            font_family=font,
            font_size=self.font_size_spin.value(),
            speculative_decoding=self.speculative_check.isChecked(),
        )
        return self.server_page.apply(self.text_page.apply(self.advanced.apply(prefs))).validate()

    def fill_devices(self) -> None:
        """List the input devices now (once; the Dictation tab does it when first shown)."""
        self.dictation_tab.fill_devices()

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
