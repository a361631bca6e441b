"""From options to task specs: the one rule the command line and the window share."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from app.cli.common import add_task_options, task_specs_from_args
from app.core.errors import UnsupportedLanguageError, UsageError
from app.core.keywords import read_keywords_file
from app.core.tasks import keyword_warning, merge_keywords, plan_specs
from app.core.transcript import Task, TaskSpec


def test_plan_specs_keeps_the_transcript_and_adds_each_translation_once() -> None:
    assert plan_specs(Task.TRANSCRIBE, "fr", "en", ("de",)) == [TaskSpec(Task.TRANSCRIBE, "fr")]
    specs = plan_specs(Task.TRANSLATE, "en", "fr", ("de", "fr", "en"), ("Kenobi",))
    assert [(s.task, s.target_language) for s in specs] == [
        (Task.TRANSCRIBE, None),
        (Task.TRANSLATE, "fr"),
        (Task.TRANSLATE, "de"),
    ]
    assert all(s.keywords == ("Kenobi",) for s in specs)
    only = plan_specs(Task.TRANSLATE, "en", "fr", with_transcript=False)
    assert [(s.task, s.target_language) for s in only] == [(Task.TRANSLATE, "fr")]
    with pytest.raises(UsageError):
        plan_specs(Task.TRANSLATE, "en", "en")
    with pytest.raises(UnsupportedLanguageError):
        plan_specs(Task.TRANSLATE, "fr", "de")  # only via English


def test_keywords_merge_ignoring_case_like_the_sidebar() -> None:
    assert merge_keywords(["MLX", " Granite  Speech "], ["mlx", "granite speech", "Dana"]) == (
        "MLX",
        "Granite Speech",
        "Dana",
    )
    assert keyword_warning(["a"]) is None
    warning = keyword_warning([f"w{i}" for i in range(500)])
    assert warning is not None and "500 keywords" in warning


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_task_options(parser)
    return parser.parse_args(list(argv))


def test_command_line_and_window_build_the_same_specs(tmp_path: Path) -> None:
    words = tmp_path / "kw.txt"
    words.write_text("Kenobi\nkenobi\nMLX\n", encoding="utf-8")
    argv = ["--language", "en", "--translate-to", "fr", "--keywords", "mlx,Dana"]
    cli = task_specs_from_args(_args(*argv, "--keywords-file", str(words)))
    window = plan_specs(Task.TRANSLATE, "en", "fr", (), ("mlx", "Dana", "Kenobi", "kenobi", "MLX"))
    assert cli == window[1:]  # the window keeps the transcript beside the translation
    assert cli[0].keywords == ("mlx", "Dana", "Kenobi")


def test_keywords_file_problems_are_one_line(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="Keywords file"):
        read_keywords_file(str(tmp_path / "missing.txt"))
    with pytest.raises(UsageError, match="--translate-to"):
        task_specs_from_args(_args(), Task.TRANSLATE)
