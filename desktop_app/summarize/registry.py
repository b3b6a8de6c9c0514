"""Summarizers in preference order. Adding one = one module + one line here."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from desktop_app import errors
from desktop_app.settings import EngineSettings
from desktop_app.summarize.base import Summarizer


@dataclass(frozen=True)
class SummarizerSpec:
    name: str
    module: str  # imported only when used, so start-up never imports a model library
    factory: str
    description: str
    aliases: tuple[str, ...] = ()

    def load_module(self):
        return importlib.import_module(self.module)

    def is_installed(self) -> bool:
        return self.load_module().is_installed()

    def create(self, settings: EngineSettings) -> Summarizer:
        module = self.load_module()
        if not module.is_installed():
            raise errors.EngineUnavailable(name=self.name, detail="its Python package is not installed")
        factory: Callable[[EngineSettings], Summarizer] = getattr(module, self.factory)
        return factory(settings)


SUMMARIZERS: tuple[SummarizerSpec, ...] = (
    SummarizerSpec("sections", "desktop_app.summarize.sections", "SectionSummarizer",
                   "Embedded section extractor (zh + en headings, no model)", aliases=("embedded",)),
    SummarizerSpec("llm", "desktop_app.summarize.llm", "LlmSummarizer",
                   "Local LLM (Youtu-LLM-2B, a causal-LM folder or a .gguf), chunked", aliases=("youtu",)),
    SummarizerSpec("openai", "desktop_app.summarize.openai_llm", "OpenAiSummarizer",
                   "The same LLM summary from an OpenAI-compatible server (vLLM, llama.cpp)", aliases=("server",)),
)


def names() -> list[str]:
    return [spec.name for spec in SUMMARIZERS]


def find(name: str) -> SummarizerSpec:
    wanted = name.strip().lower()
    for spec in SUMMARIZERS:
        if wanted == spec.name or wanted in spec.aliases:
            return spec
    raise errors.UnknownEngine(kind="summary", name=name, available=", ".join(names()))
