"""De-identification of Chinese and English clinical text, and a logging filter built on it.

Found: names after 姓名/患者/病人/Name:/Patient: (and every other occurrence of a name found that
way), Mr/Mrs/Ms + surname, 18-digit resident ID numbers (checksum validated), mobile and landline
numbers, 病历号/住院号/门诊号/MRN and similar labelled numbers, addresses after 住址/Address,
dates of birth, e-mail addresses and SSNs. Used by "copy de-identified", exports and logging.

Rule-based on purpose (no model, predictable, fast); it over-redacts rather than under-redacts.
Free-text names with no label are only found when the same name appears after a label.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass

NAME = "name"
RESIDENT_ID = "resident_id"
PHONE = "phone"
RECORD_NUMBER = "record_number"
ADDRESS = "address"
BIRTH_DATE = "birth_date"
EMAIL = "email"
SSN = "ssn"
NUMBER = "number"  # strict mode only: any long digit run (account numbers, IDs without a label)

LABELS = {
    "en": {NAME: "[NAME]", RESIDENT_ID: "[ID]", PHONE: "[PHONE]", RECORD_NUMBER: "[RECORD-NO]",
           ADDRESS: "[ADDRESS]", BIRTH_DATE: "[DOB]", EMAIL: "[EMAIL]", SSN: "[SSN]", NUMBER: "[NUMBER]"},
    "zh": {NAME: "[姓名]", RESIDENT_ID: "[身份证号]", PHONE: "[电话]", RECORD_NUMBER: "[病历号]",
           ADDRESS: "[地址]", BIRTH_DATE: "[出生日期]", EMAIL: "[邮箱]", SSN: "[SSN]", NUMBER: "[号码]"},
}

# The 100 commonest Chinese surnames (and a few two-character ones): a name after 患者/病人 without a
# colon is taken only when it starts with one, so 患者自述 or 患者男性 are left alone.
_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施"
    "文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷"
    "盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷"
    "晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
_DOUBLE_SURNAMES = tuple("欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒".split())
_CJK = "\u4e00-\u9fff"
_ZH_NAME_END = f"(?=$|[^{_CJK}·]|男|女|性别|年龄|，|,|因|于|今|主诉|入院|门诊|住院|以|自)"

# "Drug Name: Aspirin" is not a person.
_NOT_A_PERSON = "".join(f"(?<!{word} )" for word in (
    "Drug", "drug", "Medication", "Product", "Brand", "Generic", "File", "Test", "Doctor", "Physician",
    "Provider", "Hospital", "Facility", "Clinic", "Study", "Device", "Procedure", "Insurance"))

_PATTERNS: list[tuple[str, re.Pattern[str], int]] = [  # (kind, pattern, group to redact)
    (EMAIL, re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"), 0),
    (RECORD_NUMBER, re.compile(
        r"(?:病历号|病案号|住院号|门诊号|就诊号|登记号|床号|ID号|档案号|医保号|社保号|卡号|"
        r"\bMRN\b|\bMR\s?#|Medical Record (?:Number|No\.?)|Patient ID|Account (?:Number|No\.?)|Acct\.? ?#?)"
        r"\s*[:：#]?\s*(?:号\s*)?([A-Za-z]{0,3}[-\s]?\d[\dA-Za-z-]{2,})", re.I), 1),
    (SSN, re.compile(r"(?:SSN|Social Security (?:Number|No\.?))\s*[:：#]?\s*(\d{3}[- ]?\d{2}[- ]?\d{4})",
                     re.I), 1),
    (SSN, re.compile(r"(?<![\d-])(\d{3}-\d{2}-\d{4})(?![\d-])"), 1),
    (BIRTH_DATE, re.compile(
        r"(?:出生日期|出生年月|出生|生日|DOB|D\.O\.B\.|Date of Birth|Birth ?date|Born(?: on)?)\s*[:：]?\s*"
        r"(\d{4}\s*[-/.年]\s*\d{1,2}\s*(?:[-/.月]\s*\d{1,2}\s*日?)?|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|"
        r"(?:\d{1,2}\s+)?[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|[A-Z][a-z]{2,8}\.?\s+\d{4})",
        re.I), 1),
    (ADDRESS, re.compile(
        r"(?:家庭住址|现住址|户籍地址|住址|地址|联系地址|Home Address|Address)\s*[:：]\s*"
        r"([^\n;；|]+?)(?=\s*(?:$|\n|;|；|\||\s{2,}|(?:电话|手机|联系电话|Phone|Tel|E-?mail|邮箱)\s*[:：]))",
        re.I | re.M), 1),
    (NAME, re.compile(rf"(?:姓名|患者姓名|病人姓名)\s*[:：]?\s*([{_CJK}·]{{2,5}}?){_ZH_NAME_END}"), 1),
    (NAME, re.compile(rf"(?:患者|病人|病患)\s*[:：]\s*([{_CJK}·]{{2,5}}?){_ZH_NAME_END}"), 1),
    (NAME, re.compile(rf"(?:患者|病人)\s*((?:{'|'.join(_DOUBLE_SURNAMES)}|[{''.join(sorted(_SURNAMES))}])"
                      rf"[{_CJK}]{{1,2}}?|[{''.join(sorted(_SURNAMES))}]某+){_ZH_NAME_END}"), 1),
    (NAME, re.compile(_NOT_A_PERSON + r"\b(?:Patient Name|Patient|Name|Pt\.?|Pt Name)\s*[:：]\s*"
                      r"([A-Z][A-Za-z'’-]+(?:,?[ \t]+[A-Z](?:[A-Za-z'’-]+|\.))*)"), 1),
    (NAME, re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx)\.?\s+([A-Z][A-Za-z'’-]+(?:[ \t]+[A-Z][A-Za-z'’-]+)?)"), 1),
    (RESIDENT_ID, re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx])(?![0-9A-Za-z])"), 1),
    (PHONE, re.compile(r"(?<![\d+])((?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4})(?!\d)"), 1),
    (PHONE, re.compile(r"(?<![\d-])((?:\(0\d{2,3}\)|0\d{2,3})[- ]?\d{7,8})(?![\d-])"), 1),
    (PHONE, re.compile(r"(?<![\d-])((?:\+1[-. ]?)?(?:\(\d{3}\)\s?|\d{3}[-. ])\d{3}[-. ]\d{4})(?![\d-])"), 1),
    (PHONE, re.compile(r"(?:电话|手机|联系电话|Phone|Tel|Mobile|Cell)\s*[:：]?\s*(\+?\d[\d \t()-]{5,}\d)",
                       re.I), 1),
]
_LONG_NUMBER = re.compile(r"(?<![\d.])\d{8,}(?![\d.])")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_NOT_NAMES = {"Patient", "Name", "Unknown", "None", "The", "He", "She", "This", "Male", "Female", "Doe"}


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int


def resident_id_valid(number: str) -> bool:
    """GB 11643 check digit of an 18-character Chinese resident ID number."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17].upper()


# repr() and JSON write a line break as backslash-n; seen as "\\nMRN" it would hide the label.
_ESCAPED_BREAK = re.compile(r"\\[nrt]")


def find_phi(text: str, *, strict: bool = False, known_names: Iterable[str] = ()) -> list[Finding]:
    """Non-overlapping PHI spans in `text`, sorted. `strict` also takes any run of 8+ digits;
    `known_names` are removed wherever they occur (names learned from an earlier text)."""
    found: list[Finding] = []
    names: set[str] = set(known_names)
    view = _ESCAPED_BREAK.sub("\n\n", text)  # same length, so spans hold for `text`
    for kind, pattern, group in _PATTERNS:
        for match in pattern.finditer(view):
            value = match.group(group)
            if not value or not value.strip():
                continue
            if kind == RESIDENT_ID and not resident_id_valid(value):
                continue
            if kind == NAME:
                value = value.strip().rstrip(",")
                if value in _NOT_NAMES:
                    continue
                names.add(value)
            start = match.start(group)
            found.append(Finding(kind, start, start + len(value)))
    # A name found after a label is removed everywhere else in the text too (Ms. Collins, Martha).
    for name in names:
        variants = {name} | {part for part in re.split(r"[\s,]+", name) if len(part) >= 2 and part.isascii()}
        variants -= _NOT_NAMES
        for variant in sorted(variants, key=len, reverse=True):
            bounded = r"\b" if variant.isascii() else ""
            for match in re.finditer(rf"{bounded}{re.escape(variant)}{bounded}", view):
                found.append(Finding(NAME, match.start(), match.end()))
    if strict:
        found.extend(Finding(NUMBER, m.start(), m.end()) for m in _LONG_NUMBER.finditer(view))
    return _merge(found)


def _merge(found: list[Finding]) -> list[Finding]:
    out: list[Finding] = []
    for finding in sorted(found, key=lambda f: (f.start, -(f.end - f.start))):
        if out and finding.start < out[-1].end:
            if finding.end > out[-1].end:
                out[-1] = Finding(out[-1].kind, out[-1].start, finding.end)
            continue
        out.append(finding)
    return out


def labelled_names(text: str) -> set[str]:
    """The names that follow a label (姓名：, Name:, Mr …) in `text`."""
    view = _ESCAPED_BREAK.sub("\n\n", text)
    names = set()
    for kind, pattern, group in _PATTERNS:
        if kind == NAME:
            for match in pattern.finditer(view):
                value = (match.group(group) or "").strip().rstrip(",")
                if value and value not in _NOT_NAMES:
                    names.add(value)
    return names


def deidentify(text: str, *, language: str = "en", strict: bool = False,
               known_names: Iterable[str] = ()) -> str:
    """`text` with every finding replaced by a label such as [NAME] / [姓名]."""
    labels = LABELS["zh" if language.startswith("zh") else "en"]
    parts, cursor = [], 0
    for finding in find_phi(text, strict=strict, known_names=known_names):
        parts.append(text[cursor:finding.start])
        parts.append(labels[finding.kind])
        cursor = finding.end
    parts.append(text[cursor:])
    return "".join(parts)


class PhiLogFilter(logging.Filter):
    """Rewrites every record's message (and traceback) de-identified, in strict mode. Never drops a
    record. Attach it to handlers (`install_log_filter`): handler filters see records propagated
    from every logger, logger filters do not.

    Names found after a label in any record, or passed to `learn()` (the pipeline can pass each
    document's text), are remembered in memory for the life of the process — never written — and
    removed from later records where they appear without a label.
    """

    MAX_NAMES = 10_000

    def __init__(self) -> None:
        super().__init__()
        self._names: set[str] = set()
        self._lock = threading.Lock()

    def learn(self, text: str) -> None:
        found = labelled_names(text)
        with self._lock:
            if len(self._names) + len(found) > self.MAX_NAMES:
                self._names.clear()
            self._names |= found

    def _scrub(self, text: str) -> str:
        self.learn(text)
        with self._lock:
            names = tuple(self._names)
        return deidentify(text, strict=True, known_names=names)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not leak its arguments either
            message = f"{record.msg} [arguments withheld: the format string does not fit them]"
        record.msg = self._scrub(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = self._scrub(record.stack_info)
        return True


def install_log_filter(logger: logging.Logger | None = None) -> PhiLogFilter:
    """Add one `PhiLogFilter` to every handler of `logger` (default: the root logger)."""
    logger = logger or logging.getLogger()
    phi_filter = PhiLogFilter()
    for handler in logger.handlers:
        if not any(isinstance(f, PhiLogFilter) for f in handler.filters):
            handler.addFilter(phi_filter)
    return phi_filter


def remove_log_filter(logger: logging.Logger | None = None) -> None:
    logger = logger or logging.getLogger()
    for handler in logger.handlers:
        for existing in [f for f in handler.filters if isinstance(f, PhiLogFilter)]:
            handler.removeFilter(existing)
