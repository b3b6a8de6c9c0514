"""The embedded summarizer: copy the note's own sections under their headings. No model.

It only ever copies text that is in the document. A field whose heading is absent is
`not_documented`; nothing is inferred. A combined "Assessment and Plan" section fills both fields:
the plan with the whole section, the diagnosis with its labelled assessment part or its numbered
problem titles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from desktop_app.jobs.cancel import CancelToken
from desktop_app.jobs.progress import ProgressSink
from desktop_app.models import FOUND, Evidence, Summary, SummaryField, SummaryWarning
from desktop_app.settings import EngineSettings
from desktop_app.summarize import headings as H

_LIST_ITEM = re.compile(r"^\s*(?:\d{1,2}[.)、]|[（(]\d{1,2}[)）]|[-•*#])\s*")
_NUMBERED = re.compile(r"^\s*(?:\d{1,2}[.)]|#)\s*(?=\S)")
_BULLET = re.compile(r"^\s*[-•*]\s*")
MAX_PROBLEM_WORDS = 10
_INNER_LABEL = re.compile(r"^\s*(?P<label>assessment|impression|diagnos[ie]s|plan)\s*[:：]", re.I | re.M)


def is_installed() -> bool:
    return True


@dataclass
class Section:
    heading: H.Heading
    heading_text: str
    start: int  # start of the body (after the heading) in the document text
    end: int

    @property
    def role(self) -> str:
        return self.heading.role


def sectionize(text: str) -> list[Section]:
    """Split the text at every recognised heading; each section runs to the next heading."""
    found: list[tuple[int, int, H.Heading, str]] = []  # (line start, body start, heading, heading text)
    offset = 0
    for line in text.splitlines(keepends=True):
        match = H.match_line(line.rstrip("\r\n"))
        if match is not None:
            found.append((offset + match.start, offset + match.content_start, match.heading,
                          line[match.start:match.end]))
        offset += len(line)
    sections = []
    for i, (_, body_start, heading, heading_text) in enumerate(found):
        end = found[i + 1][0] if i + 1 < len(found) else len(text)
        sections.append(Section(heading, heading_text.strip(), body_start, max(body_start, end)))
    return sections


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def tidy(fragment: str) -> str:
    """Join soft-wrapped lines (scans break lines mid-sentence); keep list items on their own lines."""
    out = ""
    paragraph_break = False
    for raw in fragment.splitlines():
        line = raw.strip()
        if not line:
            paragraph_break = bool(out)
            continue
        if not out:
            out = line
        elif paragraph_break or _LIST_ITEM.match(line):
            out += "\n" + line
        elif H._is_cjk(out[-1]) or H._is_cjk(line[0]) or out[-1] in "，。；：、":
            out += line
        else:
            out += " " + line
        paragraph_break = False
    return out


def detect_language(text: str) -> str:
    cjk = sum(1 for ch in text if H._is_cjk(ch))
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    return "zh" if cjk and cjk >= 0.2 * latin else "en"


def _field(text: str, spans: list[tuple[int, int]], heading: str | None) -> SummaryField:
    spans = [trim_span(text, s, e) for s, e in spans]
    spans = [(s, e) for s, e in spans if e > s]
    if not spans:
        return SummaryField.not_documented()
    joined = "\n".join(tidy(text[s:e]) for s, e in spans)
    return SummaryField(text=joined, status=FOUND, evidence=[Evidence(s, e) for s, e in spans], heading=heading)


def _best(sections: list[Section], role: str) -> list[Section]:
    candidates = [s for s in sections if s.role == role]
    if not candidates:
        return []
    top = max(s.heading.rank for s in candidates)
    return [s for s in candidates if s.heading.rank == top]


Spans = list[tuple[int, int]]


def _split_assessment_plan(text: str, section: Section) -> tuple[Spans, Spans, str | None]:
    """Diagnosis spans, plan spans and an optional warning for a combined A&P section."""
    body = text[section.start:section.end]
    labels = list(_INNER_LABEL.finditer(body))
    kinds = {m.group("label").lower().startswith("plan") for m in labels}
    if labels and kinds == {True, False}:
        diagnosis, plan = [], []
        for i, label in enumerate(labels):
            start = section.start + label.end()
            end = section.start + labels[i + 1].start() if i + 1 < len(labels) else section.end
            (plan if label.group("label").lower().startswith("plan") else diagnosis).append((start, end))
        return diagnosis, plan, None
    plan = [(section.start, section.end)]
    problems = problem_titles(body)
    if problems:
        return [(section.start + s, section.start + e) for s, e in problems], plan, None
    return [], plan, "combined_section"


def problem_titles(body: str) -> list[tuple[int, int]]:
    """Problem lines of an assessment-and-plan: numbered (`1. Asthma`) or short lines with bullets under them."""
    lines, offset = [], 0
    for line in body.splitlines(keepends=True):
        lines.append((offset, line.rstrip("\r\n")))
        offset += len(line)
    content = [(o, line) for o, line in lines if line.strip()]
    titles = []
    for i, (start, line) in enumerate(content):
        numbered = _NUMBERED.match(line)
        followed_by_bullet = i + 1 < len(content) and _BULLET.match(content[i + 1][1]) is not None
        short = len(line.split()) <= MAX_PROBLEM_WORDS and not _BULLET.match(line)
        if numbered and short:
            titles.append((start + numbered.end(), start + len(line)))
        elif short and followed_by_bullet:
            titles.append((start + len(line) - len(line.lstrip()), start + len(line)))
    return titles


class SectionSummarizer:
    name = "sections"

    def __init__(self, settings: EngineSettings | None = None) -> None:
        pass

    def summarize(self, text: str, *, language: str, cancel: CancelToken, progress: ProgressSink) -> Summary:
        progress.update("summarize", 0, 1)
        sections = sectionize(text)
        summary = Summary(engine=self.name, language=language)

        chief = _best(sections, H.CHIEF_COMPLAINT)[:1]
        summary.chief_complaint = _field(text, [(s.start, s.end) for s in chief], _heading(chief))

        diagnosis = _best(sections, H.DIAGNOSIS)
        plan = _best(sections, H.PLAN)
        combined = _best(sections, H.ASSESSMENT_PLAN)[:1]
        combined_dx: list[tuple[int, int]] = []
        combined_plan: list[tuple[int, int]] = []
        if combined and (not diagnosis or not plan):
            combined_dx, combined_plan, note = _split_assessment_plan(text, combined[0])
            if note and not diagnosis:
                summary.warnings.append(SummaryWarning(
                    "combined_section",
                    "The note has one 'Assessment and Plan' section without separate problems: "
                    "it is shown as the plan; the diagnosis is not split out.",
                    field="diagnosis"))
        summary.diagnosis = (_field(text, [(s.start, s.end) for s in diagnosis], _heading(diagnosis))
                             if diagnosis else _field(text, combined_dx, _heading(combined)))
        summary.plan = (_field(text, [(s.start, s.end) for s in plan], _heading(plan))
                        if plan else _field(text, combined_plan, _heading(combined)))

        for name, field in summary.fields().items():
            empty_heading = [s for s in sections if s.role in _roles_for(name) and s.end - s.start <= 1]
            if field.status != FOUND and empty_heading:
                summary.warnings.append(SummaryWarning(
                    "empty_section", f"The heading '{empty_heading[0].heading_text}' is present but has no text.",
                    field=name))
        progress.update("summarize", 1, 1)
        return summary


def _heading(sections: list[Section]) -> str | None:
    return sections[0].heading_text if sections else None


def _roles_for(field_name: str) -> set[str]:
    return {
        "chief_complaint": {H.CHIEF_COMPLAINT},
        "diagnosis": {H.DIAGNOSIS, H.ASSESSMENT_PLAN},
        "plan": {H.PLAN, H.ASSESSMENT_PLAN},
    }[field_name]
