"""Model resolution and validation: typed one-line errors, never an accidental Hub lookup."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from app.core.errors import CancelledError, ModelCorruptError, ModelMissingError
from app.engine.base import CancelToken
from app.engine.hub import resolve_model
from app.engine.loader import load_engine, validate_model_dir


class FailingHub:
    """A Hub that fails the test if anything asks it."""

    def cached(self, repo_id):
        pytest.fail(f"Hub cache consulted for {repo_id!r}")

    def download(self, repo_id, *, on_progress, cancel):
        pytest.fail(f"Hub download attempted for {repo_id!r}")


class FakeHub:
    def __init__(
        self,
        cached: Path | None = None,
        folder: Path | None = None,
        error: BaseException | None = None,
    ) -> None:
        self._cached, self._folder, self._error = cached, folder, error
        self.downloads: list[str] = []

    def cached(self, repo_id):
        return self._cached

    def download(self, repo_id, *, on_progress, cancel):
        self.downloads.append(repo_id)
        if self._error:
            raise self._error
        on_progress(10, 10)
        return self._folder


@pytest.mark.parametrize(
    "spec",
    ["./no-such-model", "/no/such/model", "~/no-such-model-dir", "models/a/b", "..\\x", "."],
)
def test_missing_or_bad_path_never_asks_the_hub(spec, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # "." exists but has no config.json
    with pytest.raises(ModelMissingError) as info:
        resolve_model(spec, hub=FailingHub())
    assert "\n" not in str(info.value)
    with pytest.raises(ModelMissingError):
        load_engine(spec, hub=FailingHub())


def test_existing_relative_owner_name_folder_is_a_path(tmp_path, monkeypatch, tiny_model_dir):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(tiny_model_dir, tmp_path / "ibm" / "granite")
    assert (
        resolve_model("ibm/granite", hub=FailingHub()) == (tmp_path / "ibm" / "granite").resolve()
    )


def test_file_instead_of_folder(tmp_path):
    (tmp_path / "model.bin").write_text("x")
    with pytest.raises(ModelMissingError, match="not a folder"):
        resolve_model(str(tmp_path / "model.bin"), hub=FailingHub())


def test_repo_id_uses_cache_then_download(tmp_path):
    assert resolve_model("owner/model", hub=FakeHub(cached=tmp_path)) == tmp_path
    hub = FakeHub(folder=tmp_path)
    progress: list[tuple[int, int]] = []
    assert (
        resolve_model("owner/model", hub=hub, on_progress=lambda d, t: progress.append((d, t)))
        == tmp_path
    )
    assert hub.downloads == ["owner/model"] and progress == [(10, 10)]


def test_no_download_when_not_allowed(tmp_path):
    hub = FakeHub(folder=tmp_path)
    with pytest.raises(ModelMissingError, match="not downloaded"):
        resolve_model("owner/model", hub=hub, allow_download=False)
    assert hub.downloads == []


def test_network_failure_is_one_line(tmp_path):
    hub = FakeHub(error=OSError("Connection refused\nretry later"))
    with pytest.raises(ModelMissingError) as info:
        resolve_model("owner/model", hub=hub)
    message = str(info.value)
    assert message.startswith("No internet connection: owner/model could not be downloaded.")
    assert "choose a local model folder" in message and "\n" not in message
    cancelled = FakeHub(error=CancelledError())
    with pytest.raises(CancelledError):
        resolve_model("owner/model", hub=cancelled)


def test_not_a_repo_id():
    with pytest.raises(ModelMissingError, match="neither"):
        resolve_model("no spaces allowed/x y", hub=FailingHub())


@pytest.fixture
def model_copy(tiny_model_dir, tmp_path) -> Path:
    return Path(shutil.copytree(tiny_model_dir, tmp_path / "model"))


def _corrupt(folder: Path, how: str) -> None:
    weights = folder / "model.safetensors"
    if how == "no-weights":
        weights.unlink()
        (folder / "model.safetensors.index.json").unlink()
    elif how == "index-missing-file":
        weights.rename(folder / "other.safetensors")
    elif how == "truncated":
        data = weights.read_bytes()
        weights.write_bytes(data[: len(data) // 2])
    elif how == "bad-header":
        weights.write_bytes(b"\xff" * 64)
    elif how == "bad-config":
        (folder / "config.json").write_text("{not json")
    elif how == "wrong-type":
        config = json.loads((folder / "config.json").read_text())
        config["model_type"] = "whisper"
        (folder / "config.json").write_text(json.dumps(config))
    elif how == "no-tokenizer":
        (folder / "tokenizer.json").unlink()
    elif how == "bad-tokenizer":
        (folder / "tokenizer.json").write_text('{"trunc')
    elif how == "no-tokenizer-config":
        (folder / "tokenizer_config.json").unlink()


@pytest.mark.parametrize(
    "how",
    [
        "no-weights",
        "index-missing-file",
        "truncated",
        "bad-header",
        "bad-config",
        "wrong-type",
        "no-tokenizer",
        "bad-tokenizer",
        "no-tokenizer-config",
    ],
)
def test_corrupt_folder(model_copy, how):
    _corrupt(model_copy, how)
    with pytest.raises(ModelCorruptError) as info:
        load_engine(str(model_copy), hub=FailingHub())
    assert "\n" not in str(info.value)


def test_missing_tensor_fails_strict_load(model_copy):
    import mlx.core as mx

    path = model_copy / "model.safetensors"
    weights: dict[str, Any] = mx.load(str(path))  # type: ignore[assignment]
    del weights["language_model.model.layers.0.mlp.up_proj.scales"]
    mx.save_safetensors(str(path), weights)
    (model_copy / "model.safetensors.index.json").unlink()
    validate_model_dir(model_copy)  # the files are intact ...
    with pytest.raises(ModelCorruptError, match="does not load"):
        load_engine(str(model_copy), hub=FailingHub())  # ... but do not match the model


def test_load_engine_name_and_cancel_token_passthrough(tiny_model_dir):
    engine = load_engine(str(tiny_model_dir), cancel=CancelToken(), hub=FailingHub())
    assert engine.name == str(tiny_model_dir)
