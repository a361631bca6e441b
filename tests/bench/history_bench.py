"""History search speed: first 20 hits over 100,000 stored segments (target: under 50 ms).

    .venv/bin/python -m tests.bench.history_bench [--segments 100000] [--runs 30] [--db PATH]

Builds a real history database (WAL, FTS5, the app's schema) in a temporary folder: 10,000
entries of 10 segments, each 8-20 words drawn from a 5,000-word vocabulary with a Zipf-like
distribution (a few very common words, a long tail), plus accents and a marker phrase. Then
times ``HistoryStore.search(query, limit=20)`` for a common word, a rare word, two words, a
prefix, a phrase marker, a filtered search and a CJK substring search; prints the median and
the 95th percentile per query, and the build time. Nothing asserts: it prints figures.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from app.core.history.search import Filters
from app.core.history.store import DICTATION, FILE, HistoryStore, NewEntry, OutputText

SYLLABLES = ["ka", "lo", "mi", "ren", "ta", "vo", "su", "del", "ne", "pri", "za", "cor", "bé", "um"]


def vocabulary(n: int, rng: random.Random) -> list[str]:
    """Real words first (the most frequent ones), then made-up ones."""
    common = ["the", "and", "meeting", "project", "friday", "budget", "granite", "deadline"]
    words = set(common)
    while len(words) < n:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return common + sorted(words - set(common))


def build(path: Path, segments: int, rng: random.Random) -> float:
    store = HistoryStore(path)
    vocab = vocabulary(5000, rng)
    weights = [1.0 / (i + 1) for i in range(len(vocab))]
    per_entry = 10
    t0 = time.perf_counter()
    for e in range(segments // per_entry):
        segs = []
        for s in range(per_entry):
            words = rng.choices(vocab, weights, k=rng.randint(8, 20))
            if rng.random() < 0.001:
                words += ["quarterly", "roadmap", "review"]
            segs.append((s * 3.0, s * 3.0 + 2.8, " ".join(words)))
        if e % 500 == 0:
            segs[0] = (0.0, 2.0, "東京都で会議がありました")
        kind = DICTATION if e % 3 else FILE
        store.add(
            NewEntry(
                kind,
                f"rec-{e}",
                "transcribe",
                [OutputText("en", segs)],
                created=1.7e9 + e * 600.0,
                duration=30.0,
            )
        )
    build_s = time.perf_counter() - t0
    store.close()
    return build_s


def timed(
    store: HistoryStore, query: str, runs: int, filters: Filters | None = None
) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        hits = store.search(query, 20, filters)
        times.append((time.perf_counter() - t0) * 1000)
    del hits
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--segments", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--db", default=None, help="reuse or keep the database here")
    args = ap.parse_args()
    rng = random.Random(13)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.db) if args.db else Path(tmp) / "history.db"
        if not path.exists():
            build_s = build(path, args.segments, rng)
            print(
                f"built {args.segments} segments in {build_s:.1f} s "
                f"({args.segments / build_s:.0f} segments/s, one transaction per entry)"
            )
        store = HistoryStore(path)
        entries, segs = store.count()
        size = path.stat().st_size / 1e6
        print(f"database: {entries} entries, {segs} segments, {size:.1f} MB")
        cases = [
            ("common word", "the", None),
            ("frequent word", "meeting", None),
            ("rare phrase", "quarterly roadmap", None),
            ("two words", "budget friday", None),
            ("prefix", "gran", None),
            ("no match", "zzzzqx", None),
            ("common word, files since a date", "the", Filters(since=1.7e9 + 3e6, kind=FILE)),
            ("CJK substring", "会議", None),
        ]
        print(f"first 20 hits, {args.runs} runs each (ms):")
        for label, query, filters in cases:
            times = timed(store, query, args.runs, filters)
            p95 = sorted(times)[int(0.95 * (len(times) - 1))]
            hits = len(store.search(query, 20, filters))
            print(
                f"  {label:34s} {query!r:20s} median {statistics.median(times):6.2f}"
                f"  p95 {p95:6.2f}  ({hits} hits)"
            )
        store.close()


if __name__ == "__main__":
    main()
