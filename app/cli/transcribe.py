"""``python -m app transcribe FILE...``: transcribe or translate files.

It writes one file per input and format next to the input (or in ``--output-dir``):
``talk.mp3`` → ``talk.txt``; a translation to French → ``talk.fr.txt``. Files are written
atomically and never over the input. Exit codes: 0 all files done, 1 some file failed or the
model could not be loaded, 2 usage error (bad option, language pair, keywords file, chunk length
or a ``--model`` path that is not a usable model folder), 130 interrupted (Ctrl-C).

``--batch N`` decodes N chunks of a file together (``app.engine.model.batch``: the same text, fewer
forward passes; memory grows with N). The default is the engine's ``DEFAULT_BATCH``; the GUI
uses fewer (``app.workers.files.pipeline.FILE_BATCH``) so dictation never waits long.

Environment: ``GRANITE_DICTATE_HOME`` redirects the data and log folders;
``GRANITE_DICTATE_ENGINE_FACTORY=module:callable`` replaces the engine factory (tests use
``tests.support.fake_engine:factory``).
"""

from __future__ import annotations

import argparse
import logging
import queue
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app.cli.common import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    add_task_options,
    check_model_option,
    download_line,
    engine_factory,
    say,
    sigint_counter,
    task_specs_from_args,
)
from app.cli.files import outputs
from app.cli.files.folders import BatchProgress, add_folder_options, select_inputs
from app.cli.files.outputs import ProgressDisplay
from app.cli.files.remote_options import add_remote_options, engine_setup
from app.cli.files.speakers import FileSpeakers, add_speaker_options
from app.cli.files.stream_lines import SegmentEvent, SegmentLines
from app.cli.history_record import CliHistory, add_history_option
from app.core.chunking.segmentation import SegmentationConfig, user_chunk_config
from app.core.errors import GraniteError, UsageError
from app.core.model_state import ModelState
from app.core.progress import ProgressClock, format_duration, progress_line
from app.core.storage import paths
from app.core.storage.files import display_name, input_problem, printable
from app.core.text.export import FORMATS, write_result
from app.core.text.postprocess import apply_rules_to_result
from app.core.text.rules import Rule, load_rules_file
from app.core.transcript import Task, TaskSpec, TranscriptResult
from app.engine.model.batch import DEFAULT_BATCH
from app.workers.engine_thread import EngineThread
from app.workers.files.pipeline import MAX_FILE_BATCH
from app.workers.listener import (
    DownloadEvent,
    FailedEvent,
    FinishedEvent,
    ModelStateEvent,
    ProgressEvent,
)
from app.workers.model_cache import announce_download

log = logging.getLogger(__name__)


def add_parser(subparsers: Any) -> None:
    t = subparsers.add_parser("transcribe", help="transcribe or translate audio/video files")
    t.add_argument("files", nargs="+", metavar="FILE")
    add_task_options(t)
    t.add_argument("--task", choices=[t.value for t in Task], default=None)
    t.add_argument(
        "--format", action="append", default=None, help=f"{','.join(FORMATS)} (repeat or comma)"
    )
    t.add_argument("--output-dir", default=None, metavar="DIR")
    t.add_argument("--rules", default=None, metavar="FILE", help="replacements, 'from => to' lines")
    t.add_argument("--max-chunk", type=float, default=30.0, metavar="SECONDS")
    t.add_argument(
        "--batch",
        type=int,
        default=DEFAULT_BATCH,
        metavar="N",
        help=f"chunks decoded together (1-{MAX_FILE_BATCH}, default {DEFAULT_BATCH})",
    )
    t.add_argument(
        "--stream", action="store_true", help="print each segment as '[start-end] text' at once"
    )
    add_remote_options(t)
    add_folder_options(t)
    add_speaker_options(t)
    add_history_option(t)
    t.set_defaults(run=transcribe_command)


def parse_options(ns: argparse.Namespace) -> tuple[TaskSpec, list[str], SegmentationConfig]:
    """Validate everything that does not need the model; raises UsageError and friends."""
    spec = task_specs_from_args(ns, Task(ns.task) if ns.task else None)[0]
    formats: list[str] = []
    for item in ns.format or ["txt"]:
        for fmt in (f.strip().lower() for f in item.split(",")):
            if fmt not in FORMATS:
                raise UsageError(f"Unknown format '{fmt}'; choose from {', '.join(FORMATS)}.")
            if fmt not in formats:
                formats.append(fmt)
    try:
        cfg = user_chunk_config(ns.max_chunk)
    except UsageError as err:
        raise UsageError(f"--max-chunk: {err}") from None
    if not 1 <= ns.batch <= MAX_FILE_BATCH:
        raise UsageError(f"--batch must be between 1 and {MAX_FILE_BATCH}.")
    check_model_option(ns.model)
    return spec, formats, cfg


def output_paths(
    src: Path, spec: TaskSpec, formats: Sequence[str], out_dir: Path | None, taken: set[Path]
) -> dict[str, Path]:
    """``talk.mp3`` → ``talk.srt`` (``talk.fr.srt`` for a translation), unique within a run."""
    folder = out_dir if out_dir is not None else src.parent
    lang = f".{spec.target_language}" if spec.task is Task.TRANSLATE else ""
    for n in range(1, 1000):
        stem = src.stem if n == 1 else f"{src.stem}-{n}"
        paths = {fmt: (folder / f"{stem}{lang}.{fmt}").absolute() for fmt in formats}
        if not any(p in taken or p == src.absolute() for p in paths.values()):
            taken.update(paths.values())
            return paths
    raise UsageError(f"Too many inputs named {src.name}.")


class _Events(SegmentLines):
    """The model thread's events for the ``transcribe`` loop (see ``QueueListener``)."""


def transcribe_command(ns: argparse.Namespace) -> int:
    try:
        spec, formats, cfg = parse_options(ns)
        rules = load_rules_file(ns.rules) if ns.rules else []
        factory, batch, model = engine_setup(ns, engine_factory())
    except GraniteError as err:
        say(str(err))
        return EXIT_USAGE
    out_dir = Path(ns.output_dir).expanduser() if ns.output_dir else None
    chosen = select_inputs(
        ns.files,
        ns.recursive,
        ns.skip_existing,
        lambda src, taken: output_paths(src, spec, formats, out_dir, taken),
    )
    if chosen.skipped:
        say(f"skipping {chosen.skipped} input(s) whose outputs exist.")
    if not chosen.files:
        return EXIT_OK if chosen.skipped else EXIT_FAILED
    history = CliHistory.open(ns)
    display = ProgressDisplay(sys.stderr)
    events = _Events(ns.stream, rules)
    thread = EngineThread(factory, events, file_batch=batch)
    thread.start()
    # Ctrl-C is a flag that the waits below turn into KeyboardInterrupt: raised from the signal
    # handler it could land inside a lock the model thread needs, and the process would hang.
    with sigint_counter() as interrupts:
        try:
            speakers = FileSpeakers.make(ns, thread, events, interrupts)
            return _run(
                chosen.files,
                spec,
                formats,
                cfg,
                out_dir,
                model,
                thread,
                events,
                display,
                interrupts,
                rules,
                chosen.taken,
                speakers,
                history,
            )
        except KeyboardInterrupt:
            display.clear()
            thread.cancel_all()
            say("interrupted.")
            return EXIT_INTERRUPTED
        finally:
            thread.shutdown(timeout=3.0)
            if history is not None:
                history.close()


def _reason(name: str, message: str) -> str:
    """Drop a leading file name from a decoder message (the line already starts with it)."""
    return message[len(name) :].lstrip(" :") if message.startswith(name + " ") else message


def _wait(
    events: _Events,
    display: ProgressDisplay,
    interrupts: list[int],
    label: str,
    clocks: dict[int, ProgressClock],
) -> ModelStateEvent | FinishedEvent | FailedEvent:
    """Show progress until a settled model state or a job's end arrives; return that event.
    Raises ``KeyboardInterrupt`` once Ctrl-C was pressed (``interrupts``, ``sigint_counter``)."""
    current = min(clocks) if clocks else None
    while True:
        if interrupts[0]:
            raise KeyboardInterrupt
        try:
            event = events.q.get(timeout=0.25)
        except queue.Empty:
            if current is not None:
                display.show(progress_line(label, clocks[current]))
            continue
        match event:
            case ProgressEvent(job_id, done, total) if job_id in clocks:
                clocks[job_id].update(done, total)
                if job_id == current:
                    display.show(progress_line(label, clocks[job_id]))
            case DownloadEvent(done, total):
                display.show(download_line(done, total))
            case SegmentEvent():
                display.clear()
                events.print_line(event)
            case FinishedEvent() | FailedEvent():
                display.clear()
                return event
            case ModelStateEvent(state) if state.settled:
                display.clear()
                return event


def _run(
    files: Sequence[str],
    spec: TaskSpec,
    formats: Sequence[str],
    cfg: SegmentationConfig,
    out_dir: Path | None,
    model: str,
    thread: EngineThread,
    events: _Events,
    display: ProgressDisplay,
    interrupts: list[int],
    rules: Sequence[Rule] = (),
    reserved: set[Path] | None = None,
    speakers: FileSpeakers | None = None,
    history: CliHistory | None = None,
) -> int:
    failed = 0
    todo: list[Path] = []
    for name in files:
        problem = input_problem(name)
        if problem is None:
            todo.append(Path(name))
        else:
            failed += 1
            say(f"{display_name(name)}: {problem}.")
    todo, problems = outputs.check_outputs(
        todo, lambda src: output_paths(src, spec, formats, out_dir, set())
    )
    for line in problems:
        failed += 1
        say(line)
    if not todo:
        return EXIT_FAILED
    announce_download(model, say)
    thread.load_model(model)
    # Queued at once: the first files are decoded while the model loads (FIFO after the load).
    jobs = {thread.submit_file(str(path), [spec], cfg): path for path in todo}
    state = _wait(events, display, interrupts, "loading model", {})
    if not isinstance(state, ModelStateEvent) or state.state is not ModelState.READY:
        thread.cancel_all()
        say(f"cannot load the model: {getattr(state, 'message', '')}")
        return EXIT_FAILED
    taken: set[Path] = set(reserved or ())
    batch = BatchProgress(todo)
    clocks: dict[int, ProgressClock] = {}
    for job_id in sorted(jobs):
        path = jobs[job_id]
        clocks = {job_id: ProgressClock()}
        event = _wait(events, display, interrupts, batch.label(path), clocks)
        batch.finished(path)
        assert not isinstance(event, ModelStateEvent) and event.job_id == job_id, event
        try:  # whatever goes wrong with one file stays in its line; the batch goes on
            if isinstance(event, FailedEvent):
                failed += 1
                name = display_name(path)
                say(f"{name}: {_reason(name, printable(event.message))}")
            else:
                first = speakers.label(path, event.results[0]) if speakers else event.results[0]
                result = apply_rules_to_result(first, rules)
                if history is not None:
                    history.add_file(path, [result])
                if not _write(path, result, spec, formats, out_dir, taken, clocks[job_id]):
                    failed += 1
        except Exception as err:
            failed += 1
            say(outputs.failure_line(display_name(path), err))
    return EXIT_FAILED if failed else EXIT_OK


def _write(
    path: Path,
    result: TranscriptResult,
    spec: TaskSpec,
    formats: Sequence[str],
    out_dir: Path | None,
    taken: set[Path],
    clock: ProgressClock,
) -> bool:
    name = display_name(path)
    try:
        written, problems = outputs.write_outputs(
            result,
            output_paths(path, spec, formats, out_dir, taken),
            write_result,
            lambda: paths.data_dir() / "unsaved",
        )
    except GraniteError as err:
        say(f"{name}: cannot write the output: {err}")
        return False
    for line in problems:
        say(f"{name}: {line}")
    if not written:
        return False
    speed = result.duration / clock.elapsed if clock.elapsed > 0 else 0.0
    say(
        f"{name}: {len(result.segments)} segments, "
        f"{format_duration(result.duration)} of audio in {format_duration(clock.elapsed)} "
        f"({speed:.2f}x real time) -> {', '.join(written)}"
    )
    return not problems
