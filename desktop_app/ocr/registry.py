"""The OCR engines: the `ocr` view of the one engine registry (`desktop_app.engines`)."""

from __future__ import annotations

from desktop_app import engines
from desktop_app.engines import EngineSpec
from desktop_app.settings import EngineSettings

TEXT_LAYER_ENGINE = "pdf-text"


def names() -> list[str]:
    return engines.names("ocr")


def find(name: str) -> EngineSpec:
    return engines.find("ocr", name)


def resolve(settings: EngineSettings) -> EngineSpec:
    return engines.resolve_ocr(settings)
