"""A small horizontal input level meter (RMS bar + peak tick), fed ~20 times a second."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt, Slot
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

FLOOR_DB = -60.0


def db_to_fraction(db: float) -> float:
    """-60 dBFS (or less) → 0.0, 0 dBFS → 1.0, linear in dB."""
    return max(0.0, min(1.0, (db - FLOOR_DB) / -FLOOR_DB))


class LevelMeter(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rms = 0.0
        self.peak = 0.0
        self.overflows = 0
        self.setAccessibleName("Input level")
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setToolTip("Microphone level")

    def sizeHint(self) -> QSize:
        return QSize(90, 12)

    @Slot(float, float)
    def set_level(self, rms_db: float, peak_db: float) -> None:
        self.rms, self.peak = db_to_fraction(rms_db), db_to_fraction(peak_db)
        self.setAccessibleDescription(f"{rms_db:.0f} dB")
        self.update()

    @Slot(int)
    def set_overflows(self, count: int) -> None:
        self.overflows = count
        self.setToolTip("Microphone level" + (f" — {count} audio overflow(s)" if count else ""))

    @Slot()
    def clear(self) -> None:
        self.rms = self.peak = 0.0
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        r = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        p.setPen(self.palette().mid().color())
        p.setBrush(self.palette().base())
        p.drawRoundedRect(r, 3, 3)
        p.setPen(Qt.PenStyle.NoPen)
        color = QColor("#3aa655") if self.peak < 0.95 else QColor("#e5483c")
        p.setBrush(color)
        p.drawRoundedRect(QRectF(r.left(), r.top(), r.width() * self.rms, r.height()), 3, 3)
        if self.peak > 0:
            x = r.left() + r.width() * self.peak
            p.fillRect(QRectF(x - 1, r.top(), 2, r.height()), color.darker(130))
        p.end()
