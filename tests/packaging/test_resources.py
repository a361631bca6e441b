"""Fast checks of the packaging inputs: icons, Info.plist template, entitlements."""

from __future__ import annotations

import importlib.util
import plistlib
import struct
from pathlib import Path
from typing import Any

from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[2]


def _load_make_icons() -> Any:
    # packaging/ is not an importable package (and "packaging" is a PyPI name): load by path.
    spec = importlib.util.spec_from_file_location(
        "make_icons", ROOT / "packaging" / "make_icons.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_icons = _load_make_icons()
ICNS_ENTRIES, build_icns, read_icns = _icons.ICNS_ENTRIES, _icons.build_icns, _icons.read_icns
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_icns_holds_every_size_as_png(qapp) -> None:
    entries = read_icns((ROOT / "resources" / "AppIcon.icns").read_bytes())
    assert [kind for kind, _ in entries] == [kind for kind, _ in ICNS_ENTRIES]
    for (kind, data), (_, size) in zip(entries, ICNS_ENTRIES, strict=True):
        assert data.startswith(PNG_MAGIC), kind
        image = QImage.fromData(data)
        assert (image.width(), image.height()) == (size, size), kind
        assert image.hasAlphaChannel()
        corner = image.pixelColor(0, 0)
        centre = image.pixelColor(size // 2, size // 2)
        assert corner.alpha() == 0 and centre.alpha() == 255, kind


def test_icns_container_round_trip() -> None:
    data = build_icns([("ic07", b"abc"), ("icp4", b"")])
    assert data[:4] == b"icns" and struct.unpack(">I", data[4:8])[0] == len(data)
    assert read_icns(data) == [("ic07", b"abc"), ("icp4", b"")]


def test_window_icon_png(qapp) -> None:
    image = QImage(str(ROOT / "resources" / "icon.png"))
    assert (image.width(), image.height()) == (256, 256)
    assert (ROOT / "resources" / "icon.png").stat().st_size < 64_000


def test_info_plist_template() -> None:
    info = plistlib.loads((ROOT / "packaging" / "Info.plist").read_bytes())
    assert info["LSMinimumSystemVersion"] == "14.0"  # MLX needs macOS 14
    assert "microphone" in info["NSMicrophoneUsageDescription"].lower()
    # meetings: the Core Audio process tap (app/audio/meeting/system_audio_macos.py) needs it
    assert "calls" in info["NSAudioCaptureUsageDescription"]
    assert info["CFBundleExecutable"] == "GraniteDictate"
    assert info["LSArchitecturePriority"] == ["arm64"]
    assert "LSUIElement" not in info  # a normal app with a Dock icon and a menu-bar extra


def test_entitlements_allow_microphone() -> None:
    ent = plistlib.loads((ROOT / "packaging" / "entitlements.plist").read_bytes())
    assert ent["com.apple.security.device.audio-input"] is True
    assert "com.apple.security.cs.allow-jit" not in ent
