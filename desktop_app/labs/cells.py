"""What one lab-report cell says: a result value, a printed flag, a reference range.

Restate, never interpret: a flag is only ever the one printed on the page, and "outside the printed
range" is computed from the printed range and the printed value alone. Nothing is corrected: a value
that is not a clean number (an OCR confusion such as "8oo" or "5,9") is kept as read and marked
doubtful, never turned into a number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Flags as laboratories print them. Arrows and H/L say the side; "*", "A", 阳性 only say "abnormal".
HIGH_FLAGS = {"H", "HH", "HI", "HIGH", "↑", "↑↑", "偏高", "高"}
LOW_FLAGS = {"L", "LL", "LO", "LOW", "↓", "↓↓", "偏低", "低"}
OTHER_FLAGS = {"*", "**", "A", "ABN", "ABNORMAL", "阳性", "异常", "!", "C", "CRIT", "CRITICAL"}
ALL_FLAGS = HIGH_FLAGS | LOW_FLAGS | OTHER_FLAGS

QUALITATIVE = re.compile(
    r"^(negative|positive|neg|pos|trace|normal|non[- ]?reactive|reactive|detected|not detected|"
    r"阴性|阳性|弱阳性|微量|正常|未检出|检出|[-+]{1,4}|[1-4]\+|\+/-|±)"
    r"(\s*\(?[-+±]{1,4}\)?)?$", re.IGNORECASE)
NUMBER = r"[-+]?\d+(?:\.\d+)?"
CLEAN_NUMBER = re.compile(rf"^[<>≤≥]?\s*{NUMBER}$")
# A number with a printed flag stuck to it, e.g. "5.9 H", "5.9↑", "↑5.9", "5.9*".
# The flag part also takes any other short mark: OCR reads a printed ↓ as "←" or "√" now and then, and
# such a mark is kept (as read, doubtful) rather than the row being lost.
VALUE_WITH_FLAG = re.compile(
    rf"^(?P<pre>[^\w\s.<>≤≥+-])?\s*(?P<value>[<>≤≥]?\s*{NUMBER})\s*(?P<flag>[HL]{{1,2}}|[^\w\s.]{{1,2}})?$")
DASHES = "-–—~～"
RANGE_BETWEEN = re.compile(rf"^(?P<low>{NUMBER})\s*[{DASHES}]\s*(?P<high>{NUMBER})$")
RANGE_BOUND = re.compile(rf"^(?P<op><=|>=|[<>≤≥])\s*(?P<bound>{NUMBER})$")
# Characters OCR swaps for digits: seen inside something that should be a number, they make it doubtful.
DIGIT_LOOKALIKES = re.compile(r"[oOlIiSsBZzg|,]")


@dataclass(frozen=True)
class ParsedValue:
    value: str  # as printed, whitespace collapsed
    number: float | None  # None for qualitative results and for values that are not clean numbers
    flag: str  # a flag printed inside the value cell ("5.9 H"), else ""
    doubtful: bool  # looks like a number but is not a clean one: OCR may have misread it


def normalize(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def is_flag(text: str) -> bool:
    return normalize(text).upper() in ALL_FLAGS


def flag_direction(flag: str) -> str:
    """"high", "low", "abnormal" (printed but sideless), or "" (no flag)."""
    key = normalize(flag).upper()
    if key in HIGH_FLAGS:
        return "high"
    if key in LOW_FLAGS:
        return "low"
    return "abnormal" if key in OTHER_FLAGS else ""


def parse_value(text: str) -> ParsedValue | None:
    """A result cell → its value; None when the text is not a lab result at all (a heading, a name)."""
    text = normalize(text)
    if not text:
        return None
    match = VALUE_WITH_FLAG.match(text)
    if match:
        flag = match.group("pre") or match.group("flag") or ""
        value = match.group("value").replace(" ", "")
        number = float(value.lstrip("<>≤≥")) if CLEAN_NUMBER.match(value) else None
        return ParsedValue(value=value, number=number, flag=flag, doubtful=bool(flag) and not is_flag(flag))
    if QUALITATIVE.match(text):
        return ParsedValue(value=text, number=None, flag="", doubtful=False)
    # Mostly digits with a letter or comma OCR often confuses with one: keep it, as read, doubtful.
    digits = sum(ch.isdigit() for ch in text)
    if digits and len(text) <= 12 and digits + len(DIGIT_LOOKALIKES.findall(text)) + text.count(".") >= len(text) - 1:
        return ParsedValue(value=text, number=None, flag="", doubtful=True)
    return None


@dataclass(frozen=True)
class ParsedRange:
    text: str
    low: float | None
    high: float | None
    low_inclusive: bool = True
    high_inclusive: bool = True


def parse_range(text: str) -> ParsedRange | None:
    """"3.5-5.3", "3.5–5.3", "<5.2", "≥1.04", "阴性"; None when the cell is no range."""
    text = normalize(text)
    compact = text.replace(" ", "")
    if match := RANGE_BETWEEN.match(compact):
        low, high = float(match.group("low")), float(match.group("high"))
        return ParsedRange(text, low, high) if low <= high else None
    if match := RANGE_BOUND.match(compact):
        op, bound = match.group("op"), float(match.group("bound"))
        if op in ("<", "≤", "<="):
            return ParsedRange(text, None, bound, high_inclusive=op != "<")
        return ParsedRange(text, bound, None, low_inclusive=op != ">")
    if QUALITATIVE.match(text):
        return ParsedRange(text, None, None)
    return None


def outside_range(value: ParsedValue, reference: ParsedRange | None) -> bool | None:
    """True/False when the printed value can be compared with the printed range, else None.

    Only clean numbers against numeric ranges: a qualitative result or a doubtful value is never judged."""
    if reference is None or value.number is None or value.doubtful:
        return None
    if reference.low is None and reference.high is None:
        return None
    if value.value[:1] in "<>≤≥":  # "<0.5" against a range: not comparable without interpretation
        return None
    n = value.number
    if reference.low is not None and (n < reference.low or (n == reference.low and not reference.low_inclusive)):
        return True
    if reference.high is not None and (n > reference.high or (n == reference.high and not reference.high_inclusive)):
        return True
    return False
