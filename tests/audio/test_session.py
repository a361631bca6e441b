"""The Qt-free dictation session: fake PortAudio stream → journal + VAD → endpointer."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest

from app.audio.capture import RATE, CaptureEvent
from app.audio.devices import AudioDeviceError
from app.audio.journal import read_wav
from app.audio.session import DictationConfig, DictationSession, SessionSummary
from app.core.dictation.endpointing import Utterance
from app.core.storage.recordings import RecordingError
from tests.support.espeak import compose, noise, synthesize
from tests.support.fake_stream import EnergyVad, FakeBackend, FakeDevice


class Recorder:
    def __init__(self) -> None:
        self.utts: list[Utterance] = []
        self.events: list[CaptureEvent] = []
        self.summary: SessionSummary | None = None
        self.done = threading.Event()

    def utterance(self, utt: Utterance) -> None:
        self.utts.append(utt)

    def capture_event(self, event: CaptureEvent) -> None:
        self.events.append(event)

    def stopped(self, summary: SessionSummary) -> None:
        self.summary = summary
        self.done.set()


def _run(backend, tmp_path: Path, rec: Recorder, **kw) -> DictationSession:
    vad_factory = kw.pop("vad_factory", None)
    cfg = DictationConfig(journal_dir=tmp_path, **kw)
    session = (
        DictationSession(rec, cfg, backend=backend, vad_factory=vad_factory)
        if vad_factory
        else DictationSession(rec, cfg, backend=backend)
    )
    session.start()
    return session


def test_two_phrases_become_two_utterances_and_the_journal_keeps_everything(tmp_path: Path):
    a = synthesize("the quick brown fox jumps over the lazy dog")
    b = synthesize("hello world, this is a test")
    speech = compose([0.6, a, 1.5, b, 1.0])
    backend = FakeBackend(FakeDevice("mic", speech.audio), speed=4)
    rec = Recorder()
    session = _run(backend, tmp_path, rec, max_seconds=speech.duration)
    assert session.wait(30)
    assert rec.summary is not None and rec.summary.error == ""
    assert [u.index for u in rec.utts] == [0, 1]
    first_a, last_a = speech.words[0], speech.words[len(a.words) - 1]
    first_b, last_b = speech.words[len(a.words)], speech.words[-1]
    u0, u1 = rec.utts
    assert u0.start <= first_a.start - 0.3  # pre-roll
    assert last_a.end + 0.3 <= u0.end < first_b.start  # tail, and the cut is in the pause
    assert last_a.end < u1.start <= first_b.start - 0.3
    assert u1.end >= last_b.end
    # utterance audio is the recording's audio at its absolute times
    i0 = round(u1.start * RATE)
    np.testing.assert_allclose(u1.audio, speech.audio[i0 : i0 + len(u1.audio)], atol=1e-6)
    # the journal holds exactly what was played, as 16-bit PCM
    info = rec.summary.recording
    assert info is not None and info.status == "complete"
    saved, rate = read_wav(info.wav)
    assert rate == RATE and len(saved) == len(speech.audio)
    np.testing.assert_allclose(saved, speech.audio, atol=1.0 / 32768)
    assert rec.summary.overflows == 0


def test_noise_alone_gives_no_utterance(tmp_path: Path):
    audio = noise(3.0, -35.0, color="pink")
    rec = Recorder()
    session = _run(FakeBackend(FakeDevice("mic", audio), speed=4), tmp_path, rec, max_seconds=3.0)
    assert session.wait(30)
    assert rec.utts == []
    assert rec.summary is not None and rec.summary.seconds == pytest.approx(3.0)


@pytest.mark.parametrize("tail", [True, False])
def test_stop_during_speech_flushes_with_or_without_tail(tmp_path: Path, tail: bool):
    t = np.arange(RATE * 6) / RATE
    tone = (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    rec = Recorder()
    at_stop: list[int] = []

    def hook(n: int) -> None:
        if n == 40:  # on the consumer thread, with session.samples up to date
            at_stop.append(session.samples)
            session.stop(tail=tail)

    session = _run(
        FakeBackend(FakeDevice("mic", tone), speed=2),
        tmp_path,
        rec,
        vad_factory=lambda: EnergyVad(hook),
    )
    assert session.wait(30)
    (utt,) = rec.utts
    stop_s = at_stop[0] / RATE
    assert utt.start == 0.0
    assert utt.end == pytest.approx(session.seconds)  # speech went on: all of it is kept
    # the tone never ends: with a tail, recording waits for the "word" up to tail + grace
    wait = round((0.4 + session.config.release_grace_s) * RATE) if tail else 0
    assert session.stop_at_samples == at_stop[0] + wait
    assert session.seconds >= stop_s + wait / RATE


class EagerRecorder(Recorder):
    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, object]] = []  # type: ignore[assignment]

    def eager(self, utt: Utterance) -> None:
        self.events.append(("eager", utt))

    def eager_retracted(self, index: int) -> None:
        self.events.append(("retracted", index))

    def utterance(self, utt: Utterance) -> None:
        super().utterance(utt)
        self.events.append(("final", utt))

    def capture_event(self, event: CaptureEvent) -> None:
        pass


class HookVad:
    """The real VAD, with ``hook(frame_no)`` before each frame (on the consumer thread)."""

    def __init__(self, hook) -> None:
        from app.audio.vad import Vad

        self.vad, self.n, self.hook = Vad(), 0, hook

    def reset(self) -> None:
        self.vad.reset()

    def probability(self, frame: np.ndarray) -> float:
        self.n += 1
        self.hook(self.n)
        return self.vad.probability(frame)


def _release_at(seconds: float, speech, tmp_path: Path, rec: Recorder, lag: float = 0.0):
    """Push-to-talk: the key comes up when the microphone has delivered ``seconds``; ``lag``:
    the consumer stalls that long right then (a loaded machine), so blocks queue up."""
    at_stop: list[int] = []
    frame = round(seconds * RATE / 512)

    def hook(n: int) -> None:
        if n == frame:
            at_stop.append(session.samples)
            session.stop(tail=True)
            time.sleep(lag)

    session = _run(
        FakeBackend(FakeDevice("mic", speech.audio), speed=2),
        tmp_path,
        rec,
        vad_factory=lambda: HookVad(hook),
    )
    assert session.wait(30)
    return session, at_stop[0]


@pytest.mark.parametrize("lag", [0.0, 0.25])
def test_push_to_talk_clean_release_stops_at_once_and_the_eager_utterance_is_final(
    tmp_path: Path, lag: float
):
    phrase = synthesize("please send the report to the team")
    speech = compose([0.5, phrase, 3.0])
    last = speech.words[-1]
    rec = EagerRecorder()
    session, at_stop = _release_at(last.end + 0.7, speech, tmp_path, rec, lag)
    kinds = [k for k, _ in rec.events]
    why = f"{kinds} {session.overflows} overflows, stop {session.stop_at_samples} vs {at_stop}"
    # speech ended more than the tail before the key came up: no extra wait at all
    assert session.stop_at_samples == at_stop, why
    assert kinds == ["eager", "final"], why
    eager, final = (u for _, u in rec.events)
    assert isinstance(final, Utterance) and isinstance(eager, Utterance)
    assert final.confirms_eager
    np.testing.assert_array_equal(final.audio, eager.audio)
    assert last.end + 0.3 <= final.end <= last.end + 0.5  # the tail, not the whole wait


def test_push_to_talk_release_mid_word_waits_for_the_word_and_its_tail(tmp_path: Path):
    phrase = synthesize("please send the report to the team")
    speech = compose([0.5, phrase, 3.0])
    last = speech.words[-1]
    rec = EagerRecorder()
    session, at_stop = _release_at((last.start + last.end) / 2, speech, tmp_path, rec)
    assert at_stop < last.end * RATE  # the key really came up inside the last word
    (final,) = rec.utts
    assert final.end >= last.end + 0.3  # the last word is whole, with its tail
    assert session.stop_at_samples is not None
    assert session.stop_at_samples >= (last.end + 0.3) * RATE
    assert session.stop_at_samples <= at_stop + (0.4 + session.config.release_grace_s) * RATE


def test_a_pause_confirms_the_eager_utterance_and_resumed_speech_retracts_it(tmp_path: Path):
    a = synthesize("the quick brown fox")
    b = synthesize("jumps over the lazy dog")
    c = synthesize("hello world")
    speech = compose([0.5, a, 0.6, b, 1.5, c, 1.2])  # 0.6 s: past the tail, short of the pause
    rec = EagerRecorder()
    session = _run(
        FakeBackend(FakeDevice("mic", speech.audio), speed=4),
        tmp_path,
        rec,
        max_seconds=speech.duration,
    )
    assert session.wait(30)
    kinds = [k for k, _ in rec.events]
    assert kinds == ["eager", "retracted", "eager", "final", "eager", "final"]
    assert [u.index for u in rec.utts] == [0, 1]
    assert all(u.confirms_eager for u in rec.utts)
    assert rec.events[1][1] == 0
    first_eager = rec.events[0][1]
    assert isinstance(first_eager, Utterance) and first_eager.end < rec.utts[0].end


def test_unplugged_device_ends_the_session_with_the_audio_kept(tmp_path: Path):
    a = synthesize("one two three four five six")
    speech = compose([0.3, a, 2.0])
    backend = FakeBackend(FakeDevice("usb mic", speech.audio, unplug_at_s=1.2), speed=4)
    rec = Recorder()
    session = _run(backend, tmp_path, rec, vad_factory=EnergyVad)
    assert rec.done.wait(30) and session.wait(5)
    assert [e.kind for e in rec.events] == ["device_lost"]
    assert rec.summary is not None and rec.summary.seconds >= 1.2
    assert rec.summary.recording is not None
    saved, _ = read_wav(rec.summary.recording.wav)
    np.testing.assert_allclose(saved, speech.audio[: len(saved)], atol=1.0 / 32768)
    assert len(rec.utts) == 1 and rec.utts[0].end == pytest.approx(session.seconds)


def test_start_errors_are_one_line(tmp_path: Path):
    rec = Recorder()
    with pytest.raises(AudioDeviceError, match="No audio input device"):
        DictationSession(rec, DictationConfig(journal_dir=tmp_path), backend=FakeBackend()).start()
    blocker = tmp_path / "file"
    blocker.write_text("x")
    backend = FakeBackend(FakeDevice("mic", np.zeros(RATE, np.float32)))
    session = DictationSession(
        rec, DictationConfig(journal_dir=blocker / "sub"), backend=backend, vad_factory=EnergyVad
    )
    with pytest.raises(RecordingError) as info:
        session.start()
    assert "\n" not in str(info.value)
    assert not session.recording


def test_each_recording_follows_the_current_system_default(tmp_path: Path):
    tone = (0.3 * np.sin(2 * np.pi * 300 * np.arange(RATE) / RATE)).astype(np.float32)
    backend = FakeBackend(FakeDevice("built-in", tone), FakeDevice("headset", tone), speed=8)
    used = []
    for default in (0, 1):
        backend.default = default  # the user switched the system input between recordings
        rec = Recorder()
        session = _run(backend, tmp_path, rec, vad_factory=EnergyVad, max_seconds=0.2)
        assert session.wait(10)
        used.append(session.device_name)
    assert used == ["built-in", "headset"]
    assert backend.refreshes == 2  # PortAudio re-queried before each recording


def test_a_listener_that_fails_mid_chunk_loses_no_audio_from_the_journal(tmp_path: Path):
    """The journal gets each chunk after the endpointing has seen it (a flush never delays
    an utterance), and still gets it when the endpointing's listener fails."""

    class Failing(Recorder):
        def utterance(self, utt: Utterance) -> None:
            raise RuntimeError("listener broke")

    speech = compose([0.4, synthesize("hello there"), 1.0, synthesize("and more"), 1.0])
    backend = FakeBackend(FakeDevice("mic", speech.audio), speed=4)
    rec = Failing()
    session = _run(backend, tmp_path, rec, max_seconds=speech.duration)
    assert session.wait(30)
    assert rec.summary is not None and "listener broke" in rec.summary.error
    info = rec.summary.recording
    assert info is not None
    saved, _ = read_wav(info.wav)
    assert len(saved) == session.samples > 0  # the failing chunk included
    np.testing.assert_allclose(saved, speech.audio[: len(saved)], atol=1.0 / 32768)


def test_speech_drained_after_a_clean_release_is_journaled_not_transcribed(tmp_path: Path):
    """A lagging consumer drains blocks captured after the key came up: they hold the next
    phrase's start, which must neither retract the eager utterance nor extend it."""
    phrase = synthesize("please send the report to the team")
    speech = compose([0.5, phrase, 0.75, synthesize("and now something else"), 1.0])
    last = speech.words[len(phrase.words) - 1]
    rec = EagerRecorder()
    session, at_stop = _release_at(last.end + 0.6, speech, tmp_path, rec, lag=0.6)
    kinds = [k for k, _ in rec.events]
    assert kinds == ["eager", "final"], kinds
    (final,) = rec.utts
    assert final.confirms_eager and final.end <= last.end + 0.5
    assert session.stop_at_samples == at_stop
    assert rec.summary is not None and rec.summary.recording is not None
    saved, _ = read_wav(rec.summary.recording.wav)
    assert len(saved) == session.samples > at_stop  # the drained audio is in the journal
