from __future__ import annotations

from app.audio.device_names import human_input_name


def test_human_input_names() -> None:
    assert human_input_name("pulse") == "PulseAudio sound server (pulse)"
    assert human_input_name("default") == "System default mixer (default)"
    assert human_input_name("HDA Intel PCH: ALC257 Analog (hw:0,0)") == (
        "ALC257 Analog — HDA Intel PCH"
    )
    assert human_input_name("USB Mic: USB Mic Audio (hw:2,0)") == "USB Mic Audio"
    assert human_input_name("MacBook Pro Microphone") == "MacBook Pro Microphone"
