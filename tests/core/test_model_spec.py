"""Model spec helpers: local path vs repo id, offline cache check, folder validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.model_spec import (
    is_local_path,
    looks_like_repo_id,
    model_folder_problem,
)

REPO = "mlx-community/granite-4.0-1b-speech-8bit"
COMMIT = "0123456789abcdef0123456789abcdef01234567"


def test_local_paths_and_repo_ids(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "models" / "granite").mkdir(parents=True)
    (tmp_path / "org" / "model").mkdir(parents=True)
    (tmp_path / "org" / "model" / "config.json").write_text("{}")
    (tmp_path / "a" / "b" / "c").mkdir(parents=True)
    assert is_local_path("/abs/model")
    assert is_local_path("~/models/x")
    assert is_local_path("./x") and is_local_path("../x")
    assert is_local_path("org/model")  # a model folder in the working directory
    assert is_local_path("a/b/c")  # exists and cannot be a repo id
    # a relative folder without config.json does not shadow the Hub id of the same name
    assert not is_local_path("models/granite") and looks_like_repo_id("models/granite")
    assert not is_local_path(REPO)
    assert not is_local_path("")
    assert looks_like_repo_id(REPO)
    assert looks_like_repo_id("ibm-granite/granite-speech-3.3-2b")
    bad_ids = (
        "org/model",
        "org/model-",
        "/abs/x",
        "no-slash",
        "a/b/c",
        "a--b/c",
        "a/b..c",
        "a/b.git",
        "",
    )
    for bad in bad_ids:
        assert not looks_like_repo_id(bad), bad


def test_model_folder_problem(tmp_path: Path) -> None:
    assert model_folder_problem("") == "No folder was chosen."
    missing = model_folder_problem(str(tmp_path / "nope"))
    assert missing is not None and "is not a folder" in missing
    folder = tmp_path / "granite"
    folder.mkdir()
    assert "no config.json" in (model_folder_problem(str(folder)) or "")
    (folder / "config.json").write_text("{not json")
    assert "cannot be read as JSON" in (model_folder_problem(str(folder)) or "")
    (folder / "config.json").write_text('{"model_type": "granite_speech"}')
    assert "no .safetensors" in (model_folder_problem(str(folder)) or "")
    (folder / "model.safetensors").write_bytes(b"w")
    assert model_folder_problem(str(folder)) is None
