"""The result data types shared by the pipeline, the CLI's JSON and the GUI.

Coordinates are page pixels of the page image the OCR saw (for text-layer PDF pages: the page
rendered at the pipeline's DPI), as [x0, y0, x1, y1]. Character spans are [start, end) offsets
into `DocumentResult.text`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

BBox = tuple[float, float, float, float]
FIELD_NAMES = ("chief_complaint", "diagnosis", "plan")
FOUND = "found"
NOT_DOCUMENTED = "not_documented"


@dataclass
class Block:
    """A line (or region) of recognised text on a page."""

    text: str
    bbox: BBox
    confidence: float | None = None


@dataclass
class OcrOutput:
    """What an OCR engine returns for one page; the pipeline adds index, engine and timing."""

    text: str
    blocks: list[Block]
    warnings: list[str] = field(default_factory=list)


@dataclass
class PageResult:
    index: int
    engine: str
    status: Literal["ok", "failed"] = "ok"
    text: str = ""
    blocks: list[Block] = field(default_factory=list)
    error: str | None = None
    error_code: str | None = None
    width: int = 0
    height: int = 0
    seconds: float = 0.0


@dataclass
class Evidence:
    """Where a field's text came from: a span of the document text and its boxes on one page."""

    start: int
    end: int
    page: int | None = None
    boxes: list[BBox] = field(default_factory=list)


@dataclass
class SummaryField:
    text: str = ""
    status: Literal["found", "not_documented"] = NOT_DOCUMENTED
    evidence: list[Evidence] = field(default_factory=list)
    heading: str | None = None  # the heading the text was found under, when there was one

    @classmethod
    def not_documented(cls) -> SummaryField:
        return cls()


@dataclass
class SummaryWarning:
    code: str
    message: str
    field: str | None = None
    start: int | None = None
    end: int | None = None


@dataclass
class Summary:
    chief_complaint: SummaryField = field(default_factory=SummaryField)
    diagnosis: SummaryField = field(default_factory=SummaryField)
    plan: SummaryField = field(default_factory=SummaryField)
    engine: str = ""
    language: str = "en"
    warnings: list[SummaryWarning] = field(default_factory=list)

    def fields(self) -> dict[str, SummaryField]:
        return {name: getattr(self, name) for name in FIELD_NAMES}


@dataclass
class DocumentResult:
    source: str
    sha256: str | None = None
    pages: list[PageResult] = field(default_factory=list)
    text: str = ""
    summary: Summary | None = None
    timings: dict[str, float] = field(default_factory=dict)
    error: str | None = None
    error_code: str | None = None
    page_count: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_dict(self) -> dict:
        return asdict(self)
