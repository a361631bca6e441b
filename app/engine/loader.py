"""Find, check and load a granite_speech model on the current thread.

``load_engine`` validates the folder first (config, safetensors headers and sizes, tokenizer
files) so a broken download gives a one-line ``ModelCorruptError`` instead of a deep traceback,
then loads through mlx-audio's own loader with strict weight matching.
"""

from __future__ import annotations

import json
import logging
import struct
from pathlib import Path
from typing import Any

from app.core.errors import ModelCorruptError, OutOfMemoryError, UsageError
from app.engine.base import CancelToken, DownloadProgress
from app.engine.hub import Hub, resolve_model
from app.engine.model.granite import MAX_POSITIONS, is_oom
from app.engine.runner import GraniteEngine
from app.engine.strict_call import checked_call

log = logging.getLogger(__name__)

MODEL_TYPE = "granite_speech"
OPTIONAL_WEIGHTS = {"out_llm.safetensors"}  # the speculative-decoding head of newer models


def _read_config(folder: Path) -> dict[str, Any]:
    path = folder / "config.json"
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelCorruptError(f"config.json is missing in {folder}.") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelCorruptError(f"config.json in {folder} is unreadable: {exc}") from None
    if not isinstance(config, dict):
        raise ModelCorruptError(f"config.json in {folder} is not a JSON object.")
    model_type = config.get("model_type")
    if model_type != MODEL_TYPE:
        raise ModelCorruptError(
            f"{folder} holds a '{model_type}' model, not a granite_speech model."
        )
    for key in ("encoder_config", "projector_config", "text_config", "audio_token_index"):
        if key not in config:
            raise ModelCorruptError(f"config.json in {folder} has no '{key}'.")
    return config


def check_safetensors(path: Path) -> None:
    """Raise ModelCorruptError unless ``path`` has a readable header and all its data."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            raw = handle.read(8)
            if len(raw) != 8:
                raise ValueError("no header")
            (header_len,) = struct.unpack("<Q", raw)
            if header_len > min(size - 8, 100_000_000):
                raise ValueError("header longer than the file")
            header = json.loads(handle.read(header_len))
        end = max(
            (int(v["data_offsets"][1]) for k, v in header.items() if k != "__metadata__"),
            default=0,
        )
    except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
        raise ModelCorruptError(f"{path.name} is not a valid safetensors file ({exc}).") from None
    if size < 8 + header_len + end:
        raise ModelCorruptError(
            f"{path.name} is truncated ({size} of {8 + header_len + end} bytes); "
            "download the model again."
        )


def validate_model_dir(folder: Path) -> dict[str, Any]:
    """Check every file the model needs; return the parsed config."""
    config = _read_config(folder)
    weights = sorted(p for p in folder.glob("*.safetensors") if p.name not in OPTIONAL_WEIGHTS)
    index = folder / "model.safetensors.index.json"
    if index.is_file():
        try:
            weight_map = json.loads(index.read_text(encoding="utf-8"))["weight_map"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ModelCorruptError(f"{index.name} is unreadable: {exc}") from None
        for name in sorted(set(weight_map.values())):
            if not (folder / name).is_file():
                raise ModelCorruptError(f"Weight file {name} is missing in {folder}.")
    if not weights:
        raise ModelCorruptError(f"No .safetensors weight files in {folder}.")
    for path in weights:
        check_safetensors(path)
    if not (folder / "tokenizer_config.json").is_file():
        raise ModelCorruptError(f"tokenizer_config.json is missing in {folder}.")
    tokenizer_json = folder / "tokenizer.json"
    if tokenizer_json.is_file():
        try:
            json.loads(tokenizer_json.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            raise ModelCorruptError(f"tokenizer.json in {folder} is unreadable.") from None
    elif not ((folder / "vocab.json").is_file() and (folder / "merges.txt").is_file()):
        raise ModelCorruptError(f"The tokenizer files (tokenizer.json) are missing in {folder}.")
    return config


def load_model(folder: Path) -> Any:
    """Load the mlx-audio granite_speech Model from a validated folder, strictly."""
    from mlx_audio.stt.utils import load_model as mlx_load_model

    try:
        model = checked_call(mlx_load_model, Path(folder), lazy=False, strict=True)
    except Exception as exc:
        if is_oom(exc):
            raise OutOfMemoryError("Not enough memory to load the model.") from exc
        log.exception("Loading %s failed", folder)
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise ModelCorruptError(
            f"The model in {folder} does not load: {first}. Download it again or choose another "
            "model folder."
        ) from exc
    if getattr(model, "is_plus", False):
        raise UsageError("Granite Speech Plus checkpoints are not supported; use granite-4.0.")
    tokenizer = getattr(model, "_tokenizer", None)
    if tokenizer is None or tokenizer.eos_token_id is None:
        raise ModelCorruptError(f"The tokenizer in {folder} has no end-of-text token.")
    audio_id = tokenizer.convert_tokens_to_ids("<|audio|>")
    if audio_id != model.audio_token_id:
        raise ModelCorruptError(
            f"The tokenizer's <|audio|> id ({audio_id}) does not match config.json "
            f"audio_token_index ({model.audio_token_id})."
        )
    return model


def load_engine(
    spec: str,
    *,
    on_progress: DownloadProgress | None = None,
    cancel: CancelToken | None = None,
    allow_download: bool = True,
    hub: Hub | None = None,
    max_tokens: int = MAX_POSITIONS,
) -> GraniteEngine:
    """Resolve, validate and load model ``spec`` on the current thread."""
    folder = resolve_model(
        spec, on_progress=on_progress, cancel=cancel, allow_download=allow_download, hub=hub
    )
    validate_model_dir(folder)
    log.info("Loading model %s from %s", spec, folder)
    return GraniteEngine(load_model(folder), spec, max_tokens=max_tokens)
