"""The result data types shared by the pipeline, the CLI's JSON and the GUI.

Coordinates are page pixels of the page image the OCR saw (for text-layer PDF pages: the page
rendered at the pipeline's DPI), as [x0, y0, x1, y1]. Character spans are [start, end) offsets
into `DocumentResult.text`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from desktop_app.errors import OcrNotice

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
    # [start, end) spans of `text` the OCR is unsure of (low character/token probability, or a
    # classic confusion such as O/0 in a number). Shown as `ocr_doubt`; never corrected silently.
    doubts: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class OcrOutput:
    """What an OCR engine returns for one page; the pipeline adds index, engine and timing."""

    text: str
    blocks: list[Block]
    # errors.OcrNotice instances (typed, zh + en); the pipeline renders them in the user's language.
    warnings: list[OcrNotice] = field(default_factory=list)


@dataclass
class PageResult:
    index: int
    engine: str
    status: Literal["ok", "failed"] = "ok"
    text: str = ""
    blocks: list[Block] = field(default_factory=list)
    error: str | None = None
    error_code: str | None = None
    # The error in each UI language ({"en": …, "zh": …}) when it came from a typed error, so a viewer
    # can show it again in the language the user switches to.
    error_messages: dict[str, str] = field(default_factory=dict)
    width: int = 0
    height: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)  # the OCR engine's notes on this page (user language)
    warning_messages: list[dict[str, str]] = field(default_factory=list)  # each note per UI language, when known


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
    # The message per UI language, when known (`field` above shadows dataclasses.field here).
    messages: dict[str, str] = dataclasses.field(default_factory=dict)


@dataclass
class NoteSummary:
    """One note of a file that holds several (two clinic visits, a progress note and a discharge
    summary …), summarized on its own so one note's plan never runs into the next note's header."""

    index: int  # 0-based; shown as "note {index + 1} of {len(summary.notes)}"
    title: str  # the note's header line as written ("PROGRESS NOTE 03/02/2024", "门诊病历"); "" if none
    start: int  # [start, end) span of `DocumentResult.text`
    end: int
    pages: list[int] = field(default_factory=list)  # 0-based indexes of the pages the note is on
    chief_complaint: SummaryField = field(default_factory=SummaryField)
    diagnosis: SummaryField = field(default_factory=SummaryField)
    plan: SummaryField = field(default_factory=SummaryField)
    warnings: list[SummaryWarning] = field(default_factory=list)

    def fields(self) -> dict[str, SummaryField]:
        return {name: getattr(self, name) for name in FIELD_NAMES}


@dataclass
class LabResult:
    """One row of a lab report's results table, restated as printed (never interpreted)."""

    test: str
    value: str  # as read; a value the OCR doubts is kept as read and marked `doubtful`
    unit: str = ""
    reference_range: str = ""
    flag: str = ""  # the flag printed on the page ("H", "↓", "*", "阳性"); "" when none is printed
    abnormal: bool = False  # a printed flag, or a value outside the printed range
    # Why `abnormal` is set: "printed_flag", or "printed_range" (no flag printed; the printed value lies
    # outside the printed range). None when not abnormal.
    abnormal_basis: Literal["printed_flag", "printed_range"] | None = None
    doubtful: bool = False  # the OCR is unsure of the value: check it on the page before copying
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class Summary:
    chief_complaint: SummaryField = field(default_factory=SummaryField)
    diagnosis: SummaryField = field(default_factory=SummaryField)
    plan: SummaryField = field(default_factory=SummaryField)
    engine: str = ""
    language: str = "en"
    warnings: list[SummaryWarning] = field(default_factory=list)
    # Empty for a one-note document. For a file with several notes: every note in order, each with
    # its own fields; the three fields above are then the first note's, and a `multiple_notes`
    # warning says so.
    notes: list[NoteSummary] = field(default_factory=list)
    # Lab results tables found in the document (abnormal rows first); empty when there are none.
    results: list[LabResult] = field(default_factory=list)

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
    error_messages: dict[str, str] = field(default_factory=dict)  # `error` per UI language, when known
    page_count: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_dict(self) -> dict:
        return asdict(self)
