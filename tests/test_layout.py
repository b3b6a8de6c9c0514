"""Lines and reading order from scattered OCR boxes."""

from desktop_app.models import Block
from desktop_app.ocr.layout import group_lines, layout_page, reading_order


def b(text, x0, y0, x1, y1):
    return Block(text, (x0, y0, x1, y1), 0.9)


def test_pieces_on_one_baseline_become_one_line():
    lines = group_lines([b("chest", 100, 100, 180, 130), b("CHIEF COMPLAINT:", 0, 101, 90, 131),
                         b("pain", 190, 99, 250, 129)])
    assert [line.text for line in lines] == ["CHIEF COMPLAINT: chest pain"]
    assert lines[0].bbox == (0, 99, 250, 131)


def test_cjk_pieces_join_without_space():
    lines = group_lines([b("主诉：", 0, 0, 60, 30), b("咳嗽1周", 70, 0, 150, 30)])
    assert lines[0].text == "主诉：咳嗽1周"


def test_two_columns_are_read_column_by_column():
    # GIVEN a full-width title and two columns whose lines sit at the same heights
    pieces = [b("TITLE OF THE REPORT SPANNING THE PAGE", 0, 0, 1000, 30)]
    for row in range(3):
        y = 60 + row * 40
        pieces.append(b(f"left {row}", 0, y, 400, y + 30))
        pieces.append(b(f"right {row}", 600, y, 1000, y + 30))
    text, _ = layout_page(pieces)
    assert text.splitlines() == ["TITLE OF THE REPORT SPANNING THE PAGE", "left 0", "left 1", "left 2",
                                 "right 0", "right 1", "right 2"]


def test_single_column_with_ragged_lines_stays_in_order():
    pieces = [b("Plan:", 0, 0, 80, 30), b("Start aspirin daily and recheck in two weeks.", 0, 40, 900, 70),
              b("Short line.", 0, 80, 200, 110), b("Another long line of text right here.", 0, 120, 850, 150)]
    assert [line.text for line in reading_order(group_lines(pieces))] == [
        "Plan:", "Start aspirin daily and recheck in two weeks.", "Short line.",
        "Another long line of text right here."]
