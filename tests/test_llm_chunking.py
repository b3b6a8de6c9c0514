"""Chunking by a token budget (pure Python; a word counter stands in for the tokenizer)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.summarize.chunking import split_text
from desktop_app.summarize.prompts import parse_answer


def words(text: str) -> int:
    return len(text.split()) + sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")


def test_splits_at_paragraphs_with_overlap():
    paragraphs = [f"Paragraph {i} " + "word " * 8 for i in range(10)]
    text = "\n\n".join(paragraphs)
    chunks = split_text(text, words, budget=30, overlap=12)
    assert len(chunks) > 2
    for chunk in chunks:
        assert words(chunk.text) <= 30
        assert chunk.text == text[chunk.start : chunk.end]
        assert chunk.start == 0 or text[chunk.start - 2 : chunk.start] == "\n\n"  # starts at a paragraph
    # consecutive chunks share a paragraph (the overlap)
    assert any(a.end > b.start for a, b in zip(chunks, chunks[1:], strict=False))


_text = st.lists(
    st.one_of(
        st.text(alphabet="abc 。,.\n", min_size=1, max_size=40), st.just("\n\n"), st.just("主诉咳嗽三天。")
    ),
    max_size=40,
).map("".join)


@settings(max_examples=200, deadline=None)
@given(_text, st.integers(3, 40), st.integers(0, 10))
def test_every_character_is_in_a_chunk_and_chunks_advance(text, budget, overlap):
    chunks = split_text(text, words, budget=budget, overlap=overlap)
    if not text.strip():
        assert chunks == []
        return
    covered = set()
    for chunk in chunks:
        covered.update(range(chunk.start, chunk.end))
    assert covered == set(range(len(text)))
    assert all(b.start > a.start and b.end > a.end for a, b in zip(chunks, chunks[1:], strict=False))


def test_parse_answer_tolerates_fences_and_thinking_and_rejects_the_rest():
    raw = (
        '<think>hmm</think>```json\n{"chief_complaint": "cough 3 days", '
        '"diagnosis": ["asthma", "GERD"], "plan": "not documented"}\n```'
    )
    answer = parse_answer(raw)
    assert answer.chief_complaint == "cough 3 days"
    assert answer.diagnosis == "asthma\nGERD"
    assert answer.plan is None
    assert parse_answer('Sure! {"chief_complaint": "x", "diagnosis": "y"}') is None  # a key missing
    assert parse_answer("The document contains a list of symptoms") is None
    assert parse_answer('{"chief_complaint": {"a": 1}, "diagnosis": "", "plan": ""}') is None
