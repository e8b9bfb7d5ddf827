"""Progress on stderr for runs longer than a few seconds.

In a terminal it is one live status line; in a log (stderr not a terminal) it
is a plain line every `interval` seconds, as TLC writes to its log, so a long
run redirected to a file is never silent.  A heartbeat thread repeats the
latest text, so a phase that calls `show` once and then works for minutes
(building a z3 query) still gets its line after the delay and every interval.

Any command that explores passes a `ProgressLine` as `explore`'s `progress`
(it is called with the search's `Stats`); other work calls `show(text)`.
Use it as a context manager, or call `close()`, so the live line is cleared.
"""

from __future__ import annotations

import threading
import time
from types import TracebackType

from rich.console import Console
from rich.status import Status

from contcheck.checker.explicit import Stats

LOG_INTERVAL = 30.0  # seconds between two lines in a log


class ProgressLine:
    """Shown once a run passes `delay` seconds; in a log, a line per `interval`."""

    def __init__(
        self,
        console: Console | None = None,
        delay: float = 2.0,
        interval: float = LOG_INTERVAL,
        label: str = "contcheck",
        tick: float | None = 1.0,
    ) -> None:
        self.console = console if console is not None else Console(stderr=True)
        self.started = time.monotonic()
        self.delay = delay
        self.interval = interval
        self.label = label
        self.status: Status | None = None
        self.logged_at: float | None = None
        self.text = ""
        self.tick = tick  # None: no heartbeat, a line only when `show` is called
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.heartbeat: threading.Thread | None = None

    def __call__(self, stats: Stats) -> None:
        self.show(
            f"{stats.states:,} states, queue {stats.queue:,}, depth {stats.depth}, "
            f"{stats.rate:,.0f} states/s, {stats.seconds:.0f} s"
        )

    def show(self, text: str) -> None:
        """Show `text` once the run is older than the delay."""
        self.text = text
        self._refresh()
        if self.heartbeat is None and self.tick is not None and not self.stopped.is_set():
            self.heartbeat = threading.Thread(target=self._beat, daemon=True)
            self.heartbeat.start()

    def _beat(self) -> None:
        assert self.tick is not None
        while not self.stopped.wait(self.tick):
            self._refresh()

    def _refresh(self) -> None:
        with self.lock:
            now = time.monotonic()
            if self.stopped.is_set() or now - self.started < self.delay:
                return
            if not self.console.is_terminal:
                self._log(now, self.text)
            elif self.status is None:
                self.status = self.console.status(self.text)
                self.status.start()
            else:
                self.status.update(self.text)

    def _log(self, now: float, text: str) -> None:
        if self.logged_at is not None and now - self.logged_at < self.interval:
            return
        self.logged_at = now
        elapsed = now - self.started
        self.console.print(
            f"{self.label} [{elapsed:.0f} s]: {text}", markup=False, highlight=False, soft_wrap=True
        )

    def close(self) -> None:
        self.stopped.set()
        if self.heartbeat is not None and self.heartbeat is not threading.current_thread():
            self.heartbeat.join()
        with self.lock:
            if self.status is not None:
                self.status.stop()
                self.status = None

    def __enter__(self) -> ProgressLine:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
