"""Where the OCR is unsure of what it read: doubtful words in a recognised line.

Works from what a CTC recogniser knows about each character it emitted (its probability) and
what it half-saw between two characters (e.g. a decimal point with some
probability that lost to the blank). A word is doubtful when

- one of its letters, digits, value symbols or decimal points is unsure (probability below
  `CHAR_DOUBT`) and a second read of the line, framed differently, does not agree (`second_look`), or
- it is a number holding one of the classic look-alike letters (o/O for 0, l/I for 1, S for 5,
  B for 8: "8oo mg", "1O"), or a capitals word with one small o/i/l inside ("ABDoMEN", "HiV"), or
- a decimal point or comma was half-seen between two of its digits ("05" that may be "0.5"), or
- the whole line is much weaker than a clean read (confidence below `LINE_DOUBT`): lines read with
  their first letters cut off score like that while every emitted character can look sure.

Nothing is corrected: the spans are shown to the physician, who checks them against the page.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace

CHAR_DOUBT = 0.6  # an emitted character below this probability makes its word doubtful
LINE_DOUBT = 0.8  # a line whose mean character probability is below this is doubtful as a whole
HALF_SEEN = 0.1  # a decimal point this likely between two digits, though not emitted, is doubted

# Letters a recogniser confuses with a digit; a number holding only these letters is suspect.
DIGIT_LOOKALIKES = frozenset("oOlISB")
VALUE_SYMBOLS = frozenset("%/+<>=")
# A word: one CJK character (Chinese has no spaces to tell words by), or a run of other non-spaces.
_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
_WORD = re.compile(rf"[{_CJK}]|[^\s{_CJK}]+")
_LETTER_RUN = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class CharReading:
    char: str
    probability: float  # the best CTC frame probability of this character


@dataclass
class LineReading:
    """A recognised line with what the recogniser knew about each of its characters."""

    text: str
    confidence: float
    chars: list[CharReading] = field(default_factory=list)  # one per character of `text`, or empty
    # (index, character, probability): a character half-seen just before text[index]
    half_seen: list[tuple[int, str, float]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.chars and len(self.chars) != len(self.text):
            raise ValueError("one CharReading per character of the line text")


def _numeric_lookalike(word: str) -> bool:
    """A number with look-alike letters in it ("8oo", "1O", "l0", "2S"), not a word that has a
    digit ("SpO2", "B12" is flagged — vitamin names pay for never missing a misread dose)."""
    if not any(ch.isdigit() for ch in word):
        return False
    # Thousands and decimal separators do not break the number: "484,ooo", "0.S".
    word = re.sub(r"(?<=\d)[.,](?=\w)|(?<=\w)[.,](?=\d)", "", word)
    for run in _LETTER_RUN.finditer(word):
        touches_digit = ((run.start() > 0 and word[run.start() - 1].isdigit())
                         or (run.end() < len(word) and word[run.end()].isdigit()))
        if touches_digit and set(run.group()) <= DIGIT_LOOKALIKES:
            return True
    return False


def _carries_meaning(text: str, i: int) -> bool:
    """Letters, digits, value symbols and a decimal point between digits: a comma read as a period
    or a stray quote does not change what the physician copies; "05" for "0.5" does."""
    ch = text[i]
    if ch.isalnum() or ch in VALUE_SYMBOLS:
        return True
    return ch in ".," and 0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit()


def _case_lookalike(word: str) -> bool:
    """A capitals word with a small o, i or l inside ("ABDoMEN", "HiV", "CoPD"): the recogniser
    read a capital O/I as its small look-alike, or a digit 0/1 as a letter."""
    letters = "".join(ch for ch in word if ch.isalpha())
    upper = sum(ch.isupper() for ch in letters)
    return upper >= 2 and any(ch in "oil" for ch in letters[1:-1]) and sum(ch.islower() for ch in letters) == 1


def doubt_spans(line: LineReading) -> list[tuple[int, int]]:
    """[start, end) spans of `line.text` the OCR doubts, one per doubtful word (or the whole line)."""
    text = line.text
    if not text.strip():
        return []
    if line.confidence < LINE_DOUBT:
        start = len(text) - len(text.lstrip())
        return [(start, len(text.rstrip()))]
    half_seen_at = {index for index, char, probability in line.half_seen
                    if char in ".,·" and probability >= HALF_SEEN
                    and 0 < index < len(text) and text[index - 1].isdigit() and text[index].isdigit()}
    spans = []
    for match in _WORD.finditer(text):
        start, end = match.span()
        unsure = any(line.chars[i].probability < CHAR_DOUBT and _carries_meaning(text, i)
                     for i in range(start, end)) if line.chars else False
        if (unsure or _numeric_lookalike(match.group()) or _case_lookalike(match.group())
                or any(start < index < end for index in half_seen_at)):
            spans.append((start, end))
    return spans


def is_unsure(line: LineReading) -> bool:
    return any(c.probability < CHAR_DOUBT for c in line.chars if not c.char.isspace())


def second_look(first: LineReading, second: LineReading) -> LineReading:
    """`first` with the unsure words that a second, independent read of the same line (another
    framing of the crop) reads identically and surely taken as sure: two agreeing reads are far
    less often wrong than one unsure one. Words the reads disagree on stay as unsure as they were.
    The text is always `first`'s: nothing is replaced by the second read."""
    if not first.chars or not second.chars:
        return first
    ones = list(_WORD.finditer(first.text))
    twos = list(_WORD.finditer(second.text))
    matcher = difflib.SequenceMatcher(a=[m.group() for m in ones], b=[m.group() for m in twos], autojunk=False)
    chars = list(first.chars)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            one, two = ones[block.a + k], twos[block.b + k]
            again = second.chars[two.start():two.end()]
            if min(c.probability for c in again) < CHAR_DOUBT:
                continue
            for offset, reading in enumerate(again):
                index = one.start() + offset
                chars[index] = replace(chars[index], probability=max(chars[index].probability, reading.probability))
    return replace(first, chars=chars)
