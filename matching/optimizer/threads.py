"""Cancel within a second: run a call that cannot be interrupted (SciPy's HiGHS LP) in a
worker thread and stop waiting for it when the caller cancels."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

#: How often the waiting thread looks at the cancel event (seconds).
POLL_S = 0.05


class Cancelled(Exception):
    """The caller's cancel event was set while the call ran."""


def interruptible(call: Callable[[], T], cancel: threading.Event | None) -> T:
    """``call()``, or :class:`Cancelled` within ``POLL_S`` of ``cancel`` being set. The
    abandoned call finishes in the background (HiGHS releases the GIL; its own time limit
    ends it) and its result is dropped. The worker is not a daemon thread: the interpreter waits
    for it at exit instead of killing HiGHS mid-solve (which aborts the process)."""
    if cancel is None:
        return call()
    box: dict[str, object] = {}

    def work() -> None:
        try:
            box["value"] = call()
        except BaseException as exc:  # handed to the waiting thread
            box["error"] = exc

    worker = threading.Thread(target=work, daemon=False)
    worker.start()
    while worker.is_alive():
        worker.join(POLL_S)
        if cancel.is_set() and worker.is_alive():
            raise Cancelled
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]
