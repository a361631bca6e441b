"""Third-party notices generated from the lock: every locked package has a license entry (this
test fails when one has none), the components inside wheels are named with their license text
and source, the file renders the way the app ships it."""

from __future__ import annotations

from pathlib import Path

from app.core.about import notices


def test_every_locked_package_has_a_license_entry() -> None:
    assert notices.missing_licenses() == []
    names = {n for n, _ in notices.locked_packages()}
    assert {"pyside6-essentials", "mlx", "mlx-audio", "av", "sounddevice"} <= names
    assert "pywin32-ctypes" not in names  # Windows-only lines are not shipped


def test_a_package_without_license_is_reported(tmp_path: Path) -> None:
    lock = tmp_path / "lock.txt"
    lock.write_text(
        "mlx==0.32.4\nno-such-package-xyz==1.0\npyobjc-framework-quartz==12.2.2 ; "
        "sys_platform == 'darwin'\nwinonly==1 ; sys_platform == 'win32'\n",
        encoding="utf-8",
    )
    assert notices.missing_licenses(lock) == ["no-such-package-xyz==1.0"]
    entry = notices.package_entry("pyobjc-framework-quartz", "12.2.2")
    assert entry.license == "MIT"  # locked for macOS, named without being installed


def test_rendered_notices_cover_qt_ffmpeg_portaudio_mlx_and_the_model() -> None:
    text = notices.render(notices.entries())
    assert text.startswith("# Third-party notices")
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in text and "Version 3, 29 June 2007" in text
    assert "https://download.qt.io/official_releases/qt/" in text  # where Qt's source is
    assert "Version 2.1, February 1999" in text and "ffmpeg.org" in text  # FFmpeg in PyAV
    assert "PortAudio Portable Real-Time Audio Library" in text
    assert "| mlx | " in text and "| mlx-audio | 0.6.2 | MIT |" in text
    assert "ibm-granite/granite-speech-4.0-1b" in text and "Apache-2.0" in text
    mlx = next(e for e in notices.entries() if e.name == "mlx")
    assert mlx.license == "MIT" and mlx.texts  # the wheel's own LICENSE text


def test_notices_outside_a_bundle_come_from_the_lock() -> None:
    assert notices.bundled_or_generated().startswith("# Third-party notices")
