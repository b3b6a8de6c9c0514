"""Problem-oriented assessments (issue #13 item 2): the diagnosis lists the problems' names, in order, each with
its evidence; the plan keeps each problem's lines under its name."""

from __future__ import annotations

import pytest

from desktop_app.models import NOT_DOCUMENTED
from desktop_app.summarize.problems import find_problems, list_items
from tests.test_sections import fields, summarize


def evidence_texts(text: str, field) -> list[str]:
    return [text[e.start:e.end] for e in field.evidence]


BULLETED = """ASSESSMENT AND PLAN

Ms. Lee is a 64-year-old woman seen for follow-up of chronic conditions.

Atrial fibrillation.
• Medical Reasoning: Rate controlled on metoprolol.
• Medical Treatment: Continue metoprolol 25 mg twice daily and apixaban 5 mg twice daily.

Chronic kidney disease stage 3
• Medical Reasoning: Creatinine stable.
• Additional Testing: Repeat renal panel in 3 months.

Patient Agreements: The patient understands and agrees with the plan.
"""


def test_problem_lines_followed_by_bullets():
    summary = summarize(BULLETED)
    assert summary.diagnosis.text == "Atrial fibrillation.\nChronic kidney disease stage 3"
    assert evidence_texts(BULLETED, summary.diagnosis) == ["Atrial fibrillation.", "Chronic kidney disease stage 3"]
    plan = summary.plan.text.splitlines()
    # Each problem's lines stay under its name; the case summary before the first problem is no plan.
    assert plan[0] == "Atrial fibrillation."
    assert plan[1].startswith("• Medical Reasoning: Rate controlled")
    assert plan.index("Chronic kidney disease stage 3") == 3
    assert "64-year-old" not in summary.plan.text
    assert not any(w.code == "combined_section" for w in summary.warnings)


def test_bullets_lost_by_ocr_still_mark_the_problems():
    text = BULLETED.replace("• ", "")
    assert summarize(text).diagnosis.text == "Atrial fibrillation.\nChronic kidney disease stage 3"


@pytest.mark.parametrize("body,names", [
    ("1. Hypertension: continue lisinopril 10 mg daily.\n2. Type 2 diabetes: start metformin 500 mg.\n",
     ["Hypertension", "Type 2 diabetes"]),
    ("1.  Chronic prostatitis.  Stable, no change.\n2.  Anemia.  CBC will be rechecked.\n",
     ["Chronic prostatitis.", "Anemia."]),
    ("1. Right knee pain.\n- Brace and ice.\n2. Obesity.\n- Diet counselling.\n", ["Right knee pain.", "Obesity."]),
    ("# Asthma\nIncrease inhaled budesonide.\n# GERD\nOmeprazole 20 mg daily.\n", ["Asthma", "GERD"]),
    ("Hypertension:\nContinue amlodipine.\nHyperlipidemia:\nStart atorvastatin 20 mg.\n",
     ["Hypertension", "Hyperlipidemia"]),
    ("1. Fever of unknown origin, we will send blood cultures.\n2. Dehydration, which we treat with IV fluids.\n",
     ["Fever of unknown origin", "Dehydration"]),
])
def test_problem_shapes(body, names):
    text = "ASSESSMENT/PLAN:\n" + body
    summary = summarize(text)
    assert evidence_texts(text, summary.diagnosis) == names
    assert summary.diagnosis.text.splitlines() == names
    # Nothing of the section is lost from the plan.
    assert summary.plan.text.replace("\n", " ").split() == body.replace("\n", " ").split()


def test_soap_assessment_and_plan():
    text = ("S: Sore throat.\nO: Exudative tonsils.\nA: Streptococcal pharyngitis.\n"
            "P: Penicillin V 500 mg twice daily.\n")
    assert fields(text)[1:] == ("Streptococcal pharyngitis.", "Penicillin V 500 mg twice daily.")


def test_numbered_orders_name_no_problem():
    text = "ASSESSMENT AND PLAN:\n1. Start metformin 500 mg twice daily.\n2. We will recheck A1c in 3 months.\n"
    summary = summarize(text)
    assert summary.diagnosis.status == NOT_DOCUMENTED
    assert any(w.code == "combined_section" for w in summary.warnings)
    assert "Start metformin 500 mg" in summary.plan.text


def test_an_undivided_paragraph_is_said_to_be_one():
    text = ("ASSESSMENT AND PLAN:\nLikely viral gastroenteritis. She will keep hydrated, try a bland diet and call if "
            "there is blood in the stool.\n")
    summary = summarize(text)
    assert summary.diagnosis.status == NOT_DOCUMENTED
    warning = next(w for w in summary.warnings if w.code == "combined_section")
    assert warning.field == "diagnosis"
    assert summary.plan.text.startswith("Likely viral gastroenteritis.")


def test_unnamed_first_item_keeps_its_plan():
    # "1." names no problem, but its lines are still part of the plan.
    text = "IMPRESSION/PLAN:\n1. We discussed the results at length.\n2. Anemia. Iron sulfate 325 mg daily.\n"
    summary = summarize(text)
    assert summary.diagnosis.text == "Anemia."
    assert "We discussed the results at length." in summary.plan.text


def test_assessment_written_problem_by_problem_fills_the_plan_too():
    text = ("ASSESSMENT\n\nLow back pain.\n• Medical Treatment: Physical therapy referral.\n\nDepression\n"
            "• Medical Treatment: Increase sertraline to 100 mg daily.\n")
    summary = summarize(text)
    assert summary.diagnosis.text == "Low back pain.\nDepression"
    assert "Increase sertraline to 100 mg daily." in summary.plan.text


def test_a_plain_assessment_list_is_not_a_plan():
    summary = summarize("ASSESSMENT:\n1. Hypertension\n2. Hyperlipidemia\n")
    assert summary.diagnosis.text == "1. Hypertension\n2. Hyperlipidemia"
    assert summary.plan.status == NOT_DOCUMENTED


@pytest.mark.parametrize("text,items", [
    ("诊断：1.高血压病3级 2.2型糖尿病", ["1.高血压病3级", "2.2型糖尿病"]),
    ("诊断：\n1、冠心病；\n2、心功能II级\n", ["1、冠心病", "2、心功能II级"]),
])
def test_chinese_numbered_diagnosis_lists(text, items):
    summary = summarize(text)
    assert evidence_texts(text, summary.diagnosis) == items
    assert summary.diagnosis.text.splitlines() == items


def test_list_items_need_a_list():
    text = "Amlodipine 2.5 mg daily."
    assert list_items(text, 0, len(text)) == []
    assert find_problems(text, 0, len(text)) == []


def test_chinese_combined_diagnosis_and_plan_heading():
    text = "主诉：头晕1周。\n诊断及处理：\n1.高血压病：氨氯地平5mg 每日一次\n2.高脂血症：阿托伐他汀20mg 每晚一次\n"
    summary = summarize(text)
    assert summary.diagnosis.text.splitlines() == ["高血压病", "高脂血症"]
    assert "阿托伐他汀20mg" in summary.plan.text
