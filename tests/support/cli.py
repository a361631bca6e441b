"""The app in a child process, as a user runs it: ``python -m app ARGS`` (or a script with
``-c``) from the repository root, with its own home folder and the fake engine unless a test
asks for the real one."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
FAKE_ENGINE = "tests.support.fake_engine:factory"


def app_env(home: Path, *, engine: str | None = FAKE_ENGINE, **extra: str) -> dict[str, str]:
    """This process's environment with ``home`` as GRANITE_DICTATE_HOME, ``engine`` as the
    engine factory (None: the real engine) and ``extra`` variables on top."""
    env = {**os.environ, "GRANITE_DICTATE_HOME": str(home), **extra}
    env.pop("GRANITE_DICTATE_ENGINE_FACTORY", None)
    if engine is not None:
        env["GRANITE_DICTATE_ENGINE_FACTORY"] = engine
    return env


def app_command(*args: str | Path) -> list[str]:
    """``python -m app ARGS`` with this interpreter."""
    return [sys.executable, "-m", "app", *map(str, args)]


def run_app(
    args: Sequence[str | Path],
    home: Path,
    *,
    engine: str | None = FAKE_ENGINE,
    timeout: float = 120,
    **kw: Any,
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m app ARGS`` to its end (output captured as text); a traceback on stderr
    fails the test: bad input gets a one-line message."""
    proc = subprocess.run(
        app_command(*args),
        cwd=ROOT,
        env=app_env(home, engine=engine),
        capture_output=True,
        text=True,
        timeout=timeout,
        **kw,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def run_gui_script(
    code: str, home: Path, *args: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run ``python -c CODE ARGS`` with the fake engine and offscreen Qt (the caller checks
    the exit code and output)."""
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=app_env(home, QT_QPA_PLATFORM="offscreen"),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
