"""Limits that keep a hostile or damaged media file from decoding into unbounded memory or time.

A file's header can claim anything (a 1 Hz sample rate, 10 000 channels, days of audio), and
some codecs can expand a few bytes into many seconds. The decoder checks the header fields
against :data:`MIN_RATE` .. :data:`MAX_RATE` and :data:`MAX_CHANNELS`, and stops with a one-line
error once it has decoded more audio than the file's size can plausibly hold
(:func:`max_source_seconds`): the bound follows both the bytes and the declared duration, so a
real file is never cut, and a 1 MB file can never become gigabytes of samples.
"""

from __future__ import annotations

import os

from app.core.errors import AudioDecodeError

#: Lowest / highest sample rate accepted (telephone audio is 8 kHz; studio audio up to 384 kHz).
MIN_RATE = 1_000
MAX_RATE = 768_000
#: More channels than any real recording (3rd-order ambisonics is 16, big multitrack 64).
MAX_CHANNELS = 64
#: Fewest bytes per second of audio a real file spends: compressed digital silence (FLAC
#: constant frames, Vorbis floor-0 packets, Opus DTX) still costs about 60 B/s.
MIN_BYTES_PER_SECOND = 64
#: A declared duration is believed up to this many seconds per byte of file.
MAX_DECLARED_SECONDS_PER_BYTE = 1 / 16
#: Slack for rounding and headers.
_SLACK_S = 10.0


def check_format(name: str, rate: int, channels: int) -> None:
    """Raise a one-line :class:`AudioDecodeError` for an absurd sample rate or channel count.

    Zero means "not known yet" (some containers only say when decoding) and is accepted here.
    """
    if rate and not MIN_RATE <= rate <= MAX_RATE:
        raise AudioDecodeError(
            f"{name} declares a sample rate of {rate} Hz, which no real audio has "
            f"(accepted: {MIN_RATE}–{MAX_RATE} Hz); the file is damaged or crafted."
        )
    if channels > MAX_CHANNELS:
        raise AudioDecodeError(
            f"{name} declares {channels} audio channels (at most {MAX_CHANNELS} are accepted); "
            "the file is damaged or crafted."
        )


def plausible_frame(rate: int, channels: int) -> bool:
    """True when one decoded frame's rate and channel count are within the limits."""
    return MIN_RATE <= rate <= MAX_RATE and 0 < channels <= MAX_CHANNELS


def max_source_seconds(size_bytes: int, declared_s: float | None) -> float:
    """Most seconds of audio a file of ``size_bytes`` can hold (at any rate).

    The larger of what the bytes allow at :data:`MIN_BYTES_PER_SECOND` and the declared
    duration, itself believed only up to :data:`MAX_DECLARED_SECONDS_PER_BYTE`.
    """
    by_bytes = size_bytes / MIN_BYTES_PER_SECOND
    declared = min(declared_s or 0.0, size_bytes * MAX_DECLARED_SECONDS_PER_BYTE) * 1.02
    return max(by_bytes, declared) + _SLACK_S


def too_much_audio(name: str, size_bytes: int, decoded_s: float) -> AudioDecodeError:
    """The error for a file that decodes to more audio than its size can hold."""
    return AudioDecodeError(
        f"{name} decodes to more audio than a file of {_size(size_bytes)} can hold "
        f"(over {decoded_s / 3600:.1f} h); the file is damaged or crafted, stopped."
    )


def file_size(path: str) -> int:
    """Size in bytes (0 if it cannot be read; the decoder reports that itself)."""
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def memory_cap_samples() -> int:
    """Most float32 samples one decoded file may hold: half the machine's physical memory."""
    try:
        total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):  # pragma: no cover - both exist on macOS and Linux
        total = 8 << 30
    return max(total // 2 // 4, 1 << 20)


def _size(n: int) -> str:
    if n >= 1 << 20:
        return f"{n / (1 << 20):.1f} MB"
    if n >= 1 << 10:
        return f"{n / (1 << 10):.1f} KB"
    return f"{n} bytes"
