"""Seeded mutations of generated media for the decoder fuzz test (no external fuzzer).

``run_cases(folder, seed, n)`` writes base files (wav, flac, mp3, ogg, opus, m4a, webm, mkv),
mutates them (bit flips, truncation, splices, header fields such as rate, channels and sizes
set to extreme values), decodes each with ``decode_file`` under a per-case alarm and prints one
JSON line per case: ``{"case", "outcome": "ok"|"error"|"crash"|"hang", "seconds", "message"}``.
Run it in a child process (``python -m tests.support.fuzz_media FOLDER SEED N``) so a signal
or a memory blow-up is seen by the parent, with an address-space limit set there.
"""

from __future__ import annotations

import json
import resource
import signal
import struct
import sys
import time
import traceback
from pathlib import Path

import numpy as np

from tests.support.media import write_tone, write_wav_pcm

BASES = (".wav", ".flac", ".mp3", ".ogg", ".opus", ".m4a", ".webm", ".mkv")
EXTREMES = (0, 1, 2, 7, 255, 65535, 0x7FFFFFFF, 0xFFFFFFFF, 96000, 1_000_000)
CASE_SECONDS = 10


class _Hang(Exception):
    pass


def _alarm(_sig: int, _frame: object) -> None:
    raise _Hang()


def bases(folder: Path) -> dict[str, bytes]:
    out = {}
    for ext in BASES:
        if ext == ".wav":
            t = np.arange(16000) / 16000
            path = write_wav_pcm(folder / "base.wav", 0.4 * np.sin(2 * np.pi * 300 * t), 16000)
        else:
            path = write_tone(folder / f"base{ext}", 1.0, 48000 if ext == ".opus" else 44100)
        out[ext] = path.read_bytes()
    return out


def mutate(data: bytes, other: bytes, ext: str, rng: np.random.Generator) -> tuple[str, bytes]:
    buf = bytearray(data)
    kind = int(rng.integers(0, 5))
    if kind == 0:
        flips = int(rng.integers(1, 64))
        for _ in range(flips):
            i = int(rng.integers(0, len(buf)))
            buf[i] ^= 1 << int(rng.integers(0, 8))
        return f"flip{flips}", bytes(buf)
    if kind == 1:
        cut = int(rng.integers(1, len(buf)))
        return f"cut{cut}", bytes(buf[:cut])
    if kind == 2:
        a = int(rng.integers(0, len(buf)))
        b = int(rng.integers(0, len(other)))
        n = int(rng.integers(1, 4096))
        return f"splice{a}:{b}+{n}", bytes(buf[:a]) + other[b : b + n] + bytes(buf[a:])
    if kind == 3 and ext == ".wav":
        field = [(22, "<H"), (24, "<I"), (28, "<I"), (32, "<H"), (34, "<H"), (40, "<I"), (4, "<I")][
            int(rng.integers(0, 7))
        ]
        value = int(EXTREMES[int(rng.integers(0, len(EXTREMES)))])
        off, fmt = field
        value &= 0xFFFF if fmt == "<H" else 0xFFFFFFFF
        buf[off : off + struct.calcsize(fmt)] = struct.pack(fmt, value)
        return f"wavfield{off}={value}", bytes(buf)
    # a header field anywhere in the first 96 bytes (sizes, rates, channel counts)
    off = int(rng.integers(0, min(96, len(buf) - 4)))
    value = int(EXTREMES[int(rng.integers(0, len(EXTREMES)))])
    order = "<I" if rng.integers(0, 2) else ">I"
    buf[off : off + 4] = struct.pack(order, value & 0xFFFFFFFF)
    return f"field{off}{order}={value}", bytes(buf)


def run_cases(folder: Path, seed: int, n: int) -> None:
    from app.audio import decode_file
    from app.core.errors import GraniteError

    base = bases(folder)
    rng = np.random.default_rng(seed)
    signal.signal(signal.SIGALRM, _alarm)
    exts = list(base)
    for i in range(n):
        ext = exts[i % len(exts)]
        other = base[exts[int(rng.integers(0, len(exts)))]]
        name, data = mutate(base[ext], other, ext, rng)
        path = folder / f"case{i:03d}{ext}"
        path.write_bytes(data)
        start = time.monotonic()
        outcome, message = "ok", ""
        signal.alarm(CASE_SECONDS)
        try:
            audio = decode_file(path)
            message = f"{audio.size} samples"
        except GraniteError as err:
            outcome, message = "error", str(err)
        except _Hang:
            outcome, message = "hang", name
        except BaseException as err:  # the finding: anything else is a crash
            outcome = "crash"
            message = "".join(traceback.format_exception_only(type(err), err)).strip()
        finally:
            signal.alarm(0)
        path.unlink()
        line = {
            "case": f"{i}:{ext}:{name}",
            "outcome": outcome,
            "seconds": round(time.monotonic() - start, 3),
            "message": message,
        }
        print(json.dumps(line), flush=True)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"peak_rss_mb": round(peak_kb / 1024, 1)}), flush=True)


if __name__ == "__main__":
    limit = int(sys.argv[4]) << 20 if len(sys.argv) > 4 else 0
    if limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    run_cases(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
