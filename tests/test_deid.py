"""De-identification (zh + en) and the logging filter: no patient name or number reaches a log line."""

from __future__ import annotations

import io
import json
import logging
import re
from pathlib import Path

import pymupdf
import pytest

from desktop_app.models import OcrOutput
from desktop_app.pipeline import Pipeline
from desktop_app.privacy.deid import (
    ADDRESS,
    BIRTH_DATE,
    EMAIL,
    NAME,
    PHONE,
    RECORD_NUMBER,
    RESIDENT_ID,
    SSN,
    PhiLogFilter,
    deidentify,
    find_phi,
    install_log_filter,
    remove_log_filter,
    resident_id_valid,
)
from desktop_app.summarize.sections import SectionSummarizer

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def resident_id(first17: str) -> str:
    """A resident ID number with a correct check digit (test data; not a real person)."""
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def _kinds(text: str) -> dict[str, str]:
    return {text[f.start:f.end]: f.kind for f in find_phi(text)}


def test_resident_id_checksum():
    good = resident_id("11010519491231002")
    assert good == "11010519491231002X" and resident_id_valid(good)
    assert not resident_id_valid(good[:-1] + "1")
    text = f"身份证号：{good}，另一个号码 {good[:-1]}1"
    assert _kinds(text) == {good: RESIDENT_ID}


def test_chinese_header_is_removed_and_clinical_text_kept():
    number = resident_id("44030619850712345")
    text = (f"姓名：张三  性别：男  年龄：45岁\n身份证号：{number}\n住院号：ZY20230001  电话：13812345678\n"
            "住址：北京市朝阳区建国路88号  \n出生日期：1978年3月5日\n"
            "患者张三因右下腹痛3小时入院。病人：李四，门诊号 123456，固话 010-62345678\n"
            "予阿莫西林0.5g 每日3次。T 37.8℃")
    kinds = _kinds(text)
    assert kinds == {"张三": NAME, number: RESIDENT_ID, "ZY20230001": RECORD_NUMBER, "13812345678": PHONE,
                     "北京市朝阳区建国路88号": ADDRESS, "1978年3月5日": BIRTH_DATE, "李四": NAME,
                     "123456": RECORD_NUMBER, "010-62345678": PHONE}
    clean = deidentify(text, language="zh")
    assert "[姓名]因右下腹痛3小时入院" in clean
    assert "予阿莫西林0.5g 每日3次。T 37.8℃" in clean  # doses and vitals untouched


def test_patient_without_a_name_is_not_redacted():
    text = "患者自述腹痛3天，患者男性，45岁，病人既往体健。"
    assert find_phi(text) == []


def test_english_header_and_every_later_mention_of_the_name():
    text = ("Name: Martha Collins\nMRN: 00123456\nDOB: 04/12/1973\nPhone: (555) 123-4567\n"
            "Address: 12 Oak Street, Springfield, IL\nEmail: m.collins@example.com SSN 123-45-6789\n"
            "Martha Collins is a 50-year-old female. Ms. Collins reports pain. "
            "Cipro 500 mg b.i.d. BP 130/85.")
    clean = deidentify(text)
    for secret in ("Martha", "Collins", "00123456", "04/12/1973", "123-4567", "Oak Street", "m.collins",
                   "123-45-6789"):
        assert secret not in clean
    assert "[NAME] is a 50-year-old female. Ms. [NAME] reports pain. Cipro 500 mg b.i.d. BP 130/85." in clean
    assert {EMAIL, SSN, PHONE, BIRTH_DATE} <= set(_kinds(text).values())


def test_strict_mode_takes_long_digit_runs_only():
    assert deidentify("account 123456789012 dose 500 mg", strict=True) == "account [NUMBER] dose 500 mg"
    assert deidentify("account 123456789012") == "account 123456789012"


# --- the logging filter over the pipeline -------------------------------------------------------


def _aci_notes(count: int) -> list[tuple[str, str]]:
    """(patient name as written in the note, note) for ACI-Bench notes that name their patient."""
    out = []
    for line in (DATA / "aci_bench_dev.jsonl").read_text(encoding="utf-8").splitlines():
        note = json.loads(line)["note"]
        match = re.search(r"\b([A-Z][a-z]+ [A-Z][a-z]+) is an? \d+-year-old", note)
        if match:
            out.append((match.group(1), note))
        if len(out) == count:
            return out
    return out


def _documents() -> list[tuple[str, list[str]]]:
    """(document text, secrets that must never be logged) from the shared notes plus planted headers."""
    docs = []
    for i, (name, note) in enumerate(_aci_notes(4)):
        mrn, phone = f"MR{4711000 + i}", f"(555) 201-{3000 + i}"
        header = f"Name: {name}\nMRN: {mrn}\nPhone: {phone}\nDOB: 03/0{i + 1}/1961\n"
        docs.append((header + note, [name, *name.split(), mrn, phone, f"03/0{i + 1}/1961"]))
    zh_names = ["王建国", "李秀英", "欧阳明", "张伟"]
    cases = json.loads((DATA / "cmb_clin_dev.json").read_text(encoding="utf-8"))[:4]
    for i, (name, case) in enumerate(zip(zh_names, cases, strict=True)):
        number = resident_id(f"3201021970010{1000 + i}")
        mobile, inpatient = f"1391234{5670 + i}", f"ZY2024{8800 + i}"
        header = f"姓名：{name}  性别：男\n身份证号：{number}\n住院号：{inpatient}  手机：{mobile}\n"
        docs.append((header + f"患者{name}，" + case["description"], [name, number, mobile, inpatient]))
    return docs


def _write_pdf(path: Path, text: str) -> None:
    """A text-layer PDF of `text`, plus a blank page that has to go to OCR."""
    pdf = pymupdf.open()
    lines = [line[i:i + 60] for line in text.splitlines() for i in range(0, max(len(line), 1), 60)]
    for start in range(0, len(lines), 50):
        page = pdf.new_page()
        for row, line in enumerate(lines[start:start + 50]):
            page.insert_text((36, 50 + 15 * row), line, fontname="china-s", fontsize=8)
    pdf.new_page()
    pdf.save(path)
    pdf.close()


class LeakySummarizer(SectionSummarizer):
    """The section summarizer plus the kind of debug line a careless engine writes."""

    def summarize(self, text, **kwargs):
        logging.getLogger("desktop_app.summarize.leaky").debug("summarizing: %s", text)
        return super().summarize(text, **kwargs)


class LeakyOcr:
    """An OCR engine whose failure message quotes text it saw (it ends up in a traceback)."""

    name = "leaky-ocr"

    def __init__(self, seen: str) -> None:
        self.seen = seen

    def recognize(self, page, *, cancel, progress) -> OcrOutput:
        raise RuntimeError(f"cannot read the page after {self.seen!r}")


def _run_logged(tmp_path: Path, docs, with_filter: bool) -> str:
    root = logging.getLogger()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    old_level = root.level
    # Only this test's handler: another handler's filter would scrub records in place before ours.
    old_handlers = root.handlers[:]
    for existing in old_handlers:
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        if with_filter:
            install_log_filter(root)
        for i, (text, _) in enumerate(docs):
            path = tmp_path / f"doc{i}.pdf"
            _write_pdf(path, text)
            header = "\n".join(text.splitlines()[:4])
            pipeline = Pipeline(ocr_engine=LeakyOcr(header), summarizer=LeakySummarizer())
            result = pipeline.run(path)
            assert result.ok and result.summary is not None
    finally:
        remove_log_filter(root)
        root.removeHandler(handler)
        for existing in old_handlers:
            root.addHandler(existing)
        root.setLevel(old_level)
    return stream.getvalue()


def test_no_patient_name_or_number_in_debug_logs(tmp_path):
    docs = _documents()
    secrets = [s for _, doc_secrets in docs for s in doc_secrets]
    # GIVEN the control run without the filter leaks (so this test can fail)
    leaked = _run_logged(tmp_path, docs, with_filter=False)
    assert sum(secret in leaked for secret in secrets) == len(secrets)
    # WHEN the same documents go through the pipeline with the filter on every handler
    logged = _run_logged(tmp_path, docs, with_filter=True)
    # THEN the logs still say what happened, and hold none of the patients' names or numbers
    assert "document done" in logged and "Traceback" in logged and "summarizing:" in logged
    assert [secret for secret in secrets if secret in logged] == []


def test_filter_handles_a_bad_format_string():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "Name: %s %d", ("Martha Collins",), None)
    PhiLogFilter().filter(record)
    assert "Martha" not in record.getMessage()


@pytest.mark.parametrize("language,label", [("en", "[PHONE]"), ("zh", "[电话]")])
def test_labels_follow_the_language(language, label):
    assert deidentify("手机：13912345678", language=language) == f"手机：{label}"


def test_a_drug_name_label_is_not_a_person():
    text = "Drug Name: Aspirin\nPatient Name: Wang Wei"
    assert deidentify(text) == "Drug Name: Aspirin\nPatient Name: [NAME]"
