"""What a model setting names: a local folder or a Hugging Face repo id, and is it available?

No network, ever: the cache check reads the local Hugging Face cache only. (mlx-audio treats a
relative path that does not exist as a repo id, so callers decide with these helpers first.)

API::

    is_local_path(spec) -> bool
    looks_like_repo_id(spec) -> bool
    hf_cache_has(repo_id, cache_dir=None) -> bool
    model_folder_problem(path) -> str | None   # one-line reason a folder is unusable, or None
"""

from __future__ import annotations

import json
import logging
import os
import re
from pathlib import Path

log = logging.getLogger(__name__)

# owner/name as the Hub allows it: word characters, '-', '.'; no '--' or '..'; max 96 each.
_REPO_PART = r"[A-Za-z0-9](?:[\w.-]{0,94}[A-Za-z0-9_])?"
_REPO_ID = re.compile(rf"^{_REPO_PART}/{_REPO_PART}$")


def is_local_path(spec: str) -> bool:
    """True if ``spec`` is meant as a path: absolute, ``~``/``./``/``../``, or an existing path."""
    s = spec.strip()
    if not s:
        return False
    if s.startswith(("~", "./", "../", ".\\", "..\\")) or s in (".", ".."):
        return True
    if os.path.isabs(s) or re.match(r"^[A-Za-z]:[\\/]", s):
        return True
    return Path(s).exists()


def looks_like_repo_id(spec: str) -> bool:
    """True for ``owner/name`` shaped strings that are not local paths."""
    s = spec.strip()
    if not _REPO_ID.match(s) or "--" in s or ".." in s or s.endswith(".git"):
        return False
    return not is_local_path(s)


def hf_cache_has(repo_id: str, cache_dir: str | Path | None = None) -> bool:
    """True if the Hugging Face cache holds the repo's config.json and all of its weights.

    Partial downloads live in ``blobs/*.incomplete`` and only appear in the snapshot folder
    when complete, so a listed weight file is a whole one.
    """
    if not looks_like_repo_id(repo_id):
        return False
    from huggingface_hub import try_to_load_from_cache

    try:
        config = try_to_load_from_cache(repo_id, "config.json", cache_dir=cache_dir)
    except (ValueError, OSError) as err:  # HFValidationError is a ValueError
        log.warning("Cannot check the model cache for %s: %s", repo_id, err)
        return False
    if not isinstance(config, str):
        return False
    snapshot = Path(config).parent
    index = snapshot / "model.safetensors.index.json"
    if index.is_file():
        try:
            weight_map = json.loads(index.read_text(encoding="utf-8")).get("weight_map", {})
            shards = set(weight_map.values())
        except (OSError, ValueError, AttributeError):
            return False
        return bool(shards) and all((snapshot / s).is_file() for s in shards)
    return any(p.is_file() for p in snapshot.glob("*.safetensors"))


def model_folder_problem(path: str) -> str | None:
    """Why a chosen local model folder cannot be used (one line), or ``None`` if it looks fine."""
    if not path.strip():
        return "No folder was chosen."
    folder = Path(path).expanduser()
    if not folder.is_dir():
        return f"{folder} is not a folder."
    config = folder / "config.json"
    if not config.is_file():
        return f"{folder.name} has no config.json; choose the folder that contains the model."
    try:
        data = json.loads(config.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return f"{folder.name}/config.json cannot be read as JSON."
    if not isinstance(data, dict):
        return f"{folder.name}/config.json is not a model configuration."
    if not any(p.is_file() for p in folder.glob("*.safetensors")):
        return f"{folder.name} has config.json but no .safetensors weights."
    return None
