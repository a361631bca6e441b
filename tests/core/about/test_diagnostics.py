from __future__ import annotations

from app.core.about.diagnostics import diagnostics_text, package_versions


def test_diagnostics_text_lists_versions_model_devices_and_permissions() -> None:
    text = diagnostics_text(
        "1.2.3",
        "/models/granite",
        "ready",
        ["MacBook Microphone", "USB Mic"],
        {"Microphone": "granted", "Accessibility": "not granted"},
        versions={"PySide6": "6.12.0"},
    )
    lines = text.splitlines()
    assert lines[0] == "Granite Dictate 1.2.3" and lines[1].startswith("Python 3.")
    assert "PySide6 6.12.0" in lines
    assert "Model: /models/granite — ready" in lines
    assert "  - USB Mic" in lines and "  - Accessibility: not granted" in lines
    other = diagnostics_text("1", "", "idle", "audio unavailable", {}, versions={})
    assert "Input devices: audio unavailable" in other and "Model: (default) — idle" in other
    assert "not applicable" in other


def test_package_versions_names_missing_packages() -> None:
    found = package_versions(("numpy", "no-such-package-here"))
    assert found["no-such-package-here"] == "not installed" and found["numpy"][0].isdigit()
