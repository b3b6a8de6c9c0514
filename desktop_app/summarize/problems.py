"""Problem-oriented assessments: the problems an assessment-and-plan names, and each problem's plan lines.

Shapes covered (each seen in real notes, none tied to one record):
- a problem line followed by detail lines: `Hypertension.` / `• Medical Reasoning: …` / `• Medical Treatment: …`
  (after OCR the bullet may be gone: a `Label: text` line counts as a detail line too);
- numbered or `#` items: `1. Hypertension`, `2. Diabetes: continue metformin`, `3.  Anemia.  CBC will be
  rechecked.`, `# Asthma`;
- a short label alone on its line, `Hypertension:`, followed by its text;
- the Chinese numbered diagnosis list `诊断：1.高血压 2.糖尿病` (see `list_items`).

Only the problem's name goes to the diagnosis; a numbered line that is an order (`1. Start metformin 500 mg`)
or a sentence about the patient (`2. She will call …`) names no problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

Span = tuple[int, int]

_NUMBER = re.compile(r"^\s*(?:\d{1,2}\s*[.)、．]|[（(]\d{1,2}[)）]|#+)\s*(?=\S)")
_BULLET = re.compile(r"^\s*[-–•*·●▪◦]\s*")
_DETAIL_LABEL = re.compile(r"^\s*[-–•*·●▪◦]?\s*[A-Z][A-Za-z /&-]{1,40}:\s*\S")  # `• Medical Reasoning: …`
# A numbered line that is an order or a sentence about the patient, not a problem's name.
_PLAN_STEP = re.compile(
    r"(?:I|I'm|We|We'll|He|She|They|His|Her|The patient|Patient|Pt|Plan|Plans|Recommend|Recommended|Continue|"
    r"Start|Started|Stop|Hold|Increase|Decrease|Discontinue|Follow|Follow-up|Return|Call|Check|Recheck|Obtain|"
    r"Order|Schedule|Refer|Referral|Will|Would|Have|Has|Is|Was|Given|Give|Take|Avoid|Consider|Discussed|"
    r"Advised|Counseled|Encouraged|See|Repeat|Monitor|Get|Send|Use|Apply|Please|If|To|No|Not)\b",
    re.I)
_CLAUSE = re.compile(r",\s*(?=(?:I|we|he|she|they|the patient|will|which|this|that)\b)", re.I)
# `2.2型糖尿病` is item 2; `2.5 mg` is a number.
_ZH_ITEM = re.compile(r"(?:(?<=^)|(?<=[\s；;，,。]))(?:\d{1,2}\s*[.、．)）]|[（(]\d{1,2}[)）])\s*"
                      r"(?=[^\d\s]|\d{1,3}[^\d.．,\s])")
# A full stop with more after it; OCR often drops the space: `Constipation.He is …`.
_SENTENCE_END = re.compile(r"\.(?:\s+(?=\S)|(?=[A-Z][a-z]))")
MAX_NAME_WORDS = 10
MAX_LEAD_WORDS = 8  # `3.  Anemia.  CBC will be rechecked.`: the first sentence names the problem
MAX_LABEL_WORDS = 6


@dataclass(frozen=True)
class Problem:
    name: Span | None  # the problem's name, a span of the document text; None for an item naming none
    block: Span  # its name line and the lines under it, up to the next problem

    @property
    def has_details(self) -> bool:
        """Lines beyond the name: `Hypertension` alone is a diagnosis list, not a plan."""
        return self.name is None or self.block[1] - self.name[1] > 2


def _lines(text: str, start: int, end: int) -> list[tuple[int, str]]:
    """Non-empty lines of text[start:end] with their absolute offsets."""
    out, offset = [], start
    for line in text[start:end].splitlines(keepends=True):
        stripped = line.rstrip("\r\n")
        if stripped.strip():
            out.append((offset, stripped))
        offset += len(line)
    return out


def _words(text: str) -> int:
    return len(text.split())


def _is_name(text: str) -> bool:
    stripped = text.strip()
    return (bool(stripped) and _words(stripped) <= MAX_NAME_WORDS and not _PLAN_STEP.match(stripped)
            and not stripped[0].islower() and sum(ch.isalpha() for ch in stripped) >= 2)


def _numbered_name(line: str, item_start: int) -> Span | None:
    """The name inside a numbered item, as a span of the line: the label before a colon, else its first
    sentence when short, else the part of that sentence before a comma (`Fever of unknown origin, probably
    viral …`)."""
    item = line[item_start:].rstrip()
    colon = min((i for i in (item.find(":"), item.find("：")) if i >= 0), default=-1)
    if 0 < colon and _words(item[:colon]) <= MAX_LABEL_WORDS and _is_name(item[:colon]):
        return item_start, item_start + colon
    sentence = _SENTENCE_END.search(item)
    lead = item[:sentence.start() + 1] if sentence else item
    if _words(lead) <= (MAX_LEAD_WORDS if sentence else MAX_NAME_WORDS) and _is_name(lead):
        if not _CLAUSE.search(lead):
            return item_start, item_start + len(lead)
    comma = _CLAUSE.search(lead) or re.search(r",", lead)
    if comma and _words(lead[:comma.start()]) <= MAX_LABEL_WORDS and _is_name(lead[:comma.start()]):
        return item_start, item_start + comma.start()
    return None


def _ends_sentence(line: str) -> bool:
    return line.rstrip().endswith((".", ":", "!", "?", "。", ")"))


def find_problems(text: str, start: int, end: int) -> list[Problem]:
    """Problems of the assessment-and-plan text[start:end], in order; [] when it is one undivided text.

    In a numbered list every item is a block of the plan, but only items that name a problem give a name.
    """
    lines = _lines(text, start, end)
    items: list[tuple[int, Span | None]] = []  # (line start, name)
    for offset, line in lines:
        number = _NUMBER.match(line)
        if number:
            name = _numbered_name(line, number.end())
            items.append((offset, (offset + name[0], offset + name[1]) if name else None))
    if not any(name for _, name in items):
        items = [(text.rfind("\n", start, name[0]) + 1 or start, name) for name in _unnumbered_names(lines)]
    problems = []
    for i, (line_start, name) in enumerate(items):
        block_end = items[i + 1][0] if i + 1 < len(items) else end
        problems.append(Problem(name, (max(line_start, start), block_end)))
    return problems if any(p.name for p in problems) else []


def _unnumbered_names(lines: list[tuple[int, str]]) -> list[Span]:
    names = []
    for i, (offset, line) in enumerate(lines):
        if _BULLET.match(line) or i + 1 >= len(lines):
            continue
        stripped = line.strip()
        lead = len(line) - len(line.lstrip())
        after_sentence = i == 0 or _ends_sentence(lines[i - 1][1])
        following = lines[i + 1][1]
        detail_follows = bool(_BULLET.match(following) or _DETAIL_LABEL.match(following))
        if ":" in stripped[:-1]:
            continue  # `Label: text` is a detail line, not a problem
        label_alone = stripped.endswith(":") and _words(stripped) <= MAX_LABEL_WORDS
        bare_title = (not _ends_sentence(stripped) and _words(stripped) <= MAX_LABEL_WORDS
                      and following.strip()[:1].isupper() and _words(following) > _words(stripped))
        # A short line after an unfinished one is usually the end of a wrapped sentence; with bullets under
        # it, it names a problem all the same (the case summary above it may lack its full stop).
        if (detail_follows or (after_sentence and (label_alone or bare_title))) and _is_name(stripped.rstrip(":")):
            length = len(stripped.rstrip(":")) if label_alone else len(stripped)
            names.append((offset + lead, offset + lead + length))
    return names


def list_items(text: str, start: int, end: int) -> list[Span]:
    """The items of a numbered list (`1.高血压 2.糖尿病`, on one line or several), when there are at least two;
    each item runs to the next number. [] for text that is not such a list."""
    body = text[start:end]
    numbers = list(_ZH_ITEM.finditer(body))
    if len(numbers) < 2 or body[:numbers[0].start()].strip():
        return []
    items = []
    for i, number in enumerate(numbers):
        item_end = numbers[i + 1].start() if i + 1 < len(numbers) else len(body)
        piece = body[number.start():item_end].rstrip(" \t\r\n；;，,")
        if piece.strip():
            items.append((start + number.start(), start + number.start() + len(piece)))
    return items
