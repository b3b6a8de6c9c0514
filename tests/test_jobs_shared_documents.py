"""One dropped document is opened once and hashed once per job (issue #14): the worker, the page
view and the thumbnails share the opened document, and a file's hash is computed once per version."""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import replace

import pymupdf
import pytest
from PIL import ImageChops

from desktop_app import errors, file_hash
from desktop_app.jobs.render_process import RenderProcess
from desktop_app.jobs.shared_documents import SharedDocuments
from desktop_app.models import Block, OcrOutput
from desktop_app.pipeline import Pipeline
from desktop_app.privacy.audit import AuditLog
from tests.documents import numbered_pdf

LINES = ["CHIEF COMPLAINT:", "Cough for three days.", "DIAGNOSIS:", "Acute bronchitis.", "PLAN:", "Rest."]


@pytest.fixture
def pdf_opens(monkeypatch):
    """How many times `pymupdf.open` parsed each file (by path)."""
    opens: dict[str, int] = {}
    real_open = pymupdf.open

    def counting(*args, **kwargs):
        if args:
            opens[str(args[0])] = opens.get(str(args[0]), 0) + 1
        return real_open(*args, **kwargs)

    monkeypatch.setattr(pymupdf, "open", counting)
    return opens


@pytest.fixture
def hash_reads(monkeypatch):
    """How many times `file_hash` read each file whole."""
    reads: dict[str, int] = {}

    def counting(path, mode="r", *args, **kwargs):
        reads[str(path)] = reads.get(str(path), 0) + 1
        return open(path, mode, *args, **kwargs)

    monkeypatch.setattr(file_hash, "open", counting, raising=False)
    return reads


def test_borrowers_share_one_opened_document_and_one_hash(tmp_path, pdf_opens, hash_reads):
    # GIVEN a PDF that the worker and the page view both want
    path = numbered_pdf(tmp_path / "note.pdf")
    documents = SharedDocuments()
    # WHEN both open it, from two threads, and both ask for its hash
    borrowed = []
    threads = [threading.Thread(target=lambda: borrowed.append(documents.open(path))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # THEN it was parsed once, hashed once, and both see the same pages and hash
    assert documents.opened == 1 and pdf_opens[str(path)] == 1
    assert borrowed[0].sha256 == borrowed[1].sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert hash_reads[str(path)] == 1
    assert [d.page_count for d in borrowed] == [3, 3]
    assert borrowed[0].page(2).image().size == borrowed[1].page(2).image().size
    # AND giving one back leaves the other's pages readable
    borrowed[0].close()
    borrowed[0].close()  # a second close gives nothing back twice
    assert borrowed[1].page(1).image().width > 0
    borrowed[1].close()


def test_a_file_changed_on_disk_is_opened_and_hashed_afresh(tmp_path, pdf_opens):
    path = numbered_pdf(tmp_path / "note.pdf")
    documents = SharedDocuments()
    with documents.open(path) as first:
        first_hash = first.sha256
    numbered_pdf(path, pages=2, label="Revised page")
    with documents.open(path) as second:
        assert second.page_count == 2
        assert second.sha256 == hashlib.sha256(path.read_bytes()).hexdigest() != first_hash
    assert documents.opened == 2


def test_unused_documents_beyond_the_last_few_are_closed_but_one_in_use_never(tmp_path):
    paths = [numbered_pdf(tmp_path / f"note{i}.pdf") for i in range(3)]
    documents = SharedDocuments(keep_open=1)
    held = documents.open(paths[0])  # the worker is reading it
    for path in paths[1:]:
        with documents.open(path):
            pass
    assert held.page(2).image().width > 0  # not closed under the reader
    held.close()
    with documents.open(paths[1]):  # closed once it was no longer the last one used: opened again
        pass
    assert documents.opened == 4


def test_a_document_that_cannot_be_opened_gets_the_same_error_as_without_sharing(tmp_path):
    documents = SharedDocuments()
    with pytest.raises(errors.FileNotFound):
        documents.open(tmp_path / "missing.pdf")
    (tmp_path / "readme.txt").write_text("not a document", encoding="utf-8")
    with pytest.raises(errors.UnsupportedFormat):
        documents.open(tmp_path / "readme.txt")
    assert documents.opened == 0


def test_pages_rendered_in_the_helper_process_are_the_pages_rendered_here(tmp_path):
    # GIVEN a scanned PDF (one JPEG per page), as a scanner writes it
    from desktop_app.render import render_pages, save_pdf_from_images, scan_damage

    path = tmp_path / "scan.pdf"
    save_pdf_from_images([scan_damage(page) for page in render_pages("CHIEF COMPLAINT:\nCough.", dpi=100)], path,
                         dpi=100)
    helper = RenderProcess()
    try:
        # WHEN a page is rendered by the helper process and in this process
        with SharedDocuments(renderer=helper).open(path, dpi=100) as shared:
            elsewhere = shared.page(0).image()
        with SharedDocuments().open(path, dpi=100) as here:
            local = here.page(0).image()
        # THEN the helper did render it (no fallback), and the pixels are the same
        assert helper.render(str(path), file_hash.file_version(path), 0, 100 / 72) is not None
        assert elsewhere.size == local.size and elsewhere.mode == local.mode == "RGB"
        assert ImageChops.difference(elsewhere, local).getbbox() is None
    finally:
        helper.shutdown()


def test_a_helper_that_is_gone_leaves_the_rendering_to_this_process(tmp_path):
    from concurrent.futures import ProcessPoolExecutor

    path = numbered_pdf(tmp_path / "note.pdf", pages=1)
    helper = RenderProcess()
    helper._pool = ProcessPoolExecutor(max_workers=1)
    helper._pool.shutdown()  # as if the helper had died
    with SharedDocuments(renderer=helper).open(path) as document:
        assert document.page(0).image().width > 0
    assert helper._pool is None  # started again on the next page


def never_renders(path: str, version: tuple, index: int, scale: float) -> tuple[int, int, bytes]:
    """Runs in the helper process: a page MuPDF never finishes (a crafted PDF)."""
    time.sleep(60)
    raise AssertionError("the helper should have been stopped")


def test_a_page_that_never_finishes_rendering_fails_and_the_helper_is_stopped(tmp_path):
    path = numbered_pdf(tmp_path / "note.pdf", pages=1)
    helper = RenderProcess(render=never_renders, timeout_s=3.0)
    started = time.monotonic()
    with SharedDocuments(renderer=helper).open(path) as document:
        with pytest.raises(errors.PageError, match="could not be rendered"):
            document.page(0).image()
    assert time.monotonic() - started < 30  # not the 60 s the helper would have taken
    assert helper._pool is None  # a new helper for the next page


def test_a_file_is_hashed_once_per_version(tmp_path, hash_reads):
    path = tmp_path / "scan.bin"
    path.write_bytes(b"first version")
    first = hashlib.sha256(b"first version").hexdigest()
    assert file_hash.file_sha256(path) == file_hash.file_sha256(str(path)) == first
    assert hash_reads[str(path)] == 1
    path.write_bytes(b"second version, longer")
    assert file_hash.file_sha256(path) == hashlib.sha256(b"second version, longer").hexdigest()
    assert hash_reads[str(path)] == 2


# --- the GUI: drop, read, show the page and the thumbnails --------------------------------------


class FakeOcr:
    name = "fake-ocr"

    def recognize(self, page, *, cancel, progress) -> OcrOutput:
        page.image()  # renders the page, as a real engine does
        blocks = [Block(line, (20.0, 20.0 + 30 * i, 180.0, 44.0 + 30 * i), 0.99) for i, line in enumerate(LINES)]
        return OcrOutput(text="\n".join(LINES), blocks=blocks)


@pytest.mark.gui
def test_a_dropped_document_is_opened_and_hashed_once_before_its_summary_shows(qtbot, tmp_path, pdf_opens,
                                                                               hash_reads, monkeypatch):
    pytest.importorskip("pytestqt")
    from desktop_app.ui.queue_list import DONE
    from tests.gui_windows import window_factory

    def factory(settings, language):
        return Pipeline(replace(settings, use_text_layer=False), ui_language=language, ocr_engine=FakeOcr())

    # GIVEN the window with its audit log on, and a 3-page PDF
    audit_path = tmp_path / "audit.jsonl"
    windows = window_factory(qtbot, tmp_path, audit_log=AuditLog(audit_path))
    window = next(windows)(factory)
    path = numbered_pdf(tmp_path / "dropped.pdf")
    renders = []
    real_render = RenderProcess.render
    monkeypatch.setattr(RenderProcess, "render", lambda self, *args: renders.append(args) or real_render(self, *args))
    try:
        # WHEN it is dropped, read, and its page and thumbnails are shown
        (key,) = window.add_paths([str(path)])
        qtbot.waitUntil(lambda: window.sessions[key].status == DONE, timeout=20_000)
        qtbot.waitUntil(window.page_view.has_image, timeout=20_000)
        qtbot.waitUntil(lambda: window.thumbnails.count() == 3 and all(
            not window.thumbnails.item(row).icon().isNull() for row in range(3)), timeout=20_000)
        window.audit.flush()
        # THEN the file was parsed once and read for its hash once
        assert pdf_opens[str(path)] == 1
        assert hash_reads[str(path)] == 1
        # AND the audit entry and the result carry that one hash
        expected = hashlib.sha256(path.read_bytes()).hexdigest()
        assert window.sessions[key].result.sha256 == expected
        assert expected in audit_path.read_text(encoding="utf-8")
        # AND the pages the worker rendered for the OCR (in the helper process) are the page view's too
        assert renders, "PDF pages are rendered in the helper process"
        rendered = len(renders)
        for index in (2, 1, 0):
            with qtbot.waitSignal(window.loader.loaded, timeout=20_000) as shown:
                window.loader.request(str(path), index)
            assert shown.args[0] == index and not shown.args[2].isNull()
        assert len(renders) == rendered
    finally:
        next(windows, None)
