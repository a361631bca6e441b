"""``python -m app recordings``: list, repair and transcribe recordings left in the data folder.

    recordings list                 one line per recording: id, status, seconds, created
    recordings recover ID|--all     repair the WAV header of recordings a killed session left
    recordings transcribe ID [transcribe options]   recover if needed, then transcribe it

A recording whose writer was killed (``listen`` or the window) is listed as ``interrupted``;
``recover`` fixes its header from the file size (what was on disk is kept). ``ID`` may be any
unique prefix of the id. Exit codes: 0 done, 1 unknown id or failure, 2 usage error.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from app.cli import transcribe
from app.cli.common import EXIT_FAILED, EXIT_OK, say
from app.cli.files.outputs import emit
from app.core.errors import GraniteError
from app.core.storage import recordings as rec


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("recordings", help="list, recover or transcribe kept recordings")
    sub = p.add_subparsers(dest="recordings_command", metavar="ACTION", required=True)
    sub.add_parser("list", help="the recordings in the data folder").set_defaults(run=list_command)
    r = sub.add_parser("recover", help="repair interrupted recordings")
    r.add_argument("id", nargs="?", metavar="ID")
    r.add_argument("--all", action="store_true", help="every interrupted recording")
    r.set_defaults(run=recover_command)
    t = sub.add_parser("transcribe", help="transcribe one recording (recovered first if needed)")
    t.add_argument("id", metavar="ID")
    t.add_argument("rest", nargs=argparse.REMAINDER, help="options of 'transcribe'")
    t.set_defaults(run=transcribe_command)


def _status(info: rec.RecordingInfo, unfinished: set[str]) -> str:
    return "interrupted" if info.id in unfinished else info.status


def list_command(ns: argparse.Namespace) -> int:
    try:
        items = rec.list_recordings()
        unfinished = {r.id for r in rec.find_unfinished()}
    except (GraniteError, OSError) as err:
        say(f"cannot list the recordings: {err}")
        return EXIT_FAILED
    for info in items:
        seconds = max(info.duration_s, _size_seconds(info))
        emit(
            f"{info.id}  {_status(info, unfinished):<11}  {seconds:8.1f} s  {info.created}\n",
            sys.stdout,
        )
    if not items:
        say(f"no recordings in {rec.recordings_dir()}")
    return EXIT_OK


def _size_seconds(info: rec.RecordingInfo) -> float:
    try:
        return max(0, info.wav.stat().st_size - rec.HEADER_BYTES) / 2 / info.rate
    except OSError:
        return 0.0


def _find(prefix: str) -> rec.RecordingInfo:
    matches = [r for r in rec.list_recordings() if r.id.startswith(prefix)]
    if len(matches) != 1:
        what = "no recording" if not matches else f"{len(matches)} recordings"
        raise rec.RecordingError(f"{what} with an id starting with '{prefix}'.")
    return matches[0]


def recover_command(ns: argparse.Namespace) -> int:
    try:
        unfinished = {r.id: r for r in rec.find_unfinished()}
        if ns.all:
            todo = list(unfinished.values())
        elif ns.id:
            info = _find(ns.id)
            if info.id not in unfinished:
                say(f"{info.id} is {info.status}: nothing to recover.")
                return EXIT_OK
            todo = [info]
        else:
            say("name a recording ID or use --all.")
            return 2
        for info in todo:
            done = rec.recover(info)
            say(f"recovered {done.id}: {done.duration_s:.1f} s in {done.wav}")
    except GraniteError as err:
        say(str(err))
        return EXIT_FAILED
    return EXIT_OK


def transcribe_command(ns: argparse.Namespace) -> int:
    try:
        info = _find(ns.id)
        if info.id in {r.id for r in rec.find_unfinished()}:
            info = rec.recover(info)
            say(f"recovered {info.id}: {info.duration_s:.1f} s")
    except GraniteError as err:
        say(str(err))
        return EXIT_FAILED
    parser = argparse.ArgumentParser(prog="recordings transcribe")
    transcribe.add_parser(parser.add_subparsers())
    rest = list(ns.rest)
    if "--output-dir" not in rest:
        rest += ["--output-dir", str(info.wav.parent)]
    args = parser.parse_args(["transcribe", str(info.wav), *rest])
    code: int = args.run(args)
    return code
