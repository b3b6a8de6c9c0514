"""Section headings of clinical notes, Chinese and English, and how to recognise them in OCR text.

Each heading has a role: one of the three summary fields, the combined assessment-and-plan,
follow-up (added to the plan), or `other` (a heading we do not extract but that ends the section
before it). A higher `rank` wins when a note has several headings for one role (a discharge
diagnosis beats an admitting one).
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
FOLLOW_UP = "follow_up"  # instructions and follow-up: added to the plan, after it
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
                                  "REASON FOR REFERRAL|REASON FOR EVALUATION|REASON FOR ADMISSION|"
                                  "REFERRAL REASON|PRESENTING PROBLEM"),
    *_entries(DIAGNOSIS, 3, "DISCHARGE DIAGNOSIS|DISCHARGE DIAGNOSES|FINAL DIAGNOSIS|FINAL DIAGNOSES|"
                            "POSTOPERATIVE DIAGNOSIS|POSTOPERATIVE DIAGNOSES|PRINCIPAL DIAGNOSIS|"
                            "PRINCIPAL DIAGNOSES|DIAGNOSES AT DISCHARGE|DIAGNOSIS AT DISCHARGE"),
    *_entries(DIAGNOSIS, 2, "ASSESSMENT|IMPRESSION|IMPRESSIONS|DIAGNOSIS|DIAGNOSES|CLINICAL IMPRESSION|"
                            "DIAGNOSTIC IMPRESSION|WORKING DIAGNOSIS"),
    *_entries(DIAGNOSIS, 1, "PREOPERATIVE DIAGNOSIS|PREOPERATIVE DIAGNOSES|ADMITTING DIAGNOSIS|"
                            "ADMISSION DIAGNOSIS|ADMITTING DIAGNOSES|PROVISIONAL DIAGNOSIS"),
    *_entries(PLAN, 2, "PLAN|TREATMENT PLAN|PLAN OF CARE|RECOMMENDATIONS|RECOMMENDATION|THERAPEUTIC PLAN"),
    # A discharge summary's plan is what happens after discharge: its medications and instructions.
    *_entries(PLAN, 1, "DISCHARGE INSTRUCTIONS|DISCHARGE PLAN|DISPOSITION|DISCHARGE MEDICATIONS|"
                       "DISCHARGE MEDICATION|MEDICATIONS ON DISCHARGE|DISCHARGE MEDS|FOLLOW-UP INSTRUCTIONS|"
                       "FOLLOW UP INSTRUCTIONS|DISCHARGE FOLLOW-UP|DISCHARGE FOLLOW UP"),
    # Only when nothing above is there: what was done in hospital is the nearest thing to a plan.
    *_entries(PLAN, 0, "HOSPITAL COURSE|COURSE IN HOSPITAL|BRIEF HOSPITAL COURSE"),
    *_entries(ASSESSMENT_PLAN, 2, "ASSESSMENT AND PLAN|ASSESSMENT & PLAN|ASSESSMENT/PLAN|IMPRESSION AND PLAN|"
                                  "IMPRESSION/PLAN|IMPRESSION & PLAN|A/P|A&P"),
    *_entries(FOLLOW_UP, 1, "INSTRUCTIONS|PATIENT INSTRUCTIONS|FOLLOW UP|FOLLOW-UP|FOLLOWUP|RETURN PRECAUTIONS"),
    # A letter's closing and a signature end the section before them: the plan stops at "Yours sincerely,".
    *_entries(OTHER, 0, "YOURS SINCERELY|SINCERELY|YOURS FAITHFULLY|KIND REGARDS|BEST REGARDS|WITH BEST REGARDS|"
                        "ELECTRONICALLY SIGNED BY|SIGNED BY|DICTATED BY|SIGNATURE|PHYSICIAN SIGNATURE"),
    *_entries(OTHER, 1, "HISTORY OF PRESENT ILLNESS|HPI|HISTORY|PAST MEDICAL HISTORY|PAST SURGICAL HISTORY|"
                        "FAMILY HISTORY|SOCIAL HISTORY|MEDICATIONS|CURRENT MEDICATIONS|ALLERGIES|"
                        "REVIEW OF SYSTEMS|PHYSICAL EXAMINATION|PHYSICAL EXAM|EXAMINATION|VITAL SIGNS|"
                        "VITALS|LABORATORY DATA|LABORATORY|LABS|RESULTS|IMAGING|FINDINGS|PROCEDURE|"
                        "PROCEDURES|PROCEDURE PERFORMED|OPERATION|ANESTHESIA|INDICATIONS|"
                        "INDICATIONS FOR PROCEDURE|SUBJECTIVE|OBJECTIVE|"
                        "PATIENT EDUCATION|DIFFERENTIAL DIAGNOSIS|"
                        "PAST HISTORY|MEDICAL HISTORY|SURGICAL HISTORY|RESULTS REVIEWED|"
                        "DESCRIPTION OF PROCEDURE|COMPLICATIONS|ESTIMATED BLOOD LOSS|HISTORY OF PRESENT"),
]

CHINESE: list[Heading] = [
    *_entries(CHIEF_COMPLAINT, 2, "主诉"),
    *_entries(CHIEF_COMPLAINT, 1, "转诊原因|转诊目的|就诊原因|入院原因"),
    *_entries(DIAGNOSIS, 3, "出院诊断|最后诊断|确定诊断|修正诊断|术后诊断|最终诊断"),
    *_entries(DIAGNOSIS, 2, "诊断|临床诊断|门诊诊断|诊断结果|西医诊断|中医诊断"),
    *_entries(DIAGNOSIS, 1, "初步诊断|入院诊断|术前诊断|印象"),
    *_entries(PLAN, 2, "处理意见|诊疗计划|治疗方案|治疗计划|处理|处置|诊疗意见|治疗意见|医嘱|出院医嘱|出院带药"),
    *_entries(PLAN, 1, "建议|治疗"),
    *_entries(PLAN, 0, "诊疗经过|住院经过|治疗经过"),
    *_entries(FOLLOW_UP, 1, "随访|复诊|注意事项"),
    *_entries(OTHER, 0, "此致|此致敬礼|医师签名|医生签名|签名|主治医师|经治医师"),
    *_entries(OTHER, 1, "现病史|既往史|个人史|婚育史|月经史|家族史|过敏史|体格检查|查体|专科检查|辅助检查|"
                        "实验室检查|影像学检查|病史摘要|病历摘要|入院情况|出院情况|入院时情况|出院时情况|"
                        "专科情况|"
                        "鉴别诊断|诊断依据|一般情况|病例特点|病史|检查|检验结果|检查结果"),
]

_EN_BY_KEY = {h.label: h for h in ENGLISH}
_ZH_BY_KEY = {h.label: h for h in CHINESE}

# Numbering in front of a heading: (2) （二） 2. 2、 II. - • #
_NUMBERING = re.compile(
    r"^\s*(?:[（(]\s*(?P<paren>[0-9一二三四五六七八九十]{1,3})\s*[)）]|(?P<dot>[0-9]{1,3})\s*[.、．)）]"
    r"|(?P<cjk>[一二三四五六七八九十]{1,3})\s*[.、．)）]|(?P<roman>[IVX]{1,4})\.|[-•*#]+)\s*"
)
_CJK_DIGITS = {ch: i for i, ch in enumerate("一二三四五六七八九十", start=1)}
_COLON = re.compile(r"[:：]")
_LOOSE_COLON = re.compile(r"[:：;；]")  # OCR reads a colon as a semicolon now and then
_EN_CLEAN = re.compile(r"[^A-Z&/ ]+")
_ZH_JOINERS = re.compile(r"[、及和与/／]")  # 既往史、个人史及家族史: one heading naming several
_SENTENCE_MARKS = re.compile(r"[，。；,;!?！？]|\.\s|\.$")
_SOAP = re.compile(r"^\s*(?P<letter>[SOAP])\s*[:：]")
MAX_EN_HEADING = 48  # characters before the colon
MAX_ZH_HEADING = 10
MAX_ZH_COMPOUND = 16
MAX_GENERIC_WORDS = 8  # "CHEST PAIN / UNSPECIFIED ANGINA PECTORIS HISTORY:" is a heading too
MAX_TITLE_WORDS = 6  # "Social history:" / "3. Physical findings" — a label, not a sentence

# How sure a match is that it heads a section (the sectionizer decides the doubtful ones per document):
KNOWN = "known"  # a heading of the tables above
GENERIC = "generic"  # an unknown heading with a heading's form: `DOPPLER:`, `Social history:`, `专科情况：`
NUMBERED = "numbered"  # an unknown numbered short phrase: a heading only if it continues the document's numbering
SOAP = "soap"  # `A:` / `P:` — a heading only when the note has several SOAP letters


@dataclass(frozen=True)
class HeadingMatch:
    heading: Heading
    start: int  # offsets within the line
    end: int  # end of the heading, including its colon
    content_start: int  # where the text on the same line starts
    kind: str = KNOWN
    numbering: str = ""  # "paren" | "dot" | "cjk" | "roman" | "" (none or a bullet)
    number: int | None = None


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


def _match_chinese_key(key: str) -> Heading | None:
    if not key or len(key) > MAX_ZH_HEADING:
        return None
    if key in _ZH_BY_KEY:
        return _ZH_BY_KEY[key]
    best = process.extractOne(key, _ZH_BY_KEY.keys(), scorer=fuzz.ratio)
    if best and best[1] >= _min_score_zh(len(best[0])) and len(key) == len(best[0]):
        return _ZH_BY_KEY[best[0]]
    return None


def match_chinese(candidate: str) -> Heading | None:
    heading = _match_chinese_key(normalize_chinese(candidate))
    if heading is not None or len(normalize_chinese(candidate)) > MAX_ZH_COMPOUND:
        return heading
    # "既往史、个人史及家族史", "初步诊断及诊断依据": every part a heading → one heading for the line,
    # with the role of its best-ranked target part (else `other`).
    parts = [normalize_chinese(part) for part in _ZH_JOINERS.split(candidate)]
    parts = [part for part in parts if part]
    if len(parts) < 2:
        return None
    found = [_match_chinese_key(part) for part in parts]
    if any(h is None for h in found):
        return None
    targets = [h for h in found if h is not None and h.role != OTHER]
    if {h.role for h in targets} >= {DIAGNOSIS, PLAN}:
        return Heading(candidate.strip(), ASSESSMENT_PLAN, 2)  # 诊断及处理: one section for both fields
    if targets:
        return max(targets, key=lambda h: h.rank)
    return Heading(candidate.strip(), OTHER, 0)


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


def _upper_heading(candidate: str) -> bool:
    """`DOPPLER`, `VITALS REVIEWED`, `CHEST PAIN / UNSPECIFIED ANGINA PECTORIS HISTORY`."""
    stripped = candidate.strip()
    words = [word for word in stripped.split() if any(ch.isalpha() for ch in word)]
    letters = [ch for ch in stripped if ch.isalpha()]
    return (0 < len(words) <= MAX_GENERIC_WORDS and len(letters) >= 3 and all(ch.isupper() for ch in letters)
            and not any(ch.isdigit() for ch in stripped))


def label_like(candidate: str) -> bool:
    """`Social history`, `Discharge condition` — a short label: capitalised, no digits, no sentence marks."""
    stripped = candidate.strip()
    if any(_is_cjk(ch) for ch in stripped):
        return 0 < len(normalize_chinese(stripped)) <= MAX_ZH_HEADING and not re.search(r"[0-9，。；,;]", stripped)
    words = stripped.split()
    return (0 < len(words) <= MAX_TITLE_WORDS and stripped[:1].isupper() and not any(ch.isdigit() for ch in stripped)
            and not _SENTENCE_MARKS.search(stripped) and sum(ch.isalpha() for ch in stripped) >= 3)


def numbering_of(line: str) -> tuple[str, int | None, int]:
    """The numbering in front of a line: (style, number, end offset); ("", None, end) for a bullet or none."""
    match = _NUMBERING.match(line)
    if match is None or not match.group().strip():
        return "", None, 0
    for style in ("paren", "dot", "cjk", "roman"):
        value = match.group(style)
        if value:
            return style, _number(value), match.end()
    return "", None, match.end()


def _number(value: str) -> int | None:
    if value.isdigit():
        return int(value)
    if all(ch in "IVX" for ch in value):
        return {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10}.get(value)
    if value in _CJK_DIGITS:
        return _CJK_DIGITS[value]
    if value.startswith("十") and value[1:] in _CJK_DIGITS:
        return 10 + _CJK_DIGITS[value[1:]]
    return None


def match_line(line: str) -> HeadingMatch | None:
    """Does this line start with a heading? Inline (`Plan: ...`) or on its own line.

    Known headings come back with kind KNOWN; unknown lines shaped like a heading with GENERIC; unknown
    numbered short phrases (`（5）专科情况`, `3. Doppler studies`, but also `1. Hypertension` in a problem
    list) with NUMBERED and SOAP letters with SOAP: the sectionizer decides those per document.
    """
    style, number, offset = numbering_of(line)
    numbered = bool(style) or (offset > 0 and "#" in line[:offset])
    body = line[offset:]
    stripped = body.rstrip()
    if not stripped.strip():
        return None
    lead = len(body) - len(body.lstrip())
    body_start = offset + lead

    def found(heading: Heading, end: int, content: int, kind: str = KNOWN) -> HeadingMatch:
        return HeadingMatch(heading, body_start, end, content, kind, style, number)

    soap = _SOAP.match(line)
    if soap and not numbered:
        letter = soap.group("letter")
        role = {"A": DIAGNOSIS, "P": PLAN}.get(letter, OTHER)
        content = soap.end() + len(line[soap.end():]) - len(line[soap.end():].lstrip())
        return HeadingMatch(Heading(letter, role, 2), soap.start("letter"), soap.end(), content, SOAP)

    colon = _LOOSE_COLON.search(body)
    if colon and colon.start() <= MAX_EN_HEADING:
        candidate = body[: colon.start()]
        heading = _match(candidate)
        content = offset + colon.end()
        content += len(line[content:]) - len(line[content:].lstrip())
        own_line = not line[content:].strip()
        strict_colon = _COLON.match(body, colon.start()) is not None
        if heading is not None:
            return found(heading, offset + colon.end(), content)
        if strict_colon and candidate.strip():
            unknown = Heading(candidate.strip(), OTHER, 0)
            is_zh = any(_is_cjk(ch) for ch in candidate)
            if numbered and style and label_like(candidate):
                return found(unknown, offset + colon.end(), content, NUMBERED)
            # English upper-case labels with text after them (`DOPPLER: normal`); any short label alone
            # on its line (`Social history:`, `专科情况：`). `Blood pressure: 120/80`, `体温：37℃` are values.
            if not numbered and ((not is_zh and _upper_heading(candidate)) or (own_line and label_like(candidate))):
                return found(unknown, offset + colon.end(), content, GENERIC)

    # A heading alone on its line: "CHIEF COMPLAINT", "Assessment", "（3）体格检查". A line ending
    # in a full stop is a sentence ("Follow-up." under CHIEF COMPLAINT), not a heading.
    words = stripped.split()
    is_zh = any(_is_cjk(ch) for ch in stripped)
    sentence = stripped.endswith((".", "。"))
    end = len(line.rstrip())
    if not sentence and ((is_zh and len(normalize_chinese(stripped)) <= MAX_ZH_COMPOUND)
                         or (not is_zh and len(words) <= 6)):
        heading = _match(stripped)
        if heading is not None:
            return found(heading, end, end)
        unknown = Heading(stripped.strip(), OTHER, 0)
        if numbered and style and label_like(stripped):
            return found(unknown, end, end, NUMBERED)
        # Upper-case lines alone: `DOPPLER STUDIES`. One short word (`COPD`) is more often a problem name.
        if not numbered and not is_zh and _upper_heading(stripped) and (len(words) > 1 or len(stripped) > 5):
            return found(unknown, end, end, GENERIC)

    # Chinese heading followed by a space and its text: "主诉 右下腹痛3小时".
    if is_zh:
        parts = stripped.split(maxsplit=1)
        if len(parts) == 2:
            heading = match_chinese(parts[0])
            if heading is not None:
                head_end = body_start + len(parts[0])
                content = line.index(parts[1], head_end)
                return found(heading, head_end, content)
    return None
