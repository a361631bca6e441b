"""Model spec helpers: local path vs repo id, offline cache check, folder validation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.core.model_spec import (
    hf_cache_has,
    is_local_path,
    looks_like_repo_id,
    model_folder_problem,
)

REPO = "mlx-community/granite-4.0-1b-speech-8bit"
COMMIT = "0123456789abcdef0123456789abcdef01234567"


def make_cache(root: Path, files: dict[str, str], repo: str = REPO) -> Path:
    """The on-disk layout huggingface_hub uses: refs/main → snapshots/<commit>/<files>."""
    repo_dir = root / ("models--" + repo.replace("/", "--"))
    (repo_dir / "refs").mkdir(parents=True)
    (repo_dir / "refs" / "main").write_text(COMMIT)
    snap = repo_dir / "snapshots" / COMMIT
    snap.mkdir(parents=True)
    for name, text in files.items():
        (snap / name).write_text(text)
    return snap


def test_local_paths_and_repo_ids(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "models" / "granite").mkdir(parents=True)
    assert is_local_path("/abs/model")
    assert is_local_path("~/models/x")
    assert is_local_path("./x") and is_local_path("../x")
    assert is_local_path("models/granite")  # exists relative to cwd
    assert not is_local_path(REPO)
    assert not is_local_path("")
    assert looks_like_repo_id(REPO)
    assert looks_like_repo_id("ibm-granite/granite-speech-3.3-2b")
    bad_ids = ("models/granite", "/abs/x", "no-slash", "a/b/c", "a--b/c", "a/b..c", "a/b.git", "")
    for bad in bad_ids:
        assert not looks_like_repo_id(bad), bad


def test_cache_has_single_file_weights(tmp_path: Path) -> None:
    assert not hf_cache_has(REPO, cache_dir=tmp_path)
    make_cache(tmp_path, {"config.json": "{}", "model.safetensors": "w"})
    assert hf_cache_has(REPO, cache_dir=tmp_path)
    assert not hf_cache_has("other/repo", cache_dir=tmp_path)
    assert not hf_cache_has("not a repo id", cache_dir=tmp_path)


def test_cache_without_weights_is_not_enough(tmp_path: Path) -> None:
    make_cache(tmp_path, {"config.json": "{}"})
    assert not hf_cache_has(REPO, cache_dir=tmp_path)


def test_cache_with_sharded_weights_needs_every_shard(tmp_path: Path) -> None:
    index = {"weight_map": {"a": "model-00001.safetensors", "b": "model-00002.safetensors"}}
    snap = make_cache(
        tmp_path,
        {
            "config.json": "{}",
            "model.safetensors.index.json": json.dumps(index),
            "model-00001.safetensors": "w",
        },
    )
    assert not hf_cache_has(REPO, cache_dir=tmp_path)
    (snap / "model-00002.safetensors").write_text("w")
    assert hf_cache_has(REPO, cache_dir=tmp_path)


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
