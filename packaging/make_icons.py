"""Render resources/icon.svg into resources/icon.png and resources/AppIcon.icns.

    python packaging/make_icons.py [--check]

Uses PySide6's QtSvg (part of PySide6-Essentials), so it runs on Linux without Apple's
iconutil. The .icns container is written directly: a big-endian header and one PNG per
entry (PNG entries are read by macOS 10.7+). ``--check`` exits 1 when the committed files
differ from a fresh render (e.g. the SVG changed without regenerating).
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "resources" / "icon.svg"
PNG = ROOT / "resources" / "icon.png"
ICNS = ROOT / "resources" / "AppIcon.icns"
PNG_SIZE = 256  # window/tray icon; Qt scales it down

# (OSType, pixel size). 1x and 2x entries for 16/32/128/256/512 points.
ICNS_ENTRIES = [
    ("icp4", 16),
    ("ic11", 32),  # 16@2x
    ("icp5", 32),
    ("ic12", 64),  # 32@2x
    ("ic07", 128),
    ("ic13", 256),  # 128@2x
    ("ic08", 256),
    ("ic14", 512),  # 256@2x
    ("ic09", 512),
    ("ic10", 1024),  # 512@2x
]


def render_png(svg: Path, size: int) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"Cannot read {svg}")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    # quality 0 = smallest file (zlib level 9), still lossless. The stubs want bytes, the
    # binding wants str.
    image.save(buf, "PNG", 0)  # type: ignore[call-overload]
    buf.close()
    return bytes(data.data())


def build_icns(chunks: list[tuple[str, bytes]]) -> bytes:
    body = b"".join(kind.encode("ascii") + struct.pack(">I", len(png) + 8) + png
                    for kind, png in chunks)  # fmt: skip
    return b"icns" + struct.pack(">I", len(body) + 8) + body


def read_icns(data: bytes) -> list[tuple[str, bytes]]:
    """Parse an .icns file back into (OSType, payload) pairs (used by the tests)."""
    if data[:4] != b"icns" or struct.unpack(">I", data[4:8])[0] != len(data):
        raise ValueError("not an icns file")
    out, pos = [], 8
    while pos < len(data):
        kind = data[pos : pos + 4].decode("ascii")
        (length,) = struct.unpack(">I", data[pos + 4 : pos + 8])
        out.append((kind, data[pos + 8 : pos + length]))
        pos += length
    return out


def render_all(svg: Path = SVG) -> tuple[bytes, bytes]:
    from PySide6.QtGui import QGuiApplication

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _app = QGuiApplication.instance() or QGuiApplication([])
    cache: dict[int, bytes] = {}
    for _, size in ICNS_ENTRIES:
        cache.setdefault(size, render_png(svg, size))
    png = cache.get(PNG_SIZE) or render_png(svg, PNG_SIZE)
    return png, build_icns([(kind, cache[size]) for kind, size in ICNS_ENTRIES])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if outputs are stale")
    args = parser.parse_args(argv)
    png, icns = render_all()
    if args.check:
        stale = [
            p.name for p, d in ((PNG, png), (ICNS, icns)) if not p.exists() or p.read_bytes() != d
        ]
        if stale:
            print(f"Stale: {', '.join(stale)}; run python packaging/make_icons.py", file=sys.stderr)
            return 1
        return 0
    PNG.write_bytes(png)
    ICNS.write_bytes(icns)
    print(f"{PNG.relative_to(ROOT)}: {len(png)} bytes; {ICNS.relative_to(ROOT)}: {len(icns)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
