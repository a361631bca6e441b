"""Self-test checks of the MLX side: versions, the Metal device and its kernel library, and a
timed transcription of a short speech sample. Imports MLX inside the functions, like the rest
of the engine, and runs everything on the calling thread."""

from __future__ import annotations

import ctypes
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from app.core.about.selftest import CheckResult, failed, passed, skipped
from app.engine import memory
from app.engine.base import SAMPLE_RATE, Audio, SpeechEngine

METALLIB = "mlx.metallib"


def versions() -> CheckResult:
    found: dict[str, str] = {}
    dists = ["granite-dictate", "mlx", "mlx-audio", "PySide6-Essentials"]
    if sys.platform == "darwin":
        dists.insert(2, "mlx-metal")
    for dist in dists:
        try:
            found[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            found[dist] = "not installed"
    tags = _wheel_tags("mlx-metal") if sys.platform == "darwin" else []
    if tags:
        found["mlx-metal wheel"] = ", ".join(tags)
    text = ", ".join(f"{k} {v}" for k, v in found.items())
    return passed("versions", text, **found)


def _wheel_tags(dist: str) -> list[str]:
    try:
        text = metadata.distribution(dist).read_text("WHEEL") or ""
    except metadata.PackageNotFoundError:
        return []
    return [line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("Tag:")]


def loaded_library(name: str) -> Path | None:
    """The path of a loaded dylib whose file name starts with ``name`` (macOS, via dyld)."""
    if sys.platform != "darwin":
        return None
    libc = ctypes.CDLL(None)
    libc._dyld_image_count.restype = ctypes.c_uint32
    libc._dyld_get_image_name.restype = ctypes.c_char_p
    libc._dyld_get_image_name.argtypes = [ctypes.c_uint32]
    for i in range(libc._dyld_image_count()):
        raw = libc._dyld_get_image_name(i)
        if raw and Path(raw.decode()).name.startswith(name):
            return Path(raw.decode())
    return None


def mlx_compute() -> CheckResult:
    """A small op evaluates on MLX's default device (the GPU on a Mac)."""
    import mlx.core as mx

    x = mx.arange(1024, dtype=mx.float32)
    y = (x * 2).sum()
    mx.eval(y)
    value = float(y.item())  # type: ignore[arg-type]
    if value != 1047552.0:
        return failed("MLX compute", f"wrong result {value}", device=str(mx.default_device()))
    return passed("MLX compute", f"evaluates on {mx.default_device()}")


def metal() -> CheckResult:
    """Metal device, the metallib beside the loaded libmlx, and a GPU op."""
    if sys.platform != "darwin":
        return skipped("Metal")
    import mlx.core as mx

    if not mx.metal.is_available():
        return failed("Metal", "MLX reports no Metal device")
    info = {k: str(v) for k, v in dict(mx.metal.device_info()).items()}
    lib = loaded_library("libmlx")
    beside = lib.parent / METALLIB if lib else None
    data: dict[str, Any] = {
        "device": info,
        "libmlx": str(lib) if lib else None,
        "metallib": str(beside) if beside else None,
        "metallib_found": bool(beside and beside.exists()),
        "metallib_resolved": str(beside.resolve()) if beside and beside.exists() else None,
    }
    try:
        with mx.stream(mx.gpu):
            y = (mx.arange(4096, dtype=mx.float32) * 2).sum()
            mx.eval(y)
    except Exception as err:  # "Failed to load the default metallib" lands here
        return failed("Metal", " ".join(str(err).split())[:300], **data)
    name = info.get("device_name", "GPU")
    where = "beside libmlx" if data["metallib_found"] else "not beside libmlx (loaded elsewhere)"
    return passed("Metal", f"{name}: a GPU op evaluates; {METALLIB} {where}", **data)


def transcribe(
    engine: SpeechEngine, audio: Audio, expected: str, *, check_words: bool, runs: int = 2
) -> CheckResult:
    """Transcribe ``audio`` ``runs`` times (the first run includes kernel compilation):
    time to first token, end of speech → text (the audio is complete when the run starts),
    tokens/s; with ``check_words``, at least half the expected words must come back."""
    from app.core.transcript import TaskSpec

    timings: list[dict[str, float]] = []
    text = ""
    for _ in range(runs):
        start = time.perf_counter()
        first: list[float] = []

        def on_partial(
            _index: int, _text: str, first: list[float] = first, start: float = start
        ) -> None:
            if not first:
                first.append(time.perf_counter() - start)

        outputs = engine.run(audio, [TaskSpec()], on_partial=on_partial)
        total = time.perf_counter() - start
        out = outputs[0]
        text = out.text.strip()
        tokens = out.timing.generated_tokens
        decode_s = out.timing.decode_s
        timings.append(
            {
                "first_token_s": round(first[0] if first else total, 3),
                "speech_end_to_text_s": round(total, 3),
                "tokens": tokens,
                "tokens_per_s": round(tokens / decode_s, 1) if decode_s > 0 else 0.0,
            }
        )
    audio_s = len(audio) / SAMPLE_RATE
    warm = timings[-1]
    words = _words(expected)
    got = set(_words(text))
    matched = sum(1 for w in words if w in got)
    data = {"text": text, "expected": expected, "audio_s": round(audio_s, 2), "runs": timings,
            "words_matched": f"{matched}/{len(words)}", "memory": memory.figures()}  # fmt: skip
    summary = (
        f"{audio_s:.1f} s of speech: first token {warm['first_token_s']:.2f} s, "
        f"end of speech → text {warm['speech_end_to_text_s']:.2f} s, "
        f"{warm['tokens_per_s']:.1f} tokens/s; {matched}/{len(words)} words: {text[:80]!r}"
    )
    if check_words and matched * 2 < len(words):
        return failed("transcription", summary, **data)
    return passed("transcription", summary, **data)


def _words(text: str) -> list[str]:
    return ["".join(c for c in w if c.isalnum()) for w in text.lower().split() if w.strip()]
