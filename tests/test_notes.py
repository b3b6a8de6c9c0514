"""Files holding several notes (issue #13 item 3): a new note's header ends every section, each note is
summarized on its own, and the JSON, the text report and the evidence show "note 2 of 3"."""

from __future__ import annotations

import json

import pymupdf
import pytest

from desktop_app.cli import result_json
from desktop_app.models import FOUND, NOT_DOCUMENTED, Evidence, Summary, SummaryField
from desktop_app.pipeline import Pipeline
from desktop_app.render import render_pages, save_pdf_from_images
from desktop_app.report import render_markdown, render_text
from desktop_app.summarize.notes import split_notes

ZH_VISIT_1 = """门诊病历
姓名：张三  性别：男  年龄：45岁
就诊日期：2024-03-02
主诉：咳嗽、咳痰1周。
现病史：患者1周前受凉后出现咳嗽。
初步诊断：急性支气管炎
处理意见：多饮水，口服氨溴索。
"""
ZH_VISIT_2 = """门诊病历
姓名：张三  性别：男  年龄：45岁
就诊日期：2024-03-09
主诉：咳嗽好转3天。
诊断：1.急性支气管炎 2.高血压病
处理意见：停用氨溴索，监测血压。
"""
EN_NOTES = [
    """PROGRESS NOTE   03/02/2024
CHIEF COMPLAINT: Headache.
ASSESSMENT AND PLAN:
1. Migraine without aura: start sumatriptan 50 mg as needed.
2. Hypertension: continue lisinopril 10 mg daily.
""",
    """PROGRESS NOTE   03/16/2024
CHIEF COMPLAINT: Follow-up of headache.
ASSESSMENT: Migraine, improved.
PLAN: Continue sumatriptan.
""",
    """DISCHARGE SUMMARY   04/01/2024
REASON FOR ADMISSION: Status migrainosus.
DISCHARGE DIAGNOSES: Status migrainosus, resolved.
DISCHARGE INSTRUCTIONS: Neurology clinic in two weeks.
""",
]


def pdf_with_pages(tmp_path, pages: list[str], name="notes.pdf"):
    """A born-digital PDF, one page per text (CJK through MuPDF's built-in font)."""
    pdf = pymupdf.open()
    for text in pages:
        page = pdf.new_page(width=595, height=842)
        page.insert_textbox(pymupdf.Rect(60, 60, 535, 780), text, fontsize=11, fontname="china-s")
    path = tmp_path / name
    pdf.save(path)
    return path


def test_two_chinese_visits_in_one_text_are_two_notes():
    text = ZH_VISIT_1 + ZH_VISIT_2
    summary = Pipeline().summarize_text(text)
    assert [note.title for note in summary.notes] == ["门诊病历", "门诊病历"]
    first, second = summary.notes
    assert first.plan.text == "多饮水，口服氨溴索。"  # not running on into the next note's 门诊病历
    assert second.chief_complaint.text == "咳嗽好转3天。"
    assert second.diagnosis.text == "1.急性支气管炎\n2.高血压病"
    assert second.plan.text == "停用氨溴索，监测血压。"
    # Spans are document offsets: every evidence span lies inside its note and reads as the field.
    for note in summary.notes:
        for field in note.fields().values():
            for evidence in field.evidence:
                assert note.start <= evidence.start < evidence.end <= note.end
    assert text[second.plan.evidence[0].start:second.plan.evidence[0].end] == "停用氨溴索，监测血压。"
    # The top-level fields are the first note's, and a warning says the file holds two notes.
    assert summary.plan.text == first.plan.text
    assert any(w.code == "multiple_notes" and "2" in w.message for w in summary.warnings)


def test_repeated_patient_banner_starts_a_new_note():
    banner = "Patient: Jane Roe   DOB: 01/02/1960   MRN: 445566\n"
    text = (banner + "CHIEF COMPLAINT: Cough.\nPLAN: Rest.\n" + banner
            + "CHIEF COMPLAINT: Rash.\nPLAN: Hydrocortisone cream.\n")
    notes = split_notes(text)
    assert len(notes) == 2
    summary = Pipeline().summarize_text(text)
    assert [n.plan.text for n in summary.notes] == ["Rest.", "Hydrocortisone cream."]
    assert summary.notes[1].title == banner.strip()


def test_a_page_header_repeated_on_every_page_does_not_split_one_note():
    header = "PROGRESS NOTE   03/02/2024   Page 1 of 2\n"
    text = (header + "CHIEF COMPLAINT: Cough.\nHISTORY OF PRESENT ILLNESS: Three days.\n"
            + header.replace("Page 1", "Page 2") + "PHYSICAL EXAMINATION: Clear lungs.\nPLAN: Rest.\n")
    assert len(split_notes(text)) == 1
    summary = Pipeline().summarize_text(text)
    assert summary.notes == []
    assert summary.plan.text == "Rest."


def test_a_single_note_has_no_notes_list():
    summary = Pipeline().summarize_text(ZH_VISIT_1)
    assert summary.notes == []
    assert not any(w.code == "multiple_notes" for w in summary.warnings)


def test_three_note_pdf_shows_each_note_in_json_and_report(tmp_path):
    path = pdf_with_pages(tmp_path, EN_NOTES)
    result = Pipeline().run(path)
    notes = result.summary.notes
    assert len(notes) == 3
    assert [n.pages for n in notes] == [[0], [1], [2]]
    assert notes[0].diagnosis.text == "Migraine without aura\nHypertension"
    assert "PROGRESS NOTE" not in notes[0].plan.text
    assert notes[1].plan.text == "Continue sumatriptan."
    assert notes[2].chief_complaint.text == "Status migrainosus."
    assert notes[2].plan.text == "Neurology clinic in two weeks."
    # Evidence of a later note points at its own page, with boxes.
    assert {e.page for e in notes[2].plan.evidence} == {2}
    assert all(e.boxes for e in notes[2].plan.evidence)

    data = json.loads(result_json(result))
    assert [n["index"] for n in data["summary"]["notes"]] == [0, 1, 2]
    assert data["summary"]["notes"][1]["plan"]["text"] == "Continue sumatriptan."
    assert data["summary"]["notes"][2]["title"].startswith("DISCHARGE SUMMARY")

    report = render_text(result)
    assert "Note 2 of 3 — PROGRESS NOTE" in report and "03/16/2024 (page 2)" in report
    assert report.index("Continue sumatriptan.") > report.index("Note 2 of 3")
    assert report.index("Neurology clinic in two weeks.") > report.index("Note 3 of 3")
    assert "## Note 3 of 3" in render_markdown(result)


def test_chinese_report_names_the_notes_in_chinese(tmp_path):
    result = Pipeline().run(pdf_with_pages(tmp_path, [ZH_VISIT_1, ZH_VISIT_2]))
    report = render_text(result)
    assert "第 2 份病历（共 2 份）" in report
    assert len(result.summary.notes) == 2
    assert result.summary.notes[1].diagnosis.status != NOT_DOCUMENTED


@pytest.mark.slow
def test_scanned_two_visit_pdf_is_split_after_ocr(tmp_path):
    # Both visits on one scanned page: the boundary is found in OCR text, not in a text layer.
    page = render_pages(ZH_VISIT_1 + "\n" + ZH_VISIT_2, dpi=150)[0]
    path = tmp_path / "scan.pdf"
    save_pdf_from_images([page], path, dpi=150)
    result = Pipeline().run(path)
    assert result.ok
    notes = result.summary.notes
    assert len(notes) == 2
    assert "门诊病历" not in notes[0].plan.text
    assert "氨溴索" in notes[0].plan.text
    assert "监测血压" in notes[1].plan.text


ZH_DISCHARGE = """出院记录
姓名：李四  性别：女  年龄：67岁
入院原因：发热、咳嗽3天。
入院诊断：发热待查
诊疗经过：予头孢曲松抗感染治疗5天，体温正常。
出院诊断：1.社区获得性肺炎 2.2型糖尿病
出院医嘱：1.口服阿莫西林 2.一周后呼吸科门诊复诊
"""
ZH_REFERRAL = """转诊单
姓名：李四  性别：女  年龄：67岁
转诊原因：血糖控制不佳。
初步诊断：2型糖尿病
处理意见：请内分泌科调整降糖方案。
"""


def test_discharge_record_and_referral_in_one_pdf(tmp_path):
    result = Pipeline().run(pdf_with_pages(tmp_path, [ZH_DISCHARGE, ZH_REFERRAL], "zh.pdf"))
    discharge, referral = result.summary.notes
    assert (discharge.title, referral.title) == ("出院记录", "转诊单")
    assert discharge.chief_complaint.text == "发热、咳嗽3天。"
    assert discharge.diagnosis.text == "1.社区获得性肺炎\n2.2型糖尿病"  # the discharge diagnoses, item by item
    assert "阿莫西林" in discharge.plan.text and "转诊单" not in discharge.plan.text
    assert referral.chief_complaint.text == "血糖控制不佳。"
    assert referral.plan.text == "请内分泌科调整降糖方案。"
    assert [n.pages for n in result.summary.notes] == [[0], [1]]


def test_a_new_visit_date_starts_a_new_note():
    text = ("Date of visit: 03/02/2024\nCHIEF COMPLAINT: Sore throat.\nPLAN: Penicillin V.\n"
            "Date of visit: 03/12/2024\nCHIEF COMPLAINT: Sore throat, better.\nPLAN: Finish the course.\n")
    notes = split_notes(text)
    assert [n.title for n in notes] == ["Date of visit: 03/02/2024", "Date of visit: 03/12/2024"]
    assert text[notes[1].start:].startswith("Date of visit: 03/12/2024")


def test_section_headings_that_look_like_titles_do_not_split():
    # MTSamples writes "HISTORY AND PHYSICAL:" as a section heading inside one note.
    text = "CHIEF COMPLAINT: Fall.\nHISTORY AND PHYSICAL:\nCHIEF COMPLAINT: Fall at home.\nPLAN: Admit.\n"
    assert len(split_notes(text)) == 1


def test_a_title_word_inside_a_sentence_is_no_header():
    text = "主诉：头痛3天。\n现病史：头痛。\n详见门诊病历\n诊断：紧张型头痛\n处理：休息。\n"
    assert len(split_notes(text)) == 1
    english = "CHIEF COMPLAINT: Cough.\nHPI: Three days.\nDetails in the progress note\nPLAN: Rest.\n"
    assert len(split_notes(english)) == 1
    hospital = ("北京市第一人民医院门诊病历\n主诉：头痛3天。\n处理：休息。\n"
                "北京市第一人民医院门诊病历\n主诉：复诊。\n处理：停药。\n")
    assert [n.title for n in split_notes(hospital)] == ["北京市第一人民医院门诊病历"] * 2


class FirstLineSummarizer:
    """Any summarizer (a model one too) sees one note at a time: its chief complaint is the note's first line."""

    name = "first-line"

    def __init__(self):
        self.seen = []

    def summarize(self, text, *, language, cancel, progress):
        self.seen.append(text)
        first = text.splitlines()[0]
        return Summary(chief_complaint=SummaryField(first, FOUND, [Evidence(0, len(first))]), engine=self.name,
                       language=language)


def test_every_summarizer_gets_one_note_at_a_time_and_spans_come_back_in_document_offsets():
    text = EN_NOTES[0] + EN_NOTES[1]
    fake = FirstLineSummarizer()
    summary = Pipeline(summarizer=fake).summarize_text(text)
    assert fake.seen == [EN_NOTES[0], EN_NOTES[1]]
    second = summary.notes[1].chief_complaint
    assert text[second.evidence[0].start:second.evidence[0].end] == EN_NOTES[1].splitlines()[0]
    assert summary.engine == "first-line"
