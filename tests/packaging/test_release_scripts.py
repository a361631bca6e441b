"""The macOS release inputs that Linux can check: the mlx wheels for the macOS floor, and the
signing / notarization script's rules (inside-out signing, notarization status read from JSON,
DMG staged with ditto)."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SIGN = ROOT / "packaging" / "sign_and_notarize.sh"


def _load(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, ROOT / "packaging" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


mlx_wheels = _load("mlx_wheels")


def test_floor_is_macos_14_and_the_wheels_follow_it() -> None:
    assert mlx_wheels.macos_floor() == "14.0"
    assert mlx_wheels.platform_tag("14.0") == "macosx_14_0_arm64"
    assert mlx_wheels.platform_tag("15") == "macosx_15_0_arm64"


def test_dry_run_downloads_the_locked_versions_for_the_floor(capsys: Any) -> None:
    assert mlx_wheels.main(["--dry-run"]) == 0
    download, install = capsys.readouterr().out.splitlines()
    versions = mlx_wheels.locked_versions()
    assert "--platform macosx_14_0_arm64" in download and "--only-binary=:all:" in download
    for name in ("mlx", "mlx-metal"):
        assert f"{name}=={versions[name]}" in download and f"{name}=={versions[name]}" in install
    assert "--no-index" in install and "--force-reinstall" in install


def test_check_reports_wheels_built_for_another_system() -> None:
    problems = mlx_wheels.check_installed("macosx_14_0_arm64")
    # Here (Linux) mlx is a manylinux wheel and mlx-metal is absent: both are reported.
    assert any(p.startswith("mlx is built for") for p in problems)
    assert "mlx-metal is not installed" in problems


def test_sign_script_signs_inside_out_without_deep() -> None:
    text = SIGN.read_text(encoding="utf-8")
    subprocess.run(["bash", "-n", str(SIGN)], check=True)
    code = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    signing = [line for line in code if re.search(r"\bcodesign\b.*--sign\b", line)]
    assert signing, "no signing command found"
    assert not [line for line in signing if "--deep" in line]
    assert "packaging/mlx_wheels.py" in text


def test_sign_script_requires_accepted_notarization_and_stages_with_ditto() -> None:
    text = SIGN.read_text(encoding="utf-8")
    assert "--output-format json" in text
    assert '!= "Accepted"' in text and "notarytool log" in text
    assert re.search(r'^ditto "\$APP" "\$STAGING/', text, re.M)
    assert "cp -R" not in text


def test_lock_has_one_pyobjc_version_for_every_framework_the_app_imports() -> None:
    lock = (ROOT / "requirements" / "lock.txt").read_text(encoding="utf-8")
    pins = dict(re.findall(r"^(pyobjc[-\w]*)==(\S+)", lock, re.M))
    assert len(set(pins.values())) == 1, pins
    used = {"core", "quartz", "cocoa", "applicationservices", "avfoundation", "coreaudio",
            "servicemanagement"}  # fmt: skip
    names = {name.removeprefix("pyobjc-framework-").removeprefix("pyobjc-") for name in pins}
    assert used <= names
