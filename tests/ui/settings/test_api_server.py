"""Preferences → Server in the real window: the local API server shares the window's model
thread (the openai client and the window both get their text), stops when switched off, says
why when its port is taken; the page round-trips its fields."""

from __future__ import annotations

import socket
from dataclasses import replace
from pathlib import Path

import httpx
import openai
import pytest

from app.core.chunking.segmentation import SegmentationConfig
from app.core.preferences import Preferences
from app.core.transcript import TaskSpec
from app.ui.app import build_window
from app.ui.settings.api_server import engine_factory_for
from app.ui.settings.server_page import ServerPage
from app.ui.settings.settings_store import SettingsStore
from tests.support import espeak
from tests.support.media import write_audio

WAIT_MS = 20_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def talk(tmp_path) -> Path:
    speech = espeak.compose([0.3, espeak.synthesize("Hello from the window."), 0.3])
    return write_audio(tmp_path / "hello.wav", speech.audio, 16000)


def test_the_api_server_shares_the_window_model(qtbot, tmp_path, monkeypatch, talk) -> None:
    monkeypatch.setenv("GRANITE_DICTATE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GRANITE_DICTATE_ENGINE_FACTORY", "tests.support.fake_engine:factory")
    port = _free_port()
    settings = SettingsStore(str(tmp_path / "settings.ini"))
    prefs = Preferences(api_server_enabled=True, api_server_port=port)
    settings.save_preferences(prefs)
    window = build_window(settings=settings)
    qtbot.addWidget(window)
    bridge = window.bridge
    try:
        assert f"127.0.0.1:{port}" in window.statusBar().currentMessage()
        window.use_model("fake")
        qtbot.waitUntil(lambda: window.model_state == "ready", timeout=WAIT_MS)
        url = f"http://127.0.0.1:{port}/v1"
        client = openai.OpenAI(base_url=url, api_key="x", max_retries=0, timeout=60)
        text = client.audio.transcriptions.create(file=talk.open("rb"), model="x").text
        assert text.startswith("speech ")
        with qtbot.waitSignal(bridge.jobFinished, timeout=WAIT_MS) as finished:
            job = bridge.submit_file(str(talk), [TaskSpec()], SegmentationConfig())
        assert finished.args is not None and finished.args[0] == job
        assert finished.args[1][0].text == text  # the same model thread, the same text
        window.apply_preferences(replace(prefs, api_server_enabled=False))
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{url}/models", timeout=5)
        with socket.socket() as taken:  # a port in use: one line in the banner
            taken.bind(("127.0.0.1", 0))
            busy = taken.getsockname()[1]
            window.apply_preferences(replace(prefs, api_server_port=busy))
            assert "Local API server: Cannot listen on 127.0.0.1" in window.banner.text()
    finally:
        window.apply_preferences(replace(prefs, api_server_enabled=False))
        bridge.shutdown(5.0)


def test_server_page_round_trip(qtbot) -> None:
    page = ServerPage()
    qtbot.addWidget(page)
    prefs = Preferences(engine_url="http://gpu:8000/v1", api_server_enabled=True)
    page.show_preferences(prefs)
    assert page.remote_radio.isChecked() and page.url_edit.isEnabled()
    assert page.address.text() == "Address: http://127.0.0.1:8765/v1"
    page.local_radio.setChecked(True)
    page.server_check.setChecked(False)
    out = page.apply(prefs)
    assert out.engine_url == "" and not out.api_server_enabled
    assert page.address.text() == "Off"


def test_engine_choice(monkeypatch) -> None:
    monkeypatch.setenv("GRANITE_DICTATE_ENGINE_FACTORY", "tests.support.fake_engine:factory")
    from tests.support import fake_engine

    assert engine_factory_for(Preferences()) is fake_engine.factory
    remote = engine_factory_for(Preferences(engine_url="http://127.0.0.1:9/v1"))
    assert remote is not fake_engine.factory
    with pytest.raises(Exception, match="Cannot reach the engine"):
        remote("ignored", lambda d, t: None, lambda: False)


def test_a_server_engine_transcribes_and_says_what_it_may_ignore(
    qtbot, tmp_path, monkeypatch, talk
) -> None:
    from tests.remote.test_client import Script, scripted

    monkeypatch.setenv("GRANITE_DICTATE_HOME", str(tmp_path / "home"))
    with scripted(Script([])) as url:
        settings = SettingsStore(str(tmp_path / "settings.ini"))
        settings.save_preferences(Preferences(engine_url=url))
        window = build_window(settings=settings)
        qtbot.addWidget(window)
        bridge = window.bridge
        try:
            window.use_model("ignored")
            qtbot.waitUntil(lambda: window.model_state == "ready", timeout=WAIT_MS)
            spec = TaskSpec(keywords=("Granite",))
            with qtbot.waitSignal(bridge.jobFinished, timeout=WAIT_MS) as finished:
                bridge.submit_file(str(talk), [spec], SegmentationConfig())
            assert finished.args is not None
            assert finished.args[1][0].text.startswith("chunk ")  # the server's answer
            qtbot.waitUntil(lambda: "may ignore" in window.banner.text(), timeout=WAIT_MS)
        finally:
            bridge.shutdown(5.0)
