"""The `llm` summarizer on a tiny random YoutuForCausalLM saved like a real snapshot folder."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

from desktop_app import errors  # noqa: E402
from desktop_app.jobs.cancel import NEVER_CANCELLED, CancelToken  # noqa: E402
from desktop_app.jobs.progress import NULL_PROGRESS  # noqa: E402
from desktop_app.models import FOUND, NOT_DOCUMENTED  # noqa: E402
from desktop_app.settings import EngineSettings  # noqa: E402
from desktop_app.summarize import registry  # noqa: E402
from desktop_app.summarize.chunking import Chunk  # noqa: E402
from desktop_app.summarize.llm import LlmSummarizer, build_summary  # noqa: E402
from desktop_app.summarize.prompts import ChunkAnswer  # noqa: E402
from tests.model_fixtures import build_tiny_youtu  # noqa: E402

NOTE = (
    "Chief complaint: cough for 3 days.\n\n"
    "History of present illness: 45-year-old man with fever and productive cough.\n\n"
    "Diagnosis: community acquired pneumonia.\n\n"
    "Plan: chest x-ray. Amoxicillin 500 mg three times daily. Follow up in 2 weeks.\n"
)


@pytest.fixture(scope="module")
def youtu_dir(tmp_path_factory):
    return build_tiny_youtu(tmp_path_factory.mktemp("youtu"))


@pytest.fixture(scope="module")
def engine(youtu_dir):
    summarizer = LlmSummarizer(
        EngineSettings(summarizer="youtu", summarizer_model=youtu_dir, device="cpu"), max_new_tokens=12
    )
    summarizer.load()
    return summarizer


class Progress:
    def __init__(self):
        self.events = []

    def update(self, stage, done, total):
        self.events.append((stage, done, total))


def test_registry_resolves_llm_and_youtu_alias(youtu_dir):
    # GIVEN the settings a user passes with --summarizer youtu --summarizer-model PATH
    settings = EngineSettings(summarizer="youtu", summarizer_model=youtu_dir, device="cpu")
    # WHEN the registry creates it THEN it is the llm engine, not yet loaded (lazy)
    created = registry.find("youtu").create(settings)
    assert isinstance(created, LlmSummarizer) and created.name == "llm"
    assert created._model is None


def test_loads_native_class_offline_with_cache_on(engine, youtu_dir):
    from transformers import YoutuForCausalLM

    assert isinstance(engine._model, YoutuForCausalLM)
    saved = json.loads((youtu_dir / "generation_config.json").read_text())
    assert saved["use_cache"] is False  # as in the real checkpoint ...
    assert engine._model.generation_config.use_cache is True  # ... and turned on by the engine


def test_chat_template_turns_thinking_off(engine):
    rendered = engine.render([{"role": "user", "content": "x"}])
    assert rendered.endswith("<|Assistant|><think>\n\n</think>\n\n")


def test_missing_model_setting_and_bad_folder_are_config_errors(tmp_path):
    with pytest.raises(errors.ModelNotConfigured):
        LlmSummarizer(EngineSettings()).load()
    with pytest.raises(errors.ModelFolderInvalid, match="config.json"):
        LlmSummarizer(EngineSettings(summarizer_model=tmp_path)).load()
    with pytest.raises(errors.ModelFolderInvalid, match="does not exist"):
        LlmSummarizer(EngineSettings(summarizer_model=tmp_path / "nope")).load()


def test_prefix_is_a_token_prefix_of_every_prompt(engine):
    prefix = engine.prefix("en")
    for chunk in ("Patient", "x", "主诉：咳嗽", NOTE):
        ids = engine.prompt_ids(chunk, "en")
        assert tuple(ids[: len(prefix.ids)]) == prefix.ids
    assert engine.prefix("zh").ids != prefix.ids


def test_prefix_reuse_gives_identical_greedy_tokens_and_less_prefill(engine):
    # GIVEN the same chunks run with and without the prefix cache
    chunks = [NOTE, "主诉：咳嗽3天。诊断：肺炎。", "Plan: follow up."]
    prefix_before = [layer.keys.clone() for layer in engine.prefix("en").cache.layers]
    with_reuse, without = [], []
    engine.stats.prefill_tokens = 0
    for chunk in chunks:
        with_reuse.append(engine.generate_ids(chunk, "en", reuse=True))
    reused_prefill = engine.stats.prefill_tokens
    engine.stats.prefill_tokens = 0
    for chunk in chunks:
        without.append(engine.generate_ids(chunk, "en", reuse=False))
    full_prefill = engine.stats.prefill_tokens
    # THEN the tokens are identical, fewer tokens were prefilled, and the stored cache is untouched
    assert with_reuse == without
    assert all(len(t) > 0 for t in with_reuse)
    assert full_prefill - reused_prefill == len(chunks) * len(engine.prefix("en").ids)
    after = [layer.keys for layer in engine.prefix("en").cache.layers]
    assert all(b.shape == a.shape and bool((b == a).all()) for b, a in zip(prefix_before, after, strict=True))


def test_random_model_output_is_retried_then_falls_back_to_sections(engine):
    # A random model never writes the JSON asked for: one retry, then the sections extractor.
    progress = Progress()
    summary = engine.summarize(NOTE, language="en", cancel=NEVER_CANCELLED, progress=progress)
    assert engine.stats.retries == 1 and engine.stats.calls == 2
    assert summary.warnings[0].code == "llm_fallback"
    assert summary.engine == "llm>sections"
    assert summary.diagnosis.status == FOUND and "pneumonia" in summary.diagnosis.text
    generated = [e for e in progress.events if e[0] == "generate"]
    assert generated and generated[-1][1] >= 1  # per-token progress


def test_every_chunk_of_a_long_note_is_seen(engine):
    engine.chunk_tokens, engine.overlap_tokens = 60, 10
    try:
        long_note = "\n\n".join(f"Paragraph {i}: the patient reports item {i} on day {i}." for i in range(25))
        engine.summarize(long_note, language="en", cancel=NEVER_CANCELLED, progress=NULL_PROGRESS)
    finally:
        engine.chunk_tokens, engine.overlap_tokens = 3000, 120
    chunks = engine.stats.chunks
    assert len(chunks) > 3
    covered = set()
    for chunk in chunks:
        assert engine.count_tokens(chunk.text) <= 60
        covered.update(range(chunk.start, chunk.end))
    assert covered == set(range(len(long_note)))


def test_cancel_stops_generation_at_the_next_token(engine):
    cancel = CancelToken()

    class CancelAfterTwo:
        def update(self, stage, done, total):
            if stage == "generate" and done >= 2:
                cancel.cancel()

    engine.max_new_tokens = 50
    try:
        with pytest.raises(errors.Cancelled):
            engine.summarize(NOTE, language="en", cancel=cancel, progress=CancelAfterTwo())
    finally:
        engine.max_new_tokens = 12
    assert engine.stats.generated_tokens <= 3


def test_valid_answers_are_merged_and_located_in_the_text():
    text = (
        "Chief complaint: cough for 3 days.\n\nDiagnosis: community acquired pneumonia.\n\n"
        "Plan: chest x-ray; amoxicillin 500 mg.\n"
    )
    half = text.index("Plan")
    chunks = [Chunk(0, 0, half, text[:half]), Chunk(1, half - 10, len(text), text[half - 10 :])]
    answers = [
        (chunks[0], ChunkAnswer("cough for 3 days", "Community acquired pneumonia", None)),
        (chunks[1], ChunkAnswer("fever", "community acquired pneumonia", "chest xray; amoxicillin 500 mg")),
    ]
    summary = build_summary(text, answers, engine="llm", language="en")
    # chief complaint: the first chunk's; diagnosis: duplicates across the overlap dropped
    assert summary.chief_complaint.text == "cough for 3 days"
    assert summary.diagnosis.text == "Community acquired pneumonia"
    cc = summary.chief_complaint.evidence[0]
    assert text[cc.start : cc.end] == "cough for 3 days"
    # the plan's parts are found even with OCR-ish differences ("xray" vs "x-ray")
    spans = [text[e.start : e.end] for e in summary.plan.evidence]
    assert any("x-ray" in s for s in spans) and any("amoxicillin 500 mg" in s for s in spans)
    assert not [w for w in summary.warnings if w.code == "unsupported_text"]


def test_text_not_in_the_note_is_flagged_and_absent_fields_not_documented():
    text = "Diagnosis: asthma.\n"
    answers = [(Chunk(0, 0, len(text), text), ChunkAnswer(None, "asthma", "start prednisone taper"))]
    summary = build_summary(text, answers, engine="llm", language="en")
    assert summary.chief_complaint.status == NOT_DOCUMENTED
    flagged = [w for w in summary.warnings if w.code == "unsupported_text"]
    assert flagged and flagged[0].field == "plan"
    assert summary.plan.evidence == []


def test_chinese_note_fields_located_and_long_chief_complaint_flagged():
    text = (
        "主诉：反复咳嗽、咳痰伴发热3天，加重1天。\n诊断：社区获得性肺炎。\n处理：阿莫西林口服，3天后复诊。\n"
    )
    chunk = Chunk(0, 0, len(text), text)
    short = build_summary(
        text,
        [(chunk, ChunkAnswer("咳嗽、咳痰伴发热3天", "社区获得性肺炎", "阿莫西林口服"))],
        engine="llm",
        language="zh",
    )
    assert not short.warnings
    ev = short.diagnosis.evidence[0]
    assert text[ev.start : ev.end] == "社区获得性肺炎"
    long_cc = "反复咳嗽、咳痰伴发热3天，加重1天，伴胸痛及气促"
    flagged = build_summary(text, [(chunk, ChunkAnswer(long_cc, None, None))], engine="llm", language="zh")
    assert "long_chief_complaint" in [w.code for w in flagged.warnings]
