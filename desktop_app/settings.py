"""Engine and ingest settings, with defaults declared once and shared by the CLI and the GUI."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class IngestLimits:
    max_bytes: int = 300 * 1024 * 1024
    max_pixels_per_page: int = 100_000_000  # an A4 page at 600 dpi is ~35 MP
    max_pages: int = 1000


@dataclass
class EngineSettings:
    """What to run. Model engines read their own fields; the embedded engines ignore them."""

    ocr: str = "auto"  # "auto" = the best available OCR engine in registry order
    summarizer: str = "sections"
    dpi: int = 200  # render DPI for PDF pages that need OCR
    use_text_layer: bool = True  # read a PDF page's own text when it is usable
    ocr_model: Path | None = None
    summarizer_model: Path | None = None
    endpoint: str | None = None
    served_model: str | None = None
    allowed_hosts: tuple[str, ...] = ()
    summary_endpoint: str | None = None  # summarizer `openai`: an OpenAI-compatible server (loopback or allow-listed)
    summary_served_model: str | None = None
    device: str = "auto"
    quantization: str | None = None  # None | "8bit" | "4bit"
    output_language: str | None = None  # None = the note's own language
    limits: IngestLimits = field(default_factory=IngestLimits)


def app_engine_settings() -> EngineSettings | None:
    """The desktop app's saved engine preferences, or None when PySide6 is not installed.

    Imports QtCore only (through desktop_app.qt_settings); never widgets, never a QApplication.
    Shared by `emr-assist summarize/batch` and `emr-assist evaluate`."""
    try:
        from desktop_app import qt_settings
    except ImportError:
        return None
    return qt_settings.load(qt_settings.default_qsettings()).engine_settings()
