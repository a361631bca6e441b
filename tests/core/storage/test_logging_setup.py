from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.storage import logging_setup


@pytest.fixture
def fresh_root(monkeypatch) -> Iterator[logging.Logger]:
    """setup_logging's one-time state reset, and its handler removed again afterwards."""
    root = logging.getLogger()
    before = list(root.handlers)
    level = root.level
    monkeypatch.setattr(logging_setup, "_handler", None)
    yield root
    for handler in root.handlers:
        if handler not in before:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)
    logging.captureWarnings(False)


def test_log_file_goes_into_the_app_log_folder(tmp_path, monkeypatch, fresh_root) -> None:
    monkeypatch.setenv("GRANITE_DICTATE_HOME", str(tmp_path))
    path = logging_setup.setup_logging()
    assert path is not None and path == tmp_path / "logs" / logging_setup.LOG_NAME
    assert logging_setup.setup_logging() == path  # idempotent: one handler
    assert sum(isinstance(h, logging.FileHandler) for h in fresh_root.handlers) >= 1
    logging.getLogger("app.test").info("hello from the test")
    assert isinstance(logging_setup._handler, logging.FileHandler)
    logging_setup._handler.flush()
    assert "hello from the test" in path.read_text(encoding="utf-8")


def test_a_log_folder_that_cannot_be_made_falls_back_to_stderr(
    tmp_path, monkeypatch, fresh_root, capsys
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("GRANITE_DICTATE_HOME", str(blocker / "home"))
    assert logging_setup.setup_logging() is None
    logging.getLogger("app.test").info("quiet info")
    logging.getLogger("app.test").warning("loud warning")
    err = capsys.readouterr().err
    assert err.count("Cannot use the log folder") == 1
    assert "loud warning" in err and "quiet info" not in err
    assert logging_setup.setup_logging() is None  # still idempotent
    assert capsys.readouterr().err == ""
    assert not Path(blocker / "home").exists()
