"""The two embedded OCR engines, for real: rapidocr on rendered pages, pdf-text on a text PDF."""

from __future__ import annotations

import pytest

from benchmarks.corpus import cer
from desktop_app.cancel import CancelToken
from desktop_app.ingest import open_document
from desktop_app.ocr import registry
from desktop_app.ocr.rapid import FrameDecoder, RapidOcrEngine
from desktop_app.progress import NULL_PROGRESS
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
    # The page is drawn in the Chinese forms of the glyphs (the font's Japanese 门 was read as 内)
    assert output.text.startswith("门诊病历")


def test_pdf_text_engine_boxes_are_in_page_pixels(tmp_path):
    path = text_pdf(tmp_path, EN_NOTE)
    engine = registry.find("pdf-text").create(EngineSettings())
    page, output = _recognize(engine, path)
    assert output.text.splitlines()[:2] == ["CHIEF COMPLAINT:", "Chest pain for two days."]
    # 200 dpi: a 60 pt margin is ~167 px.
    assert abs(output.blocks[0].bbox[0] - 60 * 200 / 72) < 10
    assert all(block.bbox[2] <= page.width for block in output.blocks)


def _frames(decoder, steps):
    """CTC frames: each step is {character: probability}; "" is the blank; the rest share 1e-4."""
    import numpy as np

    characters = decoder.character
    preds = np.full((1, len(steps), len(characters)), 1e-4, dtype=np.float32)
    for t, step in enumerate(steps):
        for char, probability in step.items():
            preds[0, t, 0 if char == "" else characters.index(char)] = probability
    return preds


@pytest.fixture(scope="module")
def decoder(rapid):
    decode = rapid._engine().text_rec.postprocess_op
    assert isinstance(decode, FrameDecoder)
    return decode


def test_half_seen_spaces_are_kept(decoder):
    # GIVEN the recogniser's frames for "A", a blank that is 20% space, then "B"
    preds = _frames(decoder, [{"A": 0.9}, {"": 0.8, " ": 0.2}, {"B": 0.9}])
    # THEN the space is kept; a faint one (0.5%) is not
    assert decoder(preds)[0].text == "A B"
    preds = _frames(decoder, [{"A": 0.9}, {"": 0.8, " ": 0.005}, {"B": 0.9}])
    assert decoder(preds)[0].text == "AB"


def test_a_faint_space_after_a_decimal_point_does_not_split_the_number(decoder):
    # GIVEN "3.96" whose frames after the point are 3% space (as on a scanned table of values)
    steps = [{"3": 0.9}, {".": 0.9}, {"": 0.9, " ": 0.03}, {"9": 0.9}, {"6": 0.9}]
    # THEN it reads "3.96", not "3. 96" (a number split, and a false list item "3.")
    assert decoder(_frames(decoder, steps))[0].text == "3.96"
    # BUT a clear space after a sentence's last number, or after a comma between numbers, is kept
    steps = [{"9": 0.9}, {"5": 0.9}, {".": 0.9}, {"": 0.6, " ": 0.4}, {"2": 0.9}]
    assert decoder(_frames(decoder, steps))[0].text == "95. 2"
    steps = [{"1": 0.9}, {"4": 0.9}, {",": 0.9}, {"": 0.9, " ": 0.03}, {"2": 0.9}]
    assert decoder(_frames(decoder, steps))[0].text == "14, 2"


def test_a_small_letter_shaped_like_its_capital_is_read_as_capital_in_a_word_of_capitals(decoder):
    def read(word_steps):
        return decoder(_frames(decoder, [step for letter in word_steps for step in (letter, {"": 0.9})]))[0]

    # GIVEN "CoPD" whose "o" was 35% "O" (a heading, or an acronym: only size tells them apart)
    reading = read([{"C": 0.9}, {"o": 0.6, "O": 0.35}, {"P": 0.9}, {"D": 0.9}])
    # THEN it reads "COPD", the letter as sure as both cases together
    assert reading.text == "COPD"
    assert reading.chars[1].probability == pytest.approx(0.95)
    # BUT a plural written small, with no capital in contention, stays ("TMs")
    assert read([{"T": 0.9}, {"M": 0.9}, {"s": 0.99, "S": 0.002}]).text == "TMs"
    # nor does a word with one capital ("Cox"), or a small letter not shaped like its capital ("pCO")
    assert read([{"C": 0.9}, {"o": 0.6, "O": 0.35}, {"x": 0.6, "X": 0.35}]).text == "Cox"
    assert read([{"p": 0.6, "P": 0.35}, {"C": 0.9}, {"O": 0.9}]).text == "pCO"


def test_a_full_width_comma_in_an_english_line_is_read_as_a_comma(decoder):
    steps = [{"e": 0.9}, {"，": 0.8}, {"": 0.6, " ": 0.4}, {"a": 0.9}]
    assert decoder(_frames(decoder, steps))[0].text == "e, a"
    # BUT a Chinese line keeps its full-width marks, next to Latin letters and digits too
    steps = [{"T": 0.9}, {"3": 0.9}, {"7": 0.9}, {"，": 0.9}, {"P": 0.9}, {"：": 0.9}, {"7": 0.9}, {"次": 0.9}]
    assert decoder(_frames(decoder, steps))[0].text == "T37，P：7次"


def test_spaces_between_chinese_characters_are_dropped(decoder):
    steps = [{"咳": 0.9}, {"": 0.5, " ": 0.4}, {"嗽": 0.9}, {"": 0.9, " ": 0.03}, {"1": 0.9}, {"周": 0.9},
             {"": 0.5, " ": 0.4}, {"c": 0.9}]
    assert decoder(_frames(decoder, steps))[0].text == "咳嗽1周 c"


def test_decoder_keeps_each_characters_probability_and_what_it_half_saw(decoder):
    # GIVEN "8", then an "o" the recogniser nearly read as "0", then a half-seen decimal point before "5"
    steps = [{"8": 0.95}, {"o": 0.55, "0": 0.4}, {"": 0.7, ".": 0.25}, {"5": 0.9}]
    reading = decoder(_frames(decoder, steps))[0]
    assert reading.text == "8o5"
    assert [c.char for c in reading.chars] == ["8", "o", "5"]
    assert reading.chars[1].probability == pytest.approx(0.55)
    assert (2, ".", pytest.approx(0.25)) in reading.half_seen
    # AND each character's runner-up: the "o" was 40% a "0"
    assert (reading.chars[1].alternative, reading.chars[1].alternative_probability) == ("0", pytest.approx(0.4))


def test_a_weak_line_is_kept_and_doubted_as_a_whole_not_dropped(rapid, monkeypatch):
    # GIVEN a page whose second line the recogniser reads weakly (0.35, below RapidOCR's own 0.5 cut)
    import numpy as np

    from desktop_app.ocr.doubt import CharReading, LineReading

    def line(text, probability):
        return LineReading(text, probability, [CharReading(ch, probability) for ch in text])

    quads = [np.array([[10, 10], [300, 10], [300, 40], [10, 40]], dtype=np.float32),
             np.array([[10, 60], [300, 60], [300, 90], [10, 90]], dtype=np.float32)]
    readings = [line("PLAN: rest", 0.98), line("boratory orders", 0.35)]
    monkeypatch.setattr(rapid, "_read_upright", lambda image, cancel: (0, image, quads, [None, None], readings))
    monkeypatch.setattr(rapid, "_look_again", lambda crops, found: found)

    class Page:
        index, width, height = 0, 400, 200

        def image(self):
            return np.zeros((200, 400, 3), dtype=np.uint8)

    output = rapid.recognize(Page(), cancel=CancelToken(), progress=NULL_PROGRESS)
    # THEN the weak line is in the text, in its place, and every word of it is marked doubtful
    assert output.text == "PLAN: rest\nboratory orders"
    weak = output.blocks[1]
    assert [weak.text[start:end] for start, end in weak.doubts] == ["boratory", "orders"]
    assert output.blocks[0].doubts == []


def test_recognition_split_over_streams_keeps_the_order_of_the_lines():
    from concurrent.futures import ThreadPoolExecutor

    import numpy as np

    from desktop_app.ocr.rapid_runtime import recognise_in_parallel

    # GIVEN 7 line crops of different widths, recognised by 3 streams
    crops = [np.zeros((10, width, 3)) for width in (50, 10, 80, 30, 20, 70, 60)]
    shares = []

    def recognise(share):
        shares.append(len(share))
        return [f"w{crop.shape[1]}" for crop in share]

    with ThreadPoolExecutor(3) as pool:
        out = recognise_in_parallel(recognise, crops, pool, 3)
    # THEN every line comes back where it was, and the work was shared
    assert out == ["w50", "w10", "w80", "w30", "w20", "w70", "w60"]
    assert sorted(shares) == [2, 2, 3]


def test_unknown_engine_names_the_available_ones():
    from desktop_app import errors

    with pytest.raises(errors.UnknownEngine) as caught:
        registry.find("tesseract-9000")
    assert "rapidocr" in caught.value.message("en")


SKEW_NOTE = """HISTORY OF PRESENT ILLNESS:
The patient is a 64-year-old woman with two weeks of worsening shortness of breath on exertion, ankle
swelling in the evenings and a dry cough at night. She sleeps on three pillows and has gained four
kilograms since her last visit. She denies chest pain, fever or palpitations.
PLAN:
1. Start furosemide 40 mg by mouth every morning.
2. Check basic metabolic panel in one week.
3. Echocardiogram to assess ejection fraction.
4. Daily weights; call if weight rises by two kilograms.
5. Low salt diet and fluid restriction of 1.5 litres.
6. Return to clinic in two weeks.
"""


def _lines_in_truth_order(text: str, truth: str) -> bool:
    """Every true line is read, as a line, in the true order (modulo spacing)."""
    read = [" ".join(line.split()) for line in text.splitlines()]
    cursor = 0
    for line in truth.strip().splitlines():
        wanted = " ".join(line.split())
        hits = [i for i in range(cursor, len(read)) if read[i] == wanted]
        if not hits:
            return False
        cursor = hits[0] + 1
    return True


@pytest.mark.parametrize("angle", [4.5, -4.5])
def test_a_skewed_page_is_read_line_by_line_in_order(rapid, tmp_path, angle):
    # GIVEN a page scanned 4.5° askew (lines of a paragraph and numbered items overlap in y)
    from desktop_app.render import render_pages

    image = render_pages(SKEW_NOTE, dpi=150)[0].rotate(angle, expand=True, fillcolor="white")
    path = tmp_path / "skewed.png"
    image.save(path)
    _, output = _recognize(rapid, path)
    # THEN no line of the paragraph or of the plan comes out of order
    first_lines = "\n".join(line[:40] for line in output.text.splitlines())
    assert cer(output.text, SKEW_NOTE) < 0.03, first_lines
    numbers = [line.split(".")[0] for line in output.text.splitlines() if line[:1].isdigit()]
    assert numbers == ["1", "2", "3", "4", "5", "6"]
    assert output.text.index("ankle") < output.text.index("pillows") < output.text.index("denies")


@pytest.mark.parametrize("turn", [90, 180, 270])
def test_a_page_lying_on_its_side_or_upside_down_is_read_upright(rapid, tmp_path, turn):
    # GIVEN the note scanned turned by 90/180/270° (nobody tells the engine)
    from desktop_app.render import render_pages

    image = render_pages(EN_NOTE, dpi=150)[0].rotate(turn, expand=True)
    path = tmp_path / f"turned{turn}.png"
    image.save(path)
    page, output = _recognize(rapid, path)
    # THEN the text reads as on the upright page
    assert cer(output.text, EN_NOTE) < 0.05
    assert output.text.startswith("CHIEF COMPLAINT")
    # AND the boxes are in the pixels of the page as given: the heading's box lies where it is drawn
    x0, y0, x1, y1 = output.blocks[0].bbox
    assert 0 <= x0 < x1 <= page.width and 0 <= y0 < y1 <= page.height
    if turn in (90, 270):
        assert y1 - y0 > x1 - x0  # a line standing upright
    centre_x, centre_y = (x0 + x1) / 2 / page.width, (y0 + y1) / 2 / page.height
    expected = {90: centre_x < 0.3, 180: centre_y > 0.7, 270: centre_x > 0.7}[turn]
    assert expected, (turn, output.blocks[0].bbox, page.width, page.height)


def test_a_doubtful_dose_reaches_the_summary_as_an_ocr_doubt(rapid, tmp_path):
    # GIVEN a plan whose dose reads "8oo mg" (letters where digits belong)
    from desktop_app.pipeline import Pipeline
    from desktop_app.summarize.guard import OCR_DOUBT

    note = EN_NOTE.replace("Start aspirin 81 mg daily", "Start ibuprofen 8oo mg three times daily")
    result = Pipeline(ocr_engine=rapid).run(image_file(tmp_path, note, dpi=150))
    plan = result.summary.plan
    assert "8oo mg" in plan.text  # never corrected silently
    doubts = [w for w in result.summary.warnings if w.code == OCR_DOUBT and w.field == "plan"]
    # THEN the plan carries an ocr_doubt warning whose document span is that dose
    assert [result.text[w.start:w.end] for w in doubts] == ["8oo"]
    assert "8oo" in doubts[0].message
    # AND the physician's chief complaint, read cleanly, carries none
    assert not [w for w in result.summary.warnings if w.code == OCR_DOUBT and w.field == "chief_complaint"]
