"""Help → About: version, the app's license, and the third-party notices (the file shipped in
the app, or generated from the lock in a source checkout: ``app.core.about.notices``)."""

from __future__ import annotations

import html
import platform

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app import __version__
from app.core.about import notices
from app.core.about.diagnostics import package_versions


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, model: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("About Granite Dictate")
        versions = ", ".join(f"{k} {v}" for k, v in package_versions().items())
        self.title = title = QLabel(
            f"<h2>Granite Dictate {__version__}</h2>"
            "<p>On-device dictation, transcription and speech translation with IBM Granite "
            "Speech on MLX. Licensed under the Apache License 2.0.</p>"
            + (f"<p>Speech model: {html.escape(model)}</p>" if model else "")
            + f"<p>Python {platform.python_version()}; {html.escape(versions)}</p>"
            "<p>Third-party software and its licenses:</p>"
        )
        title.setWordWrap(True)
        self.notices = QPlainTextEdit()
        self.notices.setObjectName("thirdPartyNotices")
        self.notices.setAccessibleName("Third-party notices")
        self.notices.setReadOnly(True)
        self.notices.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.notices.setPlainText(notices.bundled_or_generated())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.notices, 1)
        layout.addWidget(buttons)
        self.resize(760, 560)


def show_about(parent: QWidget, model: str = "") -> None:
    AboutDialog(parent, model).exec()
