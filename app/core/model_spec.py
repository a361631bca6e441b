"""What a model setting names: a local folder or a Hugging Face repo id, and is it available?

The one rule for "folder or Hub id", used by the command line, the window and the loader
(``app.engine.hub.resolve_model``): mlx-audio treats a relative path that does not exist as a
repo id, so callers decide with these helpers first. A relative folder in the working directory
never shadows a Hub id: ``org/model`` is a folder only if it holds a ``config.json``.

API::

    is_local_path(spec) -> bool
    looks_like_repo_id(spec) -> bool
    model_folder_problem(path) -> str | None   # one-line reason a folder is unusable, or None
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

# owner/name as the Hub allows it: word characters, '-', '.'; no '--' or '..'; max 96 each.
_REPO_PART = r"[A-Za-z0-9](?:[\w.-]{0,94}[A-Za-z0-9_])?"
_REPO_ID = re.compile(rf"^{_REPO_PART}/{_REPO_PART}$")


def is_local_path(spec: str) -> bool:
    """True if ``spec`` is meant as a folder: absolute, ``~``/``./``/``../``, an existing folder
    with a ``config.json``, or an existing path that cannot be a repo id (``a/b/c``)."""
    s = spec.strip()
    if not s:
        return False
    if s.startswith(("~", "./", "../", ".\\", "..\\")) or s in (".", ".."):
        return True
    if os.path.isabs(s) or re.match(r"^[A-Za-z]:[\\/]", s) or "\\" in s:
        return True
    path = Path(s)
    if (path / "config.json").is_file():
        return True
    return path.exists() and not _is_repo_shaped(s)


def _is_repo_shaped(s: str) -> bool:
    return bool(_REPO_ID.match(s)) and "--" not in s and ".." not in s and not s.endswith(".git")


def looks_like_repo_id(spec: str) -> bool:
    """True for ``owner/name`` shaped strings that are not local paths."""
    s = spec.strip()
    return _is_repo_shaped(s) and not is_local_path(s)


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
