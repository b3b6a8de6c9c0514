"""OCR engines in preference order. Adding an engine = one module + one line here."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from desktop_app import errors
from desktop_app.ocr.base import OcrEngine
from desktop_app.settings import EngineSettings


@dataclass(frozen=True)
class OcrEngineSpec:
    name: str
    module: str  # imported only when the engine is used, so start-up stays light
    factory: str
    description: str
    needs_image: bool = True  # False: reads the PDF text layer and never renders the page
    self_contained: bool = True  # False: needs a model folder or a server, so `auto` never picks it
    aliases: tuple[str, ...] = ()

    def load_module(self):
        return importlib.import_module(self.module)

    def is_installed(self) -> bool:
        return self.load_module().is_installed()

    def create(self, settings: EngineSettings) -> OcrEngine:
        module = self.load_module()
        if not module.is_installed():
            raise errors.EngineUnavailable(name=self.name, detail="its Python package is not installed")
        factory: Callable[[EngineSettings], OcrEngine] = getattr(module, self.factory)
        return factory(settings)


OCR_ENGINES: tuple[OcrEngineSpec, ...] = (
    OcrEngineSpec("rapidocr", "desktop_app.ocr.rapid", "RapidOcrEngine",
                  "Embedded PP-OCRv4 (CPU, no download)", aliases=("embedded",)),
    OcrEngineSpec("deepseek-ocr2", "desktop_app.ocr.deepseek", "DeepseekOcr2Engine",
                  "DeepSeek-OCR-2 in-process (local model folder; GPU recommended)", aliases=("deepseek",),
                  self_contained=False),
    OcrEngineSpec("openai", "desktop_app.ocr.openai_compat", "OpenAiOcrEngine",
                  "DeepSeek-OCR served by vLLM (OpenAI API; loopback or allow-listed)", aliases=("vllm",),
                  self_contained=False),
    OcrEngineSpec("pdf-text", "desktop_app.ocr.pdf_text", "PdfTextEngine",
                  "The PDF's own text layer (no OCR)", needs_image=False),
)
TEXT_LAYER_ENGINE = "pdf-text"


def names() -> list[str]:
    return [spec.name for spec in OCR_ENGINES]


def find(name: str) -> OcrEngineSpec:
    wanted = name.strip().lower()
    for spec in OCR_ENGINES:
        if wanted == spec.name or wanted in spec.aliases:
            return spec
    raise errors.UnknownEngine(kind="OCR", name=name, available=", ".join(names()))


def resolve(settings: EngineSettings) -> OcrEngineSpec:
    """`auto` = the first self-contained engine in preference order that is installed and reads images."""
    if settings.ocr != "auto":
        return find(settings.ocr)
    for spec in OCR_ENGINES:
        if spec.needs_image and spec.self_contained and spec.is_installed():
            return spec
    raise errors.EngineUnavailable(name="OCR", detail="no OCR engine is installed")
