"""Model location: a local folder, or a Hugging Face repo id in the standard HF cache.

A spec that looks like a path (or exists) is only ever a path: a missing folder never falls
through to a Hub lookup (mlx-audio's own ``load`` would treat a missing relative path as a repo
id). Repo ids are looked up in the local cache first and downloaded resumably otherwise.
"""

from __future__ import annotations

import contextlib
import fnmatch
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from app.core import model_spec
from app.core.errors import CancelledError, GraniteError, ModelMissingError, UsageError
from app.engine.base import CancelToken, DownloadProgress

log = logging.getLogger(__name__)

#: The files a granite_speech model needs (as mlx-audio downloads them).
ALLOW_PATTERNS = ["*.json", "*.safetensors", "*.txt", "*.model", "*.jinja", "*.tiktoken"]


class Hub(Protocol):
    """Where repo ids are resolved; tests pass a fake."""

    def cached(self, repo_id: str) -> Path | None: ...

    def download(
        self, repo_id: str, *, on_progress: DownloadProgress | None, cancel: CancelToken | None
    ) -> Path: ...


def _check_folder(spec: str) -> Path:
    path = Path(spec).expanduser()
    if not path.exists():
        raise ModelMissingError(f"Model folder not found: {spec}")
    if not path.is_dir():
        raise ModelMissingError(f"Model path is not a folder: {spec}")
    if not (path / "config.json").is_file():
        raise ModelMissingError(f"No config.json in model folder {spec}; choose a model folder.")
    return path.resolve()


def resolve_model(
    spec: str,
    *,
    on_progress: DownloadProgress | None = None,
    cancel: CancelToken | None = None,
    allow_download: bool = True,
    hub: Hub | None = None,
) -> Path:
    """The local folder holding model ``spec`` (a folder path or a Hugging Face repo id)."""
    spec = spec.strip()
    if not spec:
        raise UsageError("No model given; choose a model folder or a Hugging Face repo id.")
    if model_spec.is_local_path(spec):
        return _check_folder(spec)
    if not model_spec.looks_like_repo_id(spec):
        raise ModelMissingError(
            f"Model '{spec}' is neither an existing folder nor a Hugging Face repo id."
        )
    hub = hub if hub is not None else HuggingFaceHub()
    cached = hub.cached(spec)
    if cached is not None:
        return cached
    if not allow_download:
        raise ModelMissingError(
            f"Model {spec} is not downloaded yet; download it or choose a local model folder."
        )
    try:
        return hub.download(spec, on_progress=on_progress, cancel=cancel)
    except GraniteError:
        raise
    except Exception as exc:
        log.warning("Download of %s failed: %r", spec, exc)
        raise ModelMissingError(download_failure(spec, exc)) from exc


def download_failure(spec: str, exc: BaseException) -> str:
    """A failed download in words: no connection, no answer, or the reason given."""
    chain: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and len(chain) < 8:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    text = " ".join(" ".join(str(e).split()) for e in chain)
    names = {type(e).__name__ for e in chain}
    if names & {"ConnectTimeout", "ReadTimeout", "Timeout", "TimeoutError", "timeout"} or (
        "timed out" in text
    ):
        return (
            f"The server did not answer while downloading {spec}; try again later, or choose "
            "a local model folder."
        )
    if names & {"gaierror", "ConnectionError", "ConnectError", "OfflineModeIsEnabled"} or any(
        s in text
        for s in ("Name or service not known", "nodename nor servname", "Temporary failure in "
                  "name resolution", "Network is unreachable", "Connection refused", "offline")
    ):  # fmt: skip
        return (
            f"No internet connection: {spec} could not be downloaded. Connect and try again, "
            "or choose a local model folder."
        )
    reason = " ".join(str(exc).split()) or type(exc).__name__
    return f"Model {spec} could not be downloaded: {reason[:200]}; choose a local model folder."


def needs_download(spec: str, hub: Hub | None = None) -> bool:
    """True when ``spec`` is a Hugging Face repo id that is not in the local cache (checked
    without any network access)."""
    spec = spec.strip()
    if not spec or model_spec.is_local_path(spec) or not model_spec.looks_like_repo_id(spec):
        return False
    hub = hub if hub is not None else HuggingFaceHub()
    return hub.cached(spec) is None


def _complete(folder: Path) -> bool:
    return (folder / "config.json").is_file() and any(folder.glob("*.safetensors"))


class HuggingFaceHub:
    """huggingface_hub in its standard cache. ``api``/``fetch`` are injectable for tests."""

    def __init__(
        self,
        *,
        api: Any = None,
        fetch: Callable[..., str] | None = None,
        snapshot: Callable[..., str] | None = None,
    ) -> None:
        self._api = api
        self._fetch = fetch
        self._snapshot = snapshot

    def _snapshot_download(self, repo_id: str, **kwargs: Any) -> str:
        if self._snapshot is not None:
            return self._snapshot(repo_id, **kwargs)
        from huggingface_hub import snapshot_download

        return str(snapshot_download(repo_id, **kwargs))

    def cached(self, repo_id: str) -> Path | None:
        try:
            folder = Path(
                self._snapshot_download(
                    repo_id, local_files_only=True, allow_patterns=ALLOW_PATTERNS
                )
            )
        except Exception as exc:  # LocalEntryNotFoundError and friends: not cached
            log.info("%s is not in the Hugging Face cache (%s)", repo_id, type(exc).__name__)
            return None
        return folder if _complete(folder) else None

    def download(
        self,
        repo_id: str,
        *,
        on_progress: DownloadProgress | None = None,
        cancel: CancelToken | None = None,
    ) -> Path:
        """Download every needed file (resumable: the HF cache keeps partial files)."""
        api = self._api
        if api is None:
            from huggingface_hub import HfApi

            api = HfApi()
        fetch = self._fetch
        if fetch is None:
            from huggingface_hub import hf_hub_download

            fetch = hf_hub_download
        info = api.model_info(repo_id, files_metadata=True)
        files = [
            (s.rfilename, int(s.size or 0))
            for s in info.siblings or []
            if any(fnmatch.fnmatch(s.rfilename, p) for p in ALLOW_PATTERNS)
            and "/" not in s.rfilename
        ]
        total = sum(size for _, size in files)
        done = 0
        report = on_progress or (lambda _done, _total: None)
        report(0, total)
        folder: Path | None = None
        for name, size in files:
            if cancel is not None and cancel.cancelled:
                raise CancelledError()
            tqdm_class = _progress_bar(report, done, total, cancel)
            path = fetch(repo_id, name, revision=info.sha, tqdm_class=tqdm_class)
            folder = Path(path).parent
            done += size
            report(done, total)
        if folder is None or not _complete(folder):
            raise ModelMissingError(f"Model {repo_id} has no granite_speech weights on the Hub.")
        return folder


def _progress_bar(
    report: DownloadProgress, base: int, total: int, cancel: CancelToken | None
) -> Any:
    """A tqdm class that reports ``base`` + bytes of the current file and stops on cancel."""
    from tqdm.auto import tqdm  # type: ignore[import-untyped]

    class _Progress(tqdm):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["disable"] = False
            kwargs["file"] = open(os.devnull, "w")  # noqa: SIM115 - closed in close()
            super().__init__(*args, **kwargs)

        def update(self, n: float | None = 1) -> Any:
            result = super().update(n)
            report(base + int(self.n), total)
            if cancel is not None and cancel.cancelled:
                raise CancelledError()
            return result

        def close(self) -> None:
            fp = self.fp
            super().close()
            with contextlib.suppress(Exception):
                fp.close()

    return _Progress
