"""The API server with the official openai client, on 127.0.0.1, with the fake engine (the
model is irrelevant here: fields, formats, streaming, errors, queue, cancellation)."""

from __future__ import annotations

import json
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest

from app.core.errors import CancelledError, UsageError
from app.core.text import export
from app.server.config import ServerConfig, is_loopback
from tests.server.helpers import serve
from tests.support import espeak
from tests.support.fake_engine import FakeEngine, factory
from tests.support.media import write_audio

WAIT_S = 20.0
# The openai client marks its translations endpoint deprecated; it is still OpenAI's API.
pytestmark = pytest.mark.filterwarnings("ignore:deprecated:DeprecationWarning")


@pytest.fixture(scope="module")
def talk(tmp_path_factory) -> Path:
    speech = espeak.two_sentences()
    return write_audio(tmp_path_factory.mktemp("speech") / "talk.wav", speech.audio, 16000)


@pytest.fixture(scope="module")
def server():
    with serve(factory) as served:
        yield served


def _wait_until(check, what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def test_transcription_json_and_every_format_agree(server, talk) -> None:
    client = server.client()
    text = client.audio.transcriptions.create(file=talk.open("rb"), model="granite").text
    assert text.startswith("speech ") and text.count("speech") == 2  # two chunks
    plain = client.audio.transcriptions.create(
        file=talk.open("rb"), model="granite", response_format="text"
    )
    assert plain == text + "\n"
    verbose = client.audio.transcriptions.create(
        file=talk.open("rb"),
        model="granite",
        response_format="verbose_json",
        timestamp_granularities=["segment"],
    )
    assert verbose.text == text and verbose.duration == pytest.approx(8.2, abs=1.0)
    segs = [(s.start, s.end, s.text) for s in verbose.segments]
    assert len(segs) == 2 and segs[0][1] <= segs[1][0]
    srt = client.audio.transcriptions.create(
        file=talk.open("rb"), model="granite", response_format="srt"
    )
    vtt = client.audio.transcriptions.create(
        file=talk.open("rb"), model="granite", response_format="vtt"
    )
    for cues in (export.parse_srt(srt), export.parse_vtt(vtt)):
        assert [(c.start, c.end, c.text) for c in cues] == segs


def test_translation_defaults_to_english_and_takes_a_target(server, talk) -> None:
    client = server.client()
    english = client.audio.translations.create(file=talk.open("rb"), model="granite")
    assert english.text.startswith("[en] speech")
    french = client.audio.translations.create(
        file=talk.open("rb"), model="granite", extra_body={"to_language": "fr", "language": "en"}
    )
    assert french.text.startswith("[fr] speech")
    srt = client.audio.translations.create(
        file=talk.open("rb"), model="granite", response_format="srt"
    )
    assert export.parse_srt(srt)[0].text.startswith("[en] speech")


def test_keywords_reach_the_prompt(server, talk) -> None:
    client = server.client()
    repeated = client.audio.transcriptions.create(
        file=talk.open("rb"), model="granite", keywords=["Granite", "MLX"]
    )
    assert repeated.text.count("+Granite+MLX") == 2
    with httpx.Client(timeout=60) as http:  # comma-separated, as a plain form field
        reply = http.post(
            f"{server.url}/audio/transcriptions",
            files={"file": talk.open("rb")},
            data={"model": "granite", "keywords": "Kubernetes, vLLM"},
        )
    assert reply.status_code == 200 and "+Kubernetes+vLLM" in reply.json()["text"]


def test_streaming_sends_deltas_then_done(server, talk) -> None:
    client = server.client()
    expected = client.audio.transcriptions.create(file=talk.open("rb"), model="granite").text
    events = list(
        client.audio.transcriptions.create(file=talk.open("rb"), model="granite", stream=True)
    )
    kinds = [e.type for e in events]
    assert kinds == ["transcript.text.delta"] * 2 + ["transcript.text.done"]
    assert "".join(e.delta for e in events[:-1]) == events[-1].text == expected


def test_models_and_health(server) -> None:
    models = server.client().models.list().data
    assert [m.id for m in models] == ["fake"] and models[0].owned_by == "granite-dictate"
    health = httpx.get(server.url.removesuffix("/v1") + "/health").json()
    assert health["model_state"] == "ready" and health["queue"] == 0


@pytest.mark.parametrize(
    ("fields", "needle"),
    [
        ({"response_format": "docx"}, "Unknown response_format 'docx'"),
        ({"language": "xx"}, "Spoken language 'xx' is not supported"),
        ({"timestamp_granularities[]": "word"}, "Word timestamps are not available"),
        ({"stream": "maybe"}, "'stream' must be true or false"),
    ],
)
def test_bad_fields_are_400_with_the_reason(server, talk, fields, needle) -> None:
    client = server.client()
    with pytest.raises(openai.BadRequestError) as err:
        client.audio.transcriptions.create(file=talk.open("rb"), model="granite", extra_body=fields)
    assert needle in err.value.message
    assert server.hub.active == 0


def test_bad_translation_pair_is_400(server, talk) -> None:
    with pytest.raises(openai.BadRequestError) as err:
        server.client().audio.translations.create(
            file=talk.open("rb"),
            model="granite",
            extra_body={"language": "fr", "to_language": "de"},
        )
    assert "Cannot translate French to German" in err.value.message


def test_unreadable_audio_is_400_with_one_line(server, tmp_path) -> None:
    bad = tmp_path / "notes.mp3"
    bad.write_text("this is not audio\n" * 50)
    with pytest.raises(openai.BadRequestError) as err:
        server.client().audio.transcriptions.create(file=bad.open("rb"), model="granite")
    message = err.value.message
    assert "\n" not in message and "Traceback" not in message and len(message) < 300
    body = err.value.body
    assert isinstance(body, dict) and body["param"] == "file"


def test_missing_file_is_400(server) -> None:
    with httpx.Client(timeout=30) as http:
        reply = http.post(f"{server.url}/audio/transcriptions", files={"model": (None, "x")})
    assert reply.status_code == 400 and "file" in reply.json()["error"]["message"]


def test_upload_over_the_limit_is_413(talk) -> None:
    with serve(factory, max_upload_mb=0.01) as small:
        with pytest.raises(openai.APIStatusError) as err:
            small.client().audio.transcriptions.create(file=talk.open("rb"), model="granite")
        assert err.value.status_code == 413
        assert small.hub.active == 0


def test_wrong_or_missing_key_is_401(talk) -> None:
    with serve(factory, api_key="s3cret") as keyed:
        with pytest.raises(openai.AuthenticationError) as err:
            keyed.client(key="wrong").audio.transcriptions.create(
                file=talk.open("rb"), model="granite"
            )
        assert err.value.message.endswith("Wrong or missing API key.")
        with httpx.Client(timeout=30) as http:  # no Authorization header at all
            assert http.get(f"{keyed.url}/models").status_code == 401
            reply = http.post(f"{keyed.url}/audio/transcriptions", files={"file": talk.open("rb")})
            assert reply.status_code == 401
        good = keyed.client(key="s3cret").audio.transcriptions.create(
            file=talk.open("rb"), model="granite"
        )
        assert good.text.startswith("speech")


class _CancelSeen(FakeEngine):
    """A FakeEngine that notes when a run ended by cancellation."""

    cancelled: threading.Event

    def run(self, *args, **kw):  # an upload's first chunk runs alone (it streams)
        try:
            return super().run(*args, **kw)
        except CancelledError:
            self.cancelled.set()
            raise

    def run_batch(self, *args, **kw):
        try:
            return super().run_batch(*args, **kw)
        except CancelledError:
            self.cancelled.set()
            raise


def _blocking_factory(engines: list[_CancelSeen]):
    def make(spec, on_progress, cancel):
        engine = _CancelSeen(name=spec, block=threading.Event())
        engine.cancelled = threading.Event()
        engines.append(engine)
        return engine

    return make


def test_full_queue_is_429_with_retry_after(talk, monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    engines: list[_CancelSeen] = []
    with serve(_blocking_factory(engines), max_queue=1) as busy:
        client = busy.client()
        first = threading.Thread(
            target=lambda: client.audio.transcriptions.create(
                file=talk.open("rb"), model="granite"
            ),
            daemon=True,
        )
        first.start()
        assert engines[0].entered.wait(WAIT_S)
        uploads = list(tmp_path.glob("granite-upload-*/*"))
        assert len(uploads) == 1 and uploads[0].stat().st_mode & 0o777 == 0o600
        assert uploads[0].parent.stat().st_mode & 0o777 == 0o700
        with pytest.raises(openai.RateLimitError) as err:
            client.audio.transcriptions.create(file=talk.open("rb"), model="granite")
        assert int(err.value.response.headers["retry-after"]) >= 1
        gate = engines[0].block
        assert gate is not None
        gate.set()  # the first one finishes; the slot frees
        first.join(WAIT_S)
        assert not first.is_alive()
        assert client.audio.transcriptions.create(file=talk.open("rb"), model="granite").text
        assert not list(tmp_path.glob("granite-upload-*"))  # every upload deleted


@pytest.mark.parametrize("stream", [False, True])
def test_client_disconnect_cancels_its_job(talk, monkeypatch, tmp_path, stream) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    engines: list[_CancelSeen] = []
    with serve(_blocking_factory(engines)) as busy:
        engine = engines[0]
        gate = engine.block
        assert gate is not None
        client = busy.client(timeout=1.0)
        with pytest.raises(openai.APITimeoutError):
            reply = client.audio.transcriptions.create(
                file=talk.open("rb"), model="granite", stream=stream
            )
            for _ in reply:  # a stream times out while reading
                pass
        # The server noticed, cancelled the job (the engine's run raised) and cleaned up.
        assert engine.cancelled.wait(WAIT_S) and not gate.is_set()
        _wait_until(lambda: busy.hub.active == 0, "the slot to free")
        _wait_until(lambda: not list(tmp_path.glob("granite-upload-*")), "the upload to go")
        # The model thread is free again: the next request runs (unblocked).
        gate.set()
        assert busy.client().audio.transcriptions.create(file=talk.open("rb"), model="x").text


def test_non_loopback_needs_a_key() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.2")
    with pytest.raises(UsageError, match="--api-key"):
        ServerConfig(model_id="m", host="0.0.0.0").validate()
    ServerConfig(model_id="m", host="0.0.0.0", api_key="k").validate()


def test_error_body_has_openai_shape(server, talk) -> None:
    with httpx.Client(timeout=30) as http:
        reply = http.post(
            f"{server.url}/audio/transcriptions",
            files={"file": talk.open("rb")},
            data={"response_format": "docx"},
        )
    doc = json.loads(reply.text)
    assert reply.status_code == 400 and doc["error"]["param"] == "response_format"
    assert "access-control-allow-origin" not in reply.headers


def test_a_chunked_upload_over_the_limit_is_413_while_streaming() -> None:
    """No Content-Length: the limit is enforced as the body streams in."""

    def body() -> Iterator[bytes]:
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\n'
        for _ in range(40):
            yield bytes(4096)
        yield b"\r\n--b--\r\n"

    with serve(factory, max_upload_mb=0.05) as small:
        reply = httpx.post(
            f"{small.url}/audio/transcriptions",
            content=body(),
            headers={"content-type": "multipart/form-data; boundary=b"},
            timeout=30,
        )
        assert reply.status_code == 413 and "over 0.05 MB" in reply.json()["error"]["message"]
        assert small.hub.active == 0
