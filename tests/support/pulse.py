"""A private PulseAudio daemon with a virtual microphone, for end-to-end capture tests.

``pulse_server`` (session-scoped fixture; pull it in with
``pytest_plugins = ["tests.support.pulse"]`` or by importing it into a test module) starts
``pulseaudio`` with its runtime/state in a temp folder and loads:

* module-native-protocol-unix on a socket in that folder (anonymous auth),
* module-null-sink ``mic_sink`` at 16 kHz mono, float32,
* module-remap-source ``mic`` on ``mic_sink.monitor``, the default source.

A 10 ms-latency ``pacat`` playback of /dev/zero keeps running (without a client the null sink
renders 2 s blocks and capture stalls). ``PulseServer.env`` is the environment for client
processes: PortAudio (through ALSA's pulse plugin) records from ``mic`` and ``play`` puts
speech into the sink. PortAudio enumerates devices at initialisation, so the recording side
runs in a subprocess started with that environment. Everything is stopped by PID afterwards.
When PulseAudio cannot run, the fixture skips with the reason (fails under CI, which installs it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import wave
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import numpy as np
import pytest

RATE = 16_000
SINK, SOURCE = "mic_sink", "mic"
_READY_TIMEOUT_S = 15.0


class PulseUnavailable(RuntimeError):
    pass


@dataclass
class PulseServer:
    root: Path
    env: dict[str, str]
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    files: list[IO[bytes]] = field(default_factory=list)

    def play(
        self, audio: np.ndarray, rate: int = RATE, sink: str = SINK, latency_ms: int = 250
    ) -> subprocess.Popen[bytes]:
        """Start playing float audio into the virtual microphone, or into another ``sink``
        (returns the paplay process)."""
        fd, name = tempfile.mkstemp(suffix=".wav", dir=self.root)
        os.close(fd)
        pcm = np.clip(np.rint(np.asarray(audio) * 32767), -32768, 32767).astype("<i2")
        with wave.open(name, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(rate)
            w.writeframes(pcm.tobytes())
        player = subprocess.Popen(
            ["paplay", f"--device={sink}", f"--latency-msec={latency_ms}", name],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.procs.append(player)  # stopped with the server if a test leaves it running
        return player

    def add_sink(self, name: str) -> str:
        """A second null sink (e.g. "the call", captured through ``NAME.monitor``) with its
        own keep-alive stream; loaded once per server. Returns ``name``."""
        if name not in self.pactl("list", "short", "sinks"):
            self.pactl("load-module", "module-null-sink", f"sink_name={name}", f"rate={RATE}",
                       "channels=1", "format=float32le")  # fmt: skip
            self.procs.append(_keepalive(self.env, name))
        return name

    def leak(self, sink: str, into: str, gain: float, latency_ms: int = 40) -> int:
        """What plays into ``sink`` also plays into ``into`` (a loudspeaker heard by the
        microphone), ``latency_ms`` later at ``gain`` (linear). Returns the module index
        (``pactl unload-module`` ends it)."""
        module = int(
            self.pactl(
                "load-module", "module-loopback", f"source={sink}.monitor", f"sink={into}",
                f"latency_msec={latency_ms}", "source_dont_move=true", "sink_dont_move=true",
            ).strip()
        )  # fmt: skip
        block = ""
        for block in self.pactl("list", "sink-inputs").split("Sink Input #")[1:]:
            if f"Owner Module: {module}" in block:
                index = block.split(None, 1)[0]
                self.pactl("set-sink-input-volume", index, f"{gain:.4f}")
                return module
        raise PulseUnavailable(f"the loopback of module {module} has no sink input: {block}")

    def pactl(self, *args: str) -> str:
        out = subprocess.run(
            ["pactl", *args], env=self.env, capture_output=True, text=True, timeout=10
        )
        if out.returncode != 0:
            raise PulseUnavailable(f"pactl {' '.join(args)}: {out.stderr.strip()}")
        return out.stdout

    def stop(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(5)
        self.procs.clear()
        for f in self.files:
            f.close()
        self.files.clear()
        shutil.rmtree(self.root, ignore_errors=True)


def start_pulse() -> PulseServer:
    """Start the daemon and the keep-alive stream; raise PulseUnavailable with a reason."""
    for tool in ("pulseaudio", "pactl", "pacat", "paplay"):
        if shutil.which(tool) is None:
            raise PulseUnavailable(f"{tool} is not installed (apt pulseaudio pulseaudio-utils)")
    root = Path(tempfile.mkdtemp(prefix="gd-pulse-"))
    socket = root / "native"
    config = root / "default.pa"
    config.write_text(
        f"load-module module-native-protocol-unix auth-anonymous=1 socket={socket}\n"
        f"load-module module-null-sink sink_name={SINK} rate={RATE} channels=1 "
        "format=float32le\n"
        f"load-module module-remap-source source_name={SOURCE} master={SINK}.monitor\n"
        f"set-default-sink {SINK}\n"
        f"set-default-source {SOURCE}\n"
    )
    env = dict(os.environ)
    env.update(
        HOME=str(root),
        XDG_RUNTIME_DIR=str(root),
        XDG_CONFIG_HOME=str(root / "config"),
        PULSE_RUNTIME_PATH=str(root),
        PULSE_STATE_PATH=str(root),
        PULSE_SERVER=f"unix:{socket}",
    )
    env.pop("PULSE_SINK", None)
    env.pop("PULSE_SOURCE", None)
    server = PulseServer(root, env)
    log = open(root / "daemon.log", "wb")  # noqa: SIM115 - closed by server.stop()
    server.files.append(log)
    daemon = subprocess.Popen(
        [
            "pulseaudio",
            "--daemonize=no",
            "--exit-idle-time=-1",
            "--disallow-exit",
            "--system=no",
            "--use-pid-file=no",
            "--log-target=stderr",
            "-n",
            "-F",
            str(config),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    server.procs.append(daemon)
    try:
        _wait_ready(server, daemon)
        server.procs.append(_keepalive(env, SINK))
    except BaseException:
        server.stop()
        raise
    return server


def _keepalive(env: dict[str, str], sink: str) -> subprocess.Popen[bytes]:
    """10 ms playback of silence: without a client a null sink renders 2 s blocks."""
    return subprocess.Popen(
        [
            "pacat",
            "--playback",
            f"--device={sink}",
            "--latency-msec=10",
            f"--rate={RATE}",
            "--channels=1",
            "--format=s16le",
            "/dev/zero",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_ready(server: PulseServer, daemon: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + _READY_TIMEOUT_S
    last = ""
    while time.monotonic() < deadline:
        if daemon.poll() is not None:
            log = (server.root / "daemon.log").read_text(errors="replace").strip()
            reason = log.splitlines()[-1] if log else f"exit code {daemon.returncode}"
            raise PulseUnavailable(f"pulseaudio exited: {reason}")
        try:
            if f"Default Source: {SOURCE}" in server.pactl("info"):
                return
        except (PulseUnavailable, subprocess.TimeoutExpired) as err:
            last = str(err)
        time.sleep(0.05)  # polling a readiness condition, not synchronising on time
    raise PulseUnavailable(f"pulseaudio did not become ready: {last}")


@pytest.fixture(scope="session")
def pulse_server() -> Iterator[PulseServer]:
    try:
        server = start_pulse()
    except PulseUnavailable as err:
        if os.environ.get("CI"):  # CI installs PulseAudio (.ci/run): a skip there would hide a bug
            pytest.fail(f"PulseAudio virtual microphone unavailable: {err}")
        pytest.skip(f"PulseAudio virtual microphone unavailable: {err}")
    try:
        yield server
    finally:
        server.stop()
