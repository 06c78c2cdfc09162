"""Progress of long runs: a bar on a terminal, a few plain lines in a CI log.

On a terminal, a tqdm bar (counts, rate, time left). Elsewhere (CI logs, pipes) carriage
returns are noise, so progress is one line at each tenth of the work and one at the end.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from tqdm import tqdm

MIN_ITEMS_FOR_PROGRESS = 2000  # small runs finish before a bar is worth drawing


class Progress:
    """Report progress through ``total`` steps of a named stage to ``stream``."""

    def __init__(
        self,
        label: str,
        total: int,
        stream: TextIO | None = None,
        unit: str = "pages",
        min_total: int = MIN_ITEMS_FOR_PROGRESS,
    ) -> None:
        self.label, self.total, self.unit = label, total, unit
        self.stream = stream or sys.stderr
        self.done = 0
        self.started = time.perf_counter()
        self.quiet = total < min_total
        self.bar = None
        if not self.quiet and self.stream.isatty():
            self.bar = tqdm(total=total, desc=label, unit=f" {unit}", file=self.stream, leave=False, dynamic_ncols=True)
        self.next_line_at = 0.1

    def advance(self, steps: int = 1) -> None:
        self.done += steps
        if self.bar is not None:
            self.bar.update(steps)
        elif not self.quiet and self.total and self.done / self.total >= self.next_line_at and self.done < self.total:
            self._line(f"{self.done:,}/{self.total:,} {self.unit} ({self.done * 100 // self.total}%)")
            while self.done / self.total >= self.next_line_at:
                self.next_line_at += 0.1

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        if not self.quiet:
            self._line(f"{self.done:,} {self.unit} in {time.perf_counter() - self.started:.1f} s")

    def _line(self, text: str) -> None:
        print(f"{self.label}: {text}", file=self.stream, flush=True)
