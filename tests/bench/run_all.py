"""Run every benchmark script in tests/bench/ (each prints its own figures; nothing asserts).

    .venv/bin/python tests/bench/run_all.py [NAME ...] [--timeout SECONDS]

Each script runs as ``python -m tests.bench.NAME`` with its defaults, one after another (they
measure speed, so never in parallel), from the repository root. A summary lists exit codes and
wall times; the exit code is 1 if any script failed or timed out.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parents[1]
SKIP = {"__init__", "run_all"}


def scripts() -> list[str]:
    return sorted(p.stem for p in BENCH_DIR.glob("*.py") if p.stem not in SKIP)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", help=f"subset of: {', '.join(scripts())}")
    ap.add_argument("--timeout", type=float, default=3600.0, help="per script, seconds")
    args = ap.parse_args()
    names = args.names or scripts()
    unknown = sorted(set(names) - set(scripts()))
    if unknown:
        ap.error(f"unknown bench script(s): {', '.join(unknown)}")
    summary: list[tuple[str, str, float]] = []
    for name in names:
        print(f"\n===== {name} =====", flush=True)
        start = time.perf_counter()
        try:
            proc = subprocess.run(
                [sys.executable, "-m", f"tests.bench.{name}"], cwd=ROOT, timeout=args.timeout
            )
            status = "ok" if proc.returncode == 0 else f"exit {proc.returncode}"
        except subprocess.TimeoutExpired:
            status = f"timeout after {args.timeout:g} s"
        summary.append((name, status, time.perf_counter() - start))
    print("\n===== summary =====")
    for name, status, wall in summary:
        print(f"{name:24s} {status:24s} {wall:8.1f} s")
    return 0 if all(status == "ok" for _, status, _ in summary) else 1


if __name__ == "__main__":
    sys.exit(main())
