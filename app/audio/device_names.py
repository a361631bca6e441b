"""Input device names a person recognises, for the device picker and diagnostics.

PortAudio reports ALSA's pseudo-devices by their configuration names ("pulse", "default") and
hardware as "Card: Device (hw:0,0)"; on macOS and Windows its names are already human. The
stored preference keeps PortAudio's own name (what ``resolve_device`` matches), only the
label changes.
"""

from __future__ import annotations

import re

_PSEUDO = {
    "default": "System default mixer",
    "sysdefault": "System default card",
    "pulse": "PulseAudio sound server",
    "pipewire": "PipeWire sound server",
    "jack": "JACK audio server",
    "dmix": "ALSA mixer",
    "dsnoop": "ALSA shared input",
}
_HW = re.compile(r"^(?P<card>.+?): (?P<device>.+?) \((?P<hw>hw:\d+,\d+)\)$")


def human_input_name(name: str) -> str:
    """``pulse`` → ``PulseAudio sound server (pulse)``; ``HDA Intel PCH: ALC257 Analog
    (hw:0,0)`` → ``ALC257 Analog — HDA Intel PCH``; other names as they are."""
    base = name.strip()
    if base in _PSEUDO:
        return f"{_PSEUDO[base]} ({base})"
    m = _HW.match(base)
    if m is not None:
        device = m.group("device")
        card = m.group("card")
        return device if device.startswith(card) else f"{device} — {card}"
    return base
