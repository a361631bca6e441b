"""Linux (X11) implementation: paste/type through ``xdotool`` + ``xclip`` when installed,
launch at login through an XDG autostart entry. No global hotkey here: it would need
python-xlib or pynput (not dependencies). A desktop-environment shortcut that launches the app
again can reach the running instance through ``app.ui.desktop.single_instance`` instead."""

from __future__ import annotations

import logging
import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from app.system.base import (
    RESTORE_DELAY_S,
    Scheduler,
    SystemIntegrationError,
    paste_via_clipboard,
    timer_scheduler,
)

if TYPE_CHECKING:
    from app.system.base import Platform

log = logging.getLogger(__name__)

Runner = Callable[[Sequence[str], str | None], str]


def run_tool(argv: Sequence[str], stdin: str | None = None) -> str:
    """Run a command-line tool; a failure becomes a one-line ``SystemIntegrationError``."""
    try:
        done = subprocess.run(
            list(argv), input=stdin, capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SystemIntegrationError(f"{argv[0]} failed: {exc}") from exc
    if done.returncode != 0:
        lines = (done.stderr or "").strip().splitlines()
        detail = lines[0] if lines else f"exit code {done.returncode}"
        raise SystemIntegrationError(f"{argv[0]} failed: {detail}")
    return done.stdout


class XClipboard:
    """The CLIPBOARD selection through ``xclip`` (text only: other types are not restored)."""

    def __init__(self, run: Runner = run_tool) -> None:
        self._run = run
        self._count = 0

    def snapshot(self) -> object:
        try:
            return self._run(["xclip", "-selection", "clipboard", "-o"], None)
        except SystemIntegrationError:
            return None  # empty clipboard

    def set_text(self, text: str) -> None:
        self._run(["xclip", "-selection", "clipboard", "-i"], text)
        self._count += 1

    def restore(self, snapshot: object) -> None:
        if isinstance(snapshot, str):
            self.set_text(snapshot)

    def change_count(self) -> int:
        return self._count  # X11 has no change counter; only our own writes are counted


class XdotoolInjector:
    def __init__(self, run: Runner = run_tool, schedule: Scheduler = timer_scheduler) -> None:
        self._run = run
        self._schedule = schedule
        self._clipboard = XClipboard(run)
        self.restore_delay_s = RESTORE_DELAY_S

    def set_restore_delay(self, seconds: float) -> None:
        self.restore_delay_s = seconds

    def _send_paste(self) -> None:
        self._run(["xdotool", "key", "--clearmodifiers", "ctrl+v"], None)

    def paste(self, text: str) -> None:
        paste_via_clipboard(
            self._clipboard, self._send_paste, text, self._schedule, self.restore_delay_s
        )

    def type_text(self, text: str) -> None:
        self._run(["xdotool", "type", "--clearmodifiers", "--delay", "8", "--", text], None)

    def copy(self, text: str) -> None:
        self._clipboard.set_text(text)


def launch_command() -> list[str]:
    """How to start this app again: the frozen executable, or ``python -m app``."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    return [sys.executable, "-m", "app"]


class AutostartLoginItem:
    """``~/.config/autostart/granite-dictate.desktop`` (XDG Autostart)."""

    def __init__(self, config_home: Path | None = None, command: list[str] | None = None) -> None:
        base = config_home or Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
        self.path = base / "autostart" / "granite-dictate.desktop"
        self._command = command or launch_command()

    def enabled(self) -> bool:
        return self.path.is_file()

    def set_enabled(self, enabled: bool) -> None:
        try:
            if not enabled:
                self.path.unlink(missing_ok=True)
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(
                "[Desktop Entry]\nType=Application\nName=Granite Dictate\n"
                f"Exec={shlex.join(self._command)}\nX-GNOME-Autostart-enabled=true\n",
                encoding="utf-8",
            )
        except OSError as exc:
            raise SystemIntegrationError(f"Cannot change launch at login: {exc}") from exc


def create(schedule: Scheduler = timer_scheduler) -> Platform:
    """The Linux :class:`app.system.Platform`."""
    from app.system.base import Platform
    from app.system.fake import AllGrantedPermissions

    have_tools = all(shutil.which(tool) for tool in ("xdotool", "xclip"))
    if not have_tools:
        log.info("xdotool/xclip not found: dictated text will not be pasted automatically")
    return Platform(
        hotkey=None,
        injector=XdotoolInjector(schedule=schedule) if have_tools else None,
        permissions=AllGrantedPermissions(),
        login_item=AutostartLoginItem(),
        name="x11",
    )
