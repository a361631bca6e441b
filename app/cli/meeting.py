"""``python -m app meeting``: record both sides of a call, one line per utterance.

The microphone is "You", the system audio (``--system``, default: the monitor of the default
output; see ``app.audio.meeting.system_audio``) is "Others". Each finished utterance is
printed on stdout as ``[start-end] Speaker: text`` (seconds from the start of the meeting;
with ``--speakers``, an utterance where the other side's speaker changes is one line per
speaker turn, ``app.cli.meeting_lines``); with ``--translate-to`` the other side's lines are
followed by ``[start-end] Speaker (LANG): text`` (one encoder pass for both). The call
leaking into the microphone is dropped from the mic track (``app.core.meeting.echo``).
Ctrl-C (or ``--duration``) ends the meeting after the utterances still being transcribed; a
second Ctrl-C abandons them. Both tracks are journaled while recording (crash-safe); at the
end they are copied to ``--save-audio DIR`` as ``you.wav``/``others.wav``, or kept in the
recordings folder.

Exit codes: 0 done, 1 the model or a capture failed, 2 usage error, 130 interrupted.
"""

from __future__ import annotations

import argparse
import logging
import queue
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.audio.capture import CaptureEvent
from app.audio.journal import export_audio
from app.audio.meeting.meeting import MeetingConfig, MeetingSession, MeetingSummary
from app.audio.meeting.system_audio import open_meeting_sources
from app.cli.common import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    check_model_option,
    engine_factory,
    say,
    sigint_counter,
    wait_ready,
)
from app.cli.meeting_lines import Line, Pending, load_speakers, show, submit
from app.core.dictation.endpointing import EndpointConfig
from app.core.errors import GraniteError, UsageError
from app.core.meeting.model import MeetingUtterance, Side
from app.core.storage import recordings
from app.core.text.export import FORMATS, write_result
from app.core.transcript import Segment, Task, TaskSpec, TranscriptResult
from app.engine.base import DEFAULT_MODEL
from app.engine.diarize import DEFAULT_DIARIZER
from app.workers.engine_thread import EngineThread
from app.workers.listener import FailedEvent, FinishedEvent, QueueListener
from app.workers.speakers import SpeakerDetector

log = logging.getLogger(__name__)


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("meeting", help="record both sides of a call: who said what")
    p.add_argument("--model", default=DEFAULT_MODEL, help="model folder or Hugging Face repo")
    p.add_argument("--mic", default=None, metavar="DEV", help="microphone (name or index)")
    p.add_argument(
        "--system",
        default=None,
        metavar="DEV",
        help="system audio: default output's monitor, pulse:SOURCE or an input device",
    )
    p.add_argument("--duration", type=float, default=None, metavar="S", help="stop after S s")
    p.add_argument("--language", default=None, help="spoken language (default: auto)")
    p.add_argument("--translate-to", default=None, metavar="LANG", help="translate the others")
    p.add_argument("--speakers", action="store_true", help="tell the other speakers apart")
    p.add_argument(
        "--speaker-model",
        default=DEFAULT_DIARIZER,
        metavar="SPEC",
        help="speaker model folder or Hugging Face repo (Sortformer)",
    )
    p.add_argument("--save-audio", default=None, metavar="DIR", help="keep both tracks here")
    p.add_argument("--output", default=None, metavar="FILE", help="write the transcript")
    p.add_argument("--pause", type=float, default=0.8, metavar="S", help="pause ending a line")
    p.add_argument("--no-echo-gate", action="store_true", help="keep the call heard by the mic")
    p.set_defaults(run=run)


@dataclass(frozen=True)
class _Options:
    specs: dict[Side, list[TaskSpec]]
    config: MeetingConfig
    save: Path | None
    output: Path | None


def _options(args: argparse.Namespace) -> _Options:
    spoken = TaskSpec(Task.TRANSCRIBE, args.language)
    spoken.validate()
    others = [spoken]
    if args.translate_to:
        translate = TaskSpec(Task.TRANSLATE, args.language, args.translate_to)
        translate.validate()
        others.append(translate)
    if args.duration is not None and not args.duration > 0:
        raise UsageError("--duration must be a positive number of seconds.")
    if not 0.2 <= args.pause <= 5.0:
        raise UsageError("--pause must be between 0.2 and 5 seconds.")
    save = Path(args.save_audio).expanduser() if args.save_audio else None
    if save is not None and not save.is_dir():
        raise UsageError(f"--save-audio: the folder {save} does not exist.")
    output = Path(args.output).expanduser() if args.output else None
    if output is not None:
        if output.suffix.lstrip(".").lower() not in FORMATS:
            raise UsageError(f"--output must end in one of: {', '.join(FORMATS)}.")
        if not output.parent.is_dir():
            raise UsageError(f"--output: the folder {output.parent} does not exist.")
    check_model_option(args.model)
    endpoint = EndpointConfig(pause_s=args.pause, tail_s=min(0.4, args.pause))
    config = MeetingConfig(
        endpoint=endpoint,
        max_seconds=args.duration,
        echo=None if args.no_echo_gate else MeetingConfig().echo,
    )
    return _Options({Side.YOU: [spoken], Side.OTHERS: others}, config, save, output)


class _Events(QueueListener):
    """EngineListener + MeetingListener: everything in one queue for the main thread."""

    def utterance(self, utt: MeetingUtterance) -> None:
        self.q.put(utt)

    def capture_event(self, event: CaptureEvent) -> None:
        self.q.put(event)

    def stopped(self, summary: MeetingSummary) -> None:
        self.q.put(summary)


def run(args: argparse.Namespace) -> int:
    try:
        opts = _options(args)
    except GraniteError as err:
        say(str(err))
        return EXIT_USAGE
    try:
        # fail fast, before the model loads
        mic, system = open_meeting_sources(args.mic, args.system)
    except GraniteError as err:
        say(str(err))
        return EXIT_FAILED
    events = _Events()
    engine = EngineThread(engine_factory(), events)
    engine.start()
    with sigint_counter() as interrupts:
        session: MeetingSession | None = None
        try:
            engine.load_model(args.model)
            if not wait_ready(events.q, interrupts):
                return EXIT_INTERRUPTED if interrupts[0] else EXIT_FAILED
            detector = (
                load_speakers(events, engine, args, lambda: bool(interrupts[0]))
                if args.speakers
                else None
            )
            if interrupts[0]:
                return EXIT_INTERRUPTED
            session = MeetingSession(events, mic, system, opts.config)
            session.start()
            say(f"meeting: You = {mic.name}, Others = {system.name} (Ctrl-C to stop)")
            summary, segments = _loop(events, engine, session, opts, interrupts, detector)
            return _finish(summary, segments, opts, args.model)
        except GraniteError as err:
            say(str(err))
            return EXIT_FAILED
        except KeyboardInterrupt:
            engine.cancel_all()
            if session is not None:
                session.stop()
                session.wait(3.0)
            say("interrupted; both tracks are kept in the recordings folder.")
            return EXIT_INTERRUPTED
        finally:
            engine.shutdown(timeout=3.0)


def _loop(
    events: _Events,
    engine: EngineThread,
    session: MeetingSession,
    opts: _Options,
    interrupts: list[int],
    detector: SpeakerDetector | None = None,
) -> tuple[MeetingSummary, list[Segment]]:
    pending: Pending = {}
    segments: list[Segment] = []
    summary: MeetingSummary | None = None
    stop_sent = False
    while summary is None or pending:
        if interrupts[0] and not stop_sent:
            stop_sent = True
            session.stop()
            say("stopping…")
        try:
            event = events.q.get(timeout=0.2)
        except queue.Empty:
            continue
        line: Line | None = None
        match event:
            case MeetingUtterance():
                submit(engine, event, opts.specs, detector, pending)
            case FinishedEvent(job_id, results) if job_id in pending:
                line = pending.pop(job_id)
                line.results = results
            case FailedEvent(job_id, message) if job_id in pending:
                line = pending.pop(job_id)
                line.results, line.failed = [], message
            case CaptureEvent():
                say(event.message)
            case MeetingSummary():
                summary = event
        if line is not None and line.ready:
            segments += show(line)
    return summary, sorted(segments, key=lambda s: (s.start, s.end))


def _finish(summary: MeetingSummary, segments: list[Segment], opts: _Options, model: str) -> int:
    if summary.overflows:
        say(f"warning: {summary.overflows} audio buffer overflow(s); some audio was lost.")
    code = EXIT_FAILED if summary.error else EXIT_OK
    if opts.output is not None:
        result = TranscriptResult(TaskSpec(), segments, model, "", summary.seconds)
        try:
            write_result(result, opts.output, opts.output.suffix.lstrip(".").lower())
            say(f"wrote the transcript to {opts.output}")
        except (OSError, GraniteError) as err:
            say(f"cannot write {opts.output}: {err}")
            code = EXIT_FAILED
    kept = []
    for side, info in summary.tracks.items():
        if info is None:
            say(f"the {side.label} track could not be finished.")
            code = EXIT_FAILED
            continue
        if opts.save is None:
            kept.append(str(info.wav))
            continue
        dest = opts.save / f"{side.value}.wav"
        try:
            export_audio(info.wav, dest)
            recordings.delete(info)
        except GraniteError as err:
            say(f"{err} The {side.label} track stays in {info.wav}.")
            code = EXIT_FAILED
    if opts.save is not None:
        say(f"saved {summary.seconds:.1f} s of both tracks to {opts.save}")
    elif kept:
        say("both tracks are kept: " + ", ".join(kept))
    return code
