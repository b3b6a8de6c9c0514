"""The `llm` summarizer (alias `youtu`): a local causal LM (Youtu-LLM-2B, or any model transformers
loads natively, or one GGUF file) extracts the three fields chunk by chunk.

Flow per document: chunk the text by a token budget (chunking.py) → for each chunk, the fixed
instruction prefix + the chunk go through the model, greedy, with the prefix's KV cache computed once
per model load and a deep copy reused for every chunk, decoded under the answer's JSON schema when
lm-format-enforcer is installed (constrained.py; a value at the schema's length limit is flagged as
possibly cut) → parse, retry, merge, evidence and fallback as every model summarizer does (answers.py).

Runs in a worker thread: checks `cancel` at every generated token (the shared runtime's token watch,
hf_runtime.py). torch and transformers are imported only there and here, on first use.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app import errors, hf_runtime
from desktop_app.cancel import NEVER_CANCELLED, CancelToken
from desktop_app.models import Summary
from desktop_app.progress import NULL_PROGRESS, ProgressSink
from desktop_app.settings import EngineSettings
from desktop_app.summarize import constrained, prompts
from desktop_app.summarize.answers import ChunkedSummarizer, cut_field_warnings
from desktop_app.summarize.chunking import Chunk, split_text

log = logging.getLogger(__name__)

REPETITION_PENALTY = 1.05  # mild: field text legitimately repeats words of the note

is_installed = hf_runtime.is_installed


# --- loading --------------------------------------------------------------------------------


def resolve_model_path(path: Path | None, engine: str = "llm") -> tuple[Path, str | None]:
    """(folder, gguf file name or None) for a model folder or a single .gguf file."""
    if path is None:
        raise errors.ModelNotConfigured(name=engine, option="--summarizer-model", gguf=" or a .gguf file")
    path = Path(path).expanduser()
    if path.is_file() and path.suffix.lower() == ".gguf":
        return path.parent, path.name
    if not path.exists():
        raise errors.ModelFolderInvalid(path=str(path), detail="it does not exist")
    if not path.is_dir():
        raise errors.ModelFolderInvalid(path=str(path), detail="not a folder or a .gguf file")
    if not (path / "config.json").is_file():
        raise errors.ModelFolderInvalid(path=str(path), detail="config.json is missing")
    return path, None


def load_tokenizer(path: Path | None):
    """The tokenizer alone (offline), e.g. to count tokens or plan chunks without loading weights."""
    from desktop_app import paths

    paths.apply_offline_environment()
    folder, gguf = resolve_model_path(path)
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(
        folder, local_files_only=True, **({"gguf_file": gguf} if gguf else {})
    )


def load_causal_lm(path: Path | None, *, device: str = "auto", quantization: str | None = None):
    """(model, tokenizer) loaded offline from a folder or a GGUF file. No remote code."""
    folder, gguf = resolve_model_path(path)
    return hf_runtime.load_offline(folder, model_class="AutoModelForCausalLM", companion_class="AutoTokenizer",
                                   device=device, quantization=quantization, gguf_file=gguf)


# --- the prefix cache -----------------------------------------------------------------------


@dataclass
class PrefixCache:
    """The instruction prefix's token ids and its KV cache. Never mutated: users get deep copies."""

    ids: tuple[int, ...]
    cache: object


@dataclass
class RunStats:
    """What the last `summarize` did; read by tests and the benchmark."""

    chunks: list[Chunk] = field(default_factory=list)
    prompt_tokens: int = 0  # prompt tokens of every generate call
    prefill_tokens: int = 0  # of those, the ones actually computed (the rest came from the prefix cache)
    generated_tokens: int = 0
    calls: int = 0
    retries: int = 0
    prefix_mismatches: int = 0
    raw_answers: list[str] = field(default_factory=list)
    constrained: bool = False  # the answers were decoded under the JSON-schema constraint


def _common_prefix(a: list[int], b: list[int]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


class LlmSummarizer(ChunkedSummarizer):
    name = "llm"

    def __init__(self, settings: EngineSettings | None = None, *, reuse_prefix: bool = True,
                 constrain_json: bool | None = None, **chunking) -> None:
        """`chunking`: chunk_tokens, overlap_tokens, max_new_tokens (ChunkedSummarizer). `constrain_json`:
        decode under the answer's JSON schema (None = whenever lm-format-enforcer is installed)."""
        super().__init__(settings, **chunking)
        self.reuse_prefix = reuse_prefix
        self.constrain_json = constrained.is_available() if constrain_json is None else constrain_json
        self._json_constraint: constrained.JsonConstraint | None = None
        self._model = None
        self._tokenizer = None
        self._prefixes: dict[str, PrefixCache] = {}
        self.stats = RunStats()
        self._loading = hf_runtime.LoadOnce()

    # --- loading (lazily, once) -------------------------------------------------------------

    def load(self) -> None:
        if self._model is None:
            self._loading.run(self._load)

    def _load(self) -> None:
        self._model, self._tokenizer = load_causal_lm(
            self.settings.summarizer_model, device=self.settings.device, quantization=self.settings.quantization
        )
        if self.constrain_json:
            eos = self._model.generation_config.eos_token_id
            self._json_constraint = constrained.JsonConstraint(
                self._tokenizer, eos if eos is not None else self._tokenizer.eos_token_id
            )
        self._warm_up()

    def _warm_up(self) -> None:
        ids = self._tokenizer("warm-up", add_special_tokens=False)["input_ids"] or [0]
        self._forward(ids, max_new_tokens=1, cached=None)

    @property
    def device(self):
        return self._model.device

    # --- preprocess -------------------------------------------------------------------------

    def render(self, messages: list[dict[str, str]]) -> str:
        """The chat template's text, with thinking off where the template knows the switch."""
        tokenizer = self._tokenizer
        if getattr(tokenizer, "chat_template", None):
            return tokenizer.apply_chat_template(
                messages, tokenize=False, add_generation_prompt=True, enable_thinking=False
            )
        # A model with no chat template (some GGUF files): a plain transcript.
        body = "\n\n".join(m["content"] for m in messages)
        return f"{body}\n\nJSON:"

    def encode(self, text: str) -> list[int]:
        # The rendered template already holds the special tokens it wants (e.g. BOS).
        has_bos = self._tokenizer.bos_token and text.startswith(self._tokenizer.bos_token)
        return list(self._tokenizer(text, add_special_tokens=not has_bos)["input_ids"])

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer(text, add_special_tokens=False)["input_ids"])

    def prompt_ids(self, chunk: str, language: str, *, retry: bool = False) -> list[int]:
        return self.encode(self.render(prompts.messages(chunk, language, retry=retry)))

    def prefix_ids(self, language: str) -> list[int]:
        """The instruction prefix's tokens: what every chunk's prompt starts with (tokenizer only)."""
        lang = prompts.prompt_language(language)
        rendered = self.render(prompts.messages(prompts.CHUNK_MARKER, lang))
        ids = self.encode(rendered[: rendered.index(prompts.CHUNK_MARKER)])
        # The boundary: keep only the tokens that two different chunks both start with, so a BPE
        # merge across the prefix/chunk seam cannot make the cached tokens differ from the prompt's.
        probes = [self.prompt_ids(p, lang) for p in ("Patient", "\u60a3\u8005 1.")]
        return ids[: min(_common_prefix(ids, p) for p in probes)]

    def prefix(self, language: str) -> PrefixCache:
        """The prefix for a prompt language, prefilled on first use and kept for the model's life."""
        lang = prompts.prompt_language(language)
        if lang not in self._prefixes:
            ids = self.prefix_ids(lang)
            self._prefixes[lang] = PrefixCache(tuple(ids), self._prefill(ids))
        return self._prefixes[lang]

    # --- forward (through the shared runtime) ----------------------------------------------------

    def _prefill(self, ids: list[int]):
        import torch
        from transformers import DynamicCache

        cache = DynamicCache(config=self._model.config)
        hf_runtime.forward(self._model, {"input_ids": torch.tensor([ids])}, past_key_values=cache, use_cache=True)
        return cache

    def _forward(self, ids: list[int], *, max_new_tokens: int, cached: PrefixCache | None,
                 cancel: CancelToken = NEVER_CANCELLED, progress: ProgressSink = NULL_PROGRESS,
                 allowed_tokens=None) -> list[int]:
        """Greedy generation for one prompt; `cached` = a prefix whose cache is copied, never mutated;
        `allowed_tokens` = a `prefix_allowed_tokens_fn` (constrained decoding) or None."""
        import torch

        input_ids = torch.tensor([ids])
        extra = {"past_key_values": copy.deepcopy(cached.cache)} if cached is not None else {}
        config = hf_runtime.greedy_config(self._model, self._tokenizer, max_new_tokens,
                                          repetition_penalty=REPETITION_PENALTY)
        new = hf_runtime.generate(self._model, {"input_ids": input_ids, "attention_mask": torch.ones_like(input_ids)},
                                  config, cancel=cancel, progress=progress, prefix_allowed_tokens_fn=allowed_tokens,
                                  **extra)
        self.stats.calls += 1
        self.stats.prompt_tokens += len(ids)
        self.stats.prefill_tokens += len(ids) - (len(cached.ids) if cached is not None else 0)
        self.stats.generated_tokens += len(new)
        return new

    def generate_ids(
        self,
        chunk: str,
        language: str,
        *,
        retry: bool = False,
        reuse: bool | None = None,
        cancel: CancelToken = NEVER_CANCELLED,
        progress: ProgressSink = NULL_PROGRESS,
    ) -> list[int]:
        """New token ids for one chunk, with or without the prefix cache (same tokens either way)."""
        self.load()
        ids = self.prompt_ids(chunk, language, retry=retry)
        cached = None
        if self.reuse_prefix if reuse is None else reuse:
            prefix = self.prefix(language)
            n = len(prefix.ids)
            if 0 < n < len(ids) and tuple(ids[:n]) == prefix.ids:
                cached = prefix
            else:  # never feed a cache that does not match the prompt's own tokens
                self.stats.prefix_mismatches += 1
                log.warning("prefix cache not usable for this prompt (token boundary differs)")
        allowed = None
        if self._json_constraint is not None:
            allowed = self._json_constraint.allowed_tokens_fn(prompts.answer_schema(self.max_new_tokens))
        return self._forward(
            ids,
            max_new_tokens=self.max_new_tokens,
            cached=cached,
            cancel=cancel,
            progress=progress,
            allowed_tokens=allowed,
        )

    # --- postprocess ------------------------------------------------------------------------

    def decode(self, new_ids: list[int]) -> str:
        return self._tokenizer.decode(new_ids, skip_special_tokens=True)

    def complete(self, chunk: str, language: str, *, retry: bool, cancel: CancelToken,
                 progress: ProgressSink) -> str:
        return self.decode(self.generate_ids(chunk, language, retry=retry, cancel=cancel, progress=progress))

    # --- the Summarizer protocol ------------------------------------------------------------

    def summarize(self, text: str, *, language: str, cancel: CancelToken, progress: ProgressSink) -> Summary:
        self.load()
        self.stats = RunStats(constrained=self._json_constraint is not None)
        self.stats.chunks = split_text(text, self.count_tokens, self.chunk_tokens, self.overlap_tokens)
        summary, answers = self.summarize_chunks(text, self.stats.chunks, language, cancel, progress)
        if self._json_constraint is not None:
            summary.warnings.extend(cut_field_warnings(answers, self.max_new_tokens))
        return summary
