"""Regression: PySide6 6.12.0 on Python 3.11 aborts after a few hundred Signal.emit() calls."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    from PySide6.QtCore import QCoreApplication, QObject, Signal, Slot

    class Emitter(QObject):
        fired = Signal(bool, str, object)

    class Sink(QObject):
        def __init__(self):
            super().__init__()
            self.count = 0

        @Slot(bool, str, object)
        def on_fired(self, flag, text, payload):
            self.count += 1

    app = QCoreApplication([])
    emitter, sink = Emitter(), Sink()
    emitter.fired.connect(sink.on_fired)
    for i in range(10_000):
        emitter.fired.emit(True, "x", {"i": i})
    assert sink.count == 10_000, sink.count
    print("ok", sink.count)
    """
)


def test_ten_thousand_emits_do_not_abort_the_interpreter() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, env=env
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "ok 10000"


def test_interpreter_is_new_enough() -> None:
    assert sys.version_info >= (3, 12)
