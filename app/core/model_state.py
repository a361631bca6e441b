"""The speech model's state, as the model thread reports it and every front end shows it."""

from __future__ import annotations

from enum import StrEnum


class ModelState(StrEnum):
    IDLE = "idle"  #: nothing asked for yet
    LOADING = "loading"
    DOWNLOADING = "downloading"
    READY = "ready"
    ERROR = "error"  #: the model could not be loaded (damaged, out of memory, …)
    MISSING = "missing"  #: not on this machine (not downloaded, folder gone)

    @property
    def failed(self) -> bool:
        return self in (ModelState.ERROR, ModelState.MISSING)

    @property
    def settled(self) -> bool:
        """Ready or failed: a load is over."""
        return self is ModelState.READY or self.failed


#: What the window's toolbar shows for each state.
_LABELS: dict[str, str] = {
    ModelState.IDLE: "Model: not loaded",
    ModelState.LOADING: "Model: loading…",
    ModelState.DOWNLOADING: "Model: downloading…",
    ModelState.READY: "Model: ready",
    ModelState.ERROR: "Model: error",
    ModelState.MISSING: "Model: not installed",
}

#: Why the actions that need the model are off while it is on its way.
_WAITING: dict[str, str] = {
    ModelState.IDLE: "The speech model is not loaded yet.",
    ModelState.LOADING: "Waiting for the speech model to load…",
    ModelState.DOWNLOADING: "Waiting for the speech model to download…",
}


def state_label(state: str) -> str:
    """The short label for ``state`` (a ``ModelState`` value); an unknown state as it is."""
    return _LABELS.get(state, state)


def unavailable_reason(state: str, message: str) -> str:
    """Why the model cannot be used in ``state``: waiting for it, or the failure's
    ``message`` (a generic line when there is none)."""
    return _WAITING.get(state, message or "The speech model is not available.")
