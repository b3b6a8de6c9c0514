"""The pipeline: per-page engine choice, failed pages kept, progress, cancel, evidence boxes."""

from __future__ import annotations

import pytest

from desktop_app import errors
from desktop_app.cancel import CancelToken
from desktop_app.models import Block, OcrOutput
from desktop_app.pipeline import Pipeline
from desktop_app.settings import EngineSettings
from tests.documents import EN_NOTE, blank_png, mixed_pdf, text_pdf


class FakeOcr:
    """Reads every page as the same text; fails the pages it is told to."""

    name = "fake"

    def __init__(self, text="PLAN:\nRest.", fail_pages=()):
        self.text, self.fail_pages, self.calls = text, set(fail_pages), 0

    def recognize(self, page, *, cancel, progress):
        self.calls += 1
        if page.index in self.fail_pages:
            raise errors.PageError(page=page.index + 1, detail="smudged")
        lines = self.text.splitlines()
        blocks = [Block(line, (10, 10 + 30 * i, 300, 35 + 30 * i), 0.9) for i, line in enumerate(lines)]
        return OcrOutput("\n".join(lines), blocks)


class Recorder:
    def __init__(self):
        self.events = []

    def update(self, stage, done, total):
        self.events.append((stage, done, total))


def test_mixed_pdf_uses_text_layer_then_ocr(tmp_path):
    path = mixed_pdf(tmp_path, EN_NOTE, "ignored: the fake OCR supplies this page")
    ocr = FakeOcr(text="FOLLOW UP:\nIn two weeks.")
    result = Pipeline(EngineSettings(dpi=72), ocr_engine=ocr).run(path)
    assert [p.engine for p in result.pages] == ["pdf-text", "fake"]
    assert ocr.calls == 1
    # FOLLOW UP after the plan belongs to the plan (issue #13): one field, evidence on both pages.
    assert result.summary.plan.text == "Start aspirin 81 mg daily and refer for a stress test.\nIn two weeks."
    assert [e.page for e in result.summary.plan.evidence] == [0, 1]


def test_evidence_maps_to_page_and_boxes(tmp_path):
    result = Pipeline().run(text_pdf(tmp_path, EN_NOTE))
    evidence = result.summary.chief_complaint.evidence
    assert len(evidence) == 1 and evidence[0].page == 0
    assert result.text[evidence[0].start:evidence[0].end] == "Chest pain for two days."
    line = next(b for b in result.pages[0].blocks if b.text == "Chest pain for two days.")
    assert evidence[0].boxes == [line.bbox]


def test_a_failed_page_is_recorded_and_the_rest_goes_on(tmp_path):
    from PIL import Image

    frames = [Image.new("RGB", (100, 100), "white") for _ in range(3)]
    path = tmp_path / "three.tif"
    frames[0].save(path, save_all=True, append_images=frames[1:])
    result = Pipeline(ocr_engine=FakeOcr(fail_pages={1})).run(path)
    assert [p.status for p in result.pages] == ["ok", "failed", "ok"]
    assert "smudged" in result.pages[1].error
    assert result.ok
    assert any(w.code == "page_failed" for w in result.summary.warnings)
    assert result.summary.plan.text == "Rest.\nRest."


def test_every_page_failing_fails_the_document(tmp_path):
    result = Pipeline(ocr_engine=FakeOcr(fail_pages={0})).run(blank_png(tmp_path))
    assert not result.ok
    assert result.error_code == "page_failed"


def test_document_error_is_data_not_an_exception(tmp_path):
    path = tmp_path / "empty.png"
    path.write_bytes(b"")
    result = Pipeline(ui_language="zh").run(path)
    assert result.error_code == "empty_file"
    assert "文件为空" in result.error
    assert result.summary is None


def test_progress_reports_each_page(tmp_path):
    from PIL import Image

    frames = [Image.new("RGB", (50, 50), "white") for _ in range(2)]
    path = tmp_path / "two.tif"
    frames[0].save(path, save_all=True, append_images=frames[1:])
    recorder = Recorder()
    Pipeline(ocr_engine=FakeOcr()).run(path, progress=recorder)
    assert ("ocr", 0, 2) in recorder.events and ("ocr", 1, 2) in recorder.events and ("ocr", 2, 2) in recorder.events
    assert recorder.events[-1][0] == "summarize"


def test_cancel_between_pages(tmp_path):
    from PIL import Image

    frames = [Image.new("RGB", (50, 50), "white") for _ in range(5)]
    path = tmp_path / "five.tif"
    frames[0].save(path, save_all=True, append_images=frames[1:])
    cancel = CancelToken()

    class CancelAfterFirst(FakeOcr):
        def recognize(self, page, *, cancel, progress):
            out = super().recognize(page, cancel=cancel, progress=progress)
            cancel.cancel()
            return out

    engine = CancelAfterFirst()
    with pytest.raises(errors.Cancelled):
        Pipeline(ocr_engine=engine).run(path, cancel=cancel)
    assert engine.calls == 1


def test_corrected_text_can_be_summarized_again():
    summary = Pipeline().summarize_text("CHIEF COMPLAINT: Cough for 3 days.\n")
    assert summary.chief_complaint.text == "Cough for 3 days."
    assert summary.chief_complaint.evidence[0].boxes == []
