"""Evaluation metrics on hand-computed cases (no engines)."""

from __future__ import annotations

import pytest

from desktop_app import errors
from desktop_app.evaluation import label_errors
from desktop_app.evaluation.configs import resolve
from desktop_app.evaluation.metrics import aggregate, cer, score_document, score_field, token_f1, tokens
from desktop_app.evaluation.report import diff_markdown, word_diff
from desktop_app.settings import EngineSettings


def test_tokens_are_words_digits_and_single_cjk_characters():
    assert tokens("Aspirin 81 mg, 咳嗽1周") == ["aspirin", "81", "mg", "咳", "嗽", "1", "周"]


@pytest.mark.parametrize(("predicted", "gold", "expected"), [
    # 4 of 4 predicted tokens in the 5 gold ones: P = 1, R = 0.8, F1 = 2·0.8/1.8
    ("chest pain two days", "Chest pain for two days.", 2 * 0.8 / 1.8),
    # 咳 嗽 咳 痰 vs 咳 嗽: common 2 → P = 0.5, R = 1, F1 = 2/3
    ("咳嗽咳痰", "咳嗽", 2 / 3),
    ("", "", 1.0),
    ("headache", "", 0.0),
    ("", "headache", 0.0),
    ("pain pain", "pain", 2 / 3),  # counts, not sets: P = 0.5, R = 1
])
def test_token_f1_hand_computed(predicted, gold, expected):
    assert token_f1(predicted, gold) == pytest.approx(expected)


@pytest.mark.parametrize(("predicted", "gold", "expected"), [
    ("abce", "abcd", 0.25),  # one substitution in four characters
    ("a  b\nc", "a b c", 0.0),  # whitespace runs are layout, not errors
    ("abc", "abcdef", 0.5),  # three deletions in six
    ("", "", 0.0),
    ("ab", "", 2.0),  # nothing to read, two characters invented
    ("主诉咳嗽", "主诉：咳嗽", 0.2),
])
def test_cer_hand_computed(predicted, gold, expected):
    assert cer(predicted, gold) == pytest.approx(expected)


def test_score_field_distinguishes_text_and_not_documented():
    right_absent = score_field(None, "", "not_documented")
    assert right_absent.status_correct and right_absent.f1 is None
    invented = score_field(None, "Aspirin daily.", "found")
    assert not invented.status_correct and invented.f1 is None
    missed = score_field("Aspirin daily.", "", "not_documented")
    assert not missed.status_correct and missed.f1 == 0.0
    found = score_field("Aspirin daily.", "aspirin daily", "found")
    assert found.status_correct and found.f1 == 1.0


def _record(file, text, fields, pages=1, seconds=2.0, error=None, warnings=()):
    return {"file": file, "page_count": pages, "text": text, "error": error, "seconds": seconds,
            "pages": [{"index": i, "status": "failed" if error else "ok", "error_code": None}
                      for i in range(pages)],
            "fields": {k: {"text": v, "status": "found" if v else "not_documented"}
                       for k, v in fields.items()},
            "warnings": list(warnings), "peak_rss_mb": 100.0, "baseline_rss_mb": 80.0}


def test_aggregate_hand_computed():
    # GIVEN two documents: one read perfectly, one with a CER of 0.25, a missed plan and an invented diagnosis
    a = score_document(_record("a.jpg", "abcd", {"chief_complaint": "cough", "plan": "rest"}),
                       "abcd", {"chief_complaint": "cough", "plan": "rest", "diagnosis": None})
    b = score_document(_record("b.jpg", "abce", {"chief_complaint": "cough fever", "diagnosis": "flu"},
                               pages=2, seconds=6.0,
                               warnings=[{"code": "unsupported_fact", "field": "diagnosis"}]),
                       "abcd", {"chief_complaint": "cough", "plan": "rest", "diagnosis": None})
    # WHEN the config's totals are computed
    totals = aggregate([a, b])
    # THEN every number is the hand-computed one
    assert totals.cer_mean == pytest.approx(0.125) and totals.cer_median == pytest.approx(0.125)
    assert totals.field_f1["chief_complaint"] == pytest.approx((1.0 + 2 / 3) / 2)
    assert totals.field_f1["plan"] == pytest.approx(0.5) and totals.field_n["plan"] == 2
    assert totals.field_f1["diagnosis"] is None and totals.field_n["diagnosis"] == 0
    assert totals.not_documented_accuracy == pytest.approx(4 / 6) and totals.not_documented_n == 6
    assert totals.seconds_per_page == pytest.approx(8.0 / 3)
    assert (totals.found_fields, totals.flagged_fields) == (4, 1)
    assert totals.peak_rss_mb == 100.0 and totals.added_rss_mb == 20.0
    assert b.badness > a.badness


def test_failed_document_counts_as_unread():
    score = score_document(_record("c.pdf", "", {}, error="damaged"), "abcd", {"chief_complaint": "cough"})
    totals = aggregate([score])
    assert totals.failed_documents == 1 and totals.failed_pages == 1
    assert totals.cer_mean == 1.0 and totals.field_f1["chief_complaint"] == 0.0
    assert totals.seconds_per_page is None


def test_word_diff_marks_what_changed():
    runs = word_diff("chest pain for two days", "chest pian for two days")
    assert runs == [("=", "chest"), ("-", "pain"), ("+", "pian"), ("=", "for two days")]
    assert diff_markdown(runs) == "chest [-pain-] {+pian+} for two days"


def test_configs_resolve_names_models_and_pairs(tmp_path):
    base = EngineSettings(summarizer_model=tmp_path / "saved-llm", ocr_model=tmp_path / "saved-ocr")
    embedded, youtu, pair = resolve(["embedded", "deepseek-youtu", "rapidocr+sections"],
                                    {"ocr_model": tmp_path / "cli-ocr"}, base)
    assert (embedded.settings.ocr, embedded.settings.summarizer) == ("rapidocr", "sections")
    assert youtu.settings.ocr == "deepseek-ocr2" and youtu.settings.summarizer == "llm"
    assert youtu.settings.ocr_model == tmp_path / "cli-ocr"  # the option overrides the saved setting
    assert youtu.settings.summarizer_model == tmp_path / "saved-llm"
    assert pair.name == "rapidocr+sections"
    assert embedded.fingerprint() == pair.fingerprint() != youtu.fingerprint()  # same settings, same key
    with pytest.raises(label_errors.UnknownEvalConfig, match="embeded"):
        resolve(["embeded"])
    with pytest.raises(errors.UnknownEngine):
        resolve(["tesseract+sections"])


def test_app_config_is_the_saved_preferences(tmp_path):
    saved = EngineSettings(ocr="deepseek-ocr2", summarizer="llm", ocr_model=tmp_path / "ocr",
                           allowed_hosts=("ocr.lan",))
    (app,) = resolve(["app"], {"allowed_hosts": ("gpu.lan",)}, saved)
    assert (app.settings.ocr, app.settings.summarizer, app.settings.ocr_model) == ("deepseek-ocr2", "llm",
                                                                                   tmp_path / "ocr")
    assert app.settings.allowed_hosts == ("ocr.lan", "gpu.lan")
