"""A small player bar under the documents: play/pause, position / duration and the speed; it
plays a document's source from a time clicked in its gutter and lights the segment playing."""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QStyle,
    QToolButton,
    QWidget,
)

from app.audio.output import SPEEDS
from app.core.text.timecode import clock
from app.ui.editor.document_tabs import DocumentTabs
from app.ui.editor.player import Player


class PlayerBar(QWidget):
    def __init__(self, player: Player, tabs: DocumentTabs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.player = player
        self._tabs = tabs
        self.setObjectName("playerBar")
        self.setAccessibleName("Player")
        self.play_button = QToolButton(self)
        self.play_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self._on_playing(False)
        self.play_button.setAccessibleName("Play or pause")
        self.play_button.setToolTip("Play or pause the source audio (click a time to jump)")
        self.play_button.clicked.connect(player.toggle)
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setAccessibleName("Position")
        self.slider.setRange(0, 0)
        self.slider.sliderReleased.connect(self._on_seek)
        self.position = QLabel(f"{clock(0)} / {clock(0)}", self)
        self.position.setAccessibleName("Position and duration")
        self.speed = QComboBox(self)
        self.speed.setAccessibleName("Playback speed")
        for speed in SPEEDS:
            self.speed.addItem(f"{speed:g}×", speed)
        self.speed.currentIndexChanged.connect(self._on_speed)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 2, 8, 2)
        layout.addWidget(self.play_button)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.position)
        layout.addWidget(self.speed)
        player.positionChanged.connect(self.show_position)
        player.playingChanged.connect(self._on_playing)
        tabs.playRequested.connect(self.play_source)
        player.positionChanged.connect(self._light_playing)

    @Slot(str, float)
    def play_source(self, path: str, seconds: float) -> None:
        """Play a transcript's source audio from ``seconds`` (a time clicked in the gutter)."""
        self.show()
        self.player.play_from(path, seconds)

    @Slot(float, float)
    def _light_playing(self, seconds: float, _duration: float) -> None:
        for view in self._tabs.views():
            if view.source and view.source == self.player.path:
                for pane in view.panes:
                    pane.highlight_time(seconds)

    @Slot(float, float)
    def show_position(self, seconds: float, duration: float) -> None:
        self.position.setText(f"{clock(seconds)} / {clock(duration)}")
        self.slider.setRange(0, round(duration * 10))
        if not self.slider.isSliderDown():
            self.slider.setValue(round(seconds * 10))

    @Slot(bool)
    def _on_playing(self, playing: bool) -> None:
        icon = (
            QStyle.StandardPixmap.SP_MediaPause if playing else QStyle.StandardPixmap.SP_MediaPlay
        )
        self.play_button.setIcon(self.style().standardIcon(icon))
        self.play_button.setText("Pause" if playing else "Play")
        if playing:
            self.show()

    @Slot()
    def _on_seek(self) -> None:
        if self.player.path:
            self.player.play_from(self.player.path, self.slider.value() / 10)

    @Slot(int)
    def _on_speed(self, _index: int) -> None:
        self.player.set_speed(float(self.speed.currentData()))
