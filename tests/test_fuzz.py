"""Property-based fuzzing: the de-identifier, the sectionizer and the faithfulness guard never crash
and never return a span outside the text, whatever OCR throws at them."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.cancel import NEVER_CANCELLED
from desktop_app.models import FOUND
from desktop_app.privacy.deid import RESIDENT_ID, deidentify, find_phi
from desktop_app.progress import NULL_PROGRESS
from desktop_app.summarize.guard import check_summary
from desktop_app.summarize.sections import SectionSummarizer, sectionize

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces that steer the generator into the interesting paths: headings, labels, numbering, numbers.
PIECES = [
    "主诉：", "诊断：", "处理意见：", "（2）主诉\n", "现病史\n", "CHIEF COMPLAINT:", "ASSESSMENT AND PLAN:\n",
    "PLAN:", "Assessment:", "Plan:", "1. ", "2) ", "- ", "• ", "#", "\n", "\r\n", "\n\n", " ", "：", ":",
    "姓名：", "患者", "病人：", "Name: ", "MRN: ", "住院号", "住址：", "Address: ", "DOB: ", "Mr. ",
    "张三", "Martha Collins", "13812345678", "110105194912310021", "11010519491231002X", "(555) 123-4567",
    "500 mg", "0.5g", "37.8℃", "次/分", "阿莫西林胶囊", "急性阑尾炎", "omeprazole", "hypertension",
    "\\n", "\ufffd", "\u200b", "Ａ", "５", "\t",
]
texts = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=12)), max_size=40).map("".join)


def _check_findings(text: str, strict: bool) -> None:
    findings = find_phi(text, strict=strict)
    previous_end = 0
    for finding in findings:
        assert previous_end <= finding.start < finding.end <= len(text)
        previous_end = finding.end


@FUZZ
@given(texts, st.booleans())
def test_deid_spans_in_bounds_and_sorted(text, strict):
    _check_findings(text, strict)
    out = deidentify(text, language="zh", strict=strict)
    assert isinstance(out, str)


@FUZZ
@given(texts, texts)
def test_a_valid_resident_id_is_always_found(before, after):
    number = "11010519491231002X"
    text = f"{before} {number} {after}"
    start = len(before) + 1
    covering = [f for f in find_phi(text) if f.start <= start and start + len(number) <= f.end]
    assert covering  # as a resident ID, or inside a labelled number such as "MRN: …"
    assert any(f.kind == RESIDENT_ID for f in find_phi(f"x {number} x"))


@FUZZ
@given(texts)
def test_sectionize_spans_in_bounds(text):
    previous_start = 0
    for section in sectionize(text):
        assert previous_start <= section.start <= section.end <= len(text)
        previous_start = section.start


@FUZZ
@given(texts)
def test_section_summarizer_and_guard_never_crash(text):
    summary = SectionSummarizer().summarize(text, language="zh", cancel=NEVER_CANCELLED,
                                            progress=NULL_PROGRESS)
    for field in summary.fields().values():
        if field.status == FOUND:
            assert field.text and field.evidence
        for evidence in field.evidence:
            assert 0 <= evidence.start < evidence.end <= len(text)
    check_summary(summary, text)
    for warning in summary.warnings:
        if warning.start is not None:
            field_text = summary.fields()[warning.field].text
            assert 0 <= warning.start < warning.end <= len(field_text)
