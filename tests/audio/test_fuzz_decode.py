"""Seeded fuzz: 400 mutated media files (bit flips, truncation, splices, extreme header
fields) each decode to audio or fail with one line; no traceback, no signal, no hang, bounded
memory. A batch of them through ``transcribe`` gives one line per file."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.support import fuzz_media
from tests.support.cli import ROOT, run_app

CASES = 400
SEED = 20261201
#: Address space of the child: a decoder that balloons dies with MemoryError there, not here.
AS_LIMIT_MB = 3072
PEAK_RSS_MB = 600


@pytest.mark.timeout(120)
def test_mutated_media_give_one_line_or_audio(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "tests.support.fuzz_media", str(tmp_path), str(SEED), str(CASES),
         str(AS_LIMIT_MB)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=110,
        check=False,
    )  # fmt: skip
    assert proc.returncode == 0, f"child died (signal {-proc.returncode}?): {proc.stderr[-2000:]}"
    assert "Traceback" not in proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    cases, summary = rows[:-1], rows[-1]
    assert len(cases) == CASES
    bad = [c for c in cases if c["outcome"] not in ("ok", "error")]
    assert not bad, bad[:5]
    multi = [c for c in cases if c["outcome"] == "error" and "\n" in c["message"]]
    assert not multi, multi[:5]
    assert max(c["seconds"] for c in cases) < fuzz_media.CASE_SECONDS
    assert summary["peak_rss_mb"] < PEAK_RSS_MB
    kinds = {re.match(r"[a-z]+", c["case"].split(":")[2]).group() for c in cases}  # type: ignore[union-attr]
    assert {"flip", "cut", "splice", "wavfield", "field"} <= kinds
    assert any(c["case"].split(":")[2] in ("wavfield24=1", "wavfield24=7") for c in cases)


def test_a_batch_of_mutated_files_gives_one_line_each(tmp_path: Path) -> None:
    base = fuzz_media.bases(tmp_path)
    rng = np.random.default_rng(SEED)
    files = []
    exts = list(base)
    for i in range(24):
        ext = exts[i % len(exts)]
        _name, data = fuzz_media.mutate(base[ext], base[".wav"], ext, rng)
        path = tmp_path / f"m{i:02d}{ext}"
        path.write_bytes(data)
        files.append(path)
    args: list[str | Path] = [
        "transcribe",
        *files,
        "--model",
        "test/fake",
        "--output-dir",
        tmp_path / "out",
    ]
    proc = run_app(args, tmp_path / "home")
    assert proc.returncode in (0, 1), proc.stderr
    said = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(said) == len(files), proc.stderr
    for path, line in zip(files, said, strict=True):
        assert line.startswith(f"granite-dictate: {path.name}:"), line
