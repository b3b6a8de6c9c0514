"""A page where nothing is read is never silently "not documented" (issue #11, item 3).

A document with no text on any page is an error the reader sees (exit 1 in the CLI); one empty page
among pages with text is a warning naming that page. Orientation itself is the OCR's job."""

from __future__ import annotations

import json

from PIL import Image

from desktop_app import cli, errors
from desktop_app.models import Block, OcrOutput
from desktop_app.pipeline import Pipeline
from tests.documents import EN_NOTE


class PagesOcr:
    """Reads page i as texts[i] ("" = nothing found, as for a blank or sideways scan)."""

    name = "pages"

    def __init__(self, texts):
        self.texts = texts

    def recognize(self, page, *, cancel, progress):
        text = self.texts[page.index]
        blocks = [Block(line, (10, 10 + 30 * i, 300, 35 + 30 * i), 0.9) for i, line in enumerate(text.splitlines())]
        return OcrOutput(text, blocks)


def _tiff(tmp_path, pages: int):
    path = tmp_path / "scan.tif"
    frames = [Image.new("L", (200, 100), 255) for _ in range(pages)]
    frames[0].save(path, save_all=True, append_images=frames[1:])
    return path


def test_no_text_on_any_page_is_an_error_not_three_empty_fields(tmp_path):
    result = Pipeline(ocr_engine=PagesOcr(["", "  \n"]), ui_language="en").run(_tiff(tmp_path, 2))
    assert result.error_code == "no_text" and result.summary is None
    assert "No text could be read on any page (2 page(s))" in result.error and "scan.tif" in result.error
    assert [page.status for page in result.pages] == ["ok", "ok"]  # the pages stay, to be looked at


def test_the_message_follows_the_users_language(tmp_path):
    result = Pipeline(ocr_engine=PagesOcr([""]), ui_language="zh").run(_tiff(tmp_path, 1))
    assert "均未识别出文字" in result.error and "方向不正" in result.error


class FailSecond(PagesOcr):
    """Reads the pages it is given, but page 2 fails."""

    def recognize(self, page, *, cancel, progress):
        if page.index == 1:
            raise errors.PageError(page=2, detail="smudged")
        return super().recognize(page, cancel=cancel, progress=progress)


def test_a_failed_page_explains_more_than_the_blank_scan_hint(tmp_path):
    result = Pipeline(ocr_engine=FailSecond(["", ""]), ui_language="en").run(_tiff(tmp_path, 2))
    assert result.error_code == "no_text"
    assert "Page 2 could not be read: smudged" in result.error and "sideways" not in result.error


def test_one_empty_page_among_read_pages_is_a_warning_naming_it(tmp_path):
    result = Pipeline(ocr_engine=PagesOcr([EN_NOTE, ""]), ui_language="en").run(_tiff(tmp_path, 2))
    assert result.error is None and result.summary.chief_complaint.status == "found"
    warnings = [w for w in result.summary.warnings if w.code == "page_no_text"]
    assert [w.message for w in warnings] == ["Page 2: no text was found on this page (blank, or turned sideways?)"]


def test_cli_exit_code_is_1_for_a_blank_scan(tmp_path, capsys):
    path = tmp_path / "blank.png"
    Image.new("RGB", (400, 300), "white").save(path)
    code = cli.main(["--lang", "en", "summarize", "--json", str(path)])
    result = json.loads(capsys.readouterr().out)
    assert code == 1 and result["error_code"] == "no_text" and result["summary"] is None


def test_a_failed_page_is_named_once_in_the_warnings(tmp_path):
    result = Pipeline(ocr_engine=FailSecond([EN_NOTE, ""]), ui_language="en").run(_tiff(tmp_path, 2))
    assert result.error is None
    assert [w.message for w in result.summary.warnings if w.code == "page_failed"] == [
        "Page 2 could not be read: smudged"]  # not "Page 2 could not be read: Page 2 could not be read: …"
