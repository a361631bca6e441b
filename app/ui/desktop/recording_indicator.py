"""A small floating pill at the top of the screen while system-wide dictation records or
transcribes. Frameless, always on top, never takes focus (the frontmost app must keep it, or
the paste lands in the wrong place).

    indicator = RecordingIndicator()
    driver callbacks: state_changed -> indicator.set_state("recording" | "transcribing" | "idle")
    audio level (0..1, e.g. RMS of the last block, on the GUI thread) -> indicator.set_level(x)
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QRectF, Qt, Slot
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)

_TEXT = {"recording": "Listening…  Esc to cancel", "transcribing": "Transcribing…"}
_DOT = {"recording": QColor("#e5483c"), "transcribing": QColor("#e8a33b")}


class RecordingIndicator(QWidget):
    WIDTH, HEIGHT, MARGIN_TOP = 250, 36, 12

    def __init__(self, parent: QWidget | None = None) -> None:
        # A tool window stays off the task bar / Dock. The offscreen test platform cannot raise
        # windows and warns for tool windows, so use a plain window there.
        headless = QGuiApplication.platformName() in ("offscreen", "minimal")
        flags = (
            (Qt.WindowType.Window if headless else Qt.WindowType.Tool)
            | Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint
            | Qt.WindowType.WindowDoesNotAcceptFocus
        )
        super().__init__(parent, flags)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        # macOS hides tool windows while the app is inactive, which it is during dictation.
        self.setAttribute(Qt.WidgetAttribute.WA_MacAlwaysShowToolWindow)
        self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setFixedSize(self.WIDTH, self.HEIGHT)
        self.setWindowTitle("Granite Dictate")
        self.state = "idle"
        self.level = 0.0

    @Slot(str)
    def set_state(self, state: str) -> None:
        self.state = state
        if state in _TEXT:
            self.setAccessibleName(_TEXT[state])
            self._place()
            self.show()
            self.update()
        else:
            self.level = 0.0
            self.hide()

    @Slot(float)
    def set_level(self, level: float) -> None:
        level = min(1.0, max(0.0, level))
        if abs(level - self.level) >= 0.02:
            self.level = level
            self.update()

    def text(self) -> str:
        return _TEXT.get(self.state, "")

    def _place(self) -> None:
        screen = QGuiApplication.screenAt(QGuiApplication.primaryScreen().geometry().center())
        area = (screen or QGuiApplication.primaryScreen()).availableGeometry()
        self.move(area.center().x() - self.WIDTH // 2, area.top() + self.MARGIN_TOP)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(30, 30, 30, 225))
        p.drawRoundedRect(r, r.height() / 2, r.height() / 2)
        dot = _DOT.get(self.state, QColor("#888888"))
        radius = 5.0 + (4.0 * self.level if self.state == "recording" else 0.0)
        cy = r.center().y()
        p.setBrush(dot)
        p.drawEllipse(QRectF(18 - radius, cy - radius, 2 * radius, 2 * radius))
        p.setPen(QColor(240, 240, 240))
        font = QFont(self.font())
        font.setPointSizeF(max(9.0, font.pointSizeF()))
        p.setFont(font)
        p.drawText(
            r.adjusted(34, 0, -12, 0),
            int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
            self.text(),
        )
        p.end()
