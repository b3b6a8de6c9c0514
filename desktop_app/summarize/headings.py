"""Section headings of clinical notes, Chinese and English, and how to recognise them in OCR text.

Each heading has a role: one of the three summary fields, the combined assessment-and-plan, or
`other` (a heading we do not extract but that ends the section before it). A higher `rank` wins
when a note has several headings for one role (a discharge diagnosis beats an admitting one).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz, process

CHIEF_COMPLAINT = "chief_complaint"
DIAGNOSIS = "diagnosis"
PLAN = "plan"
ASSESSMENT_PLAN = "assessment_plan"
OTHER = "other"


@dataclass(frozen=True)
class Heading:
    label: str
    role: str
    rank: int = 1


def _entries(role: str, rank: int, labels: str) -> list[Heading]:
    return [Heading(label.strip(), role, rank) for label in labels.split("|") if label.strip()]


ENGLISH: list[Heading] = [
    *_entries(CHIEF_COMPLAINT, 2, "CHIEF COMPLAINT|CHIEF COMPLAINTS|PRESENTING COMPLAINT|CC"),
    *_entries(CHIEF_COMPLAINT, 1, "REASON FOR VISIT|REASON FOR CONSULTATION|REASON FOR CONSULT|"
                                  "REASON FOR REFERRAL|REASON FOR EVALUATION|REASON FOR ADMISSION"),
    *_entries(DIAGNOSIS, 3, "DISCHARGE DIAGNOSIS|DISCHARGE DIAGNOSES|FINAL DIAGNOSIS|FINAL DIAGNOSES|"
                            "POSTOPERATIVE DIAGNOSIS|POSTOPERATIVE DIAGNOSES|PRINCIPAL DIAGNOSIS"),
    *_entries(DIAGNOSIS, 2, "ASSESSMENT|IMPRESSION|IMPRESSIONS|DIAGNOSIS|DIAGNOSES|CLINICAL IMPRESSION|"
                            "DIAGNOSTIC IMPRESSION|WORKING DIAGNOSIS"),
    *_entries(DIAGNOSIS, 1, "PREOPERATIVE DIAGNOSIS|PREOPERATIVE DIAGNOSES|ADMITTING DIAGNOSIS|"
                            "ADMISSION DIAGNOSIS|ADMITTING DIAGNOSES|PROVISIONAL DIAGNOSIS"),
    *_entries(PLAN, 2, "PLAN|TREATMENT PLAN|PLAN OF CARE|RECOMMENDATIONS|RECOMMENDATION|THERAPEUTIC PLAN"),
    *_entries(PLAN, 1, "DISCHARGE INSTRUCTIONS|DISCHARGE PLAN|DISPOSITION"),
    *_entries(ASSESSMENT_PLAN, 2, "ASSESSMENT AND PLAN|ASSESSMENT & PLAN|ASSESSMENT/PLAN|IMPRESSION AND PLAN|"
                                  "IMPRESSION/PLAN|IMPRESSION & PLAN|A/P|A&P"),
    *_entries(OTHER, 1, "HISTORY OF PRESENT ILLNESS|HPI|HISTORY|PAST MEDICAL HISTORY|PAST SURGICAL HISTORY|"
                        "FAMILY HISTORY|SOCIAL HISTORY|MEDICATIONS|CURRENT MEDICATIONS|ALLERGIES|"
                        "REVIEW OF SYSTEMS|PHYSICAL EXAMINATION|PHYSICAL EXAM|EXAMINATION|VITAL SIGNS|"
                        "VITALS|LABORATORY DATA|LABORATORY|LABS|RESULTS|IMAGING|FINDINGS|PROCEDURE|"
                        "PROCEDURES|PROCEDURE PERFORMED|OPERATION|ANESTHESIA|INDICATIONS|"
                        "INDICATIONS FOR PROCEDURE|HOSPITAL COURSE|SUBJECTIVE|OBJECTIVE|"
                        "PATIENT EDUCATION|INSTRUCTIONS|FOLLOW UP|FOLLOW-UP|DIFFERENTIAL DIAGNOSIS|"
                        "PAST HISTORY|MEDICAL HISTORY|SURGICAL HISTORY|RESULTS REVIEWED|"
                        "DESCRIPTION OF PROCEDURE|COMPLICATIONS|ESTIMATED BLOOD LOSS|HISTORY OF PRESENT"),
]

CHINESE: list[Heading] = [
    *_entries(CHIEF_COMPLAINT, 2, "主诉"),
    *_entries(DIAGNOSIS, 3, "出院诊断|最后诊断|确定诊断|修正诊断|术后诊断|最终诊断"),
    *_entries(DIAGNOSIS, 2, "诊断|临床诊断|门诊诊断|诊断结果|西医诊断|中医诊断"),
    *_entries(DIAGNOSIS, 1, "初步诊断|入院诊断|术前诊断|印象"),
    *_entries(PLAN, 2, "处理意见|诊疗计划|治疗方案|治疗计划|处理|处置|诊疗意见|治疗意见|医嘱|出院医嘱"),
    *_entries(PLAN, 1, "建议|治疗"),
    *_entries(OTHER, 1, "现病史|既往史|个人史|婚育史|月经史|家族史|过敏史|体格检查|查体|专科检查|辅助检查|"
                        "实验室检查|影像学检查|病史摘要|病历摘要|诊疗经过|入院情况|出院情况|住院经过|"
                        "鉴别诊断|诊断依据|一般情况|病例特点|病史|检查|检验结果|检查结果"),
]

_EN_BY_KEY = {h.label: h for h in ENGLISH}
_ZH_BY_KEY = {h.label: h for h in CHINESE}

# Numbering in front of a heading: (2) （二） 2. 2、 II. - • #
_NUMBERING = re.compile(
    r"^\s*(?:[（(]\s*[0-9一二三四五六七八九十]{1,3}\s*[)）]|[0-9一二三四五六七八九十]{1,3}\s*[.、．)）]"
    r"|[IVX]{1,4}\.|[-•*#]+)\s*"
)
_COLON = re.compile(r"[:：]")
_LOOSE_COLON = re.compile(r"[:：;；]")  # OCR reads a colon as a semicolon now and then
_EN_CLEAN = re.compile(r"[^A-Z&/ ]+")
MAX_EN_HEADING = 48  # characters before the colon
MAX_ZH_HEADING = 10
MAX_GENERIC_WORDS = 8  # "CHEST PAIN / UNSPECIFIED ANGINA PECTORIS HISTORY:" is a heading too


@dataclass(frozen=True)
class HeadingMatch:
    heading: Heading
    start: int  # offsets within the line
    end: int  # end of the heading, including its colon
    content_start: int  # where the text on the same line starts


def _is_cjk(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F") and ch.isalpha()


def normalize_english(candidate: str) -> str:
    upper = candidate.upper().replace("0", "O").replace("1", "I").replace("|", "I")
    return " ".join(_EN_CLEAN.sub(" ", upper).split())


def normalize_chinese(candidate: str) -> str:
    return "".join(ch for ch in candidate if _is_cjk(ch))


def _min_score(length: int) -> float:
    # Short headings must match exactly: one wrong letter of PLAN could be PAIN.
    if length <= 5:
        return 100.0
    if length <= 10:
        return 86.0
    return 84.0


def _min_score_zh(length: int) -> float:
    return 100.0 if length <= 2 else 74.0


def match_english(candidate: str) -> Heading | None:
    key = normalize_english(candidate)
    if not key or len(key) > MAX_EN_HEADING:
        return None
    if key in _EN_BY_KEY:
        return _EN_BY_KEY[key]
    best = process.extractOne(key, _EN_BY_KEY.keys(), scorer=fuzz.ratio)
    if best and best[1] >= _min_score(len(best[0])) and _min_score(len(key)) <= best[1]:
        return _EN_BY_KEY[best[0]]
    return None


def match_chinese(candidate: str) -> Heading | None:
    key = normalize_chinese(candidate)
    if not key or len(key) > MAX_ZH_HEADING:
        return None
    if key in _ZH_BY_KEY:
        return _ZH_BY_KEY[key]
    best = process.extractOne(key, _ZH_BY_KEY.keys(), scorer=fuzz.ratio)
    if best and best[1] >= _min_score_zh(len(best[0])) and len(key) == len(best[0]):
        return _ZH_BY_KEY[best[0]]
    return None


def _match(candidate: str) -> Heading | None:
    if any(_is_cjk(ch) for ch in candidate):
        return match_chinese(candidate)
    heading = match_english(candidate)
    if heading is None and "/" in candidate:
        # "REASON FOR ADMISSION/CHIEF COMPLAINT": the best-ranked part that is a heading.
        parts = [match_english(part) for part in candidate.split("/")]
        found = [h for h in parts if h is not None and h.role != OTHER]
        heading = max(found, key=lambda h: h.rank) if found else None
    return heading


def _generic_heading(candidate: str) -> bool:
    """An unknown heading that still ends the section before it: `DOPPLER:` or `（3）体格检查`."""
    stripped = candidate.strip()
    if any(_is_cjk(ch) for ch in stripped):
        return 0 < len(normalize_chinese(stripped)) <= 8
    words = [word for word in stripped.split() if any(ch.isalpha() for ch in word)]
    letters = [ch for ch in stripped if ch.isalpha()]
    return 0 < len(words) <= MAX_GENERIC_WORDS and len(letters) >= 3 and all(ch.isupper() for ch in letters)


def match_line(line: str) -> HeadingMatch | None:
    """Does this line start with a section heading? Inline (`Plan: ...`) or on its own line."""
    numbering = _NUMBERING.match(line)
    numbered = bool(numbering and numbering.group().strip())
    offset = numbering.end() if numbering else 0
    body = line[offset:]
    stripped = body.rstrip()
    if not stripped.strip():
        return None
    lead = len(body) - len(body.lstrip())
    body_start = offset + lead

    colon = _LOOSE_COLON.search(body)
    if colon and colon.start() <= MAX_EN_HEADING:
        candidate = body[: colon.start()]
        heading = _match(candidate)
        strict_colon = _COLON.match(body, colon.start()) is not None
        if heading is None and strict_colon and _generic_heading(candidate) and _heading_like(candidate, numbered):
            heading = Heading(candidate.strip(), OTHER, 0)
        if heading is not None:
            content = offset + colon.end()
            content += len(line[content:]) - len(line[content:].lstrip())
            return HeadingMatch(heading, body_start, offset + colon.end(), content)

    # A heading alone on its line: "CHIEF COMPLAINT", "Assessment", "（3）体格检查". A line ending
    # in a full stop is a sentence ("Follow-up." under CHIEF COMPLAINT), not a heading.
    words = stripped.split()
    is_zh = any(_is_cjk(ch) for ch in stripped)
    sentence = stripped.endswith((".", "。"))
    if not sentence and ((is_zh and len(normalize_chinese(stripped)) <= MAX_ZH_HEADING)
                         or (not is_zh and len(words) <= 6)):
        heading = _match(stripped)
        # Unknown own-line headings count only as numbered Chinese ones: `2. GERD.` is a list item.
        if heading is None and numbered and is_zh and _generic_heading(stripped):
            heading = Heading(stripped.strip(), OTHER, 0)
        if heading is not None:
            return HeadingMatch(heading, body_start, len(line.rstrip()), len(line.rstrip()))

    # Chinese heading followed by a space and its text: "主诉 右下腹痛3小时".
    if is_zh:
        parts = stripped.split(maxsplit=1)
        if len(parts) == 2:
            heading = match_chinese(parts[0])
            if heading is not None:
                head_end = body_start + len(parts[0])
                content = line.index(parts[1], head_end)
                return HeadingMatch(heading, body_start, head_end, content)
    return None


def _heading_like(candidate: str, numbered: bool) -> bool:
    """Generic Chinese `xx：` lines are key-value pairs (体温：37℃) unless numbered."""
    if any(_is_cjk(ch) for ch in candidate):
        return numbered
    return True
