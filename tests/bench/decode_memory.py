"""Peak memory and speed of app.audio.decode_file on long files (prints figures, asserts nothing).

    .venv/bin/python -m tests.bench.decode_memory [--minutes 5 60] [--formats mp3 opus]

Long files are made quickly by encoding 10 s of tone + noise once and muxing the same packets
over and over with shifted timestamps. Each decode runs in a fresh subprocess; its peak RSS
is its own: VmHWM reset just before the decode (Linux), else ``ru_maxrss``. ``tracemalloc``
gives the peak of Python/numpy allocations, but counts the final in-place trim (a realloc that
does not copy) as old + new block, so "traced" reads about twice the output; RSS is the truth.

Measured 2026-11-26 on the 2-core Linux dev box (shared, load 3-4): 60 min mp3 / opus decode
at ~110-120x real time, flac ~210x; RSS grows by 222 MB for a 220 MB result when the duration
is known, 259 MB when the header's duration is far too short (growth path).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import av
import numpy as np

from tests.support.media import tone, write_audio

PATTERN_S = 10.0
#: ext -> (native rate, channels, codec, container, bit rate)
SPECS: dict[str, tuple[int, int, str, str, int]] = {
    "mp3": (44100, 2, "libmp3lame", "mp3", 64_000),
    "opus": (48000, 1, "libopus", "ogg", 24_000),
    "webm": (48000, 1, "libopus", "webm", 24_000),
    "flac": (44100, 1, "flac", "flac", 0),
}


def make_long_file(path: Path, minutes: float) -> Path:
    """``minutes`` of audio by repeating the packets of a 10 s encoded pattern."""
    rate, channels, codec, fmt, bit_rate = SPECS[path.suffix[1:]]
    rng = np.random.default_rng(0)
    x = tone(PATTERN_S, rate, [440.0, 1000.0][:channels], 0.3, channels)
    x += 0.05 * rng.standard_normal(x.shape)
    pattern = path.with_name("pattern" + path.suffix)
    write_audio(pattern, x, rate, codec=codec, bit_rate=bit_rate or None)
    repeats = max(1, round(minutes * 60 / PATTERN_S))
    with av.open(str(pattern)) as src, av.open(str(path), "w", format=fmt) as out:
        in_stream = src.streams.audio[0]
        packets = [p for p in src.demux(in_stream) if p.size]
        stream: Any = out.add_stream_from_template(in_stream)
        # Whole frames only: a pattern's last packet may carry end-trimming in its duration.
        first = int(packets[0].pts or 0)
        step = int(packets[1].pts or 0) - first
        span = int(packets[-1].pts or 0) - first + step
        offsets = [int(p.pts or 0) - first for p in packets]
        for i in range(repeats):
            for p, offset in zip(packets, offsets, strict=True):
                p.stream = stream
                p.pts = p.dts = offset + i * span
                out.mux(p)
    pattern.unlink()
    return path


def _status_mb(field: str) -> float | None:
    """VmRSS / VmHWM from /proc/self/status (Linux), in MB."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0); False where not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _child(path: str) -> None:
    """Runs in a subprocess: decode once and print JSON figures."""
    import tracemalloc

    from app.audio import decode_file, probe

    info = probe(path)
    base = _status_mb("VmRSS") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    reset = _reset_peak()
    t0 = time.perf_counter()
    x = decode_file(path)
    wall = time.perf_counter() - t0
    peak = _status_mb("VmHWM") if reset else None
    peak = peak or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    decoded_s = x.size / 16000
    output_mb = x.nbytes / 2**20
    del x
    tracemalloc.start()
    decode_file(path)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        json.dumps(
            {
                "duration_s": info.duration_s,
                "decoded_s": decoded_s,
                "wall_s": wall,
                "base_rss_mb": base,
                "peak_rss_mb": peak,
                "traced_peak_mb": traced_peak / 2**20,
                "output_mb": output_mb,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, nargs="+", default=[5.0, 60.0])
    parser.add_argument(
        "--formats", nargs="+", default=["mp3", "opus", "flac"], choices=sorted(SPECS)
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child)
        return
    print(
        f"{'file':<14}{'size MB':>9}{'audio s':>9}{'decode s':>10}{'x real':>8}"
        f"{'base RSS':>10}{'peak RSS':>10}{'RSS-base':>10}{'traced':>9}{'output':>9}  (MB)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in args.formats:
            for minutes in args.minutes:
                t0 = time.perf_counter()
                path = make_long_file(Path(tmp) / f"long{minutes:g}.{fmt}", minutes)
                made = time.perf_counter() - t0
                res = subprocess.run(
                    [sys.executable, "-m", "tests.bench.decode_memory", "--child", str(path)],
                    check=True,
                    capture_output=True,
                    text=True,
                )
                r = json.loads(res.stdout.strip().splitlines()[-1])
                print(
                    f"{path.name:<14}{path.stat().st_size / 2**20:>9.1f}{r['decoded_s']:>9.0f}"
                    f"{r['wall_s']:>10.2f}{r['decoded_s'] / r['wall_s']:>8.0f}"
                    f"{r['base_rss_mb']:>10.0f}{r['peak_rss_mb']:>10.0f}"
                    f"{r['peak_rss_mb'] - r['base_rss_mb']:>10.0f}{r['traced_peak_mb']:>9.0f}"
                    f"{r['output_mb']:>9.0f}   (generated in {made:.1f} s)"
                )
                path.unlink()


if __name__ == "__main__":
    main()
