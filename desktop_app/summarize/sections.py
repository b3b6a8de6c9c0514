"""The embedded summarizer: copy the note's own sections under their headings. No model.

It only ever copies text that is in the document. A field whose heading is absent is
`not_documented`; nothing is inferred. A combined "Assessment and Plan" section fills both fields:
the diagnosis with its labelled assessment part or the names of its problems (`problems.py`), the
plan with each problem's lines under its name, or with the whole section when it is one undivided text.
The chief complaint never runs into a heading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from desktop_app.cancel import CancelToken
from desktop_app.models import FOUND, Evidence, Summary, SummaryField, SummaryWarning
from desktop_app.progress import ProgressSink
from desktop_app.settings import EngineSettings
from desktop_app.summarize import headings as H
from desktop_app.summarize.problems import find_problems, list_items

_LIST_ITEM = re.compile(r"^\s*(?:\d{1,2}[.)、]|[（(]\d{1,2}[)）]|[-–•*#·●▪◦])\s*")  # OCR reads • as ·
_INNER_LABEL = re.compile(r"^\s*(?P<label>assessment|impression|diagnos[ie]s|plan)\s*[:：]", re.I | re.M)
MAX_EN_CHIEF_COMPLAINT_WORDS = 25  # a chief complaint is a phrase or two; longer ones are flagged, not cut
LONG_CHIEF_COMPLAINT = "chief_complaint_long"
COMBINED_SECTION = "combined_section"
EMPTY_SECTION = "empty_section"
MESSAGES = {
    COMBINED_SECTION: {
        "en": "The note has one 'Assessment and Plan' section without separate problems: it is shown as the "
              "plan; the diagnosis is not split out.",
        "zh": "病历的评估与计划为一整段，未分列问题：全文显示为处理，诊断未单独列出。"},
    EMPTY_SECTION: {"en": "The heading '{heading}' is present but has no text.",
                    "zh": "标题“{heading}”下没有内容。"},
    LONG_CHIEF_COMPLAINT: {
        "en": "The chief complaint is {words} words long and no heading ends it: check where it really ends.",
        "zh": "主诉长达 {words} 个词且其后没有标题：请核对主诉在何处结束。"},
}


def _message(code: str, language: str, **params: object) -> str:
    return MESSAGES[code]["zh" if language.startswith("zh") else "en"].format(**params)


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


def _lines(text: str) -> list[tuple[int, str]]:
    out, offset = [], 0
    for line in text.splitlines(keepends=True):
        out.append((offset, line.rstrip("\r\n")))
        offset += len(line)
    return out


def sectionize(text: str) -> list[Section]:
    """Split the text at every heading; each section runs to the next heading.

    Known headings split, unless numbered as the next item of a list the section has started. Unknown
    numbered lines split only where they continue the numbering of the document's own headings
    (`（2）主诉` … `（5）专科情况`): `1. Start metformin` under `3. PLAN` restarts at 1, so it starts a list,
    and `2. Diet counselling` after it is the list's next item, not a heading.
    SOAP letters split only when the note has at least two of them, one being A or P.
    """
    lines = _lines(text)
    matches = [(offset, line, H.match_line(line)) for offset, line in lines]
    soap = {m.heading.label for _, _, m in matches if m is not None and m.kind == H.SOAP}
    soap_note = len(soap) >= 2 and bool(soap & {"A", "P"})
    section_styles = {m.numbering for _, _, m in matches if m is not None and m.kind == H.KNOWN and m.numbering}
    last_number: dict[str, int] = {}  # numbering style → number of the last numbered heading
    listing: dict[str, int] = {}  # numbering style → last item number of the current section's list
    role: str | None = None
    found: list[tuple[int, int, H.Heading, str]] = []  # (line start, body start, heading, heading text)
    for offset, line, match in matches:
        if match is None:
            style, number, _ = H.numbering_of(line)
            if style and number is not None:
                listing[style] = number
            continue
        if match.kind == H.SOAP and not soap_note:
            continue
        next_heading = (match.kind == H.KNOWN and match.number is not None
                        and match.number == last_number.get(match.numbering, 0) + 1 and match.numbering in last_number)
        if (match.numbering and match.number is not None and listing.get(match.numbering) == match.number - 1
                and not next_heading):
            listing[match.numbering] = match.number  # the list's next item (`2. Labs: CBC` after `1. Diet`)
            continue
        if match.kind == H.NUMBERED and not _continues_numbering(match, section_styles, last_number):
            if match.number is not None:
                listing[match.numbering] = match.number
            continue
        if match.kind == H.GENERIC and role in _FIELD_ROLES and _sub_label(line, match):
            continue
        if match.numbering and match.number is not None:
            last_number[match.numbering] = match.number
        listing = {}
        role = match.heading.role
        # The section before ends where the heading's line starts, numbering included: `（3）既往史`.
        found.append((offset, offset + match.content_start, match.heading, line[match.start:match.end]))
    sections = []
    for i, (_, body_start, heading, heading_text) in enumerate(found):
        end = found[i + 1][0] if i + 1 < len(found) else len(text)
        sections.append(Section(heading, heading_text.strip(), body_start, max(body_start, end)))
    return sections


_FIELD_ROLES = {H.DIAGNOSIS, H.PLAN, H.ASSESSMENT_PLAN}


def _continues_numbering(match: H.HeadingMatch, section_styles: set[str], last_number: dict[str, int]) -> bool:
    if match.number is None:
        return False
    # Chinese numerals (一、二、) number sections in Chinese records, never list items.
    if match.numbering not in section_styles and match.numbering != "cjk":
        return False
    return match.number > last_number.get(match.numbering, 0)


def _sub_label(line: str, match: H.HeadingMatch) -> bool:
    """Inside an assessment or plan, `HTN: continue lisinopril` and `Hypertension:` name a problem; an
    upper-case `DISCHARGE CONDITION:` or a Chinese `专科情况：` still starts a new section."""
    label = match.heading.label
    if any(H._is_cjk(ch) for ch in label):
        return False
    return bool(line[match.content_start:].strip()) or len(label) <= 5 or not label.isupper()


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


def _split_assessment_plan(text: str, section: Section) -> tuple[Spans, Spans, bool]:
    """Diagnosis spans, plan spans, and whether the section is one undivided text."""
    body = text[section.start:section.end]
    labels = list(_INNER_LABEL.finditer(body))
    kinds = {m.group("label").lower().startswith("plan") for m in labels}
    if labels and kinds == {True, False}:
        diagnosis, plan = [], []
        for i, label in enumerate(labels):
            start = section.start + label.end()
            end = section.start + labels[i + 1].start() if i + 1 < len(labels) else section.end
            (plan if label.group("label").lower().startswith("plan") else diagnosis).append((start, end))
        return diagnosis, plan, False
    problems = find_problems(text, section.start, section.end)
    if problems:
        # The lines before the first problem restate the case ("a 50-year-old woman who …"): not the plan.
        return [p.name for p in problems if p.name], [p.block for p in problems], False
    return [], [(section.start, section.end)], True


def _diagnosis_spans(text: str, sections: list[Section]) -> Spans:
    """A diagnosis section's text; a numbered list (`诊断：1.高血压 2.糖尿病`) one item per span and line."""
    spans: Spans = []
    for section in sections:
        spans += list_items(text, *trim_span(text, section.start, section.end)) or [(section.start, section.end)]
    return spans


def _chief_complaint_end(text: str, start: int, end: int) -> int:
    """Where the chief complaint stops: at the first line after its first that looks like a heading at all —
    known or not, numbered or not (`（3）既往史、个人史及家族史`, `History of present illness`)."""
    start, end = trim_span(text, start, end)
    first_break = text.find("\n", start, end)
    if first_break < 0:
        return end
    offset = first_break + 1
    previous = text[start:first_break].strip()
    for line in text[offset:end].splitlines(keepends=True):
        stripped = line.strip()
        if stripped and (H.match_line(line.rstrip("\r\n")) is not None or _looks_like_title(stripped, previous)):
            return offset
        offset += len(line)
        previous = stripped or previous
    return end


def _looks_like_title(line: str, previous: str) -> bool:
    """A short capitalised line without a full stop after a complete line is the next section's title;
    after a long line without a full stop it is more likely the rest of a sentence the scan wrapped."""
    complete = previous.endswith((".", ":", "!", "?")) or len(previous.split()) <= 6
    return (complete and not any(H._is_cjk(ch) for ch in line) and H.label_like(line.rstrip(":："))
            and len(line.split()) <= 5 and not line.endswith("."))


class SectionSummarizer:
    name = "sections"

    def __init__(self, settings: EngineSettings | None = None) -> None:
        pass

    def summarize(self, text: str, *, language: str, cancel: CancelToken, progress: ProgressSink) -> Summary:
        progress.update("summarize", 0, 1)
        sections = sectionize(text)
        summary = Summary(engine=self.name, language=language)

        chief = _best(sections, H.CHIEF_COMPLAINT)[:1]
        chief_spans = [(s.start, _chief_complaint_end(text, s.start, s.end)) for s in chief]
        summary.chief_complaint = _field(text, chief_spans, _heading(chief))
        words = len(summary.chief_complaint.text.split())
        if language != "zh" and words > MAX_EN_CHIEF_COMPLAINT_WORDS:
            summary.warnings.append(SummaryWarning(
                LONG_CHIEF_COMPLAINT, _message(LONG_CHIEF_COMPLAINT, language, words=words),
                field="chief_complaint"))

        diagnosis = _best(sections, H.DIAGNOSIS)
        plan = _best(sections, H.PLAN)
        combined = _best(sections, H.ASSESSMENT_PLAN)[:1]
        if not combined and not plan and diagnosis and diagnosis[0].heading.rank == 2:
            # An ASSESSMENT written problem by problem, each with its treatment, and no plan section.
            problems = find_problems(text, diagnosis[0].start, diagnosis[0].end)
            if any(p.name and p.has_details for p in problems):
                combined, diagnosis = diagnosis[:1], []
        combined_dx: Spans = []
        combined_plan: Spans = []
        if combined and (not diagnosis or not plan or plan[0].heading.rank < combined[0].heading.rank):
            combined_dx, combined_plan, undivided = _split_assessment_plan(text, combined[0])
            if undivided and not diagnosis:
                summary.warnings.append(SummaryWarning(
                    COMBINED_SECTION, _message(COMBINED_SECTION, language), field="diagnosis"))
        summary.diagnosis = (_field(text, _diagnosis_spans(text, diagnosis), _heading(diagnosis))
                             if diagnosis else _field(text, combined_dx, _heading(combined)))
        use_plan = plan and not (combined_plan and plan[0].heading.rank < combined[0].heading.rank)
        plan_spans = [(s.start, s.end) for s in plan] if use_plan else combined_plan
        plan_heading = _heading(plan) if use_plan else _heading(combined)
        # Instructions and follow-up after the plan belong to it ("return in 2 weeks").
        follow_up = [s for s in sections if s.role == H.FOLLOW_UP and (not plan_spans or s.start > plan_spans[0][0])]
        plan_spans = plan_spans + [(s.start, s.end) for s in follow_up]
        summary.plan = _field(text, plan_spans, plan_heading or _heading(follow_up))

        for name, field in summary.fields().items():
            empty_heading = [s for s in sections if s.role in _roles_for(name) and s.end - s.start <= 1]
            if field.status != FOUND and empty_heading:
                summary.warnings.append(SummaryWarning(
                    EMPTY_SECTION, _message(EMPTY_SECTION, language, heading=empty_heading[0].heading_text),
                    field=name))
        progress.update("summarize", 1, 1)
        return summary


def _heading(sections: list[Section]) -> str | None:
    return sections[0].heading_text if sections else None


def _roles_for(field_name: str) -> set[str]:
    return {
        "chief_complaint": {H.CHIEF_COMPLAINT},
        "diagnosis": {H.DIAGNOSIS, H.ASSESSMENT_PLAN},
        "plan": {H.PLAN, H.ASSESSMENT_PLAN, H.FOLLOW_UP},
    }[field_name]
