"""An optional always-on-top window showing the other side's latest line (its translation
when there is one), large, over whatever app the call runs in."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.core.meeting.model import MeetingLine, Side


class SubtitleWindow(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Tool | Qt.WindowType.WindowStaysOnTopHint)
        self.setWindowTitle("Subtitles")
        self.setAccessibleName("Meeting subtitles")
        self.label = QLabel("", self)
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.label.font()
        font.setPointSize(max(font.pointSize(), 10) + 8)
        self.label.setFont(font)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        self.resize(720, 140)

    def show_line(self, line: MeetingLine) -> None:
        """The other side's line (translated if it was); your own lines are not subtitled."""
        if line.side is Side.OTHERS:
            self.label.setText(f"{line.speaker}: {line.translation or line.text}")
