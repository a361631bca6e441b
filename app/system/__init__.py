"""System-wide dictation layer: global hotkey, text injection, permissions, launch at login.

Plain Python (no Qt). ``create_platform`` (``app.system.platform``) picks the implementation
for this system; ``Platform`` (``app.system.base``) holds the services it found.
"""

from __future__ import annotations

from app.system.base import Platform
from app.system.platform import create_platform

__all__ = ["Platform", "create_platform"]
