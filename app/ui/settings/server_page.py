"""Preferences → Server: which engine transcribes ("This Mac" or "Server at URL", from the
next start) and the local API server (on 127.0.0.1, sharing this window's model)."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core.preferences import API_PORT_RANGE, Preferences


class ServerPage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        self.local_radio = QRadioButton("&This Mac")
        self.remote_radio = QRadioButton("Server at &URL:")
        self.local_radio.setAccessibleName("Engine: this Mac")
        self.remote_radio.setAccessibleName("Engine: server at URL")
        group = QButtonGroup(self)
        group.addButton(self.local_radio)
        group.addButton(self.remote_radio)
        self.url_edit = QLineEdit()
        self.url_edit.setPlaceholderText("http://gpu-box:8000/v1")
        self.url_edit.setAccessibleName("Engine server address")
        self.url_edit.setToolTip(
            "An OpenAI-compatible transcription server: vLLM serving granite-4.0-1b-speech, "
            "or another Granite Dictate (python -m app serve). Applies at the next start."
        )
        engine = QWidget()
        box = QVBoxLayout(engine)
        box.setContentsMargins(0, 0, 0, 0)
        for widget in (self.local_radio, self.remote_radio, self.url_edit):
            box.addWidget(widget)
        form.addRow(QLabel("Engine:"), engine)
        self.remote_radio.toggled.connect(self.url_edit.setEnabled)
        self.server_check = QCheckBox("&Local API server (OpenAI-compatible)")
        self.server_check.setAccessibleName("Local API server")
        self.port_spin = QSpinBox()
        self.port_spin.setRange(*API_PORT_RANGE)
        self.port_spin.setAccessibleName("Local API server port")
        self.address = QLabel("")
        self.address.setObjectName("apiServerAddress")
        self.address.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(self.server_check)
        port_label = QLabel("&Port:")
        port_label.setBuddy(self.port_spin)
        form.addRow(port_label, self.port_spin)
        form.addRow(self.address)
        note = QLabel(
            "Other apps on this Mac can send audio to the address above "
            "(POST /v1/audio/transcriptions); it listens on 127.0.0.1 only and shares this "
            "window's model. The status bar says when it runs, or why it cannot."
        )
        note.setWordWrap(True)
        form.addRow(note)
        self.server_check.toggled.connect(self._show_address)
        self.server_check.toggled.connect(self.port_spin.setEnabled)
        self.port_spin.valueChanged.connect(self._show_address)

    def _show_address(self) -> None:
        url = f"http://127.0.0.1:{self.port_spin.value()}/v1"
        self.address.setText(f"Address: {url}" if self.server_check.isChecked() else "Off")

    def show_preferences(self, p: Preferences) -> None:
        remote = bool(p.engine_url)
        self.remote_radio.setChecked(remote)
        self.local_radio.setChecked(not remote)
        self.url_edit.setText(p.engine_url)
        self.url_edit.setEnabled(remote)
        self.server_check.setChecked(p.api_server_enabled)
        self.port_spin.setValue(p.api_server_port)
        self.port_spin.setEnabled(p.api_server_enabled)
        self._show_address()

    def apply(self, p: Preferences) -> Preferences:
        url = self.url_edit.text().strip() if self.remote_radio.isChecked() else ""
        return replace(
            p,
            engine_url=url,
            api_server_enabled=self.server_check.isChecked(),
            api_server_port=self.port_spin.value(),
        )
