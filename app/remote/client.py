"""One OpenAI-compatible transcription server, over httpx: what it offers (``probe``) and one
chunk's text (``transcribe``), retried with backoff on 429, 5xx, timeouts and connection errors.

Fields sent: OpenAI's ``file``, ``model`` (the server's first model id), ``language``,
``response_format=json``; ``keywords`` (OpenAI's field, also Granite Dictate's); on
/audio/translations ``to_language`` (vLLM's and Granite Dictate's name for the target); and to a
Granite Dictate server ``chunking_strategy=none`` (the chunk was planned here already).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from app.core.errors import CancelledError, GraniteError

log = logging.getLogger(__name__)

GRANITE_OWNER = "granite-dictate"
#: Attempts per chunk (the first one included), and the backoff between them (seconds).
MAX_ATTEMPTS = 6
BACKOFF_S = 0.5
MAX_BACKOFF_S = 30.0
RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})


class RemoteError(GraniteError):
    """The server refused a request, or could not be reached after every retry."""


@dataclass(frozen=True)
class ServerInfo:
    model: str
    granite: bool  #: another Granite Dictate (its extensions are known to work)
    features: dict[str, bool] = field(default_factory=dict)


@dataclass(frozen=True)
class RemoteTask:
    translate: bool = False
    language: str | None = None
    to_language: str | None = None
    keywords: tuple[str, ...] = ()


def _message(reply: httpx.Response) -> str:
    try:
        doc = reply.json()
        text = doc["error"]["message"] if isinstance(doc.get("error"), dict) else doc["detail"]
    except Exception:
        text = reply.text[:200]
    return " ".join(str(text).split()) or reply.reason_phrase


class TranscriptionClient:
    """Thread-safe (one httpx.Client, shared): several chunks may be in flight at once."""

    def __init__(
        self,
        url: str,
        key: str | None = None,
        *,
        timeout: float = 300.0,
        sleep: Callable[[float, Callable[[], bool]], None] | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        if not self.url.endswith("/v1"):
            self.url += "/v1"
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self._http = httpx.Client(
            headers=headers, timeout=httpx.Timeout(timeout, connect=10.0), follow_redirects=False
        )
        self._sleep = sleep or _wait
        self.info = ServerInfo(model="", granite=False)
        self.retries = 0

    def close(self) -> None:
        self._http.close()

    def probe(self) -> ServerInfo:
        """GET /models: the model id to name in requests and whether it is Granite Dictate."""
        try:
            reply = self._http.get(f"{self.url}/models")
        except httpx.HTTPError as err:
            raise RemoteError(f"Cannot reach the engine at {self.url}: {_reason(err)}.") from None
        if reply.status_code != 200:
            raise RemoteError(
                f"The engine at {self.url} answered {reply.status_code}: {_message(reply)}"
            )
        try:
            first = reply.json()["data"][0]
            model = str(first["id"])
        except Exception:
            raise RemoteError(f"The engine at {self.url} lists no model.") from None
        granite = first.get("owned_by") == GRANITE_OWNER
        features = first.get("granite_dictate") if granite else None
        self.info = ServerInfo(model, granite, dict(features) if isinstance(features, dict) else {})
        return self.info

    def _fields(self, task: RemoteTask) -> dict[str, str | list[str]]:
        fields: dict[str, str | list[str]] = {"model": self.info.model, "response_format": "json"}
        if task.language:
            fields["language"] = task.language
        if task.translate and task.to_language:
            fields["to_language"] = task.to_language
        if task.keywords:
            fields["keywords[]"] = list(task.keywords)
        if self.info.features.get("chunking_strategy_none"):
            fields["chunking_strategy"] = "none"
        return fields

    def transcribe(self, wav: bytes, task: RemoteTask, cancel: Callable[[], bool]) -> str:
        """The text of one chunk; raises RemoteError (or CancelledError)."""
        path = "audio/translations" if task.translate else "audio/transcriptions"
        fields = self._fields(task)
        for attempt in range(1, MAX_ATTEMPTS + 1):
            if cancel():
                raise CancelledError()
            wait = min(MAX_BACKOFF_S, BACKOFF_S * 2 ** (attempt - 1))
            try:
                reply = self._http.post(
                    f"{self.url}/{path}",
                    data=fields,
                    files={"file": ("chunk.wav", wav, "audio/wav")},
                )
            except httpx.HTTPError as err:
                problem = _reason(err)
            else:
                if reply.status_code == 200:
                    return str(reply.json().get("text", ""))
                problem = f"{reply.status_code}: {_message(reply)}"
                if reply.status_code not in RETRY_STATUS:
                    raise RemoteError(f"The engine at {self.url} refused a chunk ({problem}).")
                after = reply.headers.get("retry-after", "")
                if after.isdigit():
                    wait = min(MAX_BACKOFF_S, float(after))
            if attempt == MAX_ATTEMPTS:
                break
            self.retries += 1
            log.info("engine %s: %s; retry %d in %.1f s", self.url, problem, attempt, wait)
            self._sleep(wait, cancel)
        raise RemoteError(f"The engine at {self.url} failed {MAX_ATTEMPTS} times ({problem}).")


def _reason(err: httpx.HTTPError) -> str:
    text = " ".join(str(err).split())
    return f"{type(err).__name__}{': ' + text if text else ''}"


def _wait(seconds: float, cancel: Callable[[], bool]) -> None:
    """Sleep ``seconds``, waking early when ``cancel()`` turns true (checked every 0.1 s)."""
    done = threading.Event()
    steps = max(1, int(seconds / 0.1))
    for _ in range(steps):
        if cancel() or done.wait(seconds / steps):
            return


def notices(info: ServerInfo, task: RemoteTask, url: str) -> list[str]:
    """What a server may not do for ``task``: to say once, never to drop silently."""
    if info.granite:
        missing = []
        if task.keywords and not info.features.get("keywords"):
            missing.append("keywords")
        if task.translate and task.to_language != "en" and not info.features.get("to_language"):
            missing.append(f"translation to {task.to_language}")
        return [f"the engine at {url} does not support {m}." for m in missing]
    found = []
    if task.keywords:
        found.append(
            f"the engine at {url} is not Granite Dictate: keywords are sent in OpenAI's "
            "'keywords' field, which it may ignore."
        )
    if task.translate and task.to_language != "en":
        found.append(
            f"the engine at {url} is not Granite Dictate: translation to {task.to_language} "
            "is asked with the 'to_language' field (as vLLM names it), which it may not support."
        )
    return found
