"""The faithfulness guard: planted unsupported facts are flagged with their span; copied text is not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop_app.cancel import NEVER_CANCELLED
from desktop_app.models import FOUND, Summary, SummaryField
from desktop_app.progress import NULL_PROGRESS
from desktop_app.summarize.guard import (
    CC_IS_DIAGNOSIS,
    CC_IS_TEST_RESULT,
    CC_TOO_LONG,
    UNSUPPORTED,
    check_summary,
    extract_facts,
)
from desktop_app.summarize.sections import SectionSummarizer

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

EN_NOTE = """CHIEF COMPLAINT:
Foul-smelling urine and stomach pain after meals.
ASSESSMENT:
1. UTI.
2. GERD.
PLAN:
1. Cipro 500 mg b.i.d. x five days.
2. Omeprazole 20 mg daily and famotidine 20 mg b.i.d.
BP 130/85 mmHg.
"""

ZH_NOTE = """主诉：右下腹痛并自扪及包块3小时。
体格检查：T 37.8℃，P 101次／分，BP 100/60mmHg。
诊断：嵌顿性腹股沟斜疝合并肠梗阻。
处理：予头孢曲松钠2g静滴，急诊手术。
"""


def _summary(chief: str = "", diagnosis: str = "", plan: str = "", language: str = "en") -> Summary:
    def field(text: str) -> SummaryField:
        return SummaryField(text=text, status=FOUND) if text else SummaryField.not_documented()

    return Summary(chief_complaint=field(chief), diagnosis=field(diagnosis), plan=field(plan),
                   engine="test", language=language)


def _unsupported(summary: Summary) -> list[tuple[str, str]]:
    """(field, flagged text) for each unsupported_fact warning, checking the span is in bounds."""
    out = []
    for warning in summary.warnings:
        if warning.code != UNSUPPORTED:
            continue
        text = summary.fields()[warning.field].text
        assert 0 <= warning.start < warning.end <= len(text)
        out.append((warning.field, text[warning.start:warning.end]))
    return out


def test_copied_fields_raise_no_warning():
    plan = "1. Cipro 500 mg b.i.d. x five days.\n2. Omeprazole 20 mg daily and famotidine 20 mg b.i.d."
    summary = _summary("Foul-smelling urine and stomach pain after meals.", "1. UTI.\n2. GERD.", plan)
    assert check_summary(summary, EN_NOTE).warnings == []


@pytest.mark.parametrize(("plan", "flagged"), [
    ("Cipro 750 mg b.i.d. x five days.", "750 mg"),  # a changed dose
    ("Cipro 500 g b.i.d. x five days.", "500 g"),  # the right number with the wrong unit
    ("Omeprazole 2 mg daily.", "2 mg"),  # '2 mg' must not match inside '20 mg'
    ("Metformin 500 mg daily.", "Metformin"),  # a drug the note never names
    ("Start lisinopril.", "lisinopril"),  # a drug recognised by its stem, not the lexicon
    ("Recheck in 3 weeks.", "3 weeks"),
])
def test_planted_plan_facts_are_flagged(plan, flagged):
    summary = check_summary(_summary(plan=plan), EN_NOTE)
    assert ("plan", flagged) in _unsupported(summary)


def test_planted_diagnosis_is_flagged_and_supported_ones_are_not():
    summary = check_summary(_summary(diagnosis="1. UTI.\n2. GERD.\n3. Pneumonia.\n4. Hypertension."), EN_NOTE)
    assert _unsupported(summary) == [("diagnosis", "Pneumonia"), ("diagnosis", "Hypertension")]


def test_hypo_and_hyper_are_not_confused_by_fuzzy_matching():
    note = "ASSESSMENT: hypothyroidism, on levothyroxine."
    summary = check_summary(_summary(diagnosis="Hyperthyroidism."), note)
    assert _unsupported(summary) == [("diagnosis", "Hyperthyroidism")]


def test_ocr_noise_in_a_long_word_is_tolerated():
    # The document says 'famotidlne' (OCR read i as l); the model wrote the drug correctly.
    summary = check_summary(_summary(plan="famotidine 20 mg"), "PLAN: famotidlne 20 mg b.i.d.")
    assert _unsupported(summary) == []


def test_units_match_across_languages_and_widths():
    note = "处理：阿莫西林胶囊 ０.５克 每日3次，共7天。"
    summary = check_summary(_summary(plan="阿莫西林 0.5 g 3次 7天", language="zh"), note)
    assert _unsupported(summary) == []
    summary = check_summary(_summary(plan="阿莫西林 0.25 g", language="zh"), note)
    assert _unsupported(summary) == [("plan", "0.25 g")]


def test_chinese_planted_facts_are_flagged():
    summary = _summary("右下腹痛并自扪及包块3小时。", "急性阑尾炎", "予阿莫西林胶囊2g静滴，急诊手术。",
                       language="zh")
    flagged = _unsupported(check_summary(summary, ZH_NOTE))
    assert ("diagnosis", "急性阑尾炎") in flagged
    assert ("plan", "阿莫西林") in flagged
    assert all(field != "chief_complaint" for field, _ in flagged)


def test_chinese_copied_fields_raise_no_warning():
    summary = _summary("右下腹痛并自扪及包块3小时。", "嵌顿性腹股沟斜疝合并肠梗阻。",
                       "予头孢曲松钠2g静滴，急诊手术。", language="zh")
    assert check_summary(summary, ZH_NOTE).warnings == []


def test_chief_complaint_rules():
    long_cc = "反酸、烧心30年，咳嗽、咳痰、喘息5年，加重10个月，伴双下肢水肿。"
    note = f"主诉：{long_cc}\n高血压3年。\n血常规示白细胞升高。"
    summary = check_summary(_summary(long_cc, language="zh"), note)
    assert [w.code for w in summary.warnings] == [CC_TOO_LONG]
    assert (summary.warnings[0].start, summary.warnings[0].end) == (0, len(long_cc))

    summary = check_summary(_summary("高血压3年。", language="zh"), note)
    assert [(w.code, "高血压3年。"[w.start:w.end]) for w in summary.warnings] == [(CC_IS_DIAGNOSIS, "高血压")]

    summary = check_summary(_summary("血常规示白细胞升高", language="zh"), note)
    assert CC_IS_TEST_RESULT in [w.code for w in summary.warnings]

    symptom = check_summary(_summary("反酸、烧心30年。", language="zh"), note)
    assert symptom.warnings == []


def test_extract_facts_spans_point_at_the_fact():
    text = "Ｃｉｐｒｏ ５００ｍｇ, T 37.8℃"  # full-width input keeps spans in the original text
    facts = {text[f.start:f.end]: f.kind for f in extract_facts(text)}
    assert facts == {"Ｃｉｐｒｏ": "drug", "５００ｍｇ": "quantity", "37.8℃": "quantity"}


def test_the_section_summarizer_never_trips_the_guard_on_real_notes():
    # The embedded summarizer copies text: any unsupported_fact here would be a false alarm.
    notes = [json.loads(line)["transcription"].replace(",", "\n")
             for line in (DATA / "mtsamples_dev.jsonl").read_text(encoding="utf-8").splitlines()[:300]]
    notes += [case["description"] for case in json.loads((DATA / "cmb_clin_dev.json").read_text("utf-8"))]
    summarizer = SectionSummarizer()
    found = 0
    for note in notes:
        summary = summarizer.summarize(note, language="en", cancel=NEVER_CANCELLED, progress=NULL_PROGRESS)
        found += sum(f.status == FOUND for f in summary.fields().values())
        assert _unsupported(check_summary(summary, note)) == []
    assert found > 250  # the check ran over real fields, not empty ones


def test_numbers_in_words_in_the_note_support_digits_in_the_summary():
    note = "PLAN: Cipro 500 mg b.i.d. x five days.\n处理：口服三天，两周后复诊。"
    summary = check_summary(_summary(plan="Cipro 500 mg b.i.d. for 5 days; 3天; 2周后复诊; 6 days"), note)
    assert _unsupported(summary) == [("plan", "6 days")]


def test_messages_follow_the_ui_language():
    summary = check_summary(_summary(plan="Metformin 850 mg"), EN_NOTE, ui_language="zh")
    assert [w.message for w in summary.warnings] == ["“Metformin”（药名）在原文中未找到：使用前请核对。",
                                                     "“850 mg”（数值）在原文中未找到：使用前请核对。"]
