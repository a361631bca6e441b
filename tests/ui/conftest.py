"""The Qt tests' rigs as fixtures: ``app`` (the wired app, tests/support/wired_app.py) and
``rig`` (the main window alone, tests/support/window_rig.py), each with its own
GRANITE_DICTATE_HOME (``home``). A test module may override one and build on it
(``def app(app)``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.window_rig import Rig
from tests.support.wired_app import App


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """GRANITE_DICTATE_HOME for the test: settings, data and logs in ``tmp_path/home``."""
    folder = tmp_path / "home"
    monkeypatch.setenv("GRANITE_DICTATE_HOME", str(folder))
    return folder


@pytest.fixture
def app(qtbot, tmp_path: Path, home: Path) -> Iterator[App]:
    a = App(qtbot, tmp_path)
    yield a
    a.close()


@pytest.fixture
def rig(qtbot, tmp_path: Path, home: Path) -> Iterator[Rig]:
    r = Rig(qtbot, tmp_path)
    yield r
    r.close()
