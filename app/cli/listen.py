"""``python -m app listen``: headless dictation from the microphone.

Prints each finalised utterance on stdout as ``[start-end] text`` (seconds from the start of
the recording, two decimals) while recording goes on; status and one-line errors go to
stderr. Stops after ``--duration`` seconds of audio or on Ctrl-C (a second Ctrl-C abandons
the utterances still being transcribed). The recording is journaled to the data folder while
it runs (so a crash loses nothing); on a clean end it is written to ``--save-audio`` (.wav or
.flac) when asked and removed from the journal otherwise.

Exit codes: 0 done, 1 the model or the input device failed, 2 usage error, 130 interrupted.
"""

from __future__ import annotations

import argparse
import logging
import queue
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from app.audio.capture import CaptureEvent
from app.audio.devices import SoundDeviceBackend, resolve_device
from app.audio.journal import export_audio
from app.audio.session import DictationConfig, DictationSession, SessionSummary
from app.cli.common import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    add_task_options,
    check_model_option,
    engine_factory,
    say,
    sigint_counter,
    task_specs_from_args,
    wait_ready,
)
from app.cli.files.outputs import emit
from app.cli.history_record import CliHistory, add_history_option
from app.core.dictation.endpointing import Utterance, endpoint_config
from app.core.errors import GraniteError, UsageError
from app.core.storage import recordings
from app.core.text.rules import Rule, apply_rules, load_rules_file
from app.core.transcript import TaskSpec, TranscriptResult
from app.workers.engine_thread import EngineThread
from app.workers.listener import FailedEvent, FinishedEvent, QueueListener
from app.workers.model_cache import announce_download

log = logging.getLogger(__name__)


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("listen", help="dictate from the microphone, one line per utterance")
    add_task_options(p)
    p.add_argument("--device", default=None, metavar="NAME_OR_INDEX", help="input device")
    p.add_argument(
        "--duration", type=float, default=None, metavar="SECONDS", help="stop after this long"
    )
    p.add_argument("--rules", default=None, metavar="FILE", help="replacements, 'from => to' lines")
    p.add_argument("--save-audio", default=None, metavar="FILE", help="keep the audio (.wav/.flac)")
    p.add_argument(
        "--pause",
        type=float,
        default=0.8,
        metavar="SECONDS",
        help="silence that ends an utterance (default 0.8)",
    )
    p.add_argument("--list-devices", action="store_true", help="list input devices and exit")
    add_history_option(p)
    p.set_defaults(run=run)


def format_line(start: float, end: float, text: str) -> str:
    return f"[{start:.2f}-{end:.2f}] {' '.join(text.split())}".rstrip()


def _options(args: argparse.Namespace) -> tuple[TaskSpec, DictationConfig, Path | None]:
    spec = task_specs_from_args(args)[0]
    if args.duration is not None and not args.duration > 0:
        raise UsageError("--duration must be a positive number of seconds.")
    save = Path(args.save_audio).expanduser() if args.save_audio else None
    if save is not None:
        if save.suffix.lower() not in (".wav", ".flac"):
            raise UsageError("--save-audio must end in .wav or .flac.")
        if not save.parent.is_dir():
            raise UsageError(f"--save-audio: the folder {save.parent} does not exist.")
    check_model_option(args.model)
    device: str | int | None = args.device
    try:
        endpoint = endpoint_config(args.pause)
    except UsageError as err:
        raise UsageError(f"--pause: {err}") from None
    cfg = DictationConfig(
        device=device,
        endpoint=endpoint,
        max_seconds=args.duration,
    )
    return spec, cfg, save


class _Events(QueueListener):
    """EngineListener + DictationListener: everything lands in one queue for the main thread
    (the session's utterances, capture events and summary are queued as they are)."""

    # dictation (consumer thread)
    def utterance(self, utt: Utterance) -> None:
        self.q.put(utt)

    def capture_event(self, event: CaptureEvent) -> None:
        self.q.put(event)

    def stopped(self, summary: SessionSummary) -> None:
        self.q.put(summary)


def run(args: argparse.Namespace) -> int:
    try:
        if args.list_devices:
            return _list_devices()
        spec, cfg, save = _options(args)
        rules = load_rules_file(args.rules) if args.rules else []
    except GraniteError as err:
        say(str(err))
        return EXIT_USAGE
    problem = recordings.folder_problem()  # the journal needs the data folder
    if problem:
        say(problem)
        return EXIT_FAILED
    notice = recordings.unfinished_notice()
    if notice:
        say(notice)
    try:
        resolve_device(SoundDeviceBackend(), cfg.device)  # fail fast, before the model loads
    except GraniteError as err:
        say(str(err))
        return EXIT_FAILED
    history = CliHistory.open(args)
    events = _Events()
    engine = EngineThread(engine_factory(), events)
    engine.start()
    with sigint_counter() as interrupts:
        session: DictationSession | None = None
        try:
            announce_download(args.model, say)
            engine.load_model(args.model)
            if not wait_ready(events.q, interrupts):
                return EXIT_INTERRUPTED if interrupts[0] else EXIT_FAILED
            session = DictationSession(events, cfg)
            session.start()
            say(f"listening on {session.device_name} (Ctrl-C to stop)")
            failed: list[float] = []
            record = None if history is None else history.recorder(rules, save)
            summary = _loop(events, engine, session, spec, interrupts, rules, failed, record)
            return _finish(summary, save, len(failed))
        except GraniteError as err:
            say(str(err))
            return EXIT_FAILED
        except KeyboardInterrupt:
            engine.cancel_all()
            if session is not None:
                session.stop(tail=False)
                session.wait(3.0)
            say("interrupted.")
            return EXIT_INTERRUPTED
        finally:
            engine.shutdown(timeout=3.0)
            if history is not None:
                history.close()


def _list_devices() -> int:
    for dev in SoundDeviceBackend().input_devices():
        print(f"{dev.label()} — {dev.channels} ch, {dev.default_rate:g} Hz")
    return EXIT_OK


def _loop(
    events: _Events,
    engine: EngineThread,
    session: DictationSession,
    spec: TaskSpec,
    interrupts: list[int],
    rules: Sequence[Rule] = (),
    failed: list[float] | None = None,
    record: Callable[[list[TranscriptResult]], None] | None = None,
) -> SessionSummary:
    pending: dict[int, Utterance] = {}
    summary: SessionSummary | None = None
    stop_sent = False
    while summary is None or pending:
        if interrupts[0] and not stop_sent:
            stop_sent = True
            session.stop(tail=True)
            say("stopping…")
        try:
            event = events.q.get(timeout=0.2)
        except queue.Empty:
            continue
        match event:
            case Utterance():
                # the task and keywords in force when the utterance is submitted apply to it
                job = engine.submit_audio(event.audio, event.start, [spec], "microphone")
                pending[job] = event
            case FinishedEvent(job_id, results) if job_id in pending:
                utt = pending.pop(job_id)
                text = apply_rules(results[0].text, rules)
                emit(format_line(utt.start, utt.end, text) + "\n", sys.stdout)
                if record is not None:
                    record(results)
            case FailedEvent(job_id, message) if job_id in pending:
                utt = pending.pop(job_id)
                say(f"[{utt.start:.2f}-{utt.end:.2f}] {message}")
                if failed is not None:
                    failed.append(utt.start)
            case CaptureEvent():
                say(event.message)
            case SessionSummary():
                summary = event
    return summary


def _finish(summary: SessionSummary, save: Path | None, failed: int = 0) -> int:
    if summary.overflows:
        say(f"warning: {summary.overflows} audio buffer overflow(s); some audio was lost.")
    info = summary.recording
    if info is None:
        say("the recording could not be finished; nothing was saved.")
        return EXIT_FAILED
    try:
        if save is not None:
            export_audio(info.wav, save)
            say(f"saved {summary.seconds:.1f} s of audio to {save}")
        if failed:  # never delete audio whose text was lost
            say(
                f"{failed} utterance(s) could not be transcribed; the recording stays in "
                f"{info.wav} ('python -m app recordings transcribe {info.id}')."
            )
            return EXIT_FAILED
        recordings.delete(info)
    except GraniteError as err:
        say(f"{err} The recording stays in {info.wav}.")
        return EXIT_FAILED
    return EXIT_FAILED if summary.error else EXIT_OK
