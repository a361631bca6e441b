"""How much of a mic frame the echo explains, from band energies (insensitive to phase).

The echo gate's sample-exact test (least-squares gain of the delayed system frame) fails when
the echo is not a scaled, integer-delayed copy of the system track:

* **clock drift** between the output and the microphone (or an adaptive resampler on the way,
  such as PulseAudio's loopback) moves the delay by a sample every few frames and makes it
  fractional: a fricative at 5 kHz is out of phase after a sample and a half, and its frame
  matches with a gain <= 0;
* **a room**: the microphone hears the direct path and reflections up to ~150 ms later, which
  one delay and one gain cannot cancel.

Band energies do not care about phase. ``BandEcho`` predicts the echo's energy in 16 bands of
500 Hz from the system audio around the delay (the loudest of the frame and its two
half-frame neighbours, so a few ms of delay error do not matter, followed by a decaying tail
for reflections) times a per-band gain learned from earlier echo frames (a low percentile of
mic/reference ratios, so that double talk, which only raises the ratio, does not inflate it).
``measure`` says how far the mic frame drops once the predicted echo is taken out of each
band: high for an echo, low when your own voice fills bands the echo does not explain. When
the mic keeps holding far less than the echo the gains predict (a headset went on), the
gains are forgotten: your voice over theirs, quieter than the echo that no longer comes, is
not taken for it. They are seeded again when the delay estimate finds an echo.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

Audio = npt.NDArray[np.floating[Any]]  # float32 from the gate, any float from tests
Bands = npt.NDArray[np.float64]
_EPS = 1e-12
BANDS = 16


@dataclass(frozen=True)
class BandConfig:
    tail_decay_db: float = 4.0  # per frame (32 ms): reflections up to ~150 ms stay covered
    margin_db: float = 3.0  # the learned gain is a low percentile: predict a little more
    percentile: float = 35.0
    history_frames: int = 250  # ~8 s of frames with system audio
    min_frames: int = 3  # ratios a band needs before its gain is used
    seed_frames: int = 4
    # an echo path that went away (a headset went on): frames where the mic holds this much
    # less than the echo predicted in its strongest bands, net of frames that match, before
    # the gains are forgotten (your words would otherwise be taken for the missing echo)
    absent_db: float = 10.0
    absent_frames: int = 8
    audible_db: float = -55.0  # a predicted echo below this (dBFS) proves nothing
    reflections_db: float = 3.0  # what a room adds to the direct path, before any learning
    significant_db: float = -30.0  # a band below its frame's loudest by more: no ratio


@dataclass(frozen=True)
class FrameBands:
    """One frame's band energies: the mic, the delayed system frame, and the most echo the
    system audio around it can cause (neighbours and the tail of earlier frames)."""

    mic: Bands
    aligned: Bands
    most: Bands
    n: int  # samples in the frame


@lru_cache(maxsize=4)
def _window(n: int) -> npt.NDArray[np.float64]:
    return np.hanning(n)


def band_powers(x: Audio) -> Bands:
    """Energy of ``x`` (Hann window) in ``BANDS`` equal bands from 0 to half the rate."""
    spec = np.fft.rfft(np.asarray(x, np.float64) * _window(len(x)))
    power = spec.real**2 + spec.imag**2
    width = (len(power) - 1) // BANDS
    bands: Bands = power[1 : 1 + BANDS * width].reshape(BANDS, width).sum(axis=1)
    return bands


def _dbfs(energy: float, n: int) -> float:
    """The level (dBFS RMS) of ``n`` samples whose bands hold ``energy`` (Hann window: the
    one-sided spectrum holds about n²·0.375/2 times the mean square)."""
    return 10.0 * float(np.log10(max(2.0 * energy / (0.375 * n * n), _EPS)))


class BandEcho:
    """Per-band echo prediction: ``measure`` then ``commit`` each judged frame, in order."""

    def __init__(self, config: BandConfig | None = None) -> None:
        self.cfg = config or BandConfig()
        self._tail = np.zeros(BANDS)
        self._ratios = np.full((self.cfg.history_frames, BANDS), np.nan)
        self._next = 0
        self._gains: Bands | None = None
        self._absent = 0

    def measure(self, mic: Audio, system: list[Audio]) -> tuple[float, FrameBands]:
        """How far (dB) the mic frame drops once the predicted echo is taken from each band
        (0 while no gain is known), and the frame's band energies for ``commit``.
        ``system[0]`` is the delayed system frame, the others its neighbours."""
        powers = [band_powers(s) for s in system]
        most = np.maximum(np.max(powers, axis=0), self._tail * 10 ** (-self.cfg.tail_decay_db / 10))
        bands = FrameBands(band_powers(mic), powers[0], most, len(mic))
        return self._explained_db(bands.mic, most), bands

    def commit(self, bands: FrameBands, learn: bool) -> None:
        """The frame is judged: its echo carries over as a decaying tail; with ``learn`` its
        mic/system ratios join the gain history (a frame believed to hold the echo)."""
        self._tail = bands.most
        self._check_heard(bands)
        if learn:
            self._learn(bands.mic, bands.aligned)

    def _check_heard(self, bands: FrameBands) -> None:
        """Forget the gains once the mic keeps holding far less than the echo they predict."""
        cfg = self.cfg
        if self._gains is None:
            return
        echo = self._gains * bands.aligned
        top = echo >= float(echo.max()) * 0.1  # the bands within 10 dB of the strongest
        predicted = float(echo[top].sum())
        if predicted < _EPS or _dbfs(predicted, bands.n) < cfg.audible_db:
            return
        ratio_db = 10.0 * float(np.log10(max(float(bands.mic[top].sum()), _EPS) / predicted))
        if ratio_db < -cfg.absent_db:
            self._absent += 1
        elif ratio_db > -cfg.absent_db / 2:
            self._absent = max(0, self._absent - 1)
        if self._absent >= cfg.absent_frames:
            self._forget()

    def _forget(self) -> None:
        self._ratios[:] = np.nan
        self._next = 0
        self._gains = None
        self._absent = 0

    def silence(self) -> None:
        """The system track is silent: no tail carries over."""
        self._tail[:] = 0.0

    def _explained_db(self, mic: Bands, ref: Bands) -> float:
        if self._gains is None:
            return 0.0
        total = float(mic.sum())
        if total < _EPS:
            return 0.0
        echo = self._gains * ref * 10 ** (self.cfg.margin_db / 10)
        left = float(np.maximum(mic - echo, 0.0).sum())
        return 10.0 * float(np.log10(total / max(left, total * 1e-6)))

    @property
    def seeded(self) -> bool:
        return self._next > 0

    def seed(self, gain: float) -> None:
        """The first guess of the echo path (amplitude ``gain`` of the direct path, from the
        delay estimate), before any frame is learned: it counts as ``seed_frames`` frames
        with ``reflections_db`` more energy than the direct path (it ages out of the history)."""
        if gain <= 0:
            return
        power = gain * gain * 10 ** (self.cfg.reflections_db / 10)
        for _ in range(self.cfg.seed_frames):
            self._push(np.full(BANDS, power))

    def _learn(self, mic: Bands, ref: Bands) -> None:
        cfg = self.cfg
        floor = float(ref.max()) * 10 ** (cfg.significant_db / 10)
        if floor < _EPS:
            return
        self._push(np.where(ref > floor, mic / np.maximum(ref, _EPS), np.nan))

    def _push(self, row: Bands) -> None:
        self._ratios[self._next % self.cfg.history_frames] = row
        self._next += 1
        self._update_gains()

    def _update_gains(self) -> None:
        cfg = self.cfg
        counts = np.sum(~np.isnan(self._ratios), axis=0)
        ok = counts >= cfg.min_frames
        if not ok.any():
            return
        # the percentile by rank (nanpercentile costs ten times more): NaNs sort last
        ranked = np.sort(self._ratios, axis=0)
        rank = np.floor((np.maximum(counts, 1) - 1) * cfg.percentile / 100).astype(int)
        gains = ranked[rank, np.arange(BANDS)]
        # a band with too few ratios (the call has little energy there): the median band's
        # gain, which is about as likely too high as too low
        gains[~ok] = float(np.median(gains[ok]))
        self._gains = gains
