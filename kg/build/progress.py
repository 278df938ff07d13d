"""Step-by-step progress on stderr; a step running past a second keeps reporting elapsed time."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO


class Progress:
    """Numbered build steps with durations; quiet=True prints nothing (for tests and libraries)."""

    def __init__(self, total: int, stream: TextIO | None = None, quiet: bool = False,
                 tick: float = 5.0):
        self.total, self.done = total, 0
        self.stream = stream or sys.stderr
        self.quiet, self.tick = quiet, tick

    def _say(self, text: str) -> None:
        if not self.quiet:
            print(text, file=self.stream, flush=True)

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        self.done += 1
        label = f"[{self.done}/{self.total}] {name}"
        self._say(f"{label} ...")
        start = time.perf_counter()
        stop = threading.Event()

        def ticker() -> None:
            while not stop.wait(self.tick):
                self._say(f"{label} ... {time.perf_counter() - start:.0f}s")

        thread = threading.Thread(target=ticker, daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()
        self._say(f"{label} done in {time.perf_counter() - start:.1f}s")
