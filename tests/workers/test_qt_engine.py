from __future__ import annotations

import threading

import numpy as np
import pytest
from PySide6.QtCore import Qt

from app.core.chunking.segmentation import SegmentationConfig
from app.core.transcript import Segment, Task, TaskSpec
from app.engine.base import SAMPLE_RATE
from app.workers.qt_engine import EngineBridge
from tests.support import fake_engine
from tests.support.fake_engine import FakeEngine, fake_text
from tests.workers.helpers import MemoryFiles, fixed_splitter, speech_like

EN = TaskSpec()
EN_DE = TaskSpec(Task.TRANSLATE, "en", "de")
TIMEOUT_MS = 20_000


@pytest.fixture
def files() -> MemoryFiles:
    return MemoryFiles()


@pytest.fixture
def bridge(qtbot, files):
    b = EngineBridge(fake_engine.factory, decoder=files, splitter=fixed_splitter)
    yield b
    b.shutdown()


def _load(qtbot, bridge: EngineBridge, spec: str = "fake") -> list[str]:
    """Load ``spec`` and return every model state seen up to the final one."""
    states: list[str] = []
    bridge.modelStateChanged.connect(lambda s, m: states.append(s))
    with qtbot.waitSignal(
        bridge.modelStateChanged,
        timeout=TIMEOUT_MS,
        check_params_cb=lambda s, m: s in ("ready", "error", "missing"),
    ):
        bridge.load_model(spec)
    return states


def test_file_job_emits_progress_partials_segments_and_results(qtbot, bridge, files) -> None:
    assert _load(qtbot, bridge)[-1] == "ready"
    audio = speech_like(3.0)
    path = files.add("/f.wav", audio)
    progress, partials, segments = [], [], []
    bridge.jobProgress.connect(lambda j, d, t: progress.append((j, d, t)))
    bridge.jobPartial.connect(lambda j, i, text, s, e: partials.append((i, text, s, e)))
    bridge.jobSegment.connect(lambda j, i, seg: segments.append((i, seg)))
    with qtbot.waitSignal(bridge.jobFinished, timeout=TIMEOUT_MS) as blocker:
        job = bridge.submit_file(path, [EN, EN_DE], SegmentationConfig(max_chunk_s=2.0))
    job_id, results = blocker.args
    assert job_id == job
    # The bridge batches file chunks by default: both chunks in one step.
    assert progress == [(job, 0.0, 2.0), (job, 2.0, 2.0)]
    assert fake_engine.created[-1].batch_calls == [[2 * SAMPLE_RATE, SAMPLE_RATE]]
    assert (0, "speech", 0.0, 2.0) in partials and (1, "[de]", 2.0, 3.0) in partials
    assert [i for i, _ in segments] == [0, 1, 0, 1]
    assert isinstance(segments[0][1], Segment)
    assert results[1].segments[1].text == fake_text(audio[2 * SAMPLE_RATE :], EN_DE)
    assert results[1].segments[1].start == 2.0


def test_large_download_progress_values_survive_the_signal(qtbot, bridge) -> None:
    seen: list[tuple[int, int]] = []
    bridge.downloadProgress.connect(lambda d, t: seen.append((d, t)))
    assert _load(qtbot, bridge, "download-big") == ["loading", "downloading", "ready"]
    assert seen[-1] == (3 * 1024**3, 3 * 1024**3)


def test_failures_arrive_as_one_line(qtbot, bridge) -> None:
    assert _load(qtbot, bridge, "missing-model")[-1] == "missing"
    with qtbot.waitSignal(bridge.jobFailed, timeout=TIMEOUT_MS) as blocker:
        job = bridge.submit_audio(speech_like(1.0), 0.0, [EN])
    assert blocker.args == [job, "No model is loaded."]


def test_results_already_in_flight_are_dropped_after_cancel(qtbot, files) -> None:
    bridge = EngineBridge(fake_engine.factory, decoder=files, splitter=fixed_splitter)
    try:
        _load(qtbot, bridge)
        emitted = threading.Event()
        # Runs on the model thread as soon as the worker emits; the GUI side has not seen it yet.
        bridge._fwd.finished.connect(lambda *a: emitted.set(), Qt.ConnectionType.DirectConnection)
        finished: list[int] = []
        bridge.jobFinished.connect(lambda j, r: finished.append(j))
        first = bridge.submit_audio(speech_like(1.0), 0.0, [EN])
        assert emitted.wait(20)
        bridge.cancel(first)  # its jobFinished is queued but not yet delivered
        with qtbot.waitSignal(bridge.jobFinished, timeout=TIMEOUT_MS) as blocker:
            second = bridge.submit_audio(speech_like(0.5), 0.0, [EN])
        assert blocker.args[0] == second
        assert finished == [second]
    finally:
        bridge.shutdown()


def test_cancel_of_a_running_job_emits_nothing_more(qtbot, files) -> None:
    engine = FakeEngine(block=threading.Event())
    bridge = EngineBridge(
        lambda s, p, c: engine, decoder=files, splitter=fixed_splitter, file_batch=1
    )
    try:
        _load(qtbot, bridge)
        seen: list[tuple[str, int]] = []
        for name in ("jobProgress", "jobPartial", "jobSegment", "jobFinished", "jobFailed"):
            getattr(bridge, name).connect(lambda j, *a, n=name: seen.append((n, j)))
        job = bridge.submit_file(
            files.add("/a", speech_like(4.0)), [EN], SegmentationConfig(max_chunk_s=2.0)
        )
        assert engine.entered.wait(20)
        bridge.cancel(job)
        assert engine.block is not None
        engine.block.set()
        with qtbot.waitSignal(bridge.jobFinished, timeout=TIMEOUT_MS) as blocker:
            other = bridge.submit_audio(speech_like(0.5), 0.0, [EN])
        assert blocker.args[0] == other
        assert [s for s in seen if s[1] == job and s[0] != "jobProgress"] == []
        assert len(engine.calls) == 2  # the file never got to its second chunk
    finally:
        bridge.shutdown()


def test_signals_arrive_on_the_gui_thread(qtbot, bridge) -> None:
    _load(qtbot, bridge)
    threads: list[int] = []
    bridge.jobSegment.connect(lambda *a: threads.append(threading.get_ident()))
    with qtbot.waitSignal(bridge.jobFinished, timeout=TIMEOUT_MS):
        bridge.submit_audio(np.ones(SAMPLE_RATE, np.float32) * 0.3, 0.0, [EN])
    assert threads == [threading.get_ident()]
