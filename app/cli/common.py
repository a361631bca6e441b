"""What every command shares: the program name, exit codes, one-line messages, the engine
factory (``app.workers.engine_factory.engine_factory_from_env``), the wait for the model
and the ``--model`` check."""

from __future__ import annotations

import argparse
import queue
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TextIO

from app.cli.files.outputs import emit
from app.core import keywords as kw
from app.core import model_spec, tasks
from app.core.errors import UsageError
from app.core.model_state import ModelState
from app.core.transcript import Task, TaskSpec
from app.engine.base import DEFAULT_MODEL
from app.workers.engine_factory import engine_factory_from_env
from app.workers.listener import DownloadEvent, ModelStateEvent

PROG = "granite-dictate"
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
engine_factory = engine_factory_from_env


def say(message: str, stream: TextIO | None = None) -> None:
    """One line on stderr (or ``stream``), prefixed with the program name."""
    emit(f"{PROG}: {' '.join(message.split())}\n", stream or sys.stderr)


def download_line(done: int, total: int) -> str:
    return f"downloading model: {done / 1e6:.0f} / {total / 1e6:.0f} MB"


def wait_for_model(
    q: queue.Queue[object], interrupted: Callable[[], bool], show: Callable[[str], None]
) -> ModelStateEvent | None:
    """Wait for the model load to settle (ready or failed) and return that state; download
    progress goes to ``show``; None if ``interrupted()`` first. Other events are dropped."""
    while not interrupted():
        try:
            event = q.get(timeout=0.2)
        except queue.Empty:
            continue
        if isinstance(event, DownloadEvent):
            show(download_line(event.done, event.total))
        elif isinstance(event, ModelStateEvent) and event.state.settled:
            return event
    return None


def add_task_options(parser: argparse.ArgumentParser) -> None:
    """The options every command that runs the model shares: model, languages, keywords."""
    parser.add_argument("--model", default=DEFAULT_MODEL, help="model folder or Hugging Face repo")
    parser.add_argument("--language", default=None, help="spoken language (default: auto)")
    parser.add_argument("--translate-to", default=None, metavar="LANG", help="translate into LANG")
    parser.add_argument("--keywords", default="", help='words to favour, e.g. "Granite,MLX"')
    parser.add_argument("--keywords-file", default=None, metavar="F", help="one keyword per line")


def task_specs_from_args(ns: argparse.Namespace, task: Task | None = None) -> list[TaskSpec]:
    """The specs for ``add_task_options``' options (``app.core.tasks.plan_specs``, the window's
    rule too), warning once past the practical keyword limit; UsageError on bad options."""
    words = kw.split_keywords(ns.keywords or "")
    if ns.keywords_file:
        words += kw.read_keywords_file(ns.keywords_file)
    merged = tasks.merge_keywords(words)
    warning = tasks.keyword_warning(merged)
    if warning:
        say(f"warning: {warning}")
    if task is None:
        task = Task.TRANSLATE if ns.translate_to else Task.TRANSCRIBE
    if task is Task.TRANSLATE and not ns.translate_to:
        raise UsageError("--task translate needs --translate-to LANG.")
    return tasks.plan_specs(
        task, ns.language, ns.translate_to, keywords=merged, with_transcript=False
    )


def wait_ready(q: queue.Queue[object], interrupts: list[int]) -> bool:
    """Say that the model loads, wait for it (download progress shown), say why it failed;
    True once it is ready. ``interrupts[0]`` counts Ctrl-C (``sigint_counter``)."""
    say("loading the model…")
    state = wait_for_model(q, lambda: bool(interrupts[0]), say)
    if state is not None and state.state.failed:
        say(f"cannot load the model: {state.message}")
    return state is not None and state.state is ModelState.READY


@contextmanager
def sigint_counter() -> Iterator[list[int]]:
    """Ctrl-C as a count the main loop looks at: the first one only counts (``listen`` and
    ``meeting`` then stop the session and finish its utterances; ``transcribe``'s waits raise
    ``KeyboardInterrupt`` at a point where no lock is held), a second one raises
    ``KeyboardInterrupt`` at once. Yields the count as a one-item list; the previous handler
    is back on exit."""
    interrupts = [0]

    def on_sigint(_sig: int, _frame: FrameType | None) -> None:
        interrupts[0] += 1
        if interrupts[0] > 1:
            raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield interrupts
    finally:
        signal.signal(signal.SIGINT, previous)


def check_model_option(model: str) -> None:
    """A ``--model`` that names a folder must be a usable model folder (never a Hub lookup);
    anything else must be a Hugging Face repo id (``app.core.model_spec``: one rule)."""
    if model_spec.is_local_path(model):
        problem = model_spec.model_folder_problem(model)
        if problem:
            raise UsageError(f"--model: {problem}")
    elif not model_spec.looks_like_repo_id(model):
        raise UsageError(
            f"--model: '{model}' is neither a model folder nor a Hugging Face repo id."
        )
