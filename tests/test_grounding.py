"""The DeepSeek-OCR grounding parser and loop detector (pure Python)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.evidence import DocumentText
from desktop_app.models import PageResult
from desktop_app.ocr.grounding import looping_tail, parse_grounding

RAW = (
    "<|ref|>title<|/ref|><|det|>[[100, 50, 899, 99]]<|/det|>\n# 出院小结\n\n"
    "<|ref|>text<|/ref|><|det|>[[100, 120, 500, 160], [100, 170, 600, 200]]<|/det|>\n"
    "主诉：咳嗽3天。\n\n"
    "<|ref|>image<|/ref|><|det|>[[0, 300, 999, 600]]<|/det|>\n\n"
    "<|ref|>table<|/ref|><|det|>[[100, 620, 900, 800]]<|/det|>\n"
    "<table><tr><td>WBC</td><td>12.1</td></tr></table><｜end▁of▁sentence｜>"
)


def test_parses_text_and_boxes_in_pixels():
    text, blocks = parse_grounding(RAW, width=999 * 2, height=999)
    assert text == "# 出院小结\n\n主诉：咳嗽3天。\n\n<table><tr><td>WBC</td><td>12.1</td></tr></table>"
    assert [b.text for b in blocks] == [
        "# 出院小结",
        "主诉：咳嗽3天。",
        "<table><tr><td>WBC</td><td>12.1</td></tr></table>",
    ]
    assert blocks[0].bbox == (200.0, 50.0, 1798.0, 99.0)  # x scaled by width/999, y by height/999
    assert blocks[1].bbox == (200.0, 120.0, 1200.0, 200.0)  # union of the element's two boxes


def test_untagged_output_is_one_block_free_text():
    text, blocks = parse_grounding("Free OCR text\nline two", 100, 100)
    assert text == "Free OCR text\nline two" and blocks == []


def test_blocks_map_back_to_evidence_boxes():
    text, blocks = parse_grounding(RAW, width=1000, height=1000)
    page = PageResult(index=0, engine="deepseek-ocr2", text=text, blocks=blocks)
    doc = DocumentText([page])
    start = doc.text.index("咳嗽")
    evidence = doc.locate(start, start + 2)
    assert evidence[0].boxes == [blocks[1].bbox]


_pieces = st.one_of(
    st.text(max_size=20),
    st.sampled_from(
        [
            "<|ref|>",
            "<|/ref|>",
            "<|det|>",
            "<|/det|>",
            "[[1, 2, 3, 4]]",
            "[[999,0,0,999]]",
            "[[-5, 2000, 3.5, 4]]",
            "text",
            "table",
            "\n",
            "<｜end▁of▁sentence｜>",
        ]
    ),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_pieces, max_size=30), st.integers(1, 5000), st.integers(1, 5000))
def test_never_raises_no_tags_leak_and_boxes_stay_on_the_page(pieces, width, height):
    text, blocks = parse_grounding("".join(pieces), width, height)
    for tag in ("<|ref|>", "<|/ref|>", "<|det|>", "<|/det|>", "<｜end▁of▁sentence｜>"):
        assert tag not in text
    for block in blocks:
        assert block.text and block.text in text
        x0, y0, x1, y1 = block.bbox
        assert 0 <= x0 <= x1 <= width and 0 <= y0 <= y1 <= height


def test_loop_detector():
    assert looping_tail("Normal text. " * 3) is None
    looping = "Result: normal.\n" + "the patient the patient " * 20
    assert looping_tail(looping) is not None
    # an empty table repeats its cells: not a loop
    table = "<table>" + "<tr><td></td><td></td></tr>" * 40 + "</table>"
    assert looping_tail(table) is None
    assert looping_tail("x" * 50) is None  # too short to call it a loop
    assert looping_tail("ab" * 100) == "ab" or looping_tail("ab" * 100) == "ba"


def test_low_probability_spans_of_the_raw_output_become_block_doubts():
    # GIVEN the model was unsure of "3天" and of part of a grounding tag (never text)
    at = RAW.index("3天")
    tag = RAW.index("<|det|>")
    _, blocks = parse_grounding(RAW, 1000, 1000, doubts=[(at, at + 2), (tag, tag + 5)])
    # THEN only the block holding it doubts it, at its own offsets
    assert blocks[1].text == "主诉：咳嗽3天。" and blocks[1].doubts == [(5, 7)]
    assert blocks[1].text[5:7] == "3天"
    assert blocks[0].doubts == [] and blocks[2].doubts == []
    # a span running past the end of a block is clipped to it
    end = RAW.index("。") + 1
    _, blocks = parse_grounding(RAW, 1000, 1000, doubts=[(at, end + 10)])
    assert blocks[1].doubts == [(5, 8)]
