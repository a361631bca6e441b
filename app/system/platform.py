"""Which system integration this machine gets: ``create_platform`` picks the implementation;
the platform modules import their native bindings lazily so this imports everywhere."""

from __future__ import annotations

import logging
import sys

from app.system.base import Platform, Scheduler

log = logging.getLogger(__name__)


def create_platform(schedule: Scheduler | None = None) -> Platform:
    """The best implementation available here; never raises (falls back to 'unsupported').

    ``schedule(delay_s, fn)`` runs the clipboard restore after a paste; the UI passes one that
    runs on the GUI thread (``QTimer.singleShot``). Default: a ``threading.Timer``.
    """
    from app.system.base import timer_scheduler

    schedule = schedule or timer_scheduler
    if sys.platform == "darwin":
        try:
            from app.system import macos

            return macos.create(schedule)
        except ImportError as exc:  # pyobjc missing from a source checkout
            log.warning("macOS integration unavailable: %s", exc)
    elif sys.platform.startswith("linux"):
        from app.system import x11

        return x11.create(schedule)
    from app.system.fake import AllGrantedPermissions

    return Platform(None, None, AllGrantedPermissions(), None, "unsupported")
