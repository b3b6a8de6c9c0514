"""The faithfulness guard, run on every summarizer's output: flag facts the document does not state.

Checked in each summary field: numbers (with their unit when they have one — a dose is a number
with a unit), drug names and diagnosis terms. Each must occur in the document text, after
normalisation (NFKC, case, whitespace) — numbers exactly (a number written as a word in the note,
"five days" or 三天, supports the digits), units by meaning (毫克 = mg), words fuzzily enough for
OCR noise (one wrong character in a word of 8+ letters or a Chinese term of 6+ characters; shorter
terms exactly, since 胃炎/肠炎 or hypo-/hyper- differ by one or two characters). What is not found
is added to `summary.warnings` as `unsupported_fact` with its span in the field's text. A copying
summarizer passes by construction; a model that rounds a dose, swaps a drug or adds a diagnosis
does not.

The chief complaint is also checked against the Chinese record-writing rules: at most 20
characters, and a symptom with its duration — not a diagnosis or a test result.

The guard never removes or edits a field: it only warns, and the physician decides.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from rapidfuzz import fuzz

from desktop_app.models import FOUND, Summary, SummaryWarning

UNSUPPORTED = "unsupported_fact"
CC_TOO_LONG = "chief_complaint_too_long"
CC_IS_DIAGNOSIS = "chief_complaint_is_diagnosis"
CC_IS_TEST_RESULT = "chief_complaint_is_test_result"
OCR_DOUBT = "ocr_doubt"  # a field holds text the OCR was unsure of (see desktop_app.ocr.doubt)
MAX_ZH_CHIEF_COMPLAINT = 20
MAX_EN_CHIEF_COMPLAINT_WORDS = 12

# --- units: surface form → canonical form (so "500毫克" supports "500 mg") -------------------

_UNIT_GROUPS: dict[str, tuple[str, ...]] = {
    "mg": ("mg", "毫克"),
    "g": ("g", "gm", "gram", "grams", "克"),
    "mcg": ("mcg", "μg", "µg", "ug", "微克"),
    "ng": ("ng", "纳克"),
    "kg": ("kg", "公斤", "千克"),
    "ml": ("ml", "cc", "毫升"),
    "l": ("l", "liter", "liters", "litre", "升"),
    "dl": ("dl",),
    "mmol/l": ("mmol/l", "mmol／l"),
    "umol/l": ("umol/l", "μmol/l", "µmol/l"),
    "mg/dl": ("mg/dl",),
    "g/l": ("g/l",),
    "/l": ("/l",),
    "mg/kg": ("mg/kg",),
    "mmhg": ("mmhg", "毫米汞柱"),
    "%": ("%", "％"),
    "cm": ("cm", "厘米"),
    "mm": ("mm", "毫米"),
    "bpm": ("bpm", "beats/min", "次/分", "次/min", "次/分钟"),
    "/min": ("/min", "/分"),
    "iu": ("iu", "u", "units", "unit", "单位"),
    "tab": ("tab", "tabs", "tablet", "tablets", "片"),
    "cap": ("cap", "caps", "capsule", "capsules", "粒"),
    "puff": ("puff", "puffs", "揿", "喷"),
    "drop": ("drop", "drops", "gtt", "滴"),
    "°c": ("°c", "℃", "度"),
    "h": ("h", "hr", "hrs", "hour", "hours", "小时"),
    "min": ("min", "mins", "minute", "minutes", "分钟"),
    "d": ("d", "day", "days", "天", "日"),
    "wk": ("wk", "wks", "week", "weeks", "周", "星期"),
    "mo": ("mo", "month", "months", "月", "个月"),
    "y": ("y", "yr", "yrs", "year", "years", "年", "岁", "year-old"),
    "x": ("times", "次", "x"),
    "支": ("支",),
    "袋": ("袋",),
}
UNIT_CANONICAL = {form: canonical for canonical, forms in _UNIT_GROUPS.items() for form in forms}
_UNIT_ALTERNATION = "|".join(re.escape(u) for u in sorted(UNIT_CANONICAL, key=len, reverse=True))
# A number not glued to a word (B12, T2DM, II-XII are names, not quantities), then an optional unit.
_QUANTITY = re.compile(
    rf"(?<![a-z0-9.])(?P<num>\d+(?:\.\d+)?(?:/\d+(?:\.\d+)?)?)"
    rf"(?:\s?(?P<unit>{_UNIT_ALTERNATION})(?![a-z]))?"
)

_NUMBER_WORDS = {word: i for i, word in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty".split())}
_NUMBER_WORDS |= {char: i for i, char in enumerate("零一二三四五六七八九十")} | {"两": 2}
_EN_NUMBER_WORDS = "|".join(w for w in _NUMBER_WORDS if w.isascii())
_WORD_QUANTITY = re.compile(
    rf"(?:\b(?P<en>{_EN_NUMBER_WORDS})\s?-?\s?|(?P<zh>[零一二两三四五六七八九十]))"
    rf"(?P<unit>{_UNIT_ALTERNATION})(?![a-z])"
)

# --- drugs and diagnoses: a small lexicon plus word-formation rules -----------------------------

_DRUG_WORDS = set("""
aspirin acetaminophen paracetamol ibuprofen naproxen metformin insulin glipizide glyburide glimepiride
warfarin heparin clopidogrel atorvastatin simvastatin rosuvastatin pravastatin lisinopril enalapril
losartan valsartan amlodipine nifedipine metoprolol atenolol propranolol carvedilol hydrochlorothiazide
furosemide spironolactone digoxin amiodarone nitroglycerin levothyroxine prednisone prednisolone
methylprednisolone dexamethasone hydrocortisone amoxicillin penicillin azithromycin clarithromycin
doxycycline ciprofloxacin cipro levofloxacin cephalexin ceftriaxone cefuroxime vancomycin metronidazole
nitrofurantoin bactrim omeprazole pantoprazole esomeprazole lansoprazole famotidine ranitidine sucralfate
carafate reglan metoclopramide ondansetron prilosec pepcid zantac nexium protonix albuterol salbutamol
fluticasone budesonide montelukast tiotropium gabapentin pregabalin tramadol morphine oxycodone
hydrocodone codeine fentanyl sertraline fluoxetine citalopram escitalopram paroxetine bupropion
trazodone venlafaxine duloxetine lorazepam alprazolam diazepam clonazepam zolpidem quetiapine
risperidone olanzapine haloperidol lithium allopurinol colchicine methotrexate tamsulosin finasteride
sildenafil cetirizine loratadine diphenhydramine xarelto eliquis coumadin lasix norvasc zoloft prozac
synthroid lipitor crestor plavix glucophage ativan xanax valium ambien tylenol advil motrin
ortho tri-cyclen
""".split())
_DRUG_SUFFIXES = (
    "pril", "sartan", "olol", "alol", "statin", "mycin", "micin", "cillin", "cycline", "floxacin",
    "prazole", "tidine", "dipine", "formin", "gliptin", "gliflozin", "glitazone", "parin", "xaban",
    "gatran", "oxetine", "azepam", "zolam", "triptan", "setron", "lukast", "olone", "afil", "coxib",
    "profen", "fenac", "semide", "thiazide", "tropium", "terol", "mab", "tinib", "navir", "ciclovir",
)
_DX_WORDS = set("""
hypertension diabetes asthma pneumonia copd gerd uti urti uri chf cad ckd aki dvt htn dm mi cva tia
osa bph adhd afib stroke cancer carcinoma fracture anemia anaemia depression anxiety migraine obesity
sepsis cellulitis bronchitis sinusitis pharyngitis otitis gastritis hepatitis cirrhosis pancreatitis
appendicitis cholecystitis diverticulitis arthritis osteoarthritis osteoporosis gout lupus psoriasis
eczema dermatitis infection hypothyroidism hypothyroid hyperthyroidism hyperlipidemia dyslipidemia
hypercholesterolemia dysphagia dyspepsia insomnia dementia epilepsy seizure seizures neuropathy
retinopathy nephropathy cardiomyopathy angina infarction embolism thrombosis stenosis hernia
tuberculosis influenza covid-19 covid melanoma lymphoma leukemia glaucoma cataract schizophrenia
""".split())
_DX_SUFFIXES = ("itis", "osis", "emia", "aemia", "oma", "pathy", "algia", "plegia", "trophy", "megaly",
                "penia", "cytosis", "uria", "rrhea", "rrhoea", "ectasia", "iasis")
_SYMPTOM_WORDS = set("dysphagia dyspepsia insomnia seizure seizures 咳嗽 发热 水肿 出血".split())
_NOT_TERMS = set("""
diagnosis diagnoses prognosis osmosis hypnosis synopsis emphasis basis thesis coma aroma diploma stoma
soma academia chroma sigma comma karma cholesterol sympathy empathy telepathy
""".split())
_ZH_DRUGS = (
    "阿司匹林|对乙酰氨基酚|布洛芬|二甲双胍|胰岛素|华法林|肝素|氯吡格雷|阿托伐他汀|瑞舒伐他汀|辛伐他汀|"
    "硝苯地平|氨氯地平|美托洛尔|卡托普利|依那普利|缬沙坦|氯沙坦|呋塞米|螺内酯|地高辛|胺碘酮|硝酸甘油|"
    "左甲状腺素|泼尼松|地塞米松|甲泼尼龙|阿莫西林|青霉素|头孢|阿奇霉素|左氧氟沙星|莫西沙星|甲硝唑|"
    "奥美拉唑|泮托拉唑|雷贝拉唑|法莫替丁|铝碳酸镁|蒙脱石散|沙丁胺醇|布地奈德|孟鲁司特|氨溴索|"
    "加巴喷丁|曲马多|吗啡|舍曲林|氟西汀|艾司唑仑|地西泮|阿昔洛韦|奥司他韦|连花清瘟|甘精胰岛素"
).split("|")
_ZH_DRUG_SUFFIX = "缓释片|控释片|肠溶片|注射液|口服液|滴眼液|喷雾剂|气雾剂|混悬液|胶囊|颗粒|软膏|乳膏|片"
_ZH_DX = (
    "高血压|糖尿病|冠心病|慢阻肺|哮喘|心衰|房颤|贫血|痛风|甲亢|甲减|骨折|中风|卒中|肠梗阻|"
    "心肌梗死|脑梗死|脑梗塞|脑出血|肺结节|肺栓塞|结核|新冠"
).split("|")
_ZH_DX_SUFFIX = "综合征|结石|梗死|梗塞|梗阻|出血|衰竭|硬化|感染|损伤|增生|囊肿|结节|骨折|炎|病|症|癌|瘤|疝"
# Characters after a suffix that make it another word: 病史, 病人, 症状, 片状 …
_ZH_NOT_FOLLOWED = "史人历情程房区理因状候点量灶例"
_ZH_ANCHOR = re.compile(rf"(?P<lex>{'|'.join(_ZH_DRUGS + _ZH_DX)})|"
                        rf"(?P<suffix>{_ZH_DRUG_SUFFIX}|{_ZH_DX_SUFFIX})(?![{_ZH_NOT_FOLLOWED}])")
# Words a term never extends back over: 诊断为|急性阑尾炎, 予|阿莫西林胶囊
_ZH_STOPS = tuple("诊断 考虑 疑似 可能 初步 给予 予以 予 口服 服用 静滴 肌注 使用 加用 "
                  "改用 停用 继续 合并 并 及 和 与 伴 为 有 患 行 示 于 的 因 致 "
                  "后 前 或 查 见 现 者".split())
_ZH_MAX_BACK = {"lex": 3, "suffix": 4}
# A list number ("3. ", "(2)", "（2）", "2、") is numbering, not a fact.
_LIST_MARKER = re.compile(r"\s*(?:[(（]\s*\d{1,2}\s*[)）]|\d{1,2}\s*[.)、](?!\d))")
_EN_WORD = re.compile(r"[a-z][a-z]+(?:-[a-z0-9]+)*")
_TEST_WORDS = re.compile(
    r"\b(?:ct|mri|x-?ray|ultrasound|ecg|ekg|echo|wbc|hba1c|hemoglobin|glucose|biopsy|lab|labs|"
    r"positive|negative|elevated|abnormal|scan)\b|血常规|尿常规|白细胞|血红蛋白|血糖|血压|彩超|b超|x线|"
    r"心电图|检查示|检查提示|提示|阳性|阴性|升高|降低|异常|结果"
)


@dataclass(frozen=True)
class Fact:
    kind: str  # "quantity" | "drug" | "diagnosis"
    text: str  # as written in the field
    start: int
    end: int
    key: str  # normalised form used for matching


def normalise(text: str) -> str:
    """NFKC (full-width digits and letters → ASCII), case-folded, whitespace runs → one space."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text).casefold())


def _folded_with_map(text: str) -> tuple[str, list[int]]:
    """NFKC + casefold character by character, with the source index of every output character."""
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        folded = unicodedata.normalize("NFKC", ch).casefold() if not ch.isascii() else ch.lower()
        out.append(folded)
        origin.extend([i] * len(folded))
    return "".join(out), origin


def _canonical_number(raw: str) -> str:
    out = []
    for part in raw.split("/"):
        try:
            out.append(format(Decimal(part).normalize(), "f"))
        except InvalidOperation:
            out.append(part)
    return "/".join(out)


def _quantities(normalised: str) -> list[tuple[int, int, str, str | None]]:
    """(start, end, canonical number, canonical unit or None) for every number in normalised text."""
    out = []
    for match in _QUANTITY.finditer(normalised):
        unit = match.group("unit")
        out.append((match.start(), match.end(), _canonical_number(match.group("num")),
                    UNIT_CANONICAL.get(unit) if unit else None))
    return out


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _is_drug_word(word: str) -> bool:
    if word in _DRUG_WORDS:
        return True
    return len(word) >= 6 and word not in _NOT_TERMS and word.endswith(_DRUG_SUFFIXES)


def _is_dx_word(word: str) -> bool:
    if word in _DX_WORDS:
        return True
    return len(word) >= 6 and word not in _NOT_TERMS and word.endswith(_DX_SUFFIXES)


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _zh_terms(folded: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of Chinese drug names and diagnosis terms: an anchor (a known term or a
    term-forming suffix such as 炎, 胶囊) extended back over the modifiers before it (急性阑尾炎),
    never over a verb or particle (诊断为, 予)."""
    out: list[tuple[int, int, str]] = []
    for match in _ZH_ANCHOR.finditer(folded):
        group = "lex" if match.group("lex") else "suffix"
        start = match.start()
        while (start > 0 and match.start() - start < _ZH_MAX_BACK[group] and _is_cjk(folded[start - 1])
               and not folded[:start].endswith(_ZH_STOPS)):
            start -= 1
        if match.end() - start < 2 or (out and start < out[-1][1]):
            continue
        term = folded[start:match.end()]
        is_drug = term.endswith(tuple(_ZH_DRUG_SUFFIX.split("|"))) or any(d in term for d in _ZH_DRUGS)
        out.append((start, match.end(), "drug" if is_drug else "diagnosis"))
    return out


def extract_facts(text: str) -> list[Fact]:
    """The checkable facts in a field's text, with spans into `text`."""
    folded, origin = _folded_with_map(text)

    def fact(kind: str, start: int, end: int, key: str) -> Fact:
        s, e = origin[start], origin[end - 1] + 1
        return Fact(kind, text[s:e], s, e, key)

    facts = [fact("quantity", start, end, f"{number}|{unit or ''}")
             for start, end, number, unit in _quantities(folded)
             if unit or not _LIST_MARKER.match(folded, _line_start(folded, start))]
    for match in _EN_WORD.finditer(folded):
        word = match.group()
        kind = "drug" if _is_drug_word(word) else "diagnosis" if _is_dx_word(word) else None
        if kind:
            facts.append(fact(kind, match.start(), match.end(), word))
    for start, end, kind in _zh_terms(folded):
        facts.append(fact(kind, start, end, folded[start:end]))
    return sorted(facts, key=lambda f: (f.start, f.end))


class _DocumentIndex:
    """The document text prepared once for many look-ups."""

    def __init__(self, text: str) -> None:
        self.spaced = normalise(text)
        self.compact = self.spaced.replace(" ", "")
        self.quantities = {(number, unit) for _, _, number, unit in _quantities(self.spaced)}
        self.quantities |= {(number, unit) for _, _, number, unit in _quantities(self.compact)}
        # "five days" / 三天 in the note supports "5 days" / 3天 in a summary.
        for match in _WORD_QUANTITY.finditer(self.spaced):
            number = _NUMBER_WORDS[match.group("en") or match.group("zh")]
            self.quantities.add((str(number), UNIT_CANONICAL[match.group("unit")]))
        self.numbers = {number for number, _ in self.quantities}
        self.words = set(_EN_WORD.findall(self.spaced))

    def supports(self, fact: Fact) -> bool:
        if fact.kind == "quantity":
            number, unit = fact.key.split("|")
            if not unit:
                return number in self.numbers
            return (number, unit) in self.quantities
        if fact.key.isascii():
            if fact.key in self.words or fact.key + "s" in self.words or fact.key.rstrip("s") in self.words:
                return True
            return len(fact.key) >= 5 and _fuzzy_in(fact.key, self.spaced)
        return _fuzzy_in(fact.key, self.compact)


def _fuzzy_in(term: str, haystack: str) -> bool:
    """`term` occurs in `haystack`, allowing one wrong character in a long term (OCR noise).

    Short terms must match exactly: one character is the difference between 胃炎 and 肠炎, and
    hypo- and hyper- differ by more than one.
    """
    if term in haystack:
        return True
    long_enough = len(term) >= (6 if not term.isascii() else 8)
    if not long_enough or not haystack:
        return False
    # partial_ratio uses the Indel distance: one substitution costs 2 of 2·len(term).
    cutoff = 100.0 * (1.0 - 1.0 / len(term)) - 0.01
    return fuzz.partial_ratio(term, haystack, score_cutoff=cutoff) > 0


def _symptom_like(term: str) -> bool:
    """Terms shaped like a diagnosis that name a symptom, which a chief complaint may state."""
    return term in _SYMPTOM_WORDS or term.endswith(("algia", "uria", "rrhea", "rrhoea", "痛", "咳", "肿"))


def _cc_length(text: str) -> int:
    return sum(1 for ch in text if unicodedata.category(ch)[0] in "LN")


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


KIND_LABELS = {"en": {"quantity": "number", "drug": "drug", "diagnosis": "diagnosis"},
               "zh": {"quantity": "数值", "drug": "药名", "diagnosis": "诊断"}}
MESSAGES = {
    UNSUPPORTED: {"en": "'{fact}' ({kind}) was not found in the document: check it before use.",
                  "zh": "“{fact}”（{kind}）在原文中未找到：使用前请核对。"},
    CC_TOO_LONG: {"en": "The chief complaint has {count} characters; the rule is at most {limit}.",
                  "zh": "主诉共 {count} 字，超过 {limit} 字的要求。"},
    CC_IS_DIAGNOSIS: {"en": "The chief complaint names a diagnosis ('{fact}'); it should state the symptom "
                            "and its duration.",
                      "zh": "主诉含诊断名称（“{fact}”）；主诉应为症状及持续时间，而非诊断。"},
    CC_IS_TEST_RESULT: {"en": "The chief complaint states a test or its result ('{fact}'); it should state "
                              "the symptom.",
                        "zh": "主诉含检查或检查结果（“{fact}”）；主诉应为症状，而非检查结果。"},
    OCR_DOUBT: {"en": "The OCR is unsure of '{fact}': compare it with the page before copying.",
                "zh": "OCR 对“{fact}”的识别不确定：复制前请对照原件核对。"},
}


def _message(code: str, language: str, **params: object) -> str:
    return MESSAGES[code]["zh" if language.startswith("zh") else "en"].format(**params)


def _warning(code: str, language: str, field: str, start: int, end: int, **params: object) -> SummaryWarning:
    """A warning about `field`'s text [start, end) in `language`, keeping both languages' texts so a
    viewer can re-render it after a language switch. A parameter given as {"en": …, "zh": …} is
    taken in each message's own language."""
    messages = {lang: _message(code, lang, **{name: value[lang] if isinstance(value, dict) else value
                                              for name, value in params.items()})
                for lang in ("en", "zh")}
    return SummaryWarning(code, messages["zh" if language.startswith("zh") else "en"], field=field, start=start,
                          end=end, messages=messages)


def check_summary(summary: Summary, document_text: str, *, ui_language: str = "en") -> Summary:
    """Append a warning for every fact in a found field that the document does not support, and
    for a chief complaint that breaks the record-writing rules. Messages are in `ui_language`.

    Returns the same `Summary` (mutated). Field text and evidence are never changed.
    """
    index = _DocumentIndex(document_text)
    for name, field in summary.fields().items():
        if field.status != FOUND or not field.text:
            continue
        for fact in extract_facts(field.text):
            if not index.supports(fact):
                kind = {lang: KIND_LABELS[lang][fact.kind] for lang in ("en", "zh")}
                summary.warnings.append(_warning(UNSUPPORTED, ui_language, name, fact.start, fact.end,
                                                 fact=fact.text, kind=kind))
    _check_chief_complaint(summary, ui_language)
    return summary


def _check_chief_complaint(summary: Summary, language: str) -> None:
    field = summary.chief_complaint
    if field.status != FOUND or not field.text.strip():
        return
    text = field.text
    if _is_chinese(text) and _cc_length(text) > MAX_ZH_CHIEF_COMPLAINT:
        summary.warnings.append(_warning(CC_TOO_LONG, language, "chief_complaint", 0, len(text),
                                         count=_cc_length(text), limit=MAX_ZH_CHIEF_COMPLAINT))
    if len(text.split()) > MAX_EN_CHIEF_COMPLAINT_WORDS:
        return  # a narrative sentence, not a label: too long to be "just a diagnosis"
    diagnoses = [f for f in extract_facts(text) if f.kind == "diagnosis" and not _symptom_like(f.key)]
    if diagnoses:
        first = diagnoses[0]
        summary.warnings.append(_warning(CC_IS_DIAGNOSIS, language, "chief_complaint", first.start, first.end,
                                         fact=first.text))
    folded, origin = _folded_with_map(text)
    # 血压 inside 高血压 is the diagnosis already flagged, not a test.
    test = next((m for m in _TEST_WORDS.finditer(folded)
                 if not any(d.start <= origin[m.start()] < d.end for d in diagnoses)), None)
    if test:
        start, end = origin[test.start()], origin[test.end() - 1] + 1
        summary.warnings.append(_warning(CC_IS_TEST_RESULT, language, "chief_complaint", start, end,
                                         fact=text[start:end]))


def check_ocr_doubt(summary: Summary, doubts: Sequence[tuple[int, int]], document_text: str, *,
                    ui_language: str = "en") -> Summary:
    """Append an `ocr_doubt` warning for each doubtful OCR span (document offsets) inside a found
    field's evidence. The warning's start/end are document offsets (as for `Evidence`), clipped to
    the evidence span; one warning per span per field. Call before evidence is mapped to pages."""
    for name, field in summary.fields().items():
        if field.status != FOUND:
            continue
        for start, end in sorted(doubts):
            for evidence in field.evidence:
                lo, hi = max(start, evidence.start), min(end, evidence.end)
                if lo < hi:
                    fact = document_text[lo:hi]
                    summary.warnings.append(SummaryWarning(
                        OCR_DOUBT, _message(OCR_DOUBT, ui_language, fact=fact), field=name, start=lo, end=hi))
                    break
    return summary
