"""No network I/O except a model download the user asked for: ``transcribe``, ``listen`` and
the window run with the tiny model under a guard that fails on any socket other than AF_UNIX
or loopback (``tests/support/netguard.py``); the window's first start asks before any download.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.preferences import DEFAULT_MODEL, Preferences
from tests.support.media import write_tone
from tests.support.netguard import install
from tests.support.pulse import PulseServer, pulse_server  # noqa: F401 - fixture

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "tests" / "support" / "netguard_site"


def _guarded_env(tmp_path: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(base or os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(SITE), str(ROOT)])
    env["NETGUARD_LOG"] = str(tmp_path / "network.log")
    env["GRANITE_DICTATE_HOME"] = str(tmp_path / "home")
    env.pop("HF_HUB_OFFLINE", None)  # as on a user's machine: only our code keeps us offline
    env.pop("GRANITE_DICTATE_ENGINE_FACTORY", None)
    return env


def _attempts(tmp_path: Path) -> list[str]:
    log = tmp_path / "network.log"
    return log.read_text().splitlines() if log.exists() else []


def test_the_guard_catches_a_real_attempt(tmp_path: Path) -> None:
    code = (
        "import urllib.request\ntry:\n urllib.request.urlopen('http://example.com', timeout=2)"
        "\nexcept OSError as e:\n print(e)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], env=_guarded_env(tmp_path), capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert "blocked by the test guard" in proc.stdout
    assert _attempts(tmp_path) == ["resolve 'example.com'"]


@pytest.mark.slow
def test_transcribe_with_the_tiny_model_stays_offline(tmp_path: Path, tiny_model_dir: Path) -> None:
    src = write_tone(tmp_path / "tone.wav", 1.0)
    proc = subprocess.run(
        [sys.executable, "-m", "app", "transcribe", str(src), "--model", str(tiny_model_dir),
         "--output-dir", str(tmp_path / "out")],
        cwd=ROOT, env=_guarded_env(tmp_path), capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert _attempts(tmp_path) == []


@pytest.mark.pulse
@pytest.mark.slow
def test_listen_with_the_tiny_model_stays_offline(
    pulse_server: PulseServer,  # noqa: F811
    tmp_path: Path,
    tiny_model_dir: Path,
) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "app", "listen", "--model", str(tiny_model_dir),
         "--duration", "1.5"],
        cwd=ROOT, env=_guarded_env(tmp_path, pulse_server.env), capture_output=True, text=True,
        timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert _attempts(tmp_path) == []


@pytest.fixture
def guard(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("GRANITE_DICTATE_HOME", str(tmp_path / "home"))
    uninstall = install(tmp_path / "network.log")
    yield tmp_path
    uninstall()


def _window(qtbot, tmp_path: Path, model: str):
    from app.ui.app import start_gui
    from app.ui.settings.settings_store import SettingsStore

    settings = SettingsStore(str(tmp_path / "settings.ini"))
    settings.save_preferences(Preferences(model=model))
    gui = start_gui(settings=settings, instance_key=str(tmp_path / "instance"))
    assert gui is not None
    qtbot.addWidget(gui.window)
    return gui


def _close(gui) -> None:
    gui.shell.shutdown()
    gui.instance.close()
    gui.window.bridge.shutdown(5.0)


def test_first_start_asks_before_downloading(qtbot, guard: Path) -> None:
    from app.ui.app import first_load

    gui = _window(qtbot, guard, DEFAULT_MODEL)
    asked: list[bool] = []
    loads: list[str] = []
    gui.window.open_model_manager = lambda: asked.append(True)
    real_use = gui.window.use_model

    def use(spec: str) -> None:
        loads.append(spec)
        real_use(spec)

    gui.window.use_model = use
    try:
        first_load(gui.window)
        qtbot.wait(300)  # a download, if one had started, would be trying to resolve by now
        assert asked == [True] and loads == []
        assert _attempts(guard) == []
    finally:
        _close(gui)


@pytest.mark.slow
def test_the_window_with_the_tiny_model_stays_offline(
    qtbot, guard: Path, tiny_model_dir: Path
) -> None:
    from app.ui.app import first_load

    gui = _window(qtbot, guard, str(tiny_model_dir))
    try:
        first_load(gui.window)
        qtbot.waitUntil(lambda: gui.window.model_state == "ready", timeout=120_000)
        assert _attempts(guard) == []
    finally:
        _close(gui)
