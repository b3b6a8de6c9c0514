"""A toy model summarizer, for tests/test_registry_toy_engine.py: proof that a new model engine is this
one module + one line in `desktop_app.engines.ENGINES`.

It behaves as a model engine does: it reads its model folder (a `toy_lm` config naming the heading to
copy), checked by `model_check` before it is used, and copies the line after that heading as the chief
complaint, with its evidence span.
"""

from __future__ import annotations

import json

from desktop_app import errors
from desktop_app.cancel import CancelToken
from desktop_app.models import FOUND, Evidence, Summary, SummaryField
from desktop_app.progress import ProgressSink
from desktop_app.settings import EngineSettings


def is_installed() -> bool:
    return True


class ToySummarizer:
    name = "toy"

    def __init__(self, settings: EngineSettings) -> None:
        self.settings = settings
        self.heading: str | None = None

    def load(self) -> None:
        from desktop_app.model_check import check_folder_or_raise

        if self.settings.summarizer_model is None:
            raise errors.ModelNotConfigured(name=self.name, option="--summarizer-model", gguf="")
        check_folder_or_raise(self.settings.summarizer_model)
        config = json.loads((self.settings.summarizer_model / "config.json").read_text(encoding="utf-8"))
        self.heading = config["copy_after"]

    def summarize(self, text: str, *, language: str, cancel: CancelToken, progress: ProgressSink) -> Summary:
        if self.heading is None:
            self.load()
        summary = Summary(engine=self.name, language=language)
        at = text.find(self.heading)
        if at >= 0:
            start = text.index("\n", at) + 1
            end = text.find("\n", start)
            end = len(text) if end < 0 else end
            summary.chief_complaint = SummaryField(text[start:end], FOUND, [Evidence(start, end)])
        return summary
