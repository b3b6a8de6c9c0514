"""The embedded `sections` summarizer: zh + en headings, garbled headings, missing sections."""

from __future__ import annotations

import json

import pytest

from desktop_app.cancel import CancelToken
from desktop_app.models import FOUND, NOT_DOCUMENTED
from desktop_app.progress import NULL_PROGRESS
from desktop_app.summarize.headings import match_line
from desktop_app.summarize.sections import SectionSummarizer, detect_language, sectionize
from tests.documents import DATA, EN_NOTE, ZH_NOTE


def summarize(text: str):
    return SectionSummarizer().summarize(text, language=detect_language(text), cancel=CancelToken(),
                                         progress=NULL_PROGRESS)


def fields(text: str) -> tuple[str, str, str]:
    """(chief complaint, diagnosis, plan) as the section extractor copies them from `text`."""
    summary = summarize(text)
    return summary.chief_complaint.text, summary.diagnosis.text, summary.plan.text


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
    assert fields(text) == (
        "Headache.",
        "Migraine without aura.",
        "Sumatriptan 50 mg as needed.",
    )


def test_discharge_diagnosis_beats_admitting_diagnosis():
    text = "入院诊断：发热待查\n出院诊断：社区获得性肺炎\n出院医嘱：口服阿莫西林\n"
    assert fields(text)[1:] == ("社区获得性肺炎", "口服阿莫西林")


def test_soft_wrapped_lines_are_joined_and_list_items_kept():
    text = "PLAN:\n1. Start metformin\n500 mg twice daily.\n2. Recheck A1c in\nthree months.\n"
    summary = summarize(text)
    assert summary.plan.text == "1. Start metformin 500 mg twice daily.\n2. Recheck A1c in three months."


def test_sections_run_to_the_next_heading():
    sections = sectionize("CHIEF COMPLAINT: Cough.\nDOPPLER:\nNormal flow.\n")
    assert [s.heading.role for s in sections] == ["chief_complaint", "other"]


# --- headings that end a section, known or not (issue #13 item 1) ---------------------------------

@pytest.mark.parametrize("heading", ["主诉", "现病史", "既往史", "个人史", "家族史", "体格检查", "辅助检查", "初步诊断",
                                     "入院诊断", "出院诊断", "诊疗经过", "处理意见", "出院医嘱"])
def test_chinese_record_writing_headings_are_known(heading):
    for line in (heading, f"{heading}：内容", f"（3）{heading}", f"三、{heading}"):
        match = match_line(line)
        assert match is not None and match.heading.label == heading, line


def test_numbered_chinese_headings_never_leak_into_the_chief_complaint():
    text = ("（1）现病史\n患者3小时前出现右下腹痛。\n（2）主诉\n右下腹痛3小时。\n"
            "（3）既往史、个人史及家族史\n无特殊。\n（4）专科情况\n右下腹压痛。\n（5）初步诊断\n急性阑尾炎\n")
    summary = summarize(text)
    assert summary.chief_complaint.text == "右下腹痛3小时。"
    assert summary.diagnosis.text == "急性阑尾炎"
    # (4) is no known heading, but it continues the document's numbering: it ends (3).
    assert [s.heading_text for s in sectionize(text)] == ["现病史", "主诉", "既往史、个人史及家族史", "专科情况",
                                                         "初步诊断"]


def test_chinese_numeral_headings_split_sections():
    text = "一、主诉：头痛2天。\n二、病史摘要：2天前受凉后头痛。\n三、诊断：紧张型头痛\n四、处理：休息。\n"
    assert fields(text) == (
        "头痛2天。",
        "紧张型头痛",
        "休息。",
    )


def test_numbered_plan_items_are_list_items_not_headings():
    # The headings are numbered 1.–3.; the plan's own list restarts at 1, so "2. Diet counselling" and
    # "4. Weight loss program" stay in the plan although they are short capitalised phrases.
    text = ("1. Chief complaint: Thirst.\n2. Assessment: Type 2 diabetes.\n3. Plan:\n1. Start metformin 500 mg\n"
            "2. Diet counselling\n3. Recheck A1c in three months\n4. Weight loss program\n")
    summary = summarize(text)
    assert summary.plan.text.splitlines() == ["1. Start metformin 500 mg", "2. Diet counselling",
                                              "3. Recheck A1c in three months", "4. Weight loss program"]


def test_a_known_heading_inside_a_numbered_plan_is_an_item():
    text = "PLAN:\n1. Diet and exercise.\n2. Labs: CBC and lipid panel.\n3. Medications: continue metformin.\n"
    assert summarize(text).plan.text.splitlines() == ["1. Diet and exercise.", "2. Labs: CBC and lipid panel.",
                                                      "3. Medications: continue metformin."]


def test_the_next_numbered_heading_ends_a_numbered_list():
    # "3.处理" is both the list's next number and the headings' next number: the known heading wins.
    text = "1.主诉：头痛3天。\n2.诊断：\n1.高血压\n2.冠心病\n3.处理：休息。\n"
    assert fields(text)[1:] == ("1.高血压\n2.冠心病", "休息。")


def test_unknown_numbered_heading_that_continues_the_numbering_ends_the_plan():
    text = "1. Chief complaint: Cough.\n2. Plan:\nRest and fluids.\n3. Physician signature\nDr. Wang\n"
    assert summarize(text).plan.text == "Rest and fluids."


def test_unknown_uppercase_and_colon_headings_end_the_chief_complaint():
    assert summarize("CHIEF COMPLAINT:\nCough.\nDOPPLER STUDIES\nNormal flow.\n").chief_complaint.text == "Cough."
    text = "Chief complaint:\nKnee pain.\nSocial context:\nLives alone.\n"
    assert summarize(text).chief_complaint.text == "Knee pain."
    assert summarize("主诉：\n腹痛1天。\n专科情况：\n腹软。\n").chief_complaint.text == "腹痛1天。"


def test_soap_letters_are_headings_only_in_a_soap_note():
    summary = summarize("S: Cough for 3 days.\nO: Temperature 38.2.\nA: Acute bronchitis.\nP: Rest and fluids.\n")
    assert summary.chief_complaint.status == NOT_DOCUMENTED
    assert summary.diagnosis.text == "Acute bronchitis."
    assert summary.plan.text == "Rest and fluids."
    # A pulse written "P: 88" in a note without other SOAP letters is not a plan.
    lone = summarize("CHIEF COMPLAINT: Palpitations.\nVITALS:\nP: 88\nBP: 120/80\n")
    assert lone.plan.status == NOT_DOCUMENTED
    assert lone.chief_complaint.text == "Palpitations."


# --- English chief complaints that run on (item 5) -------------------------------------------------

def test_chief_complaint_run_on_is_cut_at_the_next_heading_like_line():
    text = ("CHIEF COMPLAINT:\nChest pain.\nPresent history\nThe patient is a 58-year-old man with chest pain.\n"
            "PLAN:\nStress test.\n")
    summary = summarize(text)
    assert summary.chief_complaint.text == "Chest pain."
    assert not any(w.code == "chief_complaint_long" for w in summary.warnings)


def test_a_chief_complaint_wrapped_by_the_scan_is_not_cut():
    text = "CHIEF COMPLAINT:\nShortness of breath on exertion and swelling of both ankles for\nTwo Weeks\nHPI: Worse.\n"
    assert summarize(text).chief_complaint.text == ("Shortness of breath on exertion and swelling of both ankles "
                                                    "for Two Weeks")


def test_long_chief_complaint_without_a_heading_is_kept_and_warned():
    narrative = ("The patient is a 58-year-old man who comes in with chest pain on exertion for two days, "
                 "worse on stairs, relieved by rest, with no fever and no cough at any time.")
    summary = summarize(f"CHIEF COMPLAINT:\nChest pain.\n{narrative}\n")
    assert summary.chief_complaint.text == f"Chest pain. {narrative}"
    warning = next(w for w in summary.warnings if w.code == "chief_complaint_long")
    assert warning.field == "chief_complaint" and "words" in warning.message


# --- discharge summaries and referral letters (item 4) ---------------------------------------------

EN_DISCHARGE = """DISCHARGE SUMMARY
REASON FOR ADMISSION: Fever and productive cough.
HOSPITAL COURSE:
Treated with intravenous ceftriaxone for three days, then switched to oral antibiotics.
DISCHARGE DIAGNOSES:
1. Community-acquired pneumonia.
2. Type 2 diabetes mellitus.
DISCHARGE MEDICATIONS:
1. Amoxicillin 1 g three times daily for 5 days.
2. Metformin 500 mg twice daily.
DISCHARGE INSTRUCTIONS:
Return if fever recurs. See your GP in one week.
"""


def test_english_discharge_summary_maps_to_the_three_fields():
    summary = summarize(EN_DISCHARGE)
    assert summary.chief_complaint.text == "Fever and productive cough."
    assert summary.diagnosis.text == "1. Community-acquired pneumonia.\n2. Type 2 diabetes mellitus."
    # One evidence span per diagnosis, each exactly the item in the document.
    assert [EN_DISCHARGE[e.start:e.end] for e in summary.diagnosis.evidence] == [
        "1. Community-acquired pneumonia.", "2. Type 2 diabetes mellitus."]
    assert "Amoxicillin 1 g three times daily" in summary.plan.text
    assert "See your GP in one week." in summary.plan.text
    assert "ceftriaxone" not in summary.plan.text  # the hospital course is only a last resort


def test_hospital_course_is_the_plan_only_when_nothing_else_is():
    summary = summarize("DISCHARGE SUMMARY\nDISCHARGE DIAGNOSIS: Cellulitis.\n"
                        "HOSPITAL COURSE:\nIV cefazolin, improved.\n")
    assert summary.plan.text == "IV cefazolin, improved."
    assert summary.plan.heading == "HOSPITAL COURSE:"


def test_chinese_discharge_record_maps_to_the_three_fields():
    text = ("出院记录\n入院原因：发热、咳嗽3天。\n入院诊断：发热待查\n诊疗经过：予头孢曲松抗感染治疗5天。\n"
            "出院诊断：1.社区获得性肺炎 2.2型糖尿病\n出院医嘱：1.口服阿莫西林 2.一周后门诊复诊\n")
    summary = summarize(text)
    assert summary.chief_complaint.text == "发热、咳嗽3天。"
    assert summary.diagnosis.text == "1.社区获得性肺炎\n2.2型糖尿病"
    assert summary.plan.text == "1.口服阿莫西林 2.一周后门诊复诊"
    assert summary.plan.heading == "出院医嘱："


def test_referral_letter_reason_for_referral_is_the_chief_complaint():
    text = ("Dear Dr. Smith,\nREASON FOR REFERRAL: Persistent microscopic haematuria.\n"
            "HISTORY:\nTwo positive dipsticks.\nIMPRESSION: Haematuria of unclear cause.\n"
            "RECOMMENDATIONS:\nCystoscopy and renal ultrasound.\n")
    assert fields(text) == (
        "Persistent microscopic haematuria.",
        "Haematuria of unclear cause.",
        "Cystoscopy and renal ultrasound.",
    )


def test_a_letter_closing_ends_the_plan():
    text = "REASON FOR REFERRAL: Hoarseness.\nRecommendations: Laryngoscopy.\nYours sincerely,\nDr. Smith\n"
    assert summarize(text).plan.text == "Laryngoscopy."
    assert summarize("主诉：声嘶6周。\n处理意见：喉镜检查。\n此致\n敬礼\n医师签名：李明\n").plan.text == "喉镜检查。"


def test_instructions_after_the_plan_belong_to_it():
    summary = summarize("ASSESSMENT: Ankle sprain.\nPLAN:\nRICE.\nINSTRUCTIONS:\nReturn if unable to bear weight.\n")
    assert summary.plan.text == "RICE.\nReturn if unable to bear weight."
