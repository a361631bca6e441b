"""Command line: ``python -m app`` (the window) and its commands, one module each.

A command module has ``add_parser(subparsers)``, which registers its options and sets
``run`` (``argparse.Namespace -> exit code``). Shared names, exit codes and messages are in
``app.cli.common``. Exit codes: 0 done, 1 failed, 2 usage error, 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import logging
import sys
import traceback
from collections.abc import Sequence
from typing import Any

from app import __version__
from app.cli import history, listen, meeting, recordings, self_test, serve, transcribe
from app.cli.common import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, PROG
from app.core.storage.paths import clean_stale_temps
from app.workers.process_exit import exit_process

log = logging.getLogger(__name__)

COMMANDS = (transcribe, listen, serve, meeting, history, recordings)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description="On-device speech transcription.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument(
        self_test.FLAG,
        action="store_true",
        help="check this installation and write a report (see --self-test --help)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(sub)
    return parser


def main(argv: Sequence[str], *, hard_exit: bool = True) -> int:
    """Run a command; returns its exit code. Once MLX has been used in this process (and
    ``hard_exit``), ends the process itself right after flushing: see ``exit_process``."""
    try:
        code = _dispatch(argv)
    except (Exception, KeyboardInterrupt) as err:
        if not (hard_exit and "mlx.core" in sys.modules):
            raise
        # Finalizing the interpreter now could abort the process (see exit_process).
        if isinstance(err, KeyboardInterrupt):
            code = EXIT_INTERRUPTED
        else:
            log.exception("Unexpected failure")
            traceback.print_exc()
            code = EXIT_FAILED
    if hard_exit and "mlx.core" in sys.modules:
        exit_process(code)
    return code


def _dispatch(argv: Sequence[str]) -> int:
    from app.core.storage.logging_setup import setup_logging

    args = list(argv)
    if not args:
        return _launch_gui()
    if args[0] == self_test.FLAG:
        setup_logging()
        return self_test.main(args[1:])
    parser = build_parser()
    ns = parser.parse_args(args)  # exits 2 on usage errors, 0 for --help/--version
    setup_logging()
    clean_stale_temps()
    run = getattr(ns, "run", None)
    if run is None:
        parser.print_help()
        return EXIT_USAGE
    return int(run(ns))


def _launch_gui() -> int:
    """The window (``make run``). ``run_gui`` returns only after the event loop ended and
    the window's close handler saved the autosaves and window state (Qt 6 sends close events
    on ``quit()``) and the model thread stopped; ``main`` then ends the process."""
    if importlib.util.find_spec("PySide6") is None:  # a headless install: commands only
        build_parser().print_help()
        return EXIT_OK
    from app.core.storage.logging_setup import setup_logging

    setup_logging()
    clean_stale_temps()
    gui: Any = importlib.import_module("app.ui.app")
    return int(gui.run_gui())
