"""Frozen entry point (PyInstaller): the same ``main`` as ``python -m app``."""

from __future__ import annotations

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from app.__main__ import main

    sys.exit(main())
