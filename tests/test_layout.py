"""Lines and reading order from scattered OCR boxes; page orientation arithmetic."""

import math

import numpy as np
import pytest

from desktop_app.models import Block
from desktop_app.ocr.layout import dominant_angle, group_lines, layout_page, reading_order
from desktop_app.ocr.orientation import box_to_page, quarter_turns, tall_share, to_page


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
    # GIVEN a full-width title and two columns of running text whose lines sit at the same heights
    pieces = [b("TITLE OF THE REPORT SPANNING THE PAGE", 0, 0, 1000, 30)]
    for row in range(3):
        y = 60 + row * 40
        pieces.append(b(f"left column, line {row} of running text", 0, y, 400, y + 30))
        pieces.append(b(f"right column, line {row} of running text", 600, y, 1000, y + 30))
    text, _ = layout_page(pieces)
    assert [line.split(" of ")[0] for line in text.splitlines()] == [
        "TITLE OF THE REPORT SPANNING THE PAGE", "left column, line 0", "left column, line 1",
        "left column, line 2", "right column, line 0", "right column, line 1", "right column, line 2"]


def test_a_form_is_read_label_by_value_row_by_row():
    # GIVEN short label/value cells in a grid (gutters between them, but no running text)
    pieces = []
    for row, (label, value) in enumerate([("Name:", "M. Hamann"), ("Date:", "9/3/92"), ("Group:", "R&D")]):
        y = row * 40
        pieces += [b(label, 0, y, 120, y + 30), b(value, 400, y, 600, y + 30)]
    text, _ = layout_page(pieces)
    assert text.splitlines() == ["Name:", "M. Hamann", "Date:", "9/3/92", "Group:", "R&D"]


def test_single_column_with_ragged_lines_stays_in_order():
    pieces = [b("Plan:", 0, 0, 80, 30), b("Start aspirin daily and recheck in two weeks.", 0, 40, 900, 70),
              b("Short line.", 0, 80, 200, 110), b("Another long line of text right here.", 0, 120, 850, 150)]
    assert [line.text for line in reading_order(group_lines(pieces))] == [
        "Plan:", "Start aspirin daily and recheck in two weeks.", "Short line.",
        "Another long line of text right here."]


def _rotated(text, x0, y0, x1, y1, degrees, doubts=()):
    """A piece drawn at (x0..x1, y0..y1) on an upright page, then the page turned by `degrees`
    around the origin (as a skewed scan): the piece and its quadrilateral in page pixels."""
    a = math.radians(degrees)

    def turn(x, y):
        return (x * math.cos(a) - y * math.sin(a), x * math.sin(a) + y * math.cos(a))

    quad = [turn(x0, y0), turn(x1, y0), turn(x1, y1), turn(x0, y1)]
    xs, ys = [p[0] for p in quad], [p[1] for p in quad]
    return Block(text, (min(xs), min(ys), max(xs), max(ys)), 0.9, list(doubts)), quad


@pytest.mark.parametrize("degrees", [5.0, -5.0, 2.0])
def test_a_skewed_paragraph_and_numbered_list_keep_their_order(degrees):
    # GIVEN full-width lines 36 px apart, skewed by up to 5°: across 1200 px a line drops ~100 px,
    # so the boxes of several neighbouring lines overlap in plain page coordinates
    lines = ["The patient reports chest pain on exertion for two days,",
             "relieved by rest, with no radiation to the arm or jaw.", "PLAN:",
             "1. Start aspirin 81 mg daily.", "2. Stress test next week.", "3. Return in two weeks."]
    pieces, quads = [], []
    for row, line in enumerate(lines):
        # Each line detected as two pieces split at a wide space, given in scrambled order.
        y = 100 + row * 36
        for text, x0, x1 in ((line[:10], 100, 290), (line[10:].strip(), 305, 1300)):
            piece, quad = _rotated(text, x0, y, x1, y + 28, degrees)
            pieces.append(piece)
            quads.append(quad)
    order = [5, 2, 11, 0, 8, 3, 1, 10, 7, 4, 9, 6]
    text, blocks = layout_page([pieces[i] for i in order], [quads[i] for i in order])
    assert ["".join(line.split()) for line in text.splitlines()] == ["".join(line.split()) for line in lines]
    # AND each line's box is in page pixels: the bounds of its pieces' quadrilaterals
    xs = [p[0] for q in quads[:2] for p in q]
    assert blocks[0].bbox[0] == pytest.approx(min(xs)) and blocks[0].bbox[2] == pytest.approx(max(xs))


def test_dominant_angle_ignores_short_pieces_and_outliers():
    quads = [_rotated("line", 0, y, 800, y + 30, 3.0)[1] for y in range(0, 400, 40)]
    quads.append(_rotated("stamp", 0, 0, 300, 40, 40.0)[1])
    quads.append(_rotated("7", 0, 0, 20, 30, -20.0)[1])
    assert dominant_angle(quads) == pytest.approx(3.0, abs=0.01)


def test_doubt_spans_follow_their_piece_into_the_line():
    pieces = [Block("Start ibuprofen", (0, 0, 300, 30), 0.9), Block("8oo mg", (320, 0, 420, 30), 0.7, [(0, 3)])]
    [line] = group_lines(pieces)
    assert line.text == "Start ibuprofen 8oo mg"
    assert [line.text[s:e] for s, e in line.doubts] == ["8oo"]
    assert line.confidence == 0.7


@pytest.mark.parametrize("turns", [1, 2, 3])
def test_points_of_a_turned_image_map_back_to_the_page(turns):
    page = np.zeros((30, 50), dtype=np.uint8)
    page[7, 11] = 1  # row 7, column 11: the pixel whose centre is (11.5, 7.5)
    turned = np.rot90(page, turns)
    row, column = np.argwhere(turned == 1)[0]
    h, w = turned.shape
    assert to_page([(column + 0.5, row + 0.5)], turns, w, h) == [pytest.approx((11.5, 7.5))]
    assert box_to_page((column, row, column + 1, row + 1), turns, w, h) == pytest.approx((11, 7, 12, 8))


def test_page_orientation_from_line_shapes_and_a_trial_read():
    assert tall_share([(400, 30), (500, 28), (20, 300)]) == pytest.approx(1 / 3)
    assert tall_share([(25, 30)]) == 0.0  # a lone character says nothing
    assert quarter_turns(on_side=False, flipped=False) == 0
    assert quarter_turns(on_side=False, flipped=True) == 2
    assert quarter_turns(on_side=True, flipped=False) == 1
    assert quarter_turns(on_side=True, flipped=True) == 3

