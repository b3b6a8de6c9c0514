"""Page thumbnails next to the page view: one per page, lazily rendered off the GUI thread, per
document, clickable, with markers on failed pages and on the selected field's evidence pages."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QColor, QImage  # noqa: E402

from desktop_app import errors  # noqa: E402
from desktop_app.models import Block, OcrOutput  # noqa: E402
from desktop_app.pipeline import Pipeline  # noqa: E402
from desktop_app.ui.page_thumbnails import FAILED_ROLE, PREFETCH_ROWS  # noqa: E402
from desktop_app.ui.queue_list import DONE  # noqa: E402
from tests.documents import numbered_pdf  # noqa: E402
from tests.gui_windows import window_factory  # noqa: E402

pytestmark = pytest.mark.gui

WAIT_MS = 20_000
LINES = ["CHIEF COMPLAINT:", "Cough for three days.", "DIAGNOSIS:", "Acute bronchitis.", "PLAN:", "Rest."]


class PagedOcr:
    """One fixed note per page; the pages in `failing` raise a page error."""

    name = "paged-ocr"

    def __init__(self, failing: set[int] = frozenset()) -> None:
        self.failing = failing

    def recognize(self, page, *, cancel, progress) -> OcrOutput:
        if page.index in self.failing:
            raise errors.PageError(page=page.index + 1, detail="the scan is unreadable")
        blocks = [Block(line, (20.0, 20.0 + 30 * i, 180.0, 44.0 + 30 * i), 0.99) for i, line in enumerate(LINES)]
        return OcrOutput(text="\n".join(LINES), blocks=blocks)


def factory(engine: PagedOcr):
    def make(settings, ui_language):
        return Pipeline(replace(settings, use_text_layer=False), ui_language=ui_language, ocr_engine=engine)

    return make


def write_tiff(path: Path, pages: int, color: tuple[int, int, int]) -> Path:
    frames = [Image.new("RGB", (200, 280), color) for _ in range(pages)]
    frames[0].save(path, save_all=True, append_images=frames[1:])
    return path


@pytest.fixture
def make_window(qtbot, tmp_path):
    yield from window_factory(qtbot, tmp_path)


def icon_color(window, row: int) -> QColor:
    """The colour at the middle of a thumbnail as drawn."""
    item = window.thumbnails.item(row)
    image = item.icon().pixmap(window.thumbnails.iconSize()).toImage()
    return image.pixelColor(image.width() // 2, image.height() // 2)


def all_rendered(window, count: int) -> bool:
    return window.thumbnails.count() == count and all(window.thumbnails.has_thumbnail(i) for i in range(count))


def test_a_three_page_pdf_shows_three_thumbnails_and_a_click_shows_that_page(make_window, qtbot, tmp_path):
    # GIVEN a 3-page PDF with a text layer, read by the real text-layer engine
    window = make_window()
    (key,) = window.add_paths([str(numbered_pdf(tmp_path / "three.pdf"))])

    # WHEN its first page is shown
    qtbot.waitUntil(window.page_view.has_image, timeout=WAIT_MS)

    # THEN the strip shows three captioned thumbnails, the first selected, all rendered off the GUI thread
    strip = window.thumbnails
    assert strip.isVisible()
    assert [strip.item(i).text() for i in range(strip.count())] == ["1", "2", "3"]
    assert strip.currentRow() == 0
    qtbot.waitUntil(lambda: all_rendered(window, 3), timeout=WAIT_MS)
    assert strip.width() < 160  # a narrow strip, not a third of the window

    # WHEN the user clicks the third thumbnail
    rect = strip.visualItemRect(strip.item(2))
    qtbot.mouseClick(strip.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())

    # THEN page 3 is shown in the page view, and stays selected in the strip
    qtbot.waitUntil(lambda: window.page_view.current_index() == 2, timeout=WAIT_MS)
    assert window.page_view.page_count() == 3
    assert strip.currentRow() == 2
    wait_done = lambda: window.sessions[key].status == DONE  # noqa: E731
    qtbot.waitUntil(wait_done, timeout=WAIT_MS)
    assert strip.currentRow() == 2 and strip.count() == 3  # the result arriving keeps the strip as it is


def test_thumbnails_of_the_previous_document_do_not_appear_after_switching(make_window, qtbot, tmp_path):
    # GIVEN a red 3-page scan and a blue 2-page scan, both read
    window = make_window(factory(PagedOcr()))
    red, blue = window.add_paths([str(write_tiff(tmp_path / "red.tif", 3, (220, 0, 0))),
                                  str(write_tiff(tmp_path / "blue.tif", 2, (0, 0, 220)))])
    for key in (red, blue):
        qtbot.waitUntil(lambda key=key: window.sessions[key].status == DONE, timeout=WAIT_MS)
    window.queue.select(red)
    qtbot.waitUntil(lambda: all_rendered(window, 3), timeout=WAIT_MS)
    assert icon_color(window, 0).red() > 150

    # WHEN the user switches to the blue document (and a late red thumbnail arrives meanwhile)
    window.queue.select(blue)
    red_image = QImage(96, 136, QImage.Format.Format_RGB888)
    red_image.fill(QColor(220, 0, 0))
    window.thumbnails.set_thumbnail(red, 0, red_image)

    # THEN the strip holds the blue document's two pages, never a red one
    qtbot.waitUntil(lambda: all_rendered(window, 2), timeout=WAIT_MS)
    assert window.thumbnails.current_key() == blue
    for row in range(2):
        color = icon_color(window, row)
        assert color.blue() > 150 and color.red() < 60

    # WHEN the user goes back to the red document, its thumbnails come from the cache at once
    window.queue.select(red)
    assert all_rendered(window, 3)
    assert icon_color(window, 2).red() > 150


def test_a_failed_page_is_marked_and_single_page_documents_show_no_strip(make_window, qtbot, tmp_path):
    # GIVEN a 3-page scan whose second page cannot be read, and a 1-page scan
    window = make_window(factory(PagedOcr(failing={1})))
    multi, single = window.add_paths([str(write_tiff(tmp_path / "multi.tif", 3, (255, 255, 255))),
                                      str(write_tiff(tmp_path / "single.tif", 1, (255, 255, 255)))])
    qtbot.waitUntil(lambda: window.sessions[multi].status == DONE, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.thumbnails.count() == 3, timeout=WAIT_MS)

    # THEN only the failed page's thumbnail carries the marker (with the reason in its tooltip)
    strip = window.thumbnails
    assert [strip.item(i).data(FAILED_ROLE) is not None for i in range(3)] == [False, True, False]
    assert "Page 2 could not be read: the scan is unreadable" in strip.item(1).toolTip()
    assert window.summary_panel.warnings_text().count("could not be read") == 1  # said once, not twice
    qtbot.waitUntil(lambda: all_rendered(window, 3), timeout=WAIT_MS)
    marked = strip.item(1).icon().pixmap(strip.iconSize()).toImage()
    plain = strip.item(0).icon().pixmap(strip.iconSize()).toImage()
    assert marked != plain  # the red frame and badge are drawn on the failed page only

    # WHEN a field is selected, the pages holding its evidence are highlighted
    window.highlight_field("chief_complaint")
    assert any(strip.item(i).data(Qt.ItemDataRole.UserRole + 2) for i in range(3))

    # WHEN a one-page document is shown, the strip is hidden (it would waste space)
    qtbot.waitUntil(lambda: window.sessions[single].status == DONE, timeout=WAIT_MS)
    window.queue.select(single)
    qtbot.waitUntil(window.page_view.has_image, timeout=WAIT_MS)
    assert not strip.isVisible()


def test_a_long_document_renders_only_the_visible_thumbnails(make_window, qtbot, tmp_path):
    # GIVEN a 40-page PDF on screen
    window = make_window()
    window.add_paths([str(numbered_pdf(tmp_path / "long.pdf", 40))])
    qtbot.waitUntil(lambda: window.thumbnails.count() == 40, timeout=WAIT_MS)
    strip = window.thumbnails
    qtbot.waitUntil(lambda: strip.has_thumbnail(0), timeout=WAIT_MS)
    qtbot.wait(300)

    # THEN only the rows on screen (and a few below) were asked for, not all forty
    rendered = [i for i in range(40) if strip.has_thumbnail(i)]
    assert rendered == list(range(len(rendered)))
    assert len(rendered) < 15 + PREFETCH_ROWS

    # WHEN the user scrolls to the end, the last pages are rendered
    strip.scrollToBottom()
    qtbot.waitUntil(lambda: strip.has_thumbnail(39), timeout=WAIT_MS)


def test_thumbnail_tooltips_are_translated(make_window, qtbot, tmp_path):
    window = make_window(factory(PagedOcr(failing={0})), locale="zh_CN")
    (key,) = window.add_paths([str(write_tiff(tmp_path / "two.tif", 2, (255, 255, 255)))])
    qtbot.waitUntil(lambda: window.sessions[key].status == DONE and window.thumbnails.count() == 2, timeout=WAIT_MS)
    assert window.thumbnails.item(1).toolTip() == "第 2 页"
    assert window.thumbnails.item(0).toolTip().startswith("第 1 页\n第 1 页无法识别")
