from __future__ import annotations

from app.core.model_state import ModelState, state_label, unavailable_reason


def test_every_state_has_its_own_label_and_an_unknown_one_shows_as_it_is() -> None:
    labels = [state_label(s) for s in ModelState]
    assert len(set(labels)) == len(ModelState)
    assert state_label(ModelState.MISSING) == "Model: not installed"
    assert state_label("ready") == "Model: ready"
    assert state_label("warming") == "warming"


def test_waiting_states_say_what_is_awaited_and_failures_give_their_message() -> None:
    assert unavailable_reason(ModelState.LOADING, "x") == "Waiting for the speech model to load…"
    assert unavailable_reason("downloading", "") == "Waiting for the speech model to download…"
    assert unavailable_reason(ModelState.IDLE, "") == "The speech model is not loaded yet."
    assert unavailable_reason(ModelState.ERROR, "Out of memory.") == "Out of memory."
    assert unavailable_reason(ModelState.MISSING, "") == "The speech model is not available."


def test_failed_and_settled() -> None:
    assert [s for s in ModelState if s.failed] == [ModelState.ERROR, ModelState.MISSING]
    assert [s for s in ModelState if s.settled] == [
        ModelState.READY,
        ModelState.ERROR,
        ModelState.MISSING,
    ]
