"""A rotating log file in the app's log folder, set up once by the CLI and the GUI.

The folder is ``app.core.storage.paths.log_dir()`` (the one folder layout of the whole app:
``$GRANITE_DICTATE_HOME/logs`` when that variable is set, else the platform log folder).
Logging problems never stop the app: if the folder cannot be created or the file cannot be
opened, records go to stderr instead (warnings and errors only), after one warning that says so.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from pathlib import Path
from typing import Any

from app.core.storage import paths

LOG_NAME = "granite-dictate.log"
MAX_BYTES = 2 * 1024 * 1024
BACKUPS = 3
_FORMAT = "%(asctime)s %(levelname)s [%(threadName)s] %(name)s: %(message)s"

log = logging.getLogger(__name__)

_handler: logging.Handler | None = None


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Log files are 0600 whatever the umask (they name the user's files)."""

    def _open(self) -> Any:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.fchmod(fd, 0o600)
        return open(fd, self.mode, encoding=self.encoding, errors=self.errors)


def make_handler() -> tuple[logging.Handler, Path | None, str]:
    """(handler, log file path, problem): the rotating file, or a stderr handler for
    warnings and errors with ``path`` None and ``problem`` saying why."""
    handler: logging.Handler
    try:
        path = paths.log_dir() / LOG_NAME  # creates the folder: may raise OSError
        handler = _PrivateRotatingFileHandler(
            path,
            maxBytes=MAX_BYTES,
            backupCount=BACKUPS,
            encoding="utf-8",
            delay=True,
            errors="backslashreplace",
        )
    except OSError as err:
        handler = logging.StreamHandler(sys.stderr)
        handler.setLevel(logging.WARNING)
        handler.setFormatter(logging.Formatter(_FORMAT))
        where = f" {err.filename}" if err.filename else ""
        return handler, None, f"{err.strerror or err}{where}"
    handler.setFormatter(logging.Formatter(_FORMAT))
    return handler, path, ""


def setup_logging(level: int = logging.INFO) -> Path | None:
    """Send the root logger to the rotating file; returns its path (None: logging to stderr).

    Idempotent. Nothing goes to the console while the file works: the CLI prints its own
    one-line messages.
    """
    global _handler
    root = logging.getLogger()
    root.setLevel(level)
    if _handler is not None:
        return Path(_handler.baseFilename) if isinstance(_handler, logging.FileHandler) else None
    handler, path, problem = make_handler()
    root.addHandler(handler)
    _handler = handler
    logging.captureWarnings(True)
    if problem:
        log.warning("Cannot use the log folder (%s); logging warnings to stderr instead", problem)
    return path
