"""Install the mlx / mlx-metal wheels built for the app's macOS floor before a release build.

mlx and mlx-metal are published as separate macOS 14.0, 15.0 and 26.x wheels, and pip picks
the newest one the build machine accepts: an app built on macOS 26 would then carry Metal
kernels that macOS 14/15 refuse ("language version ... not supported"). This script reads the
floor from packaging/Info.plist (``LSMinimumSystemVersion``) and the versions from
requirements/lock.txt, downloads exactly those wheels for ``macosx_<floor>_arm64`` and
installs them over the locked environment, then checks the installed wheel tags.

    .venv/bin/python packaging/mlx_wheels.py            # macOS: install and check
    .venv/bin/python packaging/mlx_wheels.py --check    # only check what is installed
    .venv/bin/python packaging/mlx_wheels.py --dry-run  # print the pip commands (any system)
"""

from __future__ import annotations

import argparse
import plistlib
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("mlx", "mlx-metal")


def macos_floor(info_plist: Path = ROOT / "packaging" / "Info.plist") -> str:
    return str(plistlib.loads(info_plist.read_bytes())["LSMinimumSystemVersion"])


def platform_tag(floor: str) -> str:
    """``"14.0"`` -> ``"macosx_14_0_arm64"`` (the tag the wheels are published under)."""
    major, _, minor = floor.partition(".")
    return f"macosx_{int(major)}_{int(minor or 0)}_arm64"


def locked_versions(lock: Path = ROOT / "requirements" / "lock.txt") -> dict[str, str]:
    found: dict[str, str] = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^([A-Za-z0-9_.-]+)==([^ ;]+)", line)
        if m and m.group(1).lower() in PACKAGES:
            found[m.group(1).lower()] = m.group(2)
    missing = [p for p in PACKAGES if p not in found]
    if missing:
        raise SystemExit(f"{lock}: no pinned version for {', '.join(missing)}")
    return found


def pip_commands(python: str, tag: str, versions: dict[str, str], dest: Path) -> list[list[str]]:
    pins = [f"{name}=={versions[name]}" for name in PACKAGES]
    py = f"{sys.version_info.major}.{sys.version_info.minor}"
    download = [python, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                "--platform", tag, "--python-version", py, "--dest", str(dest), *pins]  # fmt: skip
    install = [python, "-m", "pip", "install", "--no-deps", "--force-reinstall",
               "--find-links", str(dest), "--no-index", *pins]  # fmt: skip
    return [download, install]


def wheel_tags(dist: str) -> list[str]:
    """The ``Tag:`` lines of an installed distribution's WHEEL file."""
    text = metadata.distribution(dist).read_text("WHEEL") or ""
    return [line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("Tag:")]


def check_installed(tag: str) -> list[str]:
    """Problems with the installed mlx wheels (empty: all built for ``tag``)."""
    problems = []
    for dist in PACKAGES:
        try:
            tags = wheel_tags(dist)
        except metadata.PackageNotFoundError:
            problems.append(f"{dist} is not installed")
            continue
        if not any(t.endswith(tag) for t in tags):
            problems.append(f"{dist} is built for {', '.join(tags) or 'unknown'}, not {tag}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only check the installed wheels")
    parser.add_argument("--dry-run", action="store_true", help="print the pip commands")
    parser.add_argument("--dest", type=Path, default=ROOT / "build" / "mlx-wheels")
    args = parser.parse_args(argv)
    tag = platform_tag(macos_floor())
    commands = pip_commands(sys.executable, tag, locked_versions(), args.dest)
    if args.dry_run:
        for cmd in commands:
            print(" ".join(cmd))
        return 0
    if not args.check:
        if sys.platform != "darwin":
            print("mlx_wheels.py installs macOS wheels: run it on the Mac (or --dry-run).")
            return 2
        args.dest.mkdir(parents=True, exist_ok=True)
        for cmd in commands:
            subprocess.run(cmd, check=True)
    problems = check_installed(tag)
    for problem in problems:
        print(f"mlx_wheels.py: {problem}", file=sys.stderr)
    if not problems:
        print(f"mlx and mlx-metal are the {tag} wheels")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
