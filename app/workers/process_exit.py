"""Safe endings for threads and processes that ran MLX (no Qt here)."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
from typing import NoReturn


def park() -> None:
    """End a worker thread's work without ending the OS thread (daemon: dropped at exit).

    A thread that ever touched an MLX object (even by garbage-collecting one) runs MLX's
    thread-local destructors when it exits; they need the GIL, and if that happens while the
    interpreter is finalizing, Python ends the thread with a forced unwind through C++ code
    and the process aborts ("terminate called without an active exception"; 5 runs in 6 of
    the CLI here). ``join()`` returns before those destructors run, so joining cannot help.
    """
    threading.Event().wait()


def exit_process(code: int) -> NoReturn:
    """Flush stdio and the logs, then end the process without interpreter finalization.

    Use at the very end of a process whose model thread ran MLX (the CLI; the GUI after its
    event loop returned and everything is saved). Finalizing the interpreter while a worker
    thread that touched MLX is still running can abort the process (see ``park``).
    """
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    logging.shutdown()
    os._exit(code)
