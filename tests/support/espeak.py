"""Speech with known word timings, for tests and benchmarks: libespeak-ng through ctypes.

``synthesize`` speaks a text with espeak-ng and returns 16 kHz mono float32 audio plus one
``Word`` per spoken word. Word starts come from espeak's word events; both ends are then
tightened against the signal energy so that ``[start, end]`` covers exactly the audible part
of the word: a pause between two words lies outside both words' intervals, which is what the
"a chunk boundary never falls inside a word" tests rely on.

libespeak-ng keeps state from one synthesis to the next (the same text spoken twice in one
process comes out with different samples and word events, and a variant voice such as
``en+m3`` changes what later voices produce), so each text is spoken in a fresh child process:
the audio and timings of a phrase never depend on which tests ran before.

``compose`` joins pieces of speech and silences (floats, in seconds), shifts word times and can
mix in white noise at a given level. Japanese works in kana only.
"""

from __future__ import annotations

import ctypes
import functools
import json
import subprocess
import sys
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import numpy.typing as npt
import soxr

RATE = 16_000
_LIB_NAME = "libespeak-ng.so.1"

# speak_lib.h constants
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_CHARS_UTF8 = 1
_POS_CHARACTER = 1
_EVENT_LIST_TERMINATED = 0
_EVENT_WORD = 1
_PARAM_RATE = 1

# Energy gate for tightening word edges: 10 ms frames, relative to the clip's loudest frame.
_EDGE_FRAME = 0.010
_EDGE_DB = -38.0


class _EventId(ctypes.Union):
    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", _EventId),
    ]


_Callback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event)
)


@dataclass(frozen=True)
class Word:
    text: str
    start: float
    end: float


@dataclass
class Speech:
    audio: npt.NDArray[np.float32]
    words: list[Word] = field(default_factory=list)

    @property
    def duration(self) -> float:
        return len(self.audio) / RATE


class _Engine:
    """The process-wide libespeak-ng instance (its state is global, so one lock guards it)."""

    def __init__(self) -> None:
        self.lib = ctypes.CDLL(_LIB_NAME)
        self.lib.espeak_Initialize.argtypes = [
            ctypes.c_int,
            ctypes.c_int,
            ctypes.c_char_p,
            ctypes.c_int,
        ]
        self.lib.espeak_SetSynthCallback.argtypes = [_Callback]
        self.lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        self.lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        self.lib.espeak_Synth.argtypes = [
            ctypes.c_void_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.POINTER(ctypes.c_uint),
            ctypes.c_void_p,
        ]
        self.rate = int(self.lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, None, 0))
        if self.rate <= 0:
            raise RuntimeError("espeak_Initialize failed")
        self.lock = threading.Lock()
        self._chunks: list[npt.NDArray[np.int16]] = []
        self._words: list[tuple[int, int, int]] = []  # (text_position, length, audio_ms)
        self._callback = _Callback(self._on_synth)  # keep a reference: C holds the pointer
        self.lib.espeak_SetSynthCallback(self._callback)

    def _on_synth(self, wav: ctypes._Pointer, count: int, events: ctypes._Pointer) -> int:  # type: ignore[type-arg]
        if count > 0 and wav:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        i = 0
        while events[i].type != _EVENT_LIST_TERMINATED:
            ev = events[i]
            if ev.type == _EVENT_WORD:
                self._words.append((ev.text_position, ev.length, ev.audio_position))
            i += 1
        return 0

    def speak(self, text: str, voice: str, rate_wpm: int) -> tuple[np.ndarray, list[Word]]:
        with self.lock:
            self._chunks, self._words = [], []
            if self.lib.espeak_SetVoiceByName(voice.encode()) != 0:
                raise ValueError(f"espeak-ng has no voice {voice!r}")
            self.lib.espeak_SetParameter(_PARAM_RATE, rate_wpm, 0)
            data = text.encode("utf-8")
            buf = ctypes.create_string_buffer(data)
            err = self.lib.espeak_Synth(
                buf, len(data) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None
            )
            if err != 0:
                raise RuntimeError(f"espeak_Synth failed with code {err}")
            pcm = np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.int16)
            raw_words = list(self._words)
        # text_position counts characters from 1. espeak sends no event for words it speaks
        # joined to a neighbour ("of the", "tout le monde"), so a Word's text runs up to the
        # next event: it is the group of words spoken as one unit.
        words = []
        for i, (pos, _length, ms) in enumerate(raw_words):
            stop = raw_words[i + 1][0] - 1 if i + 1 < len(raw_words) else len(text)
            label = text[pos - 1 : stop].strip(" \t\n.,;:!?。、")
            words.append(Word(label, ms / 1000.0, ms / 1000.0))
        return pcm, words


@functools.cache
def _engine() -> _Engine:
    return _Engine()


def _frame_db(audio: np.ndarray) -> np.ndarray:
    hop = int(_EDGE_FRAME * RATE)
    n = len(audio) // hop
    frames = audio[: n * hop].reshape(n, hop).astype(np.float64)
    rms = np.sqrt(np.mean(frames**2, axis=1)) + 1e-10
    db: np.ndarray = 20 * np.log10(rms / rms.max())
    return db


def _tighten(words: list[Word], audio: np.ndarray) -> list[Word]:
    """Move each word's start forward over leading silence and its end back over trailing
    silence, within the span from its own event to the next word's event."""
    loud = _frame_db(audio) > _EDGE_DB
    n = len(loud)
    out: list[Word] = []
    for i, w in enumerate(words):
        lo = int(w.start / _EDGE_FRAME)
        hi = int(words[i + 1].start / _EDGE_FRAME) if i + 1 < len(words) else n
        lo, hi = max(0, min(lo, n)), max(0, min(hi, n))
        idx = np.flatnonzero(loud[lo:hi])
        if len(idx) == 0:  # a silent "word" (punctuation read as nothing): keep it zero-length
            out.append(replace(w, start=float(lo * _EDGE_FRAME), end=float(lo * _EDGE_FRAME)))
            continue
        start, end = float((lo + idx[0]) * _EDGE_FRAME), float((lo + idx[-1] + 1) * _EDGE_FRAME)
        out.append(replace(w, start=start, end=end))
    return out


_ROOT = Path(__file__).resolve().parents[2]


def _child_main() -> None:
    """In the child: speak argv's text once with a fresh libespeak-ng; JSON header + PCM."""
    text, voice, rate_wpm = sys.argv[1], sys.argv[2], int(sys.argv[3])
    eng = _Engine()
    try:
        pcm, words = eng.speak(text, voice, rate_wpm)
    except ValueError as err:
        sys.stdout.buffer.write(json.dumps({"error": str(err)}).encode() + b"\n")
        return
    head = {"rate": eng.rate, "words": [[w.text, w.start] for w in words]}
    sys.stdout.buffer.write(json.dumps(head).encode() + b"\n" + pcm.astype(np.int16).tobytes())


def _speak_fresh(text: str, voice: str, rate_wpm: int) -> tuple[np.ndarray, list[Word], int]:
    code = "from tests.support.espeak import _child_main; _child_main()"
    proc = subprocess.run(
        [sys.executable, "-c", code, text, voice, str(rate_wpm)],
        cwd=_ROOT,
        capture_output=True,
        check=True,
        timeout=120,
    )
    head, _, raw = proc.stdout.partition(b"\n")
    info = json.loads(head)
    if "error" in info:
        raise ValueError(info["error"])
    words = [Word(t, s, s) for t, s in info["words"]]
    return np.frombuffer(raw, dtype=np.int16).copy(), words, int(info["rate"])


@functools.cache
def _synthesize_cached(text: str, voice: str, rate_wpm: int) -> Speech:
    pcm, words, rate = _speak_fresh(text, voice, rate_wpm)
    audio = pcm.astype(np.float32) / 32768.0
    if rate != RATE:
        audio = soxr.resample(audio, rate, RATE, quality="HQ").astype(np.float32)
    audio = np.clip(audio, -1.0, 1.0)
    words = [w for w in _tighten(words, audio) if w.end > w.start]
    audio.setflags(write=False)
    return Speech(audio, words)


def synthesize(text: str, voice: str = "en", rate_wpm: int = 160) -> Speech:
    """Speak ``text`` with espeak-ng: 16 kHz mono float32 audio and audible word intervals.

    Results are cached per process; the returned audio is read-only (copy before mutating).
    """
    cached = _synthesize_cached(text, voice, rate_wpm)
    return Speech(cached.audio, list(cached.words))


def noise(seconds: float, db: float, *, color: str = "white", seed: int = 0) -> np.ndarray:
    """Noise with RMS ``db`` dBFS: ``white`` or ``pink`` (1/f power, shaped in the spectrum)."""
    rng = np.random.default_rng(seed)
    n = round(seconds * RATE)
    x = rng.standard_normal(n)
    if color == "pink" and n > 1:
        spec = np.fft.rfft(x)
        f = np.arange(len(spec), dtype=np.float64)
        f[0] = 1.0
        x = np.fft.irfft(spec / np.sqrt(f), n)
    elif color != "white":
        raise ValueError(f"unknown noise colour {color!r}")
    rms = float(np.sqrt(np.mean(x**2))) if n else 1.0
    return (x * (10 ** (db / 20) / max(rms, 1e-12))).astype(np.float32)


def compose(
    parts: list[Speech | float],
    noise_db: float | None = None,
    seed: int = 0,
    *,
    noise_color: str = "white",
) -> Speech:
    """Concatenate speech and silences (floats, seconds); optionally add noise at ``noise_db``
    dBFS RMS over the whole result. Word times are shifted to the composed timeline."""
    pieces: list[np.ndarray] = []
    words: list[Word] = []
    offset = 0
    for part in parts:
        if isinstance(part, Speech):
            t0 = offset / RATE
            words += [replace(w, start=w.start + t0, end=w.end + t0) for w in part.words]
            pieces.append(part.audio)
            offset += len(part.audio)
        else:
            n = round(float(part) * RATE)
            pieces.append(np.zeros(n, np.float32))
            offset += n
    audio = np.concatenate(pieces).astype(np.float32) if pieces else np.zeros(0, np.float32)
    if noise_db is not None and len(audio):
        audio = audio + noise(len(audio) / RATE, noise_db, color=noise_color, seed=seed)
        audio = np.clip(audio, -1.0, 1.0).astype(np.float32)
    return Speech(audio, words)


#: Two sentences most file tests speak: two chunks, two segments.
TWO_SENTENCES = (
    "The quick brown fox jumps over the lazy dog.",
    "Granite speech runs on the device.",
)


def two_sentences() -> Speech:
    """``TWO_SENTENCES`` with 0.5 s of silence before, 1.5 s between and 1.0 s after."""
    first, second = (synthesize(text) for text in TWO_SENTENCES)
    return compose([0.5, first, 1.5, second, 1.0])
