"""GUI event-loop stalls while the tiny model transcribes a long file in the real window.

    .venv/bin/python -m tests.bench.gui_stall [--minutes 10] [--model DIR] [--profile]

Offscreen (``QT_QPA_PLATFORM=offscreen``, ``GRANITE_DICTATE_HOME`` in a temp folder) it wires
the app as ``run_gui`` does (``start_gui``: window, dictation controller, tray, system-wide
dictation with a fake platform), with the real bridge and engine factory (``EngineOptions``
around ``default_engine_factory``, as ``build_window`` makes them), loads the tiny random
model (``tests.support.tiny_model``, built once into build/bench-models/), shows the window and
submits an espeak-ng speech file with pauses (tiled to ``--minutes``, FLAC) through
``MainWindow.submit_paths`` (what a drop and File → Open Audio call).

A 5 ms precise QTimer records the gap between consecutive timeouts until ``jobFinished``;
stall = gap − interval. Probes connected before and after the app's own slots time how long
the GUI thread spent on each bridge signal, so the longest stalls can be attributed. Garbage
collections (any thread: each holds the GIL) are timed too. ``--profile`` also runs cProfile
during the job; on Python 3.12 it sees every thread (sys.monitoring), so read it as "where the
process spent its time", and the stall figures then include the profiler's overhead.

Prints figures; asserts nothing (target: longest stall 50 ms or less).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

INTERVAL_MS = 5
TARGET_MS = 50.0
SIGNALS = ("jobProgress", "jobPartial", "jobSegment", "jobFinished", "jobFailed")


@dataclass
class Probe:
    """Tick times of the timer, and (signal, start, end) of each bridge signal on the GUI."""

    ticks: list[float] = field(default_factory=list)
    handled: list[tuple[str, float, float]] = field(default_factory=list)
    gcs: list[tuple[str, float, float]] = field(default_factory=list)
    _open: dict[str, float] = field(default_factory=dict)
    _gc_start: float = 0.0
    tracked: int = 0
    done: bool = False
    failed: str = ""

    def tick(self) -> None:
        self.ticks.append(time.perf_counter())

    def before(self, name: str) -> Any:
        def slot(*_args: Any) -> None:
            self._open[name] = time.perf_counter()

        return slot

    def after(self, name: str) -> Any:
        def slot(*args: Any) -> None:
            now = time.perf_counter()
            self.handled.append((name, self._open.pop(name, now), now))
            if name == "jobFinished":
                self.done = True
            elif name == "jobFailed":
                self.done, self.failed = True, str(args[1])

        return slot

    def on_gc(self, phase: str, info: dict[str, int]) -> None:
        """Any thread's collection holds the GIL, so it stalls the GUI thread too."""
        if phase == "start":
            self._gc_start = time.perf_counter()
        else:
            gui = threading.current_thread() is threading.main_thread()
            label = f"gc{info['generation']}@{'gui' if gui else 'worker'}"
            self.gcs.append((label, self._gc_start, time.perf_counter()))


def wait_until(app: Any, predicate: Any, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            return False
        app.processEvents()
        time.sleep(0.005)  # the benchmark's own polling loop, not under measurement
    return True


def make_file(folder: Path, minutes: float) -> Path:
    from tests.bench.transcribe_bench import speech_file, speech_pattern

    return speech_file(folder, minutes, speech_pattern())


def run(model_dir: Path, path: Path, minutes: float, profile: bool) -> None:
    from PySide6.QtCore import Qt, QTimer

    from app.system import Platform
    from app.system.fake import FakeHotkey, FakeLoginItem, FakePermissions, FakeTextInjector
    from app.ui.app import make_application, start_gui
    from app.ui.settings.engine_options import speed_options
    from app.ui.settings.settings_store import SettingsStore
    from app.workers.engine_factory import default_engine_factory
    from app.workers.qt_engine import EngineBridge

    app = make_application()
    home = Path(os.environ["GRANITE_DICTATE_HOME"])
    settings = SettingsStore(str(home / "settings.ini"))
    bridge = EngineBridge(default_engine_factory)  # what build_window makes without a bridge
    bridge.set_speed(speed_options(settings.load_preferences()))
    probe = Probe()
    for name in SIGNALS:  # connected first: runs before the app's slots
        getattr(bridge, name).connect(probe.before(name))

    def no_microphone(_listener: Any) -> Any:
        raise RuntimeError("the benchmark does not record")

    platform = Platform(
        FakeHotkey(), FakeTextInjector(), FakePermissions(), FakeLoginItem(), "fake"
    )
    gui = start_gui(
        bridge=bridge,
        settings=settings,
        platform=platform,
        session_factory=no_microphone,
        instance_key=f"granite-dictate-bench-{os.getpid()}",
    )
    assert gui is not None
    window = gui.window
    window.preferencesApplied.connect(lambda p: bridge.set_speed(speed_options(p)))
    for name in SIGNALS:  # connected last: runs after the app's slots
        getattr(bridge, name).connect(probe.after(name))
    window.resize(1100, 750)
    window.show()

    t_load = time.perf_counter()
    window.use_model(str(model_dir))
    if not wait_until(app, lambda: window.model_state in ("ready", "error", "missing"), 300):
        print("the model did not load in 300 s")
        return
    if window.model_state != "ready":
        print(f"model state {window.model_state}")
        return
    print(f"model ready in {time.perf_counter() - t_load:.1f} s; idle for 2 s, then submitting")

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(INTERVAL_MS)
    timer.timeout.connect(probe.tick)
    timer.start()
    wait_until(app, lambda: False, 2.0)
    idle_ticks = len(probe.ticks)

    probe.tracked = len(gc.get_objects())
    gc.callbacks.append(probe.on_gc)
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    t_submit = time.perf_counter()
    ids = window.submit_paths([str(path)])
    t_submitted = time.perf_counter()
    if not ids:
        print("the file was not accepted")
        return
    app_loop_until_done(app, probe)
    t_done = time.perf_counter()
    timer.stop()
    if profiler is not None:
        profiler.disable()
    gc.callbacks.remove(probe.on_gc)

    report(probe, idle_ticks, t_submit, t_submitted, t_done, minutes, window)
    if profiler is not None:
        import pstats

        print("\n[cProfile, all threads, by own time]")
        pstats.Stats(profiler).sort_stats("tottime").print_stats(15)
    gui.shell.shutdown()
    gui.instance.close()
    bridge.shutdown(5.0)


def app_loop_until_done(app: Any, probe: Probe) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    check = QTimer()
    check.setInterval(50)
    check.timeout.connect(lambda: loop.quit() if probe.done else None)
    check.start()
    loop.exec()  # the real event loop runs the window, the bridge and the tick timer
    check.stop()


def report(
    probe: Probe,
    idle_ticks: int,
    t_submit: float,
    t_submitted: float,
    t_done: float,
    minutes: float,
    window: Any,
) -> None:
    ticks = np.array(probe.ticks)
    idle = np.diff(ticks[:idle_ticks]) * 1e3
    busy_ticks = ticks[idle_ticks - 1 :]
    gaps = np.diff(busy_ticks) * 1e3
    stalls = gaps - INTERVAL_MS
    wall = t_done - t_submit
    audio_s = minutes * 60
    counts = {n: sum(1 for h in probe.handled if h[0] == n) for n in SIGNALS}
    print(
        f"\n[gui stall] {minutes:g} min file, tiny model, offscreen window, {INTERVAL_MS} ms timer"
    )
    if probe.failed:
        print(f"  job failed: {probe.failed}")
    print(
        f"  idle before submit: {len(idle)} gaps, max {idle.max():.1f} ms, "
        f"p99 {np.percentile(idle, 99):.1f} ms"
    )
    print(f"  gc-tracked objects at submit: {probe.tracked}")
    print(f"  submit_paths itself took {(t_submitted - t_submit) * 1e3:.1f} ms on the GUI thread")
    print(
        f"  transcribing: {len(gaps)} gaps; longest stall {stalls.max():.1f} ms "
        f"(target <= {TARGET_MS:.0f}); gap p99 {np.percentile(gaps, 99):.1f} ms, "
        f"p95 {np.percentile(gaps, 95):.1f} ms, median {np.median(gaps):.1f} ms; "
        f"stalls > 50 ms: {int((stalls > 50).sum())}, > 20 ms: {int((stalls > 20).sum())}"
    )
    print(
        f"  wall time submit -> jobFinished {wall:.1f} s for {audio_s:.0f} s of audio "
        f"({audio_s / wall:.1f}x real time)"
    )
    print(
        "  signals handled: "
        + ", ".join(f"{n} {c}" for n, c in counts.items())
        + f"; transcript {len(window.current_pane().editor.toPlainText())} characters"
    )
    for name in SIGNALS:
        spans = [(e - s) * 1e3 for n, s, e in probe.handled if n == name]
        if spans:
            print(
                f"  GUI time per {name}: max {max(spans):.1f} ms, mean "
                f"{sum(spans) / len(spans):.2f} ms, total {sum(spans) / 1e3:.2f} s"
            )
    partials = [(s, (e - s) * 1e3) for n, s, e in probe.handled if n == "jobPartial"]
    if len(partials) >= 4:
        quarters = np.array_split(np.array([d for _, d in partials]), 4)
        print(
            "  GUI ms per jobPartial by quarter of the run (grows with the document?): "
            + ", ".join(f"{q.mean():.2f}" for q in quarters)
        )
    gc_all = [(g, (e - s) * 1e3) for g, s, e in probe.gcs]
    if gc_all:
        worst = max(gc_all, key=lambda x: x[1])
        print(
            f"  garbage collections (any thread): {len(gc_all)}, longest {worst[1]:.1f} ms "
            f"({worst[0]}), total {sum(d for _, d in gc_all) / 1e3:.2f} s"
        )
    first = min((s for n, s, _ in probe.handled if n in ("jobPartial", "jobSegment")), default=0)
    print(
        "  longest stalls (time after submit; first partial/segment at "
        f"{(first - t_submit) if first else float('nan'):.1f} s):"
    )
    for i in np.argsort(stalls)[::-1][:8]:
        lo, hi = busy_ticks[i], busy_ticks[i + 1]
        parts = []
        for name in SIGNALS:
            spans = [(e - s) * 1e3 for n, s, e in probe.handled if n == name and s < hi and e > lo]
            if spans:
                parts.append(f"{name} x{len(spans)} ({sum(spans):.1f} ms, max {max(spans):.1f})")
        gcs = [(g, (e - s) * 1e3) for g, s, e in probe.gcs if s < hi and e > lo]
        if gcs:
            parts.append(
                f"{len(gcs)} GCs ({sum(d for _, d in gcs):.1f} ms"
                + "".join(f", {g} {d:.1f} ms" for g, d in gcs if d >= 10)
                + ")"
            )
        what = ", ".join(parts) or "no bridge signal or GC in it"
        print(f"    {stalls[i]:6.1f} ms at {lo - t_submit:7.2f} s: {what}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--model", type=Path, default=None, help="model folder (default: tiny)")
    ap.add_argument("--profile", action="store_true", help="cProfile the run too (all threads)")
    args = ap.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.pop("GRANITE_DICTATE_ENGINE_FACTORY", None)
    with tempfile.TemporaryDirectory(prefix="gui-stall-") as tmp:
        os.environ["GRANITE_DICTATE_HOME"] = str(Path(tmp) / "home")
        from tests.bench.transcribe_bench import ensure_model

        model_dir = args.model or ensure_model()
        t0 = time.perf_counter()
        path = make_file(Path(tmp), args.minutes)
        print(f"{path.name} made in {time.perf_counter() - t0:.1f} s; model {model_dir}")
        run(model_dir, path, args.minutes, args.profile)
    sys.stdout.flush()
    os._exit(0)  # skip interpreter finalization after MLX ran on worker threads


if __name__ == "__main__":
    main()
