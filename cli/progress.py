"""Live progress on stderr for runs longer than two seconds."""

from __future__ import annotations

import time

from rich.console import Console
from rich.status import Status

from contcheck.checker.explicit import Stats


class ProgressLine:
    """A single status line, shown once a run passes `delay` seconds."""

    def __init__(self, console: Console, delay: float = 2.0) -> None:
        self.console = console
        self.started = time.monotonic()
        self.delay = delay
        self.status: Status | None = None

    def __call__(self, stats: Stats) -> None:
        self.show(
            f"{stats.states:,} states, queue {stats.queue:,}, "
            f"{stats.rate:,.0f} states/s, {stats.seconds:.0f} s"
        )

    def show(self, text: str) -> None:
        """Show `text` once the run is older than the delay."""
        if time.monotonic() - self.started < self.delay:
            return
        if self.status is None:
            self.status = self.console.status(text)
            self.status.start()
        else:
            self.status.update(text)

    def close(self) -> None:
        if self.status is not None:
            self.status.stop()
