"""The `llm` summarizer on a tiny random YoutuForCausalLM saved like a real snapshot folder."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

from desktop_app import errors  # noqa: E402
from desktop_app.cancel import NEVER_CANCELLED, CancelToken  # noqa: E402
from desktop_app.models import FOUND, NOT_DOCUMENTED  # noqa: E402
from desktop_app.progress import NULL_PROGRESS  # noqa: E402
from desktop_app.settings import EngineSettings  # noqa: E402
from desktop_app.summarize import registry  # noqa: E402
from desktop_app.summarize.answers import build_summary, cut_field_warnings  # noqa: E402
from desktop_app.summarize.chunking import Chunk  # noqa: E402
from desktop_app.summarize.llm import LlmSummarizer  # noqa: E402
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
    # Unconstrained: these tests exercise the path a machine without lm-format-enforcer takes (a random
    # model never writes the JSON, so retry and fallback run); the constrained path is tested below.
    summarizer = LlmSummarizer(
        EngineSettings(summarizer="youtu", summarizer_model=youtu_dir, device="cpu"),
        max_new_tokens=12,
        constrain_json=False,
    )
    summarizer.load()
    return summarizer


class FedTokens:
    """Counts the tokens actually fed to the model's forward (a forward pre-hook): not the engine's
    own arithmetic. `prefills` = the ids of every multi-token feed (the prompt part not cached)."""

    def __init__(self, model):
        self.per_call: list[int] = []
        self.prefills: list[list[int]] = []
        self._handle = model.register_forward_pre_hook(self._hook, with_kwargs=True)

    def _hook(self, module, args, kwargs):
        ids = kwargs.get("input_ids") if kwargs.get("input_ids") is not None else args[0]
        self.per_call.append(int(ids.shape[-1]))
        if ids.shape[-1] > 1:
            self.prefills.append(ids[0].tolist())

    def close(self):
        self._handle.remove()


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


def test_prefix_reuse_gives_identical_greedy_tokens_and_feeds_fewer_tokens(engine):
    # GIVEN the same chunks run with and without the prefix cache, a hook counting what the model is fed
    chunks = [NOTE, "主诉：咳嗽3天。诊断：肺炎。", "Plan: follow up."]
    prefix_len = len(engine.prefix("en").ids)
    prefix_before = [layer.keys.clone() for layer in engine.prefix("en").cache.layers]
    fed = FedTokens(engine._model)
    try:
        with_reuse = [engine.generate_ids(chunk, "en", reuse=True) for chunk in chunks]
        fed_reused, fed.per_call = sum(fed.per_call), []
        first_feeds_reused, fed.prefills = fed.prefills, []
        without = [engine.generate_ids(chunk, "en", reuse=False) for chunk in chunks]
        fed_full = sum(fed.per_call)
    finally:
        fed.close()
    prompt_lens = [len(engine.prompt_ids(chunk, "en")) for chunk in chunks]
    # THEN the tokens are identical, and each prompt's prefill skipped exactly the cached prefix
    assert with_reuse == without and all(len(t) > 0 for t in with_reuse)
    assert [len(ids) for ids in first_feeds_reused] == [n - prefix_len for n in prompt_lens]
    assert fed_full - fed_reused == len(chunks) * prefix_len
    decoded_steps = sum(len(t) - 1 for t in with_reuse)  # the last new token is never fed back
    assert fed_reused == sum(prompt_lens) - len(chunks) * prefix_len + decoded_steps
    # and the stored cache is untouched (each call worked on a copy)
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


def test_every_chunk_of_a_long_note_reaches_the_model(engine):
    engine.chunk_tokens, engine.overlap_tokens = 60, 10
    long_note = "\n\n".join(f"Paragraph {i}: the patient reports item {i} on day {i}." for i in range(25))
    fed = FedTokens(engine._model)
    try:
        with pytest.MonkeyPatch.context() as patch:  # answer every chunk, so none is skipped by a fallback
            patch.setattr(
                "desktop_app.summarize.prompts.parse_answer", lambda raw: ChunkAnswer(None, None, None)
            )
            engine.summarize(long_note, language="en", cancel=NEVER_CANCELLED, progress=NULL_PROGRESS)
    finally:
        fed.close()
        engine.chunk_tokens, engine.overlap_tokens = 3000, 120
    chunks = engine.stats.chunks
    assert len(chunks) > 3
    covered = set()
    for chunk in chunks:
        assert engine.count_tokens(chunk.text) <= 60
        covered.update(range(chunk.start, chunk.end))
    assert covered == set(range(len(long_note)))
    # what the model was actually fed, decoded: one prefill per chunk, each holding that chunk's text
    fed_texts = [engine._tokenizer.decode(ids) for ids in fed.prefills]
    assert len(fed_texts) == len(chunks)
    for chunk, text in zip(chunks, fed_texts, strict=True):
        assert chunk.text in text


def test_constrained_decoding_forces_the_answer_object_on_a_random_model(engine, youtu_dir):
    pytest.importorskip("lmformatenforcer")
    import re

    constrained = LlmSummarizer(
        EngineSettings(summarizer="youtu", summarizer_model=youtu_dir, device="cpu"), max_new_tokens=40
    )
    constrained.load()
    free = engine.decode(engine.generate_ids(NOTE, "en"))
    forced = constrained.decode(constrained.generate_ids(NOTE, "en"))
    # unconstrained, the random model writes bytes at random; constrained, the same weights open the
    # object with the schema's keys in order, with no whitespace run longer than two characters
    assert not free.lstrip().startswith('{"chief_complaint"')
    assert re.match(r'\s{0,2}\{\s{0,2}"chief_complaint"\s{0,2}:\s{0,2}"', forced), forced
    assert constrained.stats.prefix_mismatches == 0


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


def test_a_value_at_the_schema_length_limit_is_flagged_as_possibly_cut():
    chunk = Chunk(0, 0, 10, "x" * 10)
    answers = [(chunk, ChunkAnswer("cough for 3 days", "community acquired pneum", None))]
    warnings = cut_field_warnings(answers, max_new_tokens=120)  # (120 - 48) // 3 = 24 characters per value
    assert [(w.code, w.field) for w in warnings] == [("llm_field_cut", "diagnosis")]
    assert "24-character limit" in warnings[0].message
