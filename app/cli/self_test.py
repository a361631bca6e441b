"""``python -m app --self-test [--model PATH_OR_REPO] [--json FILE]``: check this installation
and write a report, so the first run on a real Mac tells everything.

Runs inside the bundle too (``Granite Dictate.app/Contents/MacOS/GraniteDictate --self-test``).
One line per check (PASS / FAIL / SKIP and the reason), then the JSON report: versions, data
folders, MLX compute, the Metal device and its kernel library, the default input device,
microphone / Accessibility / Input Monitoring, whether the global shortcut registers, the
model load and a timed transcription of a spoken sample (macOS ``say``, else ``espeak-ng``).
Checks that only mean something on a Mac say "not on macOS" elsewhere. Exit 0 when nothing
failed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from app.cli.common import EXIT_FAILED, EXIT_OK, PROG
from app.core.about.selftest import (
    CheckResult,
    Report,
    failed,
    folders_writable,
    guarded,
    passed,
    skipped,
)
from app.core.storage import paths

FLAG = "--self-test"
SAMPLE_TEXT = "The quick brown fox jumps over the lazy dog. Please call me back at noon today."
REPORT_NAME = "self-test.json"
Check = Callable[[], CheckResult | list[CheckResult]] | CheckResult


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"{PROG} {FLAG}", description="Check this installation and write a JSON report."
    )
    parser.add_argument("--model", help="model folder or Hugging Face repo id (default: the app's)")
    parser.add_argument(
        "--json", type=Path, help=f"report file (default: the data folder's {REPORT_NAME})"
    )
    parser.add_argument(
        "--no-word-check",
        action="store_true",
        help="do not require the sample's words back (random test models)",
    )
    parser.add_argument("--skip-model", action="store_true", help="no model load or transcription")
    return parser


def main(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(list(argv))
    report = Report()

    def run(name: str, check: Check) -> None:
        results = check() if callable(check) else check
        for result in results if isinstance(results, list) else [results]:
            report.add(result)
            print(result.line(), flush=True)

    from app.engine import diagnostics

    run("versions", lambda: guarded("versions", diagnostics.versions))
    run("folders", lambda: guarded("data folders", folders_writable))
    run("mlx", lambda: guarded("MLX compute", diagnostics.mlx_compute))
    run("metal", lambda: guarded("Metal", diagnostics.metal))
    run("input", lambda: guarded("default input device", _default_input))
    run("system", _system_checks)
    if args.skip_model:
        run("model", skipped("model", "--skip-model"))
    else:
        run("model", lambda: _model_checks(args.model, not args.no_word_check))
    path = args.json or paths.data_dir() / REPORT_NAME
    report.write_json(path)
    fails = sum(r.status.value == "fail" for r in report.results)
    print(f"{'OK' if report.ok else f'{fails} FAILED'}; report: {path}", flush=True)
    return EXIT_OK if report.ok else EXIT_FAILED


def _default_input() -> CheckResult:
    from app.audio.devices import list_input_devices
    from app.core.errors import GraniteError

    name = "default input device"
    try:
        devices = list_input_devices()
    except (GraniteError, OSError) as err:
        if sys.platform != "darwin":
            return skipped(name, f"no audio input here ({err})")
        return failed(name, str(err))
    default = next((d for d in devices if d.is_default), None)
    if default is None:
        if sys.platform != "darwin":
            return skipped(name, "no default input here")
        return failed(name, f"none of {len(devices)} input devices is the default")
    return passed(
        name,
        f"{default.name} ({default.channels} ch, {default.default_rate:g} Hz)",
        devices=[d.label() for d in devices],
    )


def _system_checks() -> list[CheckResult]:
    from app.system import create_platform
    from app.system.diagnostics import hotkey_check, permission_checks

    platform = create_platform()
    out = list(permission_checks(platform))
    out.append(guarded("global shortcut", lambda: hotkey_check(platform)))
    return out


def speech_sample(folder: Path, text: str = SAMPLE_TEXT) -> tuple[np.ndarray, str]:
    """Spoken ``text`` as 16 kHz mono float32 and what made it: macOS ``say``, else
    ``espeak-ng``; without either, 3 s of noise (no words to check)."""
    from app.audio.files.decode import decode_file

    for tool, cmd in (
        ("say", ["say", "-o", str(folder / "sample.aiff"), text]),
        ("espeak-ng", ["espeak-ng", "-w", str(folder / "sample.wav"), text]),
    ):
        if shutil.which(tool):
            subprocess.run(cmd, check=True, capture_output=True, timeout=60)
            return np.asarray(decode_file(Path(cmd[2])), dtype=np.float32), tool
    rng = np.random.default_rng(0)
    return (0.05 * rng.standard_normal(48_000)).astype(np.float32), "noise"


def _model_checks(model: str | None, check_words: bool) -> list[CheckResult]:
    from app.cli.common import check_model_option, engine_factory
    from app.engine import diagnostics
    from app.engine.base import DEFAULT_MODEL
    from app.workers.engine_factory import one_line_error

    spec = model or DEFAULT_MODEL
    try:
        check_model_option(spec)
    except Exception as err:
        return [failed("model", str(err))]
    started = time.perf_counter()
    last = [0.0]

    def progress(done: int, total: int) -> None:
        if time.perf_counter() - last[0] > 5:
            last[0] = time.perf_counter()
            print(f"      downloading {done / 1e9:.2f} / {total / 1e9:.2f} GB", flush=True)

    try:
        engine = engine_factory()(spec, progress, lambda: False)
    except Exception as err:
        return [failed("model", f"{spec}: {one_line_error(err)}")]
    load_s = time.perf_counter() - started
    results = [passed("model", f"{engine.name} loaded in {load_s:.1f} s", load_s=round(load_s, 2))]
    with tempfile.TemporaryDirectory(prefix="granite-self-test-") as tmp:
        try:
            audio, source = speech_sample(Path(tmp))
        except (OSError, subprocess.SubprocessError) as err:
            results.append(failed("transcription", f"no speech sample: {err}"))
            return results
    words = check_words and source != "noise"
    result = guarded(
        "transcription",
        lambda: diagnostics.transcribe(engine, audio, SAMPLE_TEXT, check_words=words),
    )
    result.data["sample"] = source
    results.append(result)
    return results
