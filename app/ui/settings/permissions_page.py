"""Preferences → Permissions: each permission the app uses, granted or missing, whether the
current settings need it, and a button that fixes it (the system prompt or the settings pane).
Re-read whenever the page is shown."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.core.dictation.hotkey_state import Permission
from app.system.permission_flow import PermissionRow


def state_text(row: PermissionRow) -> str:
    if row.granted:
        return "✓ Granted"
    return "✗ Missing" if row.needed else "Not needed now"


class PermissionsPage(QWidget):
    def __init__(
        self,
        rows: Callable[[], list[PermissionRow]],
        fix: Callable[[Permission], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._rows = rows
        self._fix = fix
        self.grid = QGridLayout()
        intro = QLabel(
            "Granite Dictate works on this Mac only. macOS asks you to allow what it uses; "
            "permissions belong to this copy of the app."
        )
        intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(self.grid)
        layout.addStretch(1)
        self.buttons: dict[Permission, QPushButton] = {}
        self.states: dict[Permission, QLabel] = {}
        self.refresh()

    def refresh(self) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.buttons.clear()
        self.states.clear()
        for r, row in enumerate(self._rows()):
            name = QLabel(f"<b>{row.label}</b>")
            state = QLabel(state_text(row))
            detail = QLabel(row.detail)
            detail.setWordWrap(True)
            self.grid.addWidget(name, r, 0)
            self.grid.addWidget(state, r, 1)
            self.grid.addWidget(detail, r, 2)
            self.states[row.kind] = state
            if not row.granted and row.settings_url:
                button = QPushButton("Open System Settings", self)
                button.setAccessibleName(f"Fix {row.label}")
                button.clicked.connect(lambda _=False, k=row.kind: self._fix(k))
                self.grid.addWidget(button, r, 3)
                self.buttons[row.kind] = button
        self.grid.setColumnStretch(2, 1)

    def showEvent(self, event: QShowEvent) -> None:
        self.refresh()  # the user may have changed System Settings meanwhile
        super().showEvent(event)
