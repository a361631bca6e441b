"""HuggingFaceHub's cache lookup and resumable download, driven offline through fakes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from app.core.errors import CancelledError, ModelMissingError
from app.engine.base import CancelToken
from app.engine.hub import HuggingFaceHub, resolve_model

FILES = {"config.json": 40, "model.safetensors": 1000, "tokenizer.json": 300, "README.md": 5}


@dataclass
class Sibling:
    rfilename: str
    size: int


@dataclass
class Info:
    sha: str = "abc123"
    siblings: list[Sibling] = field(
        default_factory=lambda: [Sibling(n, s) for n, s in FILES.items()]
    )


class FakeApi:
    def __init__(self, error: Exception | None = None) -> None:
        self.error = error

    def model_info(self, repo_id, *, files_metadata):
        assert files_metadata
        if self.error:
            raise self.error
        return Info()


class FakeFetch:
    """Writes each file in 100-byte pieces through the tqdm class, like hf_hub_download."""

    def __init__(self, root: Path, cancel_after: int | None = None) -> None:
        self.root, self.cancel_after = root, cancel_after
        self.calls: list[tuple[str, str, str]] = []

    def __call__(self, repo_id, filename, *, revision, tqdm_class):
        self.calls.append((repo_id, filename, revision))
        folder = self.root / "snapshots" / revision
        folder.mkdir(parents=True, exist_ok=True)
        size = FILES[filename]
        bar = tqdm_class(total=size, unit="B")
        try:
            for done in range(0, size, 100):
                bar.update(min(100, size - done))
        finally:
            bar.close()
        (folder / filename).write_bytes(b"x" * size)
        return str(folder / filename)


def _no_cache(repo_id, **kwargs):
    assert kwargs["local_files_only"] is True
    raise FileNotFoundError("not cached")


def test_download_reports_monotonic_progress(tmp_path):
    fetch = FakeFetch(tmp_path)
    hub = HuggingFaceHub(api=FakeApi(), fetch=fetch, snapshot=_no_cache)
    progress: list[tuple[int, int]] = []
    folder = resolve_model("owner/model", hub=hub, on_progress=lambda d, t: progress.append((d, t)))
    assert folder == tmp_path / "snapshots" / "abc123"
    assert [name for _, name, _ in fetch.calls] == [
        "config.json",
        "model.safetensors",
        "tokenizer.json",
    ]
    assert {rev for *_, rev in fetch.calls} == {"abc123"}
    total = 40 + 1000 + 300
    assert progress[0] == (0, total) and progress[-1] == (total, total)
    done = [d for d, _ in progress]
    assert done == sorted(done) and len(progress) > 6
    assert all(t == total for _, t in progress)


def test_cancel_during_download(tmp_path):
    cancel = CancelToken()
    seen = []

    def on_progress(done, total):
        seen.append(done)
        if done > 500:
            cancel.cancel()

    hub = HuggingFaceHub(api=FakeApi(), fetch=FakeFetch(tmp_path), snapshot=_no_cache)
    with pytest.raises(CancelledError):
        resolve_model("owner/model", hub=hub, on_progress=on_progress, cancel=cancel)
    assert max(seen) < 1340


def test_offline_is_model_missing(tmp_path):
    hub = HuggingFaceHub(api=FakeApi(OSError("Name or service not known")), snapshot=_no_cache)
    with pytest.raises(ModelMissingError, match=r"^No internet connection"):
        resolve_model("owner/model", hub=hub)


def test_cached_snapshot_is_used_only_when_complete(tmp_path):
    snap = tmp_path / "snap"
    snap.mkdir()

    def snapshot(repo_id, **kwargs):
        assert kwargs["local_files_only"] is True
        return str(snap)

    hub = HuggingFaceHub(api=FakeApi(OSError("offline")), snapshot=snapshot)
    assert hub.cached("owner/model") is None  # empty snapshot: an interrupted download
    (snap / "config.json").write_text("{}")
    (snap / "model.safetensors").write_bytes(b"")
    assert resolve_model("owner/model", hub=hub) == snap


def test_real_cache_lookup_is_offline(monkeypatch, tmp_path):
    """The default hub's cache lookup with an empty cache finds nothing and touches no network."""
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    assert HuggingFaceHub().cached("owner/not-there") is None


def test_network_failures_are_said_in_words() -> None:
    import socket

    from app.engine.hub import download_failure

    try:
        try:
            raise socket.gaierror(-2, "Name or service not known")
        except socket.gaierror as inner:
            raise RuntimeError("request failed") from inner
    except RuntimeError as err:
        no_net = download_failure("org/model", err)
    assert no_net.startswith("No internet connection: org/model could not be downloaded.")
    slow = download_failure("org/model", TimeoutError("timed out"))
    assert slow.startswith("The server did not answer while downloading org/model")
    other = download_failure("org/model", ValueError("401 Unauthorized"))
    assert other == (
        "Model org/model could not be downloaded: 401 Unauthorized; choose a local model folder."
    )


def test_the_cli_says_the_default_model_size_before_downloading() -> None:
    from app.engine.base import DEFAULT_MODEL
    from app.workers.model_cache import download_notice

    assert "(about 2.9 GB)" in download_notice(DEFAULT_MODEL)
    assert "(size unknown)" in download_notice("org/other")


def test_needs_download_never_for_a_folder_and_asks_the_cache_for_a_repo(tmp_path) -> None:
    from app.engine.hub import needs_download

    class Cache:
        def __init__(self, cached: Path | None) -> None:
            self.value = cached

        def cached(self, repo_id: str) -> Path | None:
            return self.value

        def download(self, repo_id: str, *, on_progress=None, cancel=None) -> Path:
            raise AssertionError("never downloads")

    assert needs_download(str(tmp_path), Cache(None)) is False
    assert needs_download("org/model", Cache(None)) is True
    assert needs_download("org/model", Cache(tmp_path)) is False
