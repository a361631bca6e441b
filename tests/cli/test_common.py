"""The shared command-line pieces: the --model rule agrees with the loader's."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli.common import check_model_option
from app.core.errors import GraniteError, ModelMissingError, UsageError
from app.engine.hub import resolve_model


class _NoHub:
    """Stands in for the Hub: records the repo ids the loader would look up."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def cached(self, repo_id: str) -> Path | None:
        self.asked.append(repo_id)
        return None

    def download(self, repo_id: str, **_: object) -> Path:
        raise AssertionError("no download in tests")


SPECS = ("org/model", "models/granite", "org/model-", "a/b/c", "nothing", "/abs/none", "./x")


@pytest.mark.parametrize("spec", SPECS)
def test_cli_and_loader_agree_on_folder_or_hub(
    spec: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "models" / "granite").mkdir(parents=True)  # no config.json: not a model folder
    (tmp_path / "a" / "b" / "c").mkdir(parents=True)
    hub = _NoHub()
    try:
        check_model_option(spec)
        cli_says = "hub"
    except UsageError:
        cli_says = "bad"
    try:
        resolve_model(spec, hub=hub, allow_download=False)
        loader_says = "folder"
    except ModelMissingError:
        loader_says = "hub" if hub.asked == [spec] else "bad"
    except GraniteError:
        loader_says = "bad"
    assert cli_says == loader_says, (spec, cli_says, loader_says)
