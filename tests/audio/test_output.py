from __future__ import annotations

import numpy as np
import pytest

from app.audio.output import FakeOutput, SoundDeviceOutput, faster


def test_faster_keeps_every_nth_sample_and_1x_is_no_copy() -> None:
    x = np.arange(10, dtype=np.float32)
    assert faster(x, 1.0) is x
    assert faster(x, 2.0).tolist() == [0, 2, 4, 6, 8]
    assert faster(x, 1.5).tolist() == [0, 1, 3, 4, 6, 7, 9]


def test_callback_copies_frames_and_counts_the_position() -> None:
    import sounddevice as sd

    out = SoundDeviceOutput()
    out._data, out._rate, out._start, out._speed = np.ones(5, np.float32), 10, 2.0, 2.0
    buf = np.full((3, 1), 9.0, np.float32)
    out._callback(buf, 3, None, None)
    assert buf[:, 0].tolist() == [1, 1, 1] and out.position() == pytest.approx(2.6)
    with pytest.raises(sd.CallbackStop):
        out._callback(buf, 3, None, None)
    assert buf[:, 0].tolist() == [1, 1, 0] and out.position() == pytest.approx(3.0)


def test_fake_output_moves_with_speed() -> None:
    fake = FakeOutput()
    fake.play(np.zeros(100, np.float32), 10, 2.0, 2.0)
    fake.advance(1.0)
    assert fake.position() == 4.0 and fake.playing
    fake.advance(10)
    assert fake.position() == 10.0 and not fake.playing
