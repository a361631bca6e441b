"""Menu-bar (macOS) / system-tray icon showing the dictation state, with the app's short menu.

The menu is built whether or not the system has a tray, so the same actions can be reused
(and tested offscreen); the icon itself is only created when
``QSystemTrayIcon.isSystemTrayAvailable()`` — creating it elsewhere makes Qt print warnings.

Wiring (main window)::

    tray = TrayController(parent=window)
    tray.start_stop_requested.connect(driver.toggle)          # app.system.hotkey_driver
    tray.open_window_requested.connect(window.bring_to_front)
    tray.keyword_list_chosen.connect(window.use_keyword_list)
    tray.preferences_requested.connect(window.show_preferences)
    tray.quit_requested.connect(app.quit)
    tray.set_keyword_lists(names, current)
    tray.set_state("recording")       # "idle" | "recording" | "transcribing"
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, QPointF, QRectF, Qt, QTimer, Signal, Slot
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QColor,
    QIcon,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

log = logging.getLogger(__name__)

STATES = ("idle", "recording", "transcribing")
_TOOLTIPS = {
    "idle": "Granite Dictate",
    "recording": "Granite Dictate — recording (Esc cancels)",
    "transcribing": "Granite Dictate — transcribing…",
}
_START_STOP_TEXT = {"idle": "Start Dictation", "recording": "Stop Dictation"}


def resources_dir() -> Path:
    """``resources/`` in a source checkout, or inside the frozen bundle (PyInstaller copies
    it to ``sys._MEIPASS/resources``)."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    base = Path(frozen_root) if frozen_root else Path(__file__).resolve().parents[3]
    return base / "resources"


def app_icon() -> QIcon:
    """The application icon (window title bars, Dock on Linux); empty if the file is absent."""
    path = resources_dir() / "icon.png"
    if not path.is_file():
        log.warning("App icon not found at %s", path)
        return QIcon()
    return QIcon(str(path))


def state_icon(state: str, size: int = 44) -> QIcon:
    """A microphone glyph as a template image in every state (macOS tints templates for
    light and dark menu bars; a coloured icon would vanish on one of them): a filled dot
    while recording, a ring while transcribing, each cut out of the glyph so it reads at
    16 px."""
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = size / 22.0
    black = QColor(0, 0, 0)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(black)
    p.drawRoundedRect(QRectF(8 * s, 2 * s, 6 * s, 11 * s), 3 * s, 3 * s)  # capsule
    arc = QPainterPath()
    arc.moveTo(QPointF(5 * s, 10 * s))
    arc.cubicTo(QPointF(5 * s, 18 * s), QPointF(17 * s, 18 * s), QPointF(17 * s, 10 * s))
    pen = p.pen()
    pen.setStyle(Qt.PenStyle.SolidLine)
    pen.setColor(black)
    pen.setWidthF(1.6 * s)
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawPath(arc)
    p.drawLine(QPointF(11 * s, 16 * s), QPointF(11 * s, 20 * s))
    if state != "idle":
        badge = QRectF(14 * s, 13 * s, 8 * s, 8 * s)
        p.setCompositionMode(QPainter.CompositionMode.CompositionMode_Clear)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(black)
        p.drawEllipse(badge.adjusted(-1.2 * s, -1.2 * s, 1.2 * s, 1.2 * s))  # a gap around it
        p.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
        if state == "recording":
            p.drawEllipse(badge)
        else:
            ring = QPen(black)
            ring.setWidthF(1.8 * s)
            p.setPen(ring)
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawEllipse(badge.adjusted(0.9 * s, 0.9 * s, -0.9 * s, -0.9 * s))
    p.end()
    icon = QIcon(pix)
    icon.setIsMask(True)  # NSImage.template on macOS
    return icon


class GuiThreadPoster(QObject):
    """``post(fn)`` runs ``fn`` on the thread that owns this object (create it on the GUI
    thread): the ``post`` argument of ``app.system.hotkey_driver.DictationDriver``, for hotkey
    callbacks that a platform delivers on its own thread."""

    _call = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._call.connect(self._run, Qt.ConnectionType.QueuedConnection)

    def post(self, fn: Callable[[], None]) -> None:
        self._call.emit(fn)

    @Slot(object)
    def _run(self, fn: Callable[[], None]) -> None:
        try:
            fn()
        except Exception:
            log.exception("Posted call failed")


def qt_scheduler(delay_s: float, fn: Callable[[], None]) -> None:
    """``app.system.base.Scheduler`` on the GUI thread (restores the clipboard after a paste);
    pass to ``app.system.create_platform(schedule=qt_scheduler)``. Call from the GUI thread."""
    QTimer.singleShot(max(0, round(delay_s * 1000)), fn)


class TrayController(QObject):
    start_stop_requested = Signal()
    open_window_requested = Signal()
    keyword_list_chosen = Signal(str)  # "" = no keyword list
    preferences_requested = Signal()
    copy_last_requested = Signal()
    paste_last_requested = Signal()
    quit_requested = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = "idle"
        self._busy = False  # a dictation result is on its way
        self._start_enabled = True
        self.menu = QMenu()
        self.start_stop_action = QAction(_START_STOP_TEXT["idle"], self)
        self.start_stop_action.triggered.connect(self.start_stop_requested)
        self.open_action = QAction("Open Granite Dictate", self)
        self.open_action.triggered.connect(self.open_window_requested)
        self.keywords_menu = QMenu("Keyword List")
        self._keyword_group = QActionGroup(self)
        self._keyword_group.setExclusive(True)
        self._keyword_group.triggered.connect(self._on_keyword_action)
        self.copy_last_action = QAction("Copy Last Dictation", self)
        self.copy_last_action.triggered.connect(self.copy_last_requested)
        self.paste_last_action = QAction("Paste Last Dictation Again", self)
        self.paste_last_action.triggered.connect(self.paste_last_requested)
        self.preferences_action = QAction("Preferences…", self)
        self.preferences_action.setMenuRole(QAction.MenuRole.NoRole)  # stay in this menu on macOS
        self.preferences_action.triggered.connect(self.preferences_requested)
        self.quit_action = QAction("Quit Granite Dictate", self)
        self.quit_action.setMenuRole(QAction.MenuRole.NoRole)
        self.quit_action.triggered.connect(self.quit_requested)

        self.menu.addAction(self.start_stop_action)
        self.menu.addAction(self.open_action)
        self.menu.addAction(self.copy_last_action)
        self.menu.addAction(self.paste_last_action)
        self.menu.addSeparator()
        self.menu.addMenu(self.keywords_menu)
        self.menu.addAction(self.preferences_action)
        self.menu.addSeparator()
        self.menu.addAction(self.quit_action)
        self.set_keyword_lists([], None)

        self._icons = {s: state_icon(s) for s in STATES}
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(self._icons["idle"], self)
            self.tray.setContextMenu(self.menu)
            self.tray.setToolTip(_TOOLTIPS["idle"])
            self.tray.activated.connect(self._on_activated)
        else:
            log.info("No system tray here; the tray menu stays hidden")

    @property
    def available(self) -> bool:
        return self.tray is not None

    def show(self) -> None:
        if self.tray is not None:
            self.tray.show()

    def hide(self) -> None:
        if self.tray is not None:
            self.tray.hide()

    @Slot(str)
    def set_state(self, state: str, *, dictation_busy: bool = True) -> None:
        """Icon, tooltip and the Start/Stop entry. ``dictation_busy=False`` with
        "transcribing" means only files are being transcribed: dictation can still start."""
        if state not in STATES:
            raise ValueError(f"unknown tray state {state!r}")
        self.state = state
        self._busy = state == "transcribing" and dictation_busy
        label = "Transcribing…" if self._busy else _START_STOP_TEXT.get(state, "Start Dictation")
        self.start_stop_action.setText(label)
        self._update_start_stop()
        if self.tray is not None:
            self.tray.setIcon(self._icons[state])
            self.tray.setToolTip(_TOOLTIPS[state])

    def set_start_enabled(self, enabled: bool) -> None:
        """Disable Start Dictation while the model is not ready."""
        self._start_enabled = enabled
        self._update_start_stop()

    def _update_start_stop(self) -> None:
        can = self.state == "recording" or (self._start_enabled and not self._busy)
        self.start_stop_action.setEnabled(can)

    def set_keyword_lists(
        self, names: Sequence[str], current: str | None, *, include_none: bool = True
    ) -> None:
        """One checkable entry per list; ``include_none`` adds "No Keywords" (value "")."""
        self.keywords_menu.clear()
        for action in self._keyword_group.actions():
            self._keyword_group.removeAction(action)
        entries = [("No Keywords", "")] if include_none else []
        entries += [(name, name) for name in names]
        for label, value in entries:
            action = QAction(label, self.keywords_menu)
            action.setCheckable(True)
            action.setData(value)
            action.setChecked(value == (current or ""))
            self._keyword_group.addAction(action)
            self.keywords_menu.addAction(action)
            if label == "No Keywords" and names:
                self.keywords_menu.addSeparator()

    def keyword_actions(self) -> list[QAction]:
        return list(self._keyword_group.actions())

    def show_message(self, title: str, text: str) -> bool:
        """A notification balloon; False when there is no tray to show it (caller falls back)."""
        if self.tray is None or not self.tray.supportsMessages():
            return False
        self.tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, 5000)
        return True

    @Slot(QAction)
    def _on_keyword_action(self, action: QAction) -> None:
        self.keyword_list_chosen.emit(str(action.data() or ""))

    @Slot(QSystemTrayIcon.ActivationReason)
    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        # On Windows/Linux a left click opens the window; on macOS every click shows the menu.
        if reason == QSystemTrayIcon.ActivationReason.Trigger and sys.platform != "darwin":
            self.open_window_requested.emit()
