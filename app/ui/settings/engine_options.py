"""Preferences that tune the loaded engine: speculative decoding on or off.

The engine lives on the model thread; the window hands the options to the bridge
(``EngineBridge.set_speed``), which applies them there before the next step and to every
engine loaded later. A change applies from the next chunk on.
"""

from __future__ import annotations

from app.core.preferences import Preferences
from app.engine.runner import SpeedOptions


def speed_options(prefs: Preferences) -> SpeedOptions:
    return SpeedOptions(speculative=prefs.speculative_decoding)
