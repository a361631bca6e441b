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
