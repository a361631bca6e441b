"""Generate test media at test time (no binary media is committed).

``write_tone`` writes sine tones in any supported format; ``write_audio`` writes given samples;
``write_wav_pcm`` writes raw RIFF/WAVE files byte by byte (8/16/24/32-bit int, 32-bit float,
values outside [-1, 1] kept for float, header-only files); ``write_speech`` speaks a text with
the ``espeak-ng`` CLI and converts it to the requested format.

Encoders used from the PyAV wheel: pcm_*, flac, libmp3lame (mp3), vorbis (ffmpeg's native,
experimental, stereo only: mono input is duplicated to two identical channels), libopus, aac,
and for video containers mpeg4 (mp4, mov, m4v, avi) or libvpx (webm) with a few 64x64 frames.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import tempfile
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import numpy.typing as npt

PathLike = str | os.PathLike[str]

#: extension -> (container format, audio codec, video codec or None)
FORMATS: dict[str, tuple[str, str, str | None]] = {
    ".flac": ("flac", "flac", None),
    ".mp3": ("mp3", "libmp3lame", None),
    ".ogg": ("ogg", "vorbis", None),
    ".oga": ("ogg", "vorbis", None),
    ".opus": ("ogg", "libopus", None),
    ".m4a": ("ipod", "aac", None),
    ".aac": ("adts", "aac", None),
    ".mka": ("matroska", "libopus", None),
    ".mp4": ("mp4", "aac", "mpeg4"),
    ".m4v": ("mp4", "aac", "mpeg4"),
    ".mov": ("mov", "aac", "mpeg4"),
    ".mkv": ("matroska", "libopus", "mpeg4"),
    ".webm": ("webm", "libopus", "libvpx"),
}

_OPUS_RATES = (8000, 12000, 16000, 24000, 48000)
_WAV_FMTS = {"u8": (1, 1), "s16": (2, 1), "s24": (3, 1), "s32": (4, 1), "f32": (4, 3)}


def tone(
    seconds: float,
    rate: int,
    freq: float | Sequence[float] = 1000.0,
    amplitude: float | Sequence[float] = 0.5,
    channels: int = 1,
) -> npt.NDArray[np.float64]:
    """Sines, shape (channels, n); ``freq`` / ``amplitude`` may be given per channel."""
    n = round(seconds * rate)
    t = np.arange(n) / rate
    freqs = [freq] * channels if isinstance(freq, int | float) else list(freq)
    amps = [amplitude] * channels if isinstance(amplitude, int | float) else list(amplitude)
    return np.stack([a * np.sin(2 * np.pi * f * t) for f, a in zip(freqs, amps, strict=True)])


def write_wav_pcm(
    path: PathLike, samples: npt.ArrayLike, rate: int, sample_fmt: str = "s16"
) -> Path:
    """Write a canonical WAVE file; ``samples`` is (channels, n) or (n,) float in [-1, 1].

    ``sample_fmt``: ``u8``, ``s16``, ``s24``, ``s32`` (integers, clipped) or ``f32`` (kept as is,
    so values beyond ±1 survive).
    """
    x = np.asarray(samples, dtype=np.float64)
    x = x[None, :] if x.ndim == 1 else x
    channels = x.shape[0]
    width, tag = _WAV_FMTS[sample_fmt]
    inter = x.T.reshape(-1)
    if sample_fmt == "f32":
        data = inter.astype("<f4").tobytes()
    else:
        bits = 8 * width
        scale = float(2 ** (bits - 1))
        ints = np.clip(np.round(inter * scale), -scale, scale - 1).astype(np.int64)
        if sample_fmt == "u8":
            data = (ints + 128).astype(np.uint8).tobytes()
        elif sample_fmt == "s24":
            b = ints.astype("<i4").view(np.uint8).reshape(-1, 4)[:, :3]
            data = b.tobytes()
        else:
            data = ints.astype("<i2" if width == 2 else "<i4").tobytes()
    fmt_chunk = struct.pack(
        "<HHIIHH", tag, channels, rate, rate * channels * width, channels * width, 8 * width
    )
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt_chunk)) + fmt_chunk
    body += b"data" + struct.pack("<I", len(data)) + data
    p = Path(path)
    p.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    return p


def write_audio(
    path: PathLike,
    samples: npt.ArrayLike,
    rate: int,
    *,
    codec: str | None = None,
    sample_fmt: str | None = None,
    container: str | None = None,
    bit_rate: int | None = None,
) -> Path:
    """Encode ``samples`` ((channels, n) or (n,) float) with PyAV; format from the extension.

    ``.wav`` goes through :func:`write_wav_pcm` (``sample_fmt`` u8/s16/s24/s32/f32). Video
    extensions get a tiny video stream too. Opus input at other rates is resampled to 48 kHz.
    """
    p = Path(path)
    x = np.asarray(samples, dtype=np.float64)
    x = x[None, :] if x.ndim == 1 else x
    ext = p.suffix.lower()
    if ext == ".wav" and codec is None:
        return write_wav_pcm(p, x, rate, sample_fmt or "s16")
    fmt, default_codec, video_codec = FORMATS[ext]
    codec = codec or default_codec
    if codec == "vorbis" and x.shape[0] == 1:
        x = np.concatenate([x, x])  # ffmpeg's native vorbis encoder is stereo only
    channels = x.shape[0]
    layout = {1: "mono", 2: "stereo"}.get(channels, f"{channels}c")
    out_rate = rate if codec != "libopus" or rate in _OPUS_RATES else 48000
    options = {"strict": "experimental"} if codec == "vorbis" else {}
    with av.open(str(p), "w", format=container or fmt) as out:
        stream: Any = out.add_stream(codec, rate=out_rate, options=options)
        stream.layout = layout
        if sample_fmt is not None:
            stream.format = sample_fmt
        if bit_rate is not None:
            stream.bit_rate = bit_rate
        vstream: Any = None
        if video_codec is not None:
            vstream = out.add_stream(video_codec, rate=5)
            vstream.width = vstream.height = 64
            vstream.pix_fmt = "yuv420p"
        resampler = av.AudioResampler(format=stream.format, layout=layout, rate=out_rate)
        step = rate // 10
        for start in range(0, x.shape[1], step):
            block = np.ascontiguousarray(x[:, start : start + step], dtype=np.float32)
            frame = av.AudioFrame.from_ndarray(block, format="fltp", layout=layout)
            frame.sample_rate = rate
            frame.pts = start
            frame.time_base = Fraction(1, rate)
            for f in resampler.resample(frame):
                out.mux(stream.encode(f))
        for f in resampler.resample(None):
            out.mux(stream.encode(f))
        out.mux(stream.encode(None))
        if vstream is not None:
            for i in range(max(1, round(x.shape[1] / rate * 5))):
                img = np.full((64, 64, 3), (i * 37) % 256, dtype=np.uint8)
                vf = av.VideoFrame.from_ndarray(img, format="rgb24")
                vf.pts = i
                out.mux(vstream.encode(vf))
            out.mux(vstream.encode(None))
    return p


def write_tone(
    path: PathLike,
    seconds: float = 1.0,
    rate: int = 16000,
    channels: int = 1,
    codec: str | None = None,
    sample_fmt: str | None = None,
    *,
    freq: float | Sequence[float] = 1000.0,
    amplitude: float | Sequence[float] = 0.5,
) -> Path:
    """Write a sine tone (per-channel ``freq``/``amplitude`` allowed) to ``path``."""
    return write_audio(
        path,
        tone(seconds, rate, freq, amplitude, channels),
        rate,
        codec=codec,
        sample_fmt=sample_fmt,
    )


def write_video_only(path: PathLike, frames: int = 5) -> Path:
    """A video file (format from the extension) with no audio stream."""
    p = Path(path)
    fmt, _, video_codec = FORMATS[p.suffix.lower()]
    with av.open(str(p), "w", format=fmt) as out:
        vstream: Any = out.add_stream(video_codec or "mpeg4", rate=5)
        vstream.width = vstream.height = 64
        vstream.pix_fmt = "yuv420p"
        for i in range(frames):
            vf = av.VideoFrame.from_ndarray(np.zeros((64, 64, 3), np.uint8), format="rgb24")
            vf.pts = i
            out.mux(vstream.encode(vf))
        out.mux(vstream.encode(None))
    return p


def read_any(path: PathLike) -> tuple[npt.NDArray[np.float32], int]:
    """Decode the first audio stream with PyAV (no resampling): ((channels, n) float32, rate)."""
    with av.open(str(path)) as inp:
        stream = inp.streams.audio[0]
        rate = stream.codec_context.sample_rate
        resampler = av.AudioResampler(format="fltp", rate=rate)
        parts = [f.to_ndarray() for frame in inp.decode(stream) for f in resampler.resample(frame)]
        parts += [f.to_ndarray() for f in resampler.resample(None)]
    return np.concatenate(parts, axis=1), rate


def write_speech(
    path: PathLike,
    text: str,
    voice: str = "en",
    *,
    words_per_minute: int = 160,
    rate: int | None = None,
    codec: str | None = None,
) -> Path:
    """Speak ``text`` with the espeak-ng CLI (22050 Hz mono), then convert to ``path``'s format.

    ``rate`` resamples (through the encoder's resampler) to another rate; ``.wav`` without
    ``rate``/``codec`` is espeak-ng's own output.
    """
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise RuntimeError("espeak-ng is not installed (apt install espeak-ng)")
    p = Path(path)
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "speech.wav"
        subprocess.run(
            [exe, "-v", voice, "-s", str(words_per_minute), "-w", str(raw), text],
            check=True,
            capture_output=True,
        )
        if p.suffix.lower() == ".wav" and rate is None and codec is None:
            shutil.copyfile(raw, p)
            return p
        x, native = read_any(raw)
    if rate is not None and rate != native:
        import soxr

        x = soxr.resample(x.T, native, rate, quality="HQ").T
        native = rate
    return write_audio(p, x, native, codec=codec)
