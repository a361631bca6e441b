"""Speaker colours in a transcript pane: one per speaker, in order of first appearance,
kept when the speaker is renamed."""

from __future__ import annotations

from PySide6.QtGui import QColor

#: Hues (HSV degrees) of the speakers' colours, in order of appearance.
SPEAKER_HUES = (210, 20, 130, 280, 50, 330)


class SpeakerColours:
    def __init__(self) -> None:
        self._colours: dict[str, QColor] = {}

    def colour(self, speaker: str) -> QColor:
        if speaker not in self._colours:
            hue = SPEAKER_HUES[len(self._colours) % len(SPEAKER_HUES)]
            self._colours[speaker] = QColor.fromHsv(hue, 200, 170)
        return self._colours[speaker]

    def rename(self, old: str, new: str) -> None:
        if old in self._colours:
            self._colours[new] = self._colours.pop(old)
