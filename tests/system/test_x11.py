"""Linux implementation with a recording command runner (no xdotool needed)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from app.system import create_platform
from app.system.base import SystemIntegrationError
from app.system.fake import ManualScheduler
from app.system.x11 import AutostartLoginItem, XdotoolInjector, run_tool


class Tools:
    def __init__(self, clipboard: str | None = "before") -> None:
        self.clipboard = clipboard
        self.calls: list[tuple[str, ...]] = []

    def __call__(self, argv: Sequence[str], stdin: str | None) -> str:
        self.calls.append(tuple(argv))
        if argv[0] == "xclip" and "-o" in argv:
            if self.clipboard is None:
                raise SystemIntegrationError("xclip failed: no selection")
            return self.clipboard
        if argv[0] == "xclip":
            self.clipboard = stdin
        return ""


def test_xdotool_paste_restores_clipboard() -> None:
    tools, sched = Tools(), ManualScheduler()
    inj = XdotoolInjector(run=tools, schedule=sched)
    inj.paste("dictated")
    assert ("xdotool", "key", "--clearmodifiers", "ctrl+v") in tools.calls
    assert tools.clipboard == "dictated"
    sched.run_pending()
    assert tools.clipboard == "before"


def test_xdotool_paste_with_empty_clipboard_leaves_text() -> None:
    tools, sched = Tools(clipboard=None), ManualScheduler()
    XdotoolInjector(run=tools, schedule=sched).paste("dictated")
    sched.run_pending()
    assert tools.clipboard == "dictated"


def test_xdotool_type_passes_text_after_double_dash() -> None:
    tools = Tools()
    XdotoolInjector(run=tools).type_text("-rf weird")
    assert tools.calls[-1][-2:] == ("--", "-rf weird")


def test_run_tool_reports_missing_tool_in_one_line() -> None:
    with pytest.raises(SystemIntegrationError) as info:
        run_tool(["definitely-not-a-tool-granite"])
    assert "\n" not in str(info.value)


def test_run_tool_reports_failure_exit() -> None:
    with pytest.raises(SystemIntegrationError, match="boom"):
        run_tool([sys.executable, "-c", "import sys; sys.stderr.write('boom\\n'); sys.exit(3)"])


def test_autostart_login_item_round_trip(tmp_path: Path) -> None:
    item = AutostartLoginItem(config_home=tmp_path, command=["/opt/Granite Dictate/app"])
    assert not item.enabled()
    item.set_enabled(True)
    text = item.path.read_text(encoding="utf-8")
    assert "Exec='/opt/Granite Dictate/app'" in text
    assert item.enabled()
    item.set_enabled(False)
    item.set_enabled(False)
    assert not item.enabled()


def test_autostart_unwritable_folder_is_a_typed_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(SystemIntegrationError):
        AutostartLoginItem(config_home=blocker).set_enabled(True)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux platform selection")
def test_create_platform_on_linux_never_raises() -> None:
    platform = create_platform()
    assert platform.name == "x11" and platform.hotkey is None
    assert platform.permissions.accessibility_granted()
