"""The two embedded OCR engines, for real: rapidocr on rendered pages, pdf-text on a text PDF."""

from __future__ import annotations

import pytest

from desktop_app.ingest import open_document
from desktop_app.jobs.cancel import CancelToken
from desktop_app.jobs.progress import NULL_PROGRESS
from desktop_app.ocr import registry
from desktop_app.ocr.rapid import RapidOcrEngine, restore_spaces
from desktop_app.settings import EngineSettings
from tests.documents import EN_NOTE, ZH_NOTE, image_file, text_pdf

from benchmarks.corpus import cer


@pytest.fixture(scope="module")
def rapid():
    return RapidOcrEngine()


def _recognize(engine, path):
    with open_document(path) as document:
        page = next(document.pages())
        return page, engine.recognize(page, cancel=CancelToken(), progress=NULL_PROGRESS)


def test_rapidocr_reads_an_english_page_with_boxes(rapid, tmp_path):
    page, output = _recognize(rapid, image_file(tmp_path, EN_NOTE, dpi=150))
    assert cer(output.text, EN_NOTE) < 0.05
    first = output.blocks[0]
    assert "COMPLAINT" in first.text
    x0, y0, x1, y1 = first.bbox
    assert 0 <= x0 < x1 <= page.width and 0 <= y0 < y1 <= page.height
    assert 0 < first.confidence <= 1
    # Lines come in reading order: top to bottom.
    tops = [block.bbox[1] for block in output.blocks]
    assert tops == sorted(tops)


def test_rapidocr_reads_a_chinese_page(rapid, tmp_path):
    _, output = _recognize(rapid, image_file(tmp_path, ZH_NOTE, dpi=150))
    assert cer(output.text, ZH_NOTE) < 0.05
    assert "主诉" in output.text


def test_pdf_text_engine_boxes_are_in_page_pixels(tmp_path):
    path = text_pdf(tmp_path, EN_NOTE)
    engine = registry.find("pdf-text").create(EngineSettings())
    page, output = _recognize(engine, path)
    assert output.text.splitlines()[:2] == ["CHIEF COMPLAINT:", "Chest pain for two days."]
    # 200 dpi: a 60 pt margin is ~167 px.
    assert abs(output.blocks[0].bbox[0] - 60 * 200 / 72) < 10
    assert all(block.bbox[2] <= page.width for block in output.blocks)


def test_restore_spaces_from_character_gaps():
    # "TAKE ONE DOSE AGAIN" read without spaces; the dropped spaces left wide gaps.
    chars = list("TAKEONEDOSEAGAIN")
    boxes, x = [], 0
    for i, _ in enumerate(chars):
        if i in (4, 7, 11):
            x += 14  # a dropped space
        boxes.append([[x, 0], [x + 10, 0], [x + 10, 30], [x, 30]])
        x += 11
    assert restore_spaces(chars, boxes, 30) == "TAKE ONE DOSE AGAIN"
    # Text that kept its spaces is left alone.
    assert restore_spaces(list("A B"), boxes[:3], 30) == "A B"


def test_unknown_engine_names_the_available_ones():
    from desktop_app import errors

    with pytest.raises(errors.UnknownEngine) as caught:
        registry.find("tesseract-9000")
    assert "rapidocr" in caught.value.message("en")
