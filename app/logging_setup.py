"""A rotating log file in the platform log folder, set up once by the CLI and the GUI.

The folder is ``platformdirs.user_log_dir("GraniteDictate")``, or ``$GRANITE_DICTATE_HOME/logs``
when the environment variable ``GRANITE_DICTATE_HOME`` is set (tests and portable installs set
it so nothing is written into the real user folders; the data folder uses the same variable,
see ``app.core.autosave_store``). Logging problems never stop the app: if the folder cannot be
created, records are dropped.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

APP_DIR_NAME = "GraniteDictate"
HOME_ENV = "GRANITE_DICTATE_HOME"
LOG_NAME = "granite-dictate.log"
MAX_BYTES = 2 * 1024 * 1024
BACKUPS = 3
_FORMAT = "%(asctime)s %(levelname)s [%(threadName)s] %(name)s: %(message)s"

_handler: logging.Handler | None = None


def log_dir() -> Path:
    override = os.environ.get(HOME_ENV)
    if override:
        return Path(override) / "logs"
    from platformdirs import user_log_dir

    return Path(user_log_dir(APP_DIR_NAME, appauthor=False))


def setup_logging(level: int = logging.INFO) -> Path | None:
    """Send the root logger to the rotating file; returns its path (None if unavailable).

    Idempotent. Nothing goes to the console: the CLI prints its own one-line messages.
    """
    global _handler
    root = logging.getLogger()
    root.setLevel(level)
    if _handler is not None:
        return Path(_handler.baseFilename) if isinstance(_handler, logging.FileHandler) else None
    path: Path | None = log_dir() / LOG_NAME
    handler: logging.Handler
    try:
        assert path is not None
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True
        )
        handler.setFormatter(logging.Formatter(_FORMAT))
    except OSError:
        handler, path = logging.NullHandler(), None
    root.addHandler(handler)
    _handler = handler
    logging.captureWarnings(True)
    return path
