"""The text of Help → Copy Diagnostics: what a bug report needs, nothing personal beyond it
(versions, the model setting and state, input devices, permission states)."""

from __future__ import annotations

import platform
import sys
from collections.abc import Mapping, Sequence
from importlib import metadata

PACKAGES = ("PySide6", "mlx", "mlx-audio", "numpy", "sounddevice", "av")


def package_versions(names: Sequence[str] = PACKAGES) -> dict[str, str]:
    out: dict[str, str] = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def diagnostics_text(
    app_version: str,
    model: str,
    model_state: str,
    devices: Sequence[str] | str,
    permissions: Mapping[str, str],
    versions: Mapping[str, str] | None = None,
) -> str:
    """Plain text for the clipboard; ``devices`` may be one line saying why none are listed."""
    lines = [
        f"Granite Dictate {app_version}",
        f"Python {sys.version.split()[0]} on {platform.platform()} ({platform.machine()})",
    ]
    lines += [f"{k} {v}" for k, v in (versions or package_versions()).items()]
    lines.append(f"Model: {model or '(default)'} — {model_state}")
    if isinstance(devices, str):
        lines.append(f"Input devices: {devices}")
    else:
        lines.append("Input devices:" + ("" if devices else " none"))
        lines += [f"  - {name}" for name in devices]
    lines.append("Permissions:" + ("" if permissions else " not applicable on this system"))
    lines += [f"  - {k}: {v}" for k, v in permissions.items()]
    return "\n".join(lines) + "\n"
