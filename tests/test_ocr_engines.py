"""The two embedded OCR engines, for real: rapidocr on rendered pages, pdf-text on a text PDF."""

from __future__ import annotations

import pytest

from benchmarks.corpus import cer
from desktop_app.ingest import open_document
from desktop_app.jobs.cancel import CancelToken
from desktop_app.jobs.progress import NULL_PROGRESS
from desktop_app.ocr import registry
from desktop_app.ocr.rapid import RapidOcrEngine, drop_cjk_spaces
from desktop_app.settings import EngineSettings
from tests.documents import EN_NOTE, ZH_NOTE, image_file, text_pdf


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
    assert first.text.startswith("CHIEF COMPLAINT")
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


def test_half_seen_spaces_are_kept(rapid):
    # GIVEN the recogniser's frames for "A", a blank that is 20% space, then "B"
    import numpy as np

    decode = rapid._engine().text_rec.postprocess_op
    characters = decode._decode.character
    preds = np.full((1, 3, len(characters)), 1e-4, dtype=np.float32)
    preds[0, 0, characters.index("A")] = 0.9
    preds[0, 1, 0], preds[0, 1, len(characters) - 1] = 0.8, 0.2
    preds[0, 2, characters.index("B")] = 0.9
    # THEN the space is kept; a faint one (1%) is not
    assert decode(preds)[0][0] == "A B"
    preds[0, 1, len(characters) - 1] = 0.01
    assert decode(preds)[0][0] == "AB"


def test_spaces_between_chinese_characters_are_dropped():
    assert drop_cjk_spaces("主诉： 咳嗽 1周 cough now") == "主诉：咳嗽 1周 cough now"


def test_unknown_engine_names_the_available_ones():
    from desktop_app import errors

    with pytest.raises(errors.UnknownEngine) as caught:
        registry.find("tesseract-9000")
    assert "rapidocr" in caught.value.message("en")
