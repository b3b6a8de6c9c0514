"""Note boundaries: one file may hold several notes (two clinic visits, a progress note and a discharge
summary). Each is summarized on its own, so one note's plan never runs into the next note's header.

A note header is a note title (`PROGRESS NOTE`, `DISCHARGE SUMMARY`, `门诊病历`, `出院小结` …), a visit-date
line (`Date of visit: 03/02/2024`, `就诊日期：2024-03-02`) or a patient banner (`姓名：张三 性别：男 年龄：45岁`)
— the lines of one header count once. A header starts a new note when the note before it has at least
one section heading, and the text after it either repeats one of that note's section headings or has a
header of its own wording (another date, another title). A page header printed identically on every page
of one note repeats no heading of the note so far, so it does not split the note.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass

from desktop_app.models import Evidence, NoteSummary, Summary, SummaryField, SummaryWarning
from desktop_app.summarize import headings as H

_EN_TITLES = ("PROGRESS NOTE|CLINIC NOTE|OFFICE NOTE|OFFICE VISIT|CLINIC VISIT|OUTPATIENT NOTE|OUTPATIENT VISIT|"
              "VISIT NOTE|FOLLOW-UP NOTE|FOLLOW-UP VISIT|FOLLOWUP NOTE|FOLLOWUP VISIT|CONSULTATION NOTE|CONSULT NOTE|"
              "CONSULTATION REPORT|CONSULTATION|DISCHARGE SUMMARY|HISTORY AND PHYSICAL|ADMISSION NOTE|"
              "EMERGENCY DEPARTMENT NOTE|ED NOTE|REFERRAL LETTER|LETTER OF REFERRAL|OPERATIVE REPORT|"
              "OPERATIVE NOTE|SOAP NOTE")
# OCR drops the spaces between words now and then: `PROGRESSNOTE`.
_EN_TITLE = re.compile(r"^(?:[A-Z][A-Za-z.&' -]{0,40}\s)?(?P<title>"
                       + "|".join(t.replace(" ", r"\s*") for t in _EN_TITLES.split("|")) + r")\b", re.I)
_ZH_TITLE = re.compile(r"(?:门诊病历|门诊记录|初诊病历|复诊病历|急诊病历|住院病历|入院记录|出院小结|出院记录|"
                       r"首次病程记录|病程记录|会诊记录|转诊单|转诊信|转院记录|手术记录)")
_DATE = re.compile(r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}|\d{1,2}\s*/\s*\d{1,2}\s*/\s*\d{2,4}"
                   r"|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4}", re.I)
_VISIT_DATE = re.compile(r"^\s*(?:date of (?:visit|service|encounter|admission)|visit date|encounter date|"
                         r"service date|DOS|就诊日期|就诊时间|门诊日期|日期)\s*[:：]", re.I)
_BANNER_KEY = re.compile(r"(?:^|\s)(?P<key>Patient(?: name)?|Name|DOB|Date of birth|MRN|Age|Sex|Gender|"
                         r"姓名|性别|年龄|门诊号|住院号|病历号|科别|科室|床号)\s*[:：]", re.I)
_PAGE_NUMBER = re.compile(r"page\s*\d+(?:\s*of\s*\d+)?|第\s*\d+\s*页(?:\s*[，,/]?\s*共\s*\d+\s*页)?", re.I)
_INSTITUTION = re.compile(r"(?:医院|卫生院|中心|诊所|门诊部|医科大学|附属)$")
MAX_TITLE_CHARS = 60
MAX_HEADER_CHARS = 400  # title, banner and visit date of one header sit within a few lines
MULTIPLE_NOTES = "multiple_notes"
_MESSAGES = {
    "en": "This file holds {count} notes; each is summarized on its own. The fields shown first are note 1's.",
    "zh": "此文件包含 {count} 份病历，已逐份摘要；首先显示的是第 1 份。",
}


@dataclass(frozen=True)
class NoteSpan:
    start: int
    end: int
    title: str  # the header line as written ("" when the note has none)


@dataclass
class _Header:
    start: int  # offset of its first line
    lines: list[str]

    @property
    def title(self) -> str:
        titled = [line for line in self.lines if _is_title(line)]
        return (titled or self.lines)[0].strip()

    @property
    def wording(self) -> str:
        # A running page header differs from page to page only in its page number.
        return " ".join(" ".join(_PAGE_NUMBER.sub(" ", line).split()) for line in self.lines)


def _is_title(line: str) -> bool:
    stripped = line.strip()
    if not stripped or len(stripped) > MAX_TITLE_CHARS:
        return False
    zh_title = _ZH_TITLE.search(stripped)
    if zh_title:
        # `门诊病历`, `XX市人民医院门诊病历`; not `详见门诊病历` inside a sentence.
        before = H.normalize_chinese(stripped[:zh_title.start()])
        return not re.search(r"[，。；]", stripped) and (not before or bool(_INSTITUTION.search(before)))
    title = _EN_TITLE.match(stripped)
    if title is None or stripped.endswith("."):
        return False
    written = title.group("title")
    if not (written.isupper() or written.istitle()):
        return False  # "see the progress note" is a sentence, "Progress Note" a title
    # `HISTORY AND PHYSICAL:` or `OPERATIVE REPORT IN DETAIL:` heads a section; a title is followed by a
    # date, a time or a few words (`PROGRESS NOTE – Cardiology`) at most.
    rest = stripped[title.end():].strip(" -–—|,")
    if _DATE.search(rest):
        return len(rest) <= 40
    return ":" not in rest and "：" not in rest and len(rest.split()) <= 4


def _is_header_line(line: str, banners: set[frozenset[str]]) -> bool:
    if _is_title(line) or (_VISIT_DATE.match(line) and _DATE.search(line)):
        return True
    keys = _banner_keys(line)
    return keys in banners


def _banner_keys(line: str) -> frozenset[str]:
    keys = frozenset(m.group("key").lower() for m in _BANNER_KEY.finditer(line))
    return keys if len(keys) >= 2 else frozenset()


def split_notes(text: str) -> list[NoteSpan]:
    """The notes of a document in order; one NoteSpan covering everything for a one-note document."""
    lines, offset = [], 0
    for line in text.splitlines(keepends=True):
        lines.append((offset, line.rstrip("\r\n")))
        offset += len(line)
    # A banner is a header only when it comes back: once, it is just the top of the note.
    banner_counts: dict[frozenset[str], int] = {}
    for _, line in lines:
        if keys := _banner_keys(line):
            banner_counts[keys] = banner_counts.get(keys, 0) + 1
    banners = {keys for keys, count in banner_counts.items() if count >= 2}

    headers: list[_Header] = []
    labels_after: list[list[str]] = [[]]  # heading labels after each header (index 0: before any header)
    for offset, line in lines:
        if _is_header_line(line, banners):
            if headers and not labels_after[-1] and offset - headers[-1].start < MAX_HEADER_CHARS:
                headers[-1].lines.append(line)  # the next line of the same header block
            else:
                headers.append(_Header(offset, [line]))
                labels_after.append([])
            continue
        match = H.match_line(line)
        if match is not None and match.kind == H.KNOWN:
            labels_after[-1].append(match.heading.label)

    # (start, title, section headings so far, header wording); text before the first header opens note 1.
    notes: list[tuple[int, str, set[str], str]] = [(0, "", set(labels_after[0]), "")]
    for header, labels in zip(headers, labels_after[1:], strict=True):
        start, title, seen, wording = notes[-1]
        if not seen and not title:
            # Nothing but a letterhead before the first header: it opens the first note.
            notes[-1] = (start, header.title, seen | set(labels), header.wording)
            continue
        repeats = bool(seen & set(labels))
        new_wording = header.wording != wording and bool(labels)
        if seen and (repeats or new_wording):
            notes.append((header.start, header.title, set(labels), header.wording))
        else:
            notes[-1] = (start, title, seen | set(labels), wording)
    spans = []
    for i, (start, title, _, _) in enumerate(notes):
        end = notes[i + 1][0] if i + 1 < len(notes) else len(text)
        spans.append(NoteSpan(start, end, title))
    return spans


def _shifted(field: SummaryField, offset: int) -> SummaryField:
    moved = copy.deepcopy(field)
    moved.evidence = [Evidence(e.start + offset, e.end + offset, e.page, list(e.boxes)) for e in field.evidence]
    return moved


def _shift(summary: Summary, offset: int) -> Summary:
    for name, field in summary.fields().items():
        setattr(summary, name, _shifted(field, offset))
    return summary


def summarize_by_note(text: str, notes: list[NoteSpan], summarize_one: Callable[[str], Summary],
                      language: str, *, check_in_document: Callable[[Summary], Summary] | None = None) -> Summary:
    """Summarize each note's text on its own and put the notes together: `Summary.notes` holds every
    note; the top-level fields are the first note's.

    `summarize_one` gets the note's text (its spans are then moved to document offsets);
    `check_in_document` gets each note's summary in document offsets (e.g. the OCR-doubt check)."""
    results: list[NoteSummary] = []
    engine = ""
    for index, note in enumerate(notes):
        part = _shift(summarize_one(text[note.start:note.end]), note.start)
        if check_in_document is not None:
            part = check_in_document(part)
        engine = engine or part.engine
        results.append(NoteSummary(
            index=index, title=note.title, start=note.start, end=note.end,
            chief_complaint=part.chief_complaint, diagnosis=part.diagnosis, plan=part.plan,
            warnings=part.warnings))
    first = results[0]
    message = _MESSAGES["zh" if language.startswith("zh") else "en"].format(count=len(results))
    return Summary(
        chief_complaint=copy.deepcopy(first.chief_complaint), diagnosis=copy.deepcopy(first.diagnosis),
        plan=copy.deepcopy(first.plan), engine=engine, language=language,
        warnings=[SummaryWarning(MULTIPLE_NOTES, message), *copy.deepcopy(first.warnings)], notes=results)
