"""The embedded `sections` summarizer: zh + en headings, garbled headings, missing sections."""

from __future__ import annotations

import json

import pytest

from desktop_app.jobs.cancel import CancelToken
from desktop_app.jobs.progress import NULL_PROGRESS
from desktop_app.models import FOUND, NOT_DOCUMENTED
from desktop_app.summarize.headings import match_line
from desktop_app.summarize.sections import SectionSummarizer, detect_language, sectionize
from tests.documents import DATA, EN_NOTE, ZH_NOTE


def summarize(text: str):
    return SectionSummarizer().summarize(text, language=detect_language(text), cancel=CancelToken(),
                                         progress=NULL_PROGRESS)


def test_english_note_fields_are_copied_with_evidence():
    summary = summarize(EN_NOTE)
    assert summary.chief_complaint.text == "Chest pain for two days."
    assert summary.diagnosis.text == "Stable angina."
    assert summary.plan.text == "Start aspirin 81 mg daily and refer for a stress test."
    for field in summary.fields().values():
        span = field.evidence[0]
        assert EN_NOTE[span.start:span.end] == field.text


def test_chinese_note_inline_headings():
    summary = summarize(ZH_NOTE)
    assert summary.language == "zh"
    assert summary.chief_complaint.text == "咳嗽、咳痰1周。"
    assert summary.diagnosis.text == "急性支气管炎"
    assert summary.plan.text == "多饮水，复诊。"


def test_numbered_chinese_headings_from_cmb_clin():
    case = json.load(open(DATA / "cmb_clin_dev.json", encoding="utf-8"))[0]
    summary = summarize(case["description"])
    assert summary.chief_complaint.text == "右下腹痛并自扪及包块3小时。"
    # The case has no diagnosis or plan: never guessed.
    assert summary.diagnosis.status == NOT_DOCUMENTED
    assert summary.plan.status == NOT_DOCUMENTED
    assert summary.diagnosis.text == ""


@pytest.mark.parametrize("line,label", [
    ("CHIEF C0MPLAlNT: chest pain", "CHIEF COMPLAINT"),
    ("HISTORY OFPRESENTILLNESS:", "HISTORY OF PRESENT ILLNESS"),
    ("IMPRESSI0N:", "IMPRESSION"),
    ("Assessment and Plan", "ASSESSMENT AND PLAN"),
    ("Reason for Consultation: knee pain", "REASON FOR CONSULTATION"),
    ("出院珍断：肺炎", "出院诊断"),
    ("（2）主诉", "主诉"),
    ("诊疗汁划：观察", "诊疗计划"),
    ("PLAN;", "PLAN"),
])
def test_garbled_and_varied_headings_are_recognised(line, label):
    match = match_line(line)
    assert match is not None and match.heading.label == label


@pytest.mark.parametrize("line", [
    "PAIN: 5/10",  # one letter from PLAN: short headings must match exactly
    "2.  GERD.",  # a numbered list item, not a heading
    "Blood pressure: 120/80",
    "体温：37.8℃",  # a key-value pair, not a section
    "鉴别诊断",  # differential diagnosis is not the diagnosis
])
def test_lookalikes_are_not_target_headings(line):
    match = match_line(line)
    assert match is None or match.heading.role not in {"chief_complaint", "diagnosis", "plan"}


def test_a_sentence_that_looks_like_a_heading_is_content():
    # "Follow-up." is the chief complaint here, not a FOLLOW-UP heading (ACI-Bench D2N025).
    summary = summarize("CHIEF COMPLAINT\n\nFollow-up.\n\nHISTORY OF PRESENT ILLNESS\n\nDoing well.\n")
    assert summary.chief_complaint.text == "Follow-up."


def test_combined_heading_with_a_slash():
    summary = summarize("REASON FOR ADMISSION/CHIEF COMPLAINT:\nThe patient ran away.\nPAST HISTORY:\nNone.\n")
    assert summary.chief_complaint.text == "The patient ran away."


def test_long_unknown_uppercase_heading_ends_the_section():
    text = "CHIEF COMPLAINT:\nPalpitations.\nCHEST PAIN / UNSPECIFIED ANGINA PECTORIS HISTORY:\nSharp pain.\n"
    assert summarize(text).chief_complaint.text == "Palpitations."


def test_missing_sections_are_not_documented():
    summary = summarize("HISTORY OF PRESENT ILLNESS:\nCough for a week.\nPHYSICAL EXAM:\nClear lungs.\n")
    for field in summary.fields().values():
        assert field.status == NOT_DOCUMENTED
        assert field.evidence == []


def test_empty_heading_is_not_documented_with_a_warning():
    summary = summarize("CHIEF COMPLAINT:\nHISTORY OF PRESENT ILLNESS:\nCough.\n")
    assert summary.chief_complaint.status == NOT_DOCUMENTED
    assert any(w.code == "empty_section" and w.field == "chief_complaint" for w in summary.warnings)


def test_combined_assessment_and_plan_fills_both_fields():
    note = next(json.loads(line) for line in open(DATA / "aci_bench_dev.jsonl", encoding="utf-8"))
    summary = summarize(note["note"])
    assert summary.chief_complaint.text == "Annual exam."
    # Problem titles are the diagnosis; the whole section is the plan.
    assert summary.diagnosis.text.splitlines()[:2] == ["Congestive heart failure.", "Depression."]
    assert "increase her lisinopril to 40 mg daily" in summary.plan.text
    assert summary.plan.status == FOUND


def test_combined_section_with_inner_labels_is_split():
    text = "CC: Headache.\nA/P:\nAssessment: Migraine without aura.\nPlan: Sumatriptan 50 mg as needed.\n"
    summary = summarize(text)
    assert summary.chief_complaint.text == "Headache."
    assert summary.diagnosis.text == "Migraine without aura."
    assert summary.plan.text == "Sumatriptan 50 mg as needed."


def test_discharge_diagnosis_beats_admitting_diagnosis():
    text = "入院诊断：发热待查\n出院诊断：社区获得性肺炎\n出院医嘱：口服阿莫西林\n"
    summary = summarize(text)
    assert summary.diagnosis.text == "社区获得性肺炎"
    assert summary.plan.text == "口服阿莫西林"


def test_soft_wrapped_lines_are_joined_and_list_items_kept():
    text = "PLAN:\n1. Start metformin\n500 mg twice daily.\n2. Recheck A1c in\nthree months.\n"
    summary = summarize(text)
    assert summary.plan.text == "1. Start metformin 500 mg twice daily.\n2. Recheck A1c in three months."


def test_sections_run_to_the_next_heading():
    sections = sectionize("CHIEF COMPLAINT: Cough.\nDOPPLER:\nNormal flow.\n")
    assert [s.heading.role for s in sections] == ["chief_complaint", "other"]
