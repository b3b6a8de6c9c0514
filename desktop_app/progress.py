"""Progress reporting: a tiny protocol with a null implementation.

Stages used by the pipeline: "open", "ocr", "summarize". Model engines may also report
"generate" (tokens). The GUI adapts this to a Qt signal; the CLI to a tqdm bar.
"""

from __future__ import annotations

from typing import Protocol


class ProgressSink(Protocol):
    def update(self, stage: str, done: int, total: int) -> None: ...


class NullProgress:
    def update(self, stage: str, done: int, total: int) -> None:
        pass


NULL_PROGRESS = NullProgress()
