"""How common an English word is, from `wordfreq`'s large English list (shipped in its wheel: nothing
is downloaded). The OCR doubt rules use it to tell a word read with a shaky character that is still a
word ("GENITOURINARY", "afebrile") from a misread that is not ("tmperature")."""

from __future__ import annotations

import functools
import math

# Zipf scale: log10 of occurrences per billion words. 1.0 is once per 100 million words; the list's
# floor. Clinical words sit low ("afebrile" 1.1, "nocturia" 1.4, "genitourinary" 2.0), and a string
# the list does not hold scores 0.
KNOWN_WORD_ZIPF = 1.0


@functools.cache
def _frequencies() -> dict[str, float]:
    # Imported here: wordfreq and its list take ~0.5 s, paid once off the GUI thread (the warm-up or
    # the first OCR), never at start-up.
    from wordfreq import get_frequency_dict

    return get_frequency_dict("en", wordlist="large")


def load() -> None:
    """Read the word list now (the app's warm-up) rather than at the first word that needs it."""
    _frequencies()


def zipf(word: str) -> float:
    """The word's Zipf frequency (0 when the list does not hold it); case does not matter."""
    frequency = _frequencies().get(word.lower(), 0.0)
    return round(math.log10(frequency) + 9, 2) if frequency > 0 else 0.0


def is_known_word(word: str) -> bool:
    return word.isalpha() and zipf(word) >= KNOWN_WORD_ZIPF
