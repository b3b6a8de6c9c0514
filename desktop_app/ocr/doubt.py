"""Where the OCR is unsure of what it read: doubtful words in a recognised line.

Works from what a CTC recogniser knows about each character it emitted: its probability, its
runner-up (the best other class over the character's frames) and what it half-saw between two
characters (e.g. a decimal point that lost to the blank). A word is doubtful when

- one of its letters, digits, value symbols or decimal points is unsure (probability below
  `CHAR_DOUBT`) or has a strong rival (a runner-up letter or digit at `RIVAL_DOUBT` or more:
  "Alc" whose l was 15% a 1, "offce" whose second f was 38% an i), and a second read of the line,
  framed differently, does not read the word the same way surely (`second_look`); but a word of
  letters, mostly sure, whose unsure characters have no rival is not doubtful when it is still a
  known English word (`lexicon`) in one case ("GENITOURINARY", "afebrile" read at 0.55 in a photo),
  unless a doubled letter merged by CTC ("slep") or an unsure letter's runner-up ("bore"/"bone")
  makes a commoner word, or an unsure small letter of a capitalised word may be a capital ("Ros"), or
- a capital I read for a small l or the reverse makes a far commoner word ("lodine", "Ibs"), or
- it is a number holding one of the classic look-alike letters (o/O for 0, l/I for 1, S for 5,
  B for 8: "8oo mg", "1O"; a capital naming a number, as in "S1", "O2", "B12", is not), a word of
  letters with a 0 inside ("CH0P"), or a capitals word with small letters that differ from their
  capitals only in size, or an l among capitals ("ABDoMEN", "HiV", "PsA", "MGus", "Xll"), or
- it is a short number starting with a zero ("05" for "0.5", "02" for "O2"), or
- a decimal point or comma was half-seen between two of its digits ("05" that may be "0.5"), or a
  letter or digit was half-seen in it that is neither of its neighbours ("tmperature": an e lost
  to the CTC blank; a neighbour's own class is only the blur between two characters), or
- its line is much weaker than a clean read (confidence below `LINE_DOUBT`) and the word has a
  character below `WEAK_LINE_CHAR` (a known word after the line's first word excepted, as above);
  when no character of such a line stands out, the whole line is doubtful: lines read with their
  first letters cut off score low while every character looks sure.

Nothing is corrected: the spans are shown to the physician, who checks them against the page.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace

from desktop_app.ocr import lexicon

CHAR_DOUBT = 0.6  # an emitted character below this probability makes its word doubtful
RIVAL_DOUBT = 0.15  # a runner-up letter/digit this likely makes its character's word doubtful
LINE_DOUBT = 0.8  # a line whose mean character probability is below this is weak
WEAK_LINE_CHAR = 0.8  # in a weak line, the words with a character below this are doubtful
HALF_SEEN = 0.1  # a decimal point this likely between two digits, though not emitted, is doubted
HALF_SEEN_LETTER = 0.1  # a letter or digit this likely inside a word, though not emitted, is doubted
I_FOR_L_MARGIN = 1.0  # an I/l swap that makes a word this much commoner (Zipf: 10x) doubts the word

# Letters a recogniser confuses with a digit; a number holding only these letters is suspect.
DIGIT_LOOKALIKES = frozenset("oOlISB")
# Small letters that look like their capitals but smaller (and i/l, which look like I).
SIZE_LOOKALIKES = frozenset("cosuvwxzil")
ROMAN_LOOKALIKES = frozenset("IVXl")  # "Il", "Xll": cranial nerves II, XII with an l for an I
I_L_TWINS = {"I": "l", "l": "I"}  # capital I and small l: one glyph in many fonts
VALUE_SYMBOLS = frozenset("%/+<>=")
ORDINAL_SUFFIX = r"(st|nd|rd|th)$"
# A word: one CJK character (Chinese has no spaces to tell words by), or a run of other non-spaces.
_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
_WORD = re.compile(rf"[{_CJK}]|[^\s{_CJK}]+")
_LETTER_RUN = re.compile(r"[^\W\d_]+")
_CJK_CHAR = re.compile(rf"[{_CJK}]")


def _is_cjk(ch: str) -> bool:
    return _CJK_CHAR.fullmatch(ch) is not None


@dataclass(frozen=True)
class CharReading:
    char: str
    probability: float  # the best CTC frame probability of this character
    # The recogniser's runner-up for this character (best other non-blank class over its frames)
    alternative: str = ""
    alternative_probability: float = 0.0


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
    digit ("SpO2"); a capital naming a number ("S1", "O2", "B12", "L5-S1") is a name, not a misread."""
    if not any(ch.isdigit() for ch in word):
        return False
    # Thousands and decimal separators do not break the number: "484,ooo", "0.S"; a comma before
    # anything but a group of three is no thousands separator ("41.875,OS:": a lost space).
    word = re.sub(r"(?<=\d)\.(?=\w)|(?<=\d),(?=\w{3}(?!\w))|(?<=\w)[.,](?=\d)", "", word)
    for run in _LETTER_RUN.finditer(word):
        before = run.start() > 0 and word[run.start() - 1].isdigit()
        after = run.end() < len(word) and word[run.end()].isdigit()
        letters = run.group()
        if before and run.end() == len(word):  # an ordinal's suffix is no misread: "50th", but "5oth"
            letters = re.sub(ORDINAL_SUFFIX, "", letters)
        name = not before and len(letters) == 1 and letters.isupper()
        if (before or after) and letters and set(letters) <= DIGIT_LOOKALIKES and not name:
            return True
    # A zero after a letter, before a letter or a digit, is an O read as a digit ("CH0P", "C0PD",
    # "C02", "pC02"): 5 such words in the 494,000 of the MTSamples notes, 4 of them CO2/pO2 typed so.
    return re.search(r"(?<=[^\W\d_])0(?=[^\W_])", word) is not None


def _leading_zero(word: str) -> bool:
    """A short number that starts with a zero ("05", "02", "025"): a decimal point lost ("0.5") or
    an O read as a zero ("O2"). Notes hardly ever write one (12 in the 494,000 words of the
    MTSamples notes in ../shared/data, mostly times such as "0730", which are longer)."""
    return re.fullmatch(r"0\d{1,2}", word.strip(".,:;()")) is not None


def _carries_meaning(text: str, i: int) -> bool:
    """Letters, digits, value symbols and a decimal point between digits: a comma read as a period
    or a stray quote does not change what the physician copies; "05" for "0.5" does."""
    ch = text[i]
    if ch.isalnum() or ch in VALUE_SYMBOLS:
        return True
    return ch in ".," and 0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit()


def _case_lookalike(word: str) -> bool:
    """A capitals word with small letters that look like capitals ("ABDoMEN", "HiV", "PsA", "MGus",
    "EcoG"), or an l among Roman-numeral capitals ("Il", "Xll"): a capital read as its small
    look-alike. A plural s ("PVCs") and mixed-case names that start small ("mEq", "cGMP") are not."""
    letters = "".join(ch for ch in word if ch.isalpha())
    if len(letters) >= 2 and set(letters) <= ROMAN_LOOKALIKES and "l" in letters and letters[0] != "l":
        return True
    small = [ch for ch in letters[1:].removesuffix("s") if ch.islower()]
    upper = sum(ch.isupper() for ch in letters)
    return (bool(letters) and letters[0].isupper() and upper >= 2 and 0 < len(small) <= upper
            and set(small) <= SIZE_LOOKALIKES)


def _digit_at(word: str, j: int) -> bool:
    return 0 <= j < len(word) and word[j].isdigit()


def _rival(word: str, i: int, reading: CharReading) -> bool:
    """A runner-up close enough to have been the true character, of a kind that changes what is
    copied, in a numeric context: a digit for a letter in a word that holds digits or stands alone
    ("O." for "0.", "CH0P"), a letter for a lone digit ("S1" that may be "Sl"); or another Chinese
    character (萃/苹). Not a letter runner-up of a digit among digits (a number reads as a number)
    nor a digit runner-up of a letter in a word of letters ("MI", "HPI", "III": capitals and
    numerals share their strokes in many fonts) unless it is a 1 for a small l ("Alc"), nor Latin
    letter-for-letter runners-up (I/l, f/i, n/m): on the development pages those were right more
    often than not."""
    char, other = reading.char, reading.alternative
    if reading.alternative_probability < RIVAL_DOUBT or other == char or not other.isalnum():
        return False
    if char.isdigit() and not other.isdigit():
        # A decimal point or separator keeps the digits around it one number ("0.5", "2,500").
        return not (_digit_at(word, i - 1) or _digit_at(word, i + 1)
                    or (i >= 2 and word[i - 1] in ".," and _digit_at(word, i - 2))
                    or (word[i + 1:i + 2] in (".", ",") and _digit_at(word, i + 2)))
    if other.isdigit() and not char.isdigit():
        # A small l nearly read as a 1 is the classic l/1 confusion ("Alc" for "A1c") wherever it
        # stands, except in a known word in small letters ("looks"), which hardly ever holds a digit.
        small_word = word.strip(".,:;()").islower() and lexicon.is_known_word(word.strip(".,:;()"))
        # Digits count in the part of the word around the letter: "41.875,OS:" is a number and a name
        # glued by a lost space.
        part = re.split(r"[,;:()]", word[:i])[-1] + re.split(r"[,;:()]", word[i:])[0]
        return (len(word.strip(".,:;")) == 1 or any(ch.isdigit() for ch in part)
                or (char == "l" and other == "1" and not small_word))
    return _is_cjk(char) and _is_cjk(other)


def _sureness(reading: CharReading) -> float:
    """How sure the recogniser was of the character's ink: its probability, and for a capital I or
    small l the two together. Many fonts draw I and l alike, so the recogniser's split between them
    ("Isentress" 0.56 I, 0.34 l; "grade III") says nothing about what is printed; which of the two
    makes the word is `_i_for_l`'s question."""
    if I_L_TWINS.get(reading.char) == reading.alternative:
        return reading.probability + reading.alternative_probability
    return reading.probability


def _unsure(word: str, i: int, reading: CharReading) -> bool:
    """Whether character `i` of `word` (read as `reading`) is unsure: low sureness or a rival."""
    return _sureness(reading) < CHAR_DOUBT or _rival(word, i, reading)


def _i_for_l(word: str) -> bool:
    """A capital I read for a small l or the reverse, which many fonts draw alike, where the swap
    makes a far commoner word ("lodine" for "Iodine", "Ibs" for "lbs", "lt" for "It")."""
    core = word.strip(".,:;()[]'\"")
    if not core.isascii() or not core.isalpha() or not ("I" in core or "l" in core):
        return False
    read = lexicon.zipf(core)
    swaps = (core[:k] + I_L_TWINS[ch] + core[k + 1:] for k, ch in enumerate(core) if ch in I_L_TWINS)
    return any(lexicon.zipf(swapped) >= read + I_FOR_L_MARGIN for swapped in swaps)


def _still_a_word(word: str, start: int, low: list[int], line: LineReading) -> bool:
    """Whether a word of letters whose unsure characters are only unsure, not rivalled, is a known
    English word that none of its unsure characters' runners-up would make more common: a heading
    read at 0.55 in a photo ("GENITOURINARY", "LUNGS") is still that heading, while "tmperature"
    is no word and "bore" whose r was 45% an n may well be "bone"."""
    core = word.strip(".,:;()[]'\"")
    offset = start + word.index(core) if core else start
    # One case throughout, or a capital first: "MGUs" or "EARs" may be capitals read small, which a
    # case-blind word list cannot tell.
    one_case = core.isupper() or core.islower() or core.istitle()
    # "Ros" for "ROS": an unsure small letter that differs from its capital only in size may be one.
    if core.istitle() and any(0 < i - offset < len(core) and core[i - offset] in SIZE_LOOKALIKES for i in low):
        return False
    # Most of the word must be sure: a word that comes out of a line read mostly as guesses (the whole
    # line at 0.35) can be a word by chance.
    mostly_sure = 2 * len(low) <= len(core)
    if not one_case or not mostly_sure or not core.isascii() or not lexicon.is_known_word(core):
        return False
    read = lexicon.zipf(core)
    # A doubled letter that CTC merged into one ("slep" for "sleep", "ofice" for "office").
    if any(lexicon.zipf(core[:k] + core[k - 1:]) > read for k in range(1, len(core) + 1)):
        return False
    for i in low:
        other = line.chars[i].alternative
        if other.isalpha() and 0 <= i - offset < len(core):
            swapped = core[:i - offset] + other + core[i - offset + 1:]
            if lexicon.zipf(swapped) > read:
                return False
    return True


def doubt_spans(line: LineReading) -> list[tuple[int, int]]:
    """[start, end) spans of `line.text` the OCR doubts, one per doubtful word (or the whole line)."""
    text = line.text
    if not text.strip():
        return []
    weak = line.confidence < LINE_DOUBT
    half_seen_at = {index for index, char, probability in line.half_seen
                    if char in ".,·" and probability >= HALF_SEEN
                    and 0 < index < len(text) and text[index - 1].isdigit() and text[index].isdigit()}
    # A letter or digit that lost to the blank: "tmperature", "VITAL IGNS".
    lost_at = {index for index, char, probability in line.half_seen
               if char.isalnum() and probability >= HALF_SEEN_LETTER and 0 < index <= len(text)
               and char.lower() not in text[index - 1:index + 1].lower()}
    spans = []
    stands_out = False  # a character of a weak line below WEAK_LINE_CHAR
    first_word = len(text) - len(text.lstrip())
    for match in _WORD.finditer(text):
        start, end = match.span()
        word = match.group()
        meaningful = [i for i in range(start, end) if _carries_meaning(text, i)] if line.chars else []
        low = [i for i in meaningful if _sureness(line.chars[i]) < CHAR_DOUBT]
        rival = any(_rival(word, i - start, line.chars[i]) for i in meaningful)
        shaky = [i for i in meaningful if _sureness(line.chars[i]) < WEAK_LINE_CHAR] if weak else []
        stands_out = stands_out or bool(shaky)
        if low and not rival and _still_a_word(word, start, low, line):
            low = []
        # A weak line may have lost its first letters ("ough" for "cough"); its other words are whole.
        if shaky and start > first_word and not rival and _still_a_word(word, start, shaky, line):
            shaky = []
        if (low or rival or shaky or _numeric_lookalike(word) or _case_lookalike(word) or _i_for_l(word)
                or _leading_zero(word)
                or any(start < index < end for index in half_seen_at)
                or any(start <= index <= end for index in lost_at)):
            spans.append((start, end))
    if weak and not spans and not stands_out:
        return [(first_word, len(text.rstrip()))]
    return spans


def is_unsure(line: LineReading) -> bool:
    return any(_unsure(match.group(), i, line.chars[match.start() + i])
               for match in _WORD.finditer(line.text) for i in range(len(match.group())))


def second_look(first: LineReading, second: LineReading) -> LineReading:
    """`first` with the unsure words that a second, independent read of the same line (another
    framing of the crop) reads identically and surely (no unsure character) taken as sure: two agreeing reads are far
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
            if any(_unsure(two.group(), k, c) for k, c in enumerate(again)):
                continue
            for offset, reading in enumerate(again):
                index = one.start() + offset
                chars[index] = replace(chars[index], probability=max(chars[index].probability, reading.probability),
                                       alternative_probability=min(chars[index].alternative_probability,
                                                                   reading.alternative_probability))
    return replace(first, chars=chars)
