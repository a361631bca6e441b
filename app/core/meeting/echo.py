"""Echo of the call in the microphone: found from the two tracks and dropped from the mic.

Without a headset the microphone hears the loudspeakers: the other side's speech appears in
the mic track too, delayed and attenuated (``mic[i] ≈ g·sys[i - lag] + you + noise``). It must
be transcribed once, as the other side, never as "You".

``EchoGate`` sees both tracks sample-aligned by index (both captures start together; the
remaining skew and the acoustic delay make ``lag``, searched in ``[-max_lead_s, max_delay_s]``).

1. **Delay**: normalized cross-correlation of the last ``window_s`` of mic against the system
   track over the lag range (one FFT), re-estimated every ``update_every_s`` while the system
   track is active; a new lag is taken only when its peak correlation is above ``min_corr``
   (double talk lowers the peak: the old lag is kept), and one far from the known lag only
   above ``jump_corr`` (your voice can match theirs somewhere else by chance). A frame that
   matches poorly while the system track is active re-estimates at once (at most every
   ``retry_frames``): the delay moves when a player under-runs or the output route changes.
2. **Per frame** (512 samples), two tests; the better one counts:
   * sample-exact: the least-squares gain ``g`` of the delayed system frame in the mic frame
     and the residual ``mic - g·sys``;
   * band energies (``app.core.meeting.echo_bands``): the echo predicted in 16 bands from
     the system audio around the delay and a per-band gain learned from earlier echo frames.
     It survives what the first test does not: a clock that drifts (the delay fractional
     and moving between estimates) and a room's reflections (up to ~150 ms).
   When the mic frame drops by at least ``erle_db`` once the echo is taken out, the frame is
   (mostly) echo: it is replaced by silence, so the VAD never opens an utterance on it.
   ``hangover_frames`` after an echo frame a weaker match suffices (echo tails). Your own
   speech over theirs (double talk) leaves a loud residual and is kept.

The journal keeps the raw microphone; only what is segmented and transcribed is gated.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from app.core.meeting.echo_bands import BandConfig, BandEcho, FrameBands

Audio = npt.NDArray[np.float32]
_EPS = 1e-12
_DECIMATE = 4


@dataclass(frozen=True)
class EchoConfig:
    rate: int = 16_000
    frame: int = 512
    # The two captures start at different moments (a PortAudio stream and a parec process
    # may be ready half a second apart on a loaded machine): both signs are searched widely.
    # The mic track ahead costs latency (system audio must arrive before a frame is judged);
    # behind costs only memory, and a parec that starts late puts it there (0.76 s measured
    # in the end-to-end test on a cold PulseAudio): that side is searched further.
    max_lead_s: float = 0.8  # the mic track ahead of the system track
    max_delay_s: float = 2.0  # the mic track behind (acoustic + output latency + start skew)
    window_s: float = 1.5
    update_every_s: float = 0.5
    min_corr: float = 0.35
    jump_corr: float = 0.6  # the correlation a delay far from the known one needs
    erle_db: float = 8.0
    tail_erle_db: float = 2.0
    hangover_frames: int = 3
    retry_window_s: float = 0.25
    retry_frames: int = 2  # a poor match re-estimates the delay at most this often
    active_db: float = -55.0  # system frame RMS (dBFS) below which it cannot echo
    slack: int = 32  # samples of delay error the band test allows (drift between estimates)
    learn_corr: float = 0.5  # band gains learn while the delay's correlation is at least this
    bands: BandConfig | None = field(default_factory=BandConfig)  # None: the sample-exact test only

    @property
    def lead(self) -> int:
        return round(self.max_lead_s * self.rate)

    @property
    def delay(self) -> int:
        return round(self.max_delay_s * self.rate)

    @property
    def lookahead(self) -> int:
        """System samples needed beyond a mic frame's end before it can be judged (until the
        lag is known; then only what the lag needs)."""
        return self.lead

    @property
    def margin(self) -> int:
        return self.rate // 10


class EchoGate:
    """Feed the system track with ``push_system``; judge mic frames in order with ``frame``."""

    def __init__(self, config: EchoConfig | None = None) -> None:
        self.cfg = config or EchoConfig()
        keep = self.cfg.delay + round(self.cfg.window_s * self.cfg.rate) + 2 * self.cfg.frame
        self._keep = keep
        self._sys = np.zeros(0, np.float32)
        self._sys_base = 0  # absolute index of self._sys[0]
        self._mic = np.zeros(0, np.float32)
        self._mic_base = 0
        self.mic_done = 0  # mic samples judged so far
        self.lag: int | None = None
        self.corr = 0.0
        self.match = 0.0  # the last estimate's peak correlation (taken or not)
        self._bands = BandEcho(self.cfg.bands) if self.cfg.bands is not None else None
        self._since_update = 0
        self._hangover = 0
        self.echo_frames = 0
        self.frames = 0

    @property
    def system_samples(self) -> int:
        return self._sys_base + len(self._sys)

    def push_system(self, audio: Audio) -> None:
        if len(audio):
            self._sys = np.concatenate([self._sys, np.asarray(audio, np.float32)])
            self._trim()

    def can_judge(self, system_ended: bool = False) -> bool:
        """Whether the next mic frame has the system audio it needs."""
        ahead = self.cfg.lookahead if self.lag is None else max(0, self.cfg.margin - self.lag)
        need = self.mic_done + self.cfg.frame + min(ahead, self.cfg.lookahead)
        return system_ended or self.system_samples >= need

    def frame(self, mic: Audio) -> tuple[Audio, bool]:
        """The next mic frame as it should be segmented (silence when it is echo) and whether
        it was echo."""
        cfg = self.cfg
        start = self.mic_done
        self._mic = np.concatenate([self._mic, np.asarray(mic, np.float32)])
        self.mic_done += len(mic)
        self.frames += 1
        active = self._voice_at(start - cfg.delay, len(mic) + cfg.lead + cfg.delay)
        self._since_update += len(mic)
        if active and (self.lag is None or self._since_update >= cfg.update_every_s * cfg.rate):
            self._estimate()
        echo = False
        if self.lag is not None and active:
            erle, bands = self._explained(mic, start, self.lag)
            retry = erle < cfg.erle_db and self._since_update >= cfg.retry_frames * cfg.frame
            if retry and self._voice_at(start - self.lag - cfg.slack, len(mic) + 2 * cfg.slack):
                # a poor match where their voice should be: the delay may have moved (under-run,
                # new route): look at the most recent audio only, where the new delay dominates
                self._estimate(cfg.retry_window_s)
                erle, bands = self._explained(mic, start, self.lag)
            echo = erle >= cfg.erle_db or (self._hangover > 0 and erle >= cfg.tail_erle_db)
            if self._bands is not None and bands is not None:
                self._bands.commit(bands, learn=self.match >= cfg.learn_corr)
        elif self._bands is not None:
            self._bands.silence()
        if echo:
            self._hangover = cfg.hangover_frames
            self.echo_frames += 1
        elif self._hangover:
            self._hangover -= 1
        self._trim()
        return (np.zeros_like(mic) if echo else mic), echo

    # --- internals ---------------------------------------------------------------------------

    def _explained(self, mic: Audio, start: int, lag: int) -> tuple[float, FrameBands | None]:
        """How far (dB) the frame drops once the echo is taken out: the better of the
        sample-exact test and the band-energy test (and the latter's measures)."""
        erle = _erle_db(mic, self._system(start - lag, len(mic)))
        if self._bands is None:
            return erle, None
        n, slack = len(mic), self.cfg.slack
        band_db, bands = self._bands.measure(
            mic, [self._system(start - lag + o, n) for o in (0, -slack, slack)]
        )
        return max(erle, band_db), bands

    def _voice_at(self, start: int, n: int) -> bool:
        """Whether the system track is active in [start, start + n) (absolute indexes)."""
        return _db(self._system(start, n)) > self.cfg.active_db

    def _system(self, start: int, n: int) -> Audio:
        """System samples [start, start + n) by absolute index; zeros where unknown."""
        out = np.zeros(n, np.float32)
        lo = max(start, self._sys_base)
        hi = min(start + n, self.system_samples)
        if hi > lo:
            out[lo - start : hi - start] = self._sys[lo - self._sys_base : hi - self._sys_base]
        return out

    def _estimate(self, window_s: float | None = None) -> None:
        """Coarse search on 4x-decimated audio (one FFT), refined at full rate around it."""
        cfg = self.cfg
        self._since_update = 0
        w = min(len(self._mic), round((window_s or cfg.window_s) * cfg.rate))
        w -= w % _DECIMATE
        if w < cfg.frame:
            return
        m = self._mic[len(self._mic) - w :]
        span = w + cfg.delay + cfg.lead
        span -= span % _DECIMATE
        s = self._system(self.mic_done - w - cfg.delay, span)
        rho = _ncc(_decimate(s), _decimate(m))
        if rho is None:
            return
        k0 = _DECIMATE * int(np.argmax(rho))
        best_k, best = k0, -1.0
        for k in range(max(0, k0 - _DECIMATE), min(len(s) - w, k0 + _DECIMATE) + 1):
            seg = s[k : k + w]
            den = float(np.sqrt(np.dot(m, m) * np.dot(seg, seg)))
            value = float(np.dot(m, seg)) / den if den > _EPS else 0.0
            if value > best:
                best_k, best = k, value
        self.match = best
        lag = cfg.delay - best_k
        # a far-away peak replaces a known delay only when it is strong: during double talk
        # your voice can match the other side's somewhere else by chance
        near = self.lag is None or abs(lag - self.lag) <= _DECIMATE * 4
        if best >= cfg.min_corr and (near or best >= cfg.jump_corr):
            self.lag = lag
            self.corr = best
            if self._bands is not None and not self._bands.seeded:
                # the first echo of the call: no band gain learned yet. The least-squares gain
                # of the window at the delay (the direct path: your voice does not bias it)
                seg = s[best_k : best_k + w]
                self._bands.seed(float(np.dot(m, seg)) / max(float(np.dot(seg, seg)), _EPS))

    def _trim(self) -> None:
        cut = self.mic_done - self._keep
        if cut - self._mic_base > 4 * self.cfg.rate:
            self._mic = self._mic[cut - self._mic_base :]
            self._mic_base = cut
        scut = min(cut - self.cfg.delay, self.system_samples - self._keep)
        if scut - self._sys_base > 4 * self.cfg.rate:
            self._sys = self._sys[scut - self._sys_base :]
            self._sys_base = scut


def _decimate(x: Audio) -> npt.NDArray[np.float64]:
    """Mean of every ``_DECIMATE`` samples (speech keeps its shape below 2 kHz)."""
    return np.asarray(x, np.float64).reshape(-1, _DECIMATE).mean(axis=1)


def _ncc(s: npt.NDArray[np.float64], m: npt.NDArray[np.float64]) -> npt.NDArray[np.float64] | None:
    """Normalized cross-correlation of ``m`` at every offset inside ``s`` (None: silent mic)."""
    w = len(m)
    e_m = float(np.dot(m, m))
    if e_m < _EPS or len(s) < w:
        return None
    n = len(s) + w
    r = np.fft.irfft(np.fft.rfft(s, n) * np.conj(np.fft.rfft(m, n)), n)[: len(s) - w + 1]
    c = np.concatenate([[0.0], np.cumsum(s * s)])
    e_s = c[w:] - c[: len(c) - w]
    rho: npt.NDArray[np.float64] = r / np.sqrt(e_m * np.maximum(e_s, _EPS))
    rho[e_s < _EPS] = 0.0
    return rho


def _db(x: Audio) -> float:
    if not len(x):
        return -120.0
    rms = float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))
    return 20.0 * float(np.log10(rms)) if rms > 1e-6 else -120.0


def _erle_db(mic: Audio, ref: Audio) -> float:
    """How far (dB) the mic frame drops once the best-scaled reference is removed."""
    m = mic.astype(np.float64)
    s = ref.astype(np.float64)
    e_s = float(np.dot(s, s))
    e_m = float(np.dot(m, m))
    if e_s < _EPS or e_m < _EPS:
        return 0.0
    g = float(np.dot(m, s)) / e_s
    if g <= 0:
        return 0.0
    resid = m - g * s
    e_r = float(np.dot(resid, resid))
    return 10.0 * float(np.log10(e_m / max(e_r, _EPS)))
