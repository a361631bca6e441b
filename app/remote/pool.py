"""Up to N calls in flight, results in order (daemon threads: an interrupted command line never
waits for a slow server at exit)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import cast

from app.core.errors import CancelledError


def run_ordered[T, R](
    items: Sequence[T], call: Callable[[T], R], parallel: int, cancel: Callable[[], bool]
) -> list[R]:
    """``[call(x) for x in items]`` with up to ``parallel`` calls at once. The first failure is
    raised once the calls in flight are over; no new call starts after a failure or cancel
    (then ``CancelledError``)."""
    results: list[R | None] = [None] * len(items)
    errors: list[BaseException] = []
    lock = threading.Lock()
    next_index = 0

    def worker() -> None:
        nonlocal next_index
        while True:
            with lock:
                if errors or cancel() or next_index >= len(items):
                    return
                index = next_index
                next_index += 1
            try:
                value = call(items[index])
            except BaseException as err:
                with lock:
                    errors.append(err)
                return
            results[index] = value

    threads = [
        threading.Thread(target=worker, name=f"granite-remote-{n}", daemon=True)
        for n in range(max(1, min(parallel, len(items))))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    if cancel():
        raise CancelledError()
    return cast(list[R], results)
