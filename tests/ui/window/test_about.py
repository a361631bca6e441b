"""Help → About shows the version, the license and the third-party notices."""

from __future__ import annotations

from app import __version__
from app.ui.window.about import AboutDialog


def test_about_shows_version_and_notices(qtbot) -> None:
    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    text = dialog.notices.toPlainText()
    assert text.startswith("# Third-party notices") and "LGPL-3.0" in text
    assert f"Granite Dictate {__version__}" in dialog.title.text()
    assert "Apache License 2.0" in dialog.title.text()


def test_about_names_the_model_and_the_versions(qtbot) -> None:
    dialog = AboutDialog(model="/models/granite — ready")
    qtbot.addWidget(dialog)
    text = dialog.title.text()
    assert "Speech model: /models/granite — ready" in text
    assert "Python 3." in text and "PySide6 " in text
