"""Playing a history entry's stretch: the app's WAV at once, a user's file decoded off the GUI
thread up to the segment's end; a missing file is one message."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from app.core.storage.recordings import wav_header
from app.ui.history.playback import SlicePlayer
from tests.support.media import write_audio

RATE = 16_000


class FakePlayer:
    def __init__(self) -> None:
        self.played: list[tuple[Any, int]] = []

    def play(self, audio: Any, rate: int) -> None:
        self.played.append((audio, rate))

    def stop(self) -> None:
        pass


def ramp(seconds: float) -> np.ndarray:
    return (np.linspace(-0.5, 0.5, round(seconds * RATE))).astype(np.float32)


def test_a_users_file_is_decoded_off_the_gui_thread(qtbot, tmp_path: Path) -> None:
    path = tmp_path / "talk.flac"
    write_audio(path, ramp(4.0), RATE)
    fake = FakePlayer()
    player = SlicePlayer(fake)
    with qtbot.waitSignal(player.started, timeout=20_000) as blocker:
        player.play(str(path), 1.0, 2.5, owned=False)
    assert blocker.args == [1.5]
    [(audio, rate)] = fake.played
    assert rate == RATE and len(audio) == 24_000
    assert abs(float(audio[0]) - float(ramp(4.0)[16_000])) < 0.01


def test_the_apps_recording_is_read_at_once(qtbot, tmp_path: Path) -> None:
    pcm = (ramp(2.0) * 32767).astype("<i2").tobytes()
    wav = tmp_path / "rec.wav"
    wav.write_bytes(wav_header(RATE, len(pcm)) + pcm)
    fake = FakePlayer()
    player = SlicePlayer(fake)
    player.play(str(wav), 0.5, 1.0, owned=True)
    [(audio, _rate)] = fake.played
    assert len(audio) == 8000


def test_missing_audio_is_one_message(qtbot, tmp_path: Path) -> None:
    player = SlicePlayer(FakePlayer())
    with qtbot.waitSignal(player.message) as blocker:
        player.play(str(tmp_path / "gone.mp3"), 0.0, 1.0, owned=False)
    assert blocker.args[0].startswith("The audio is gone:")
