"""``python -m app serve``: the OpenAI-compatible API on this computer (``app.server``).

Loads the model first (``--model``, as ``transcribe``), then serves POST
/v1/audio/transcriptions and /v1/audio/translations, GET /v1/models and /health on
``--host``:``--port`` until Ctrl-C. Loopback only unless ``--api-key`` is given. Exit codes: 0
stopped by Ctrl-C, 1 the model could not be loaded, 2 usage error (bad option, address in use).
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from app.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, check_model_option, engine_factory, say
from app.core.errors import GraniteError
from app.core.model_state import ModelState
from app.engine.base import DEFAULT_MODEL
from app.server.backend import InputCheck
from app.server.config import (
    DEFAULT_HOST,
    DEFAULT_MAX_QUEUE,
    DEFAULT_MAX_UPLOAD_MB,
    DEFAULT_PORT,
    ServerConfig,
    is_loopback,
)
from app.server.hub import JobHub
from app.server.runner import ServerHandle, build_app
from app.workers.engine_thread import EngineThread

KEY_ENV = "GRANITE_DICTATE_API_KEY"


def add_parser(subparsers: Any) -> None:
    s = subparsers.add_parser("serve", help="serve the OpenAI-compatible audio API")
    s.add_argument("--model", default=DEFAULT_MODEL, help="model folder or Hugging Face repo")
    s.add_argument("--host", default=DEFAULT_HOST, help=f"address (default {DEFAULT_HOST})")
    s.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}")
    s.add_argument(
        "--api-key",
        default=os.environ.get(KEY_ENV),
        metavar="KEY",
        help=f"required from clients as 'Bearer KEY' (or set {KEY_ENV})",
    )
    s.add_argument("--max-upload-mb", type=float, default=DEFAULT_MAX_UPLOAD_MB, metavar="N")
    s.add_argument(
        "--max-queue",
        type=int,
        default=DEFAULT_MAX_QUEUE,
        metavar="N",
        help="requests queued or running before 429",
    )
    s.set_defaults(run=serve_command)


def serve_command(ns: argparse.Namespace) -> int:
    config = ServerConfig(
        model_id=ns.model,
        host=ns.host,
        port=ns.port,
        api_key=ns.api_key or None,
        max_upload_mb=ns.max_upload_mb,
        max_queue=ns.max_queue,
    )
    try:
        config.validate()
        check_model_option(ns.model)
    except GraniteError as err:
        say(str(err))
        return EXIT_USAGE
    hub = JobHub(config.max_queue)
    check = InputCheck()
    thread = EngineThread(engine_factory(), hub)
    thread.start()
    try:
        say(f"loading {ns.model} …")
        thread.load_model(ns.model)
        while not hub.ready.wait(0.25):
            pass
        if hub.state is not ModelState.READY:
            say(f"cannot load the model: {hub.state_message}")
            return EXIT_FAILED
        try:
            handle = ServerHandle(build_app(config, thread, hub, check), ns.host, ns.port)
        except GraniteError as err:
            say(str(err))
            return EXIT_USAGE
        if not is_loopback(ns.host):
            say(f"listening on {ns.host}: other computers can connect; they need the API key.")
        say(f"serving {ns.model} at {handle.url} (Ctrl-C stops)")
        handle.run()
        say("stopped.")
        return EXIT_OK
    except KeyboardInterrupt:
        say("stopped.")
        return EXIT_OK
    finally:
        thread.shutdown(timeout=3.0)
