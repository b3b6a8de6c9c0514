"""OCR doubt: which words of a recognised line are marked, and how the marks reach the summary."""

from __future__ import annotations

import pytest

from desktop_app.evidence import DocumentText
from desktop_app.models import FOUND, Block, Evidence, PageResult, Summary, SummaryField
from desktop_app.ocr.doubt import CharReading, LineReading, doubt_spans
from desktop_app.summarize.guard import OCR_DOUBT, check_ocr_doubt


def reading(text: str, probabilities: dict[int, float] | None = None, confidence: float = 0.98,
            half_seen=()) -> LineReading:
    probabilities = probabilities or {}
    chars = [CharReading(ch, probabilities.get(i, 0.99)) for i, ch in enumerate(text)]
    return LineReading(text, confidence, chars, list(half_seen))


def doubted(line: LineReading) -> list[str]:
    return [line.text[start:end] for start, end in doubt_spans(line)]


def test_a_clean_line_has_no_doubt():
    assert doubted(reading("Start aspirin 81 mg daily; SpO2 98%, COVID-19 negative, HbA1c 6.1%.")) == []
    assert doubted(reading("Weight 25th percentile, head 50th, 1st and 2nd and 3rd visits")) == []


@pytest.mark.parametrize("line, word", [
    ("Ibuprofen 8oo mg three times daily", "8oo"),
    ("Levothyroxine l00 mcg", "l00"),
    ("Platelets 484,ooo.", "484,ooo."),
    ("Warfarin 2S mg", "2S"),
    ("Weight 1B kg", "1B"),
    ("Blood pressure 1O0/80", "1O0/80"),
    ("Head circumference 5oth percentile", "5oth"),
    ("Arterial pC02 of 38", "pC02"),
])
def test_numbers_holding_look_alike_letters_are_doubted(line, word):
    assert doubted(reading(line)) == [word]


def test_a_capitals_word_with_a_small_look_alike_is_doubted():
    assert doubted(reading("ABDoMEN: soft. HiV negative.")) == ["ABDoMEN:", "HiV"]
    # small letters that differ from their capitals only in size, and an l among Roman numerals
    assert doubted(reading("Check a PsA for his MGus; EcoG 1. Cranial nerves Il through Xll.")) == [
        "PsA", "MGus;", "EcoG", "Il", "Xll."]
    # but not a plural, a unit that starts small, or a name in ordinary case
    assert doubted(reading("PVCs noted. K 4.1 mEq/L, cGMP normal. Discuss with Nicole.")) == []


def test_a_capital_naming_a_number_is_no_doubt_but_a_zero_among_letters_is():
    # S1/S2 heart sounds, L5-S1, home O2, vitamin B12 are names; "CH0P" holds a zero for an O
    assert doubted(reading("Clear S1 and S2. Pain at L5-S1. Home O2. B12 normal.")) == []
    assert doubted(reading("Modified CH0P given")) == ["CH0P"]


def rival(text: str, at: int, alternative: str, probability: float) -> LineReading:
    line = reading(text)
    line.chars[at] = CharReading(text[at], 0.8, alternative, probability)
    return line


def test_a_runner_up_that_changes_a_value_doubts_its_word():
    # GIVEN the recogniser's runner-up for one character of the line
    # THEN a digit nearly read for a letter beside digits, or for a lone letter, is doubted
    assert doubted(rival("Weight 28 lbs, status O.", 22, "0", 0.32)) == ["O."]
    assert doubted(rival("Grade 2o04 tumour", 7, "0", 0.4)) == ["2o04"]
    # AND a letter nearly read for a lone digit ("S1" that may be "Sl")
    assert doubted(rival("Clear S1 and S2", 7, "l", 0.33)) == ["S1"]
    # AND another Chinese character
    assert doubted(rival("如苹果大小", 1, "萃", 0.3)) == ["苹"]
    # BUT not a letter runner-up of a digit among digits (the number reads the same), a digit
    # runner-up of a capital in a word of letters ("MI"), or a weak runner-up
    assert doubted(rival("BP 156/100.", 9, "o", 0.4)) == []
    assert doubted(rival("Denies MI history", 8, "1", 0.43)) == []
    # (nor in a name glued to a number by a lost space: "41.875,OS:")
    assert doubted(rival("K2 41.875,OS: clear", 10, "0", 0.3)) == []
    # BUT a small l nearly read as a 1 is the l/1 confusion wherever it stands ("Alc" for "A1c")
    assert doubted(rival("check an Alc and BMP", 10, "1", 0.2)) == ["Alc"]
    # except in a known word in small letters, which hardly ever holds a digit
    assert doubted(rival("what looks like", 5, "1", 0.15)) == []
    # AND a letter runner-up of a digit beside a decimal point is still among digits
    assert doubted(rival("Adrenocot 0.5 mg", 10, "O", 0.16)) == []
    assert doubted(rival("Weight 28 lbs, status 0 today", 22, "O", 0.3)) == ["0"]
    assert doubted(rival("Clear S1 and S2", 7, "l", 0.05)) == []


def test_in_a_weak_line_only_the_words_that_stand_out_are_doubted():
    # GIVEN a weak line (0.76) where three words hold characters read below 0.8
    line = reading("dysuria, frequency, octuria icontinenc.", {10: 0.7, 21: 0.5, 30: 0.55}, confidence=0.76)
    # THEN the two that are no words are doubted, not the whole line nor "frequency", a word
    assert doubted(line) == ["octuria", "icontinenc."]
    # BUT the first word of a weak line is doubted even when it is a word: the line may have lost
    # its first letters ("tension" for "hypertension")
    assert doubted(reading("tension, on lisinopril", {2: 0.7}, confidence=0.7)) == ["tension,"]
    # AND a weak line whose only shaky characters are in words is not doubted as a whole
    assert doubted(reading("no dysuria, frequency", {14: 0.7}, confidence=0.76)) == []


def test_a_capital_i_and_a_small_l_swapped_into_a_rarer_word_are_doubted():
    # GIVEN words read surely, where an I/l swap (alike in many fonts) makes a far commoner word
    assert doubted(reading("Weight 28 Ibs. Allergic to lodine. lt hurts.")) == ["Ibs.", "lodine.", "lt"]
    # THEN words that are already the commoner reading are not
    assert doubted(reading("Ill-defined lesion in the left lung; IV fluids; Iowa; ileum")) == []


def test_a_capital_i_split_with_a_small_l_is_sure_but_a_letter_split_otherwise_is_not():
    # GIVEN "Isentress" whose I the recogniser split 0.56 I / 0.34 l (one glyph in many fonts)
    line = reading("Raltegravir (Isentress) 400 mg")
    line.chars[13] = CharReading("I", 0.56, "l", 0.34)
    # THEN the ink was read surely: no doubt (which of I and l makes the word is another check)
    assert doubted(line) == []
    # BUT the same split between an I and a 1 is a doubt
    line.chars[13] = CharReading("I", 0.56, "1", 0.34)
    assert doubted(line) == ["(Isentress)"]


def test_a_word_with_a_shaky_letter_is_no_doubt_when_it_is_still_a_known_word():
    # GIVEN headings and words read with a letter at 0.5-0.6, as capitals often are in phone photos
    line = reading("GENITOURINARY: Afebrile, no dysuria. HPI. Clear LUNGS.", {5: 0.53, 15: 0.55, 32: 0.5,
                                                                           38: 0.42, 49: 0.57})
    # THEN the known words are not doubted
    assert doubted(line) == []
    # BUT a merged double letter (CTC reads "sleep" as "slep"), a word whose unsure letter's runner-up
    # makes a commoner word ("bore" 45% "bone"), a mixed-case word (capitals read small) and a
    # non-word are
    assert doubted(reading("Slep alteration", {2: 0.5})) == ["Slep"]
    line = reading("Fracture of the bore", {18: 0.55})
    line.chars[18] = CharReading("r", 0.55, "n", 0.45)
    assert doubted(line) == ["bore"]
    assert doubted(reading("consistent with an MGUs.", {22: 0.57})) == ["MGUs."]
    assert doubted(reading("the remaining Ros is negative", {15: 0.55})) == ["Ros"]  # ROS read small
    assert doubted(reading("mild hypertenson", {9: 0.5})) == ["hypertenson"]


def test_an_unsure_character_doubts_its_word_only():
    line = reading("Metoprolol 25 mg twice daily", {12: 0.41})  # the "5" of 25
    assert doubted(line) == ["25"]


def test_a_half_seen_decimal_point_between_digits_is_doubted():
    # GIVEN "05 mg" where the recogniser half-saw a "." between 0 and 5 (it lost to the CTC blank)
    line = reading("Colchicine 05 mg", half_seen=[(12, ".", 0.3)])
    assert doubted(line) == ["05"]
    # AND a faint one (below the threshold) or one between letters is not a doubt
    assert doubted(reading("Colchicine 15 mg", half_seen=[(12, ".", 0.02)])) == []
    assert doubted(reading("Colchicine 15 mg", half_seen=[(3, ".", 0.5)])) == []


def test_a_short_number_starting_with_a_zero_is_doubted():
    # "05" is a lost decimal point, "02" an O read as a zero; times and dates are not doubted
    assert doubted(reading("Colchicine 05 mg; 95% 02 saturation")) == ["05", "02"]
    assert doubted(reading("Seen at 0730 on 02/03/2020; dose 0.5 mg, 10 mg")) == []


def test_a_letter_half_seen_inside_a_word_is_doubted_unless_it_is_a_neighbour():
    # GIVEN "tmperature" where an "e" was half-seen between t and m (it lost to the CTC blank)
    assert doubted(reading("height 37 inches, tmperature 97.4", half_seen=[(19, "e", 0.3)])) == ["tmperature"]
    # AND "VITAL IGNS" whose S was half-seen before the I
    assert doubted(reading("VITAL IGNS: normal", half_seen=[(6, "S", 0.2)])) == ["IGNS:"]
    # BUT a neighbour's own class between two characters is the blur of the stroke, not a lost one,
    # and a faint one is nothing
    assert doubted(reading("temperature 97.4", half_seen=[(2, "e", 0.5), (3, "M", 0.4)])) == []
    assert doubted(reading("temperature 97.4", half_seen=[(4, "x", 0.05)])) == []


def test_a_weak_line_is_doubted_as_a_whole():
    # Lines read with their first letters cut off score low while each emitted character looks sure.
    line = reading("  boratory orders: CBC, BMP  ", confidence=0.62)
    assert doubted(line) == ["boratory orders: CBC, BMP"]


def test_chinese_doubt_is_per_character():
    line = reading("咳嗽咳痰1周", {1: 0.3})
    assert doubted(line) == ["嗽"]


def test_one_character_reading_per_character_of_the_text():
    with pytest.raises(ValueError):
        LineReading("abc", 0.9, [CharReading("a", 0.9)])


def _document() -> DocumentText:
    page1 = PageResult(0, "rapidocr", text="CHIEF COMPLAINT:\nChest pain.",
                       blocks=[Block("CHIEF COMPLAINT:", (0, 0, 10, 10)), Block("Chest pain.", (0, 20, 10, 30))])
    page2 = PageResult(1, "rapidocr", text="PLAN:\nIbuprofen 8oo mg daily.",
                       blocks=[Block("PLAN:", (0, 0, 10, 10)),
                               Block("Ibuprofen 8oo mg daily.", (0, 20, 10, 30), 0.9, [(10, 13)])])
    return DocumentText([page1, page2])


def test_doubt_spans_are_mapped_to_document_offsets():
    document = _document()
    [(start, end)] = document.doubts
    assert document.text[start:end] == "8oo"


def test_every_field_holding_a_doubtful_span_gets_an_ocr_doubt_warning():
    # GIVEN a summary whose plan copies the line with "8oo" and whose chief complaint does not
    document = _document()
    text = document.text
    plan_start = text.index("Ibuprofen")
    cc_start = text.index("Chest")
    summary = Summary(
        chief_complaint=SummaryField("Chest pain.", FOUND, [Evidence(cc_start, cc_start + 11)]),
        plan=SummaryField("Ibuprofen 8oo mg daily.", FOUND, [Evidence(plan_start, plan_start + 23)]),
    )
    check_ocr_doubt(summary, document.doubts, text, ui_language="zh")
    # THEN exactly one warning, on the plan, spanning the doubtful text in document offsets
    [warning] = summary.warnings
    assert (warning.code, warning.field) == (OCR_DOUBT, "plan")
    assert text[warning.start:warning.end] == "8oo"
    assert "8oo" in warning.message and "核对" in warning.message
    # AND the field text is never changed
    assert summary.plan.text == "Ibuprofen 8oo mg daily."


def test_a_doubt_only_partly_inside_a_field_is_clipped_to_it():
    summary = Summary(plan=SummaryField("mg daily", FOUND, [Evidence(14, 22)]))
    check_ocr_doubt(summary, [(10, 16)], "Ibuprofen 8oo mg daily.", ui_language="en")
    [warning] = summary.warnings
    assert (warning.start, warning.end) == (14, 16)
    assert "compare it with the page" in warning.message


def test_a_second_read_that_agrees_lifts_the_doubt_and_one_that_differs_keeps_it():
    from desktop_app.ocr.doubt import second_look

    # GIVEN a first read unsure of the 3 of "138" and of "8oo"
    first = reading("Na 138, dose 8oo mg", {4: 0.4, 13: 0.45})
    # WHEN a second framing reads "138" the same, surely, but the dose as "800"
    second = reading("Na 138, dose 800 mg")
    looked = second_look(first, second)
    # THEN only the word the reads disagree on stays doubtful, and the text is the first read's
    assert looked.text == "Na 138, dose 8oo mg"
    assert doubted(looked) == ["8oo"]
    # AND an agreeing but unsure second read lifts nothing
    assert doubted(second_look(first, reading("Na 138, dose 8oo mg", {4: 0.3}))) == ["138,", "8oo"]
    # AND a runner-up is lifted by a second read that agrees surely, kept by one that doubts too
    status = rival("status O.", 7, "0", 0.32)
    assert doubted(second_look(status, reading("status O."))) == []
    assert doubted(second_look(status, rival("status O.", 7, "0", 0.3))) == ["O."]


def test_unsure_punctuation_is_no_doubt_but_an_unsure_decimal_point_is():
    # A comma read as a period changes nothing the physician copies; "0.5" read unsure does.
    assert doubted(reading("chest pain, fever", {10: 0.3})) == []
    assert doubted(reading("Colchicine 0.5 mg", {12: 0.3})) == ["0.5"]
