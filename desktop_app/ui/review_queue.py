"""The review queue's rules, without Qt: document states, which document comes next, what a
list row says. The main window asks; the queue widget only draws.

Kept apart from the window (and Qt-free) so the rules are testable alone and move as they are
when the window's session state becomes its own model (issue #14).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from desktop_app.models import DocumentResult, Summary, SummaryField, SummaryWarning

WAITING = "waiting"
RUNNING = "running"
DONE = "done"  # read; waiting for the physician's review
FAILED = "failed"
CANCELLED = "cancelled"

READING = (WAITING, RUNNING)
RETRYABLE = (DONE, FAILED, CANCELLED)
REASON_CHARS = 48  # a list row shows this much of a failure reason; the tooltip has all of it


def short_reason(reason: str, path: str = "", limit: int = REASON_CHARS) -> str:
    """The first sentence of a reason, without the file's path, cut at a word to fit a list row.

    The row already names the file, so the path a reason ends with is dropped, and the row keeps
    the reason's start (what went wrong) rather than eliding its middle."""
    text = " ".join(reason.split())
    if path and text.endswith(path):
        text = text[: -len(path)].rstrip(" :：")
    for stop in (". ", "。"):
        cut = text.find(stop)
        if 0 < cut < len(text) - len(stop):
            text = text[:cut + 1]
            break
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit - 1)
    return text[:cut if cut > limit // 2 else limit - 1].rstrip(" ,;:，；：") + "…"


def neighbour(keys: Sequence[int], current: int | None, step: int) -> int | None:
    """The document `step` rows from `current` (+1 next, -1 previous), or None past either end."""
    if not keys:
        return None
    if current not in keys:
        return keys[0] if step > 0 else keys[-1]
    index = list(keys).index(current) + step
    return keys[index] if 0 <= index < len(keys) else None


def next_to_review(keys: Sequence[int], current: int | None, reviewed: set[int],
                   statuses: dict[int, str]) -> int | None:
    """After the physician marks `current` done: the next document not yet reviewed.

    Searches forward from `current`, then from the top (documents added while the physician was
    reading come forward). A document already read beats one still being read, which beats a
    failed or cancelled one (those need a decision, not a review); None when nothing is left."""
    if not keys:
        return None
    order = list(keys)
    start = order.index(current) + 1 if current in order else 0
    candidates = [k for k in order[start:] + order[:start] if k != current and k not in reviewed]
    for wanted in ((DONE,), READING, (FAILED, CANCELLED)):
        for key in candidates:
            if statuses.get(key) in wanted:
                return key
    return None


def finished(keys: Sequence[int], reviewed: set[int]) -> list[int]:
    """What "Clear finished" removes: the documents the physician marked done."""
    return [key for key in keys if key in reviewed]


@dataclass
class DocumentSession:
    """What the window knows about one queued document (in memory only, never persisted)."""

    key: int
    path: str
    temporary: bool = False  # a pasted image saved to the app's private temp folder
    status: str = WAITING
    result: DocumentResult | None = None
    summary: Summary | None = None
    summary_text: str = ""  # the text the summary's evidence offsets point into
    text: str | None = None  # the text as the user edited it; None = the document's text
    field_edits: dict[str, str] = field(default_factory=dict)
    error: str = ""
    error_messages: dict[str, str] = field(default_factory=dict)  # the error in both UI languages, when known
    summary_job: int | None = None
    kept_edits: list[str] = field(default_factory=list)  # fields "Summarize again" left as typed
    job: int | None = None  # the document job whose answer this session waits for (None: none)
    reviewed: bool = False  # the physician marked it done
    copied: set[str] = field(default_factory=set)  # fields copied since the document was read
    note_index: int = 0  # a file with several notes: the note on screen

    def reading(self) -> bool:
        """Waiting for the worker, or being read."""
        return self.status in READING

    def retryable(self) -> bool:
        return self.status in RETRYABLE

    def failed(self) -> bool:
        return self.status == FAILED

    def fail(self, messages: dict[str, str], ui_language: str, fallback: str = "") -> None:
        """The document could not be read: the reason in both UI languages (`fallback` when none is kept)."""
        self.status = FAILED
        self.error_messages = dict(messages)
        self.error = in_language(messages, ui_language) or fallback

    def edit_key(self, name: str) -> str:
        """Edits and copies are kept per note in a file with several notes."""
        return name if self.note_index == 0 else f"{name}@{self.note_index}"


def in_language(messages: dict[str, str], ui_language: str) -> str:
    """A message kept in both UI languages, in `ui_language` ("" when none is kept)."""
    return messages.get("zh" if ui_language.startswith("zh") else "en") or next(iter(messages.values()), "")


def shown_fields(summary: Summary | None, note_index: int) -> tuple[dict[str, SummaryField], list[SummaryWarning]]:
    """The fields on screen (note `note_index`'s, in a file with several notes) and the warnings
    that may carry doubts about them: the note's own, and the document's OCR doubts inside the
    note (the document's field-text offsets, unsupported_fact, belong to the first note's fields)."""
    if summary is None:
        return {}, []
    if not summary.notes:
        return summary.fields(), list(summary.warnings)
    note = summary.notes[min(max(note_index, 0), len(summary.notes) - 1)]
    inside = [w for w in summary.warnings
              if w.code == "ocr_doubt" and w.start is not None and note.start <= w.start < note.end]
    seen, warnings = set(), []
    for warning in [*note.warnings, *inside]:
        marker = (warning.code, warning.field, warning.start, warning.end)
        if marker not in seen:
            seen.add(marker)
            warnings.append(warning)
    return note.fields(), warnings
