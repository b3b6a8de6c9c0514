"""The `llm` summarizer (alias `youtu`): a local causal LM (Youtu-LLM-2B, or any model transformers
loads natively, or one GGUF file) extracts the three fields chunk by chunk.

Flow per document: chunk the text by a token budget (chunking.py) → for each chunk, the fixed
instruction prefix + the chunk go through the model, greedy, with the prefix's KV cache computed once
per model load and a deep copy reused for every chunk, decoded under the answer's JSON schema when
lm-format-enforcer is installed (constrained.py; a value at the schema's length limit is flagged as
possibly cut) → each answer is parsed as JSON (prompts.py),
retried once with a reminder, and on a second failure the whole document falls back to the `sections`
summarizer with a visible warning → the chunk answers are merged deterministically → every field is
located in the document text (fuzzily) to get its evidence spans; text that cannot be found there is
flagged.

Why a deterministic merge rather than a reduce call: a second model call could rephrase or add
content; the merge keeps each field's text exactly what some chunk answer said, so every part can be
traced back to a span of the note, and it costs no extra prefill. Chief complaint = the first chunk's
that has one (it is stated at the top of a note); diagnosis and plan = the distinct answers in
document order (overlapping chunks repeat themselves, so near-duplicates are dropped).

Runs in a worker thread: checks `cancel` at every generated token through a StoppingCriteria.
torch and transformers are imported only here, on first use.
"""

from __future__ import annotations

import copy
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app import errors
from desktop_app.jobs.cancel import CancelToken
from desktop_app.jobs.progress import ProgressSink
from desktop_app.models import FIELD_NAMES, FOUND, Evidence, Summary, SummaryField, SummaryWarning
from desktop_app.settings import EngineSettings
from desktop_app.summarize import constrained, prompts
from desktop_app.summarize.answers import ask_twice, fallback_to_sections
from desktop_app.summarize.chunking import DEFAULT_CHUNK_TOKENS, DEFAULT_OVERLAP_TOKENS, Chunk, split_text

log = logging.getLogger(__name__)

REPETITION_PENALTY = 1.05  # mild: field text legitimately repeats words of the note
DEFAULT_MAX_NEW_TOKENS = 768  # under the JSON constraint: up to ~240 characters per field
FUZZY_MIN_SCORE = 80.0  # rapidfuzz partial_ratio, 0-100
DUPLICATE_SCORE = 90.0
ZH_CHIEF_COMPLAINT_MAX = 20  # characters, the usual rule for a Chinese chief complaint
_PART_SPLIT = re.compile(r"\n+|(?<=[;；。])\s*|(?<=\.)\s+(?=[A-Z0-9])")


def is_installed() -> bool:
    import importlib.util

    return all(importlib.util.find_spec(name) is not None for name in ("torch", "transformers"))


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
    from desktop_app import paths
    from desktop_app.model_check import check_folder_or_raise, load_options

    paths.apply_offline_environment()
    folder, gguf = resolve_model_path(path)
    # A truncated shard or a mislabelled folder is said plainly here, not as a loader traceback.
    check_folder_or_raise(folder / gguf if gguf else folder)
    from transformers import AutoModelForCausalLM, AutoTokenizer

    options = load_options(device, quantization, gguf=gguf is not None)
    extra = {"gguf_file": gguf} if gguf else {}
    try:
        tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True, **extra)
        model = AutoModelForCausalLM.from_pretrained(folder, local_files_only=True, **extra, **options.kwargs)
    except Exception as exc:  # noqa: BLE001 - loaders raise anything (SafetensorError, RuntimeError, ...)
        raise errors.ModelLoadFailed(path=str(path), detail=f"{type(exc).__name__}: {exc}"[:400]) from None
    if options.move_to:
        model.to(options.move_to)
    model.eval()
    return model, tokenizer


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


class LlmSummarizer:
    name = "llm"

    def __init__(
        self,
        settings: EngineSettings | None = None,
        *,
        chunk_tokens: int = DEFAULT_CHUNK_TOKENS,
        overlap_tokens: int = DEFAULT_OVERLAP_TOKENS,
        max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS,
        reuse_prefix: bool = True,
        constrain_json: bool | None = None,
    ) -> None:
        """`constrain_json`: decode under the answer's JSON schema (None = whenever lm-format-enforcer
        is installed)."""
        self.settings = settings or EngineSettings()
        self.chunk_tokens = chunk_tokens
        self.overlap_tokens = overlap_tokens
        self.max_new_tokens = max_new_tokens
        self.reuse_prefix = reuse_prefix
        self.constrain_json = constrained.is_available() if constrain_json is None else constrain_json
        self._json_constraint: constrained.JsonConstraint | None = None
        self._model = None
        self._tokenizer = None
        self._prefixes: dict[str, PrefixCache] = {}
        self.stats = RunStats()
        self._load_error: errors.EmrError | None = None  # a failed load is not retried per document

    # --- loading (lazily, once) -------------------------------------------------------------

    def load(self) -> None:
        if self._model is not None:
            return
        if self._load_error is not None:
            raise self._load_error
        try:
            self._model, self._tokenizer = load_causal_lm(
                self.settings.summarizer_model,
                device=self.settings.device,
                quantization=self.settings.quantization,
            )
        except errors.ConfigError as exc:
            self._load_error = exc
            raise
        # The checkpoint's generation_config may have the cache off; it is always on here.
        self._model.generation_config.use_cache = True
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

    # --- forward (the only code that touches torch) ----------------------------------------------

    def _prefill(self, ids: list[int]):
        import torch
        from transformers import DynamicCache

        cache = DynamicCache(config=self._model.config)
        with torch.inference_mode():
            self._model(
                input_ids=torch.tensor([ids], device=self.device), past_key_values=cache, use_cache=True
            )
        return cache

    def _forward(
        self,
        ids: list[int],
        *,
        max_new_tokens: int,
        cached: PrefixCache | None,
        cancel: CancelToken | None = None,
        progress: ProgressSink | None = None,
        allowed_tokens=None,
    ) -> list[int]:
        """Greedy generation for one prompt; `cached` = a prefix whose cache is copied, never mutated;
        `allowed_tokens` = a `prefix_allowed_tokens_fn` (constrained decoding) or None."""
        import torch
        from transformers import GenerationConfig, StoppingCriteria, StoppingCriteriaList

        class _Watch(StoppingCriteria):
            """Reports each token and stops generation when the cancel token is set."""

            def __call__(self, input_ids, scores, **kwargs):
                done = input_ids.shape[-1] - len(ids)
                if progress is not None:
                    progress.update("generate", done, max_new_tokens)
                stop = cancel is not None and cancel.cancelled
                return torch.full((input_ids.shape[0],), stop, dtype=torch.bool, device=input_ids.device)

        base = self._model.generation_config
        config = GenerationConfig(
            do_sample=False,
            num_beams=1,
            repetition_penalty=REPETITION_PENALTY,
            max_new_tokens=max_new_tokens,
            use_cache=True,
            bos_token_id=base.bos_token_id,
            eos_token_id=base.eos_token_id,
            pad_token_id=base.pad_token_id
            if base.pad_token_id is not None
            else self._tokenizer.pad_token_id or self._tokenizer.eos_token_id,
        )
        extra = {}
        with torch.inference_mode():
            if cached is not None:
                extra["past_key_values"] = copy.deepcopy(cached.cache)
            input_ids = torch.tensor([ids], device=self.device)
            output = self._model.generate(
                input_ids=input_ids,
                attention_mask=torch.ones_like(input_ids),
                generation_config=config,
                stopping_criteria=StoppingCriteriaList([_Watch()]),
                prefix_allowed_tokens_fn=allowed_tokens,
                **extra,
            )
        if cancel is not None:
            cancel.raise_if_cancelled()
        new = output[0, len(ids) :].tolist()
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
        cancel: CancelToken | None = None,
        progress: ProgressSink | None = None,
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

    def answer_chunk(
        self, chunk: str, language: str, cancel: CancelToken, progress: ProgressSink
    ) -> prompts.ChunkAnswer | None:
        return ask_twice(lambda retry: self.decode(
            self.generate_ids(chunk, language, retry=retry, cancel=cancel, progress=progress)), self.stats)

    # --- the Summarizer protocol ------------------------------------------------------------

    def summarize(self, text: str, *, language: str, cancel: CancelToken, progress: ProgressSink) -> Summary:
        self.load()
        self.stats = RunStats(constrained=self._json_constraint is not None)
        chunks = split_text(text, self.count_tokens, self.chunk_tokens, self.overlap_tokens)
        self.stats.chunks = chunks
        answers: list[tuple[Chunk, prompts.ChunkAnswer]] = []
        for i, chunk in enumerate(chunks):
            cancel.raise_if_cancelled()
            progress.update("summarize", i, len(chunks))
            answer = self.answer_chunk(chunk.text, language, cancel, progress)
            if answer is None:
                return self._fallback(text, language, cancel, progress, chunk)
            answers.append((chunk, answer))
        progress.update("summarize", len(chunks), len(chunks))
        summary = build_summary(text, answers, engine=self.name, language=language)
        if self._json_constraint is not None:
            summary.warnings.extend(self._cut_fields(answers))
        return summary

    def _cut_fields(self, answers: list[tuple[Chunk, prompts.ChunkAnswer]]) -> list[SummaryWarning]:
        """A value as long as the schema allows may have been cut there: never let it pass as whole."""
        limit = prompts.answer_schema(self.max_new_tokens)["properties"]["chief_complaint"]["maxLength"]
        cut = {name for _, answer in answers for name in FIELD_NAMES if len(answer.get(name) or "") >= limit}
        return [
            SummaryWarning(
                "llm_field_cut",
                f"The model's answer reached the {limit}-character limit and may be cut short; "
                "check it against the note.",
                field=name,
            )
            for name in FIELD_NAMES
            if name in cut
        ]

    def _fallback(
        self, text: str, language: str, cancel: CancelToken, progress: ProgressSink, chunk: Chunk
    ) -> Summary:
        return fallback_to_sections(self.settings, self.name, text, language, cancel, progress, chunk)


# --- merge and evidence (pure Python) ---------------------------------------------------------------


def _parts(value: str) -> list[str]:
    return [p.strip(" \t-•*,，") for p in _PART_SPLIT.split(value) if p and len(p.strip(" \t-•*,，")) >= 2]


def locate(part: str, text: str, start: int = 0, end: int | None = None) -> tuple[int, int, float] | None:
    """Where `part` is in text[start:end]: exact first, else rapidfuzz's best partial alignment."""
    end = len(text) if end is None else end
    found = text.find(part, start, end)
    if found >= 0:
        return found, found + len(part), 100.0
    lowered = text[start:end].lower().find(part.lower())
    if lowered >= 0:
        return start + lowered, start + lowered + len(part), 100.0
    from rapidfuzz import fuzz

    alignment = fuzz.partial_ratio_alignment(part, text[start:end], score_cutoff=FUZZY_MIN_SCORE)
    if alignment is None:
        return None
    return start + alignment.dest_start, start + alignment.dest_end, alignment.score


def _is_duplicate(value: str, kept: list[str]) -> bool:
    from rapidfuzz import fuzz

    return any(fuzz.ratio(value, other) >= DUPLICATE_SCORE or value in other for other in kept)


def merge_answers(answers: list[tuple[Chunk, prompts.ChunkAnswer]]) -> dict[str, list[tuple[Chunk, str]]]:
    merged: dict[str, list[tuple[Chunk, str]]] = {name: [] for name in FIELD_NAMES}
    for chunk, answer in answers:
        for name in FIELD_NAMES:
            value = answer.get(name)
            if not value:
                continue
            if name == "chief_complaint" and merged[name]:
                continue
            if _is_duplicate(value, [v for _, v in merged[name]]):
                continue
            merged[name].append((chunk, value))
    return merged


def build_summary(
    text: str, answers: list[tuple[Chunk, prompts.ChunkAnswer]], *, engine: str, language: str
) -> Summary:
    """Merge chunk answers into the three fields and find each one's evidence in `text`."""
    summary = Summary(engine=engine, language=language)
    for name, values in merge_answers(answers).items():
        if not values:
            setattr(summary, name, SummaryField.not_documented())
            continue
        evidence: list[Evidence] = []
        for chunk, value in values:
            for part in _parts(value) or [value]:
                # Search the chunk the answer came from first, then the whole document.
                hit = locate(part, text, chunk.start, chunk.end) or locate(part, text)
                if hit is None:
                    summary.warnings.append(
                        SummaryWarning(
                            "unsupported_text",
                            f"'{part}' was not found in the document; check it against the source.",
                            field=name,
                        )
                    )
                    continue
                s, e, _ = hit
                if not any(ev.start <= s and e <= ev.end for ev in evidence):
                    evidence.append(Evidence(s, e))
        evidence.sort(key=lambda ev: ev.start)
        setattr(
            summary, name, SummaryField(text="\n".join(v for _, v in values), status=FOUND, evidence=evidence)
        )
    cc = summary.chief_complaint
    if language.startswith("zh") and cc.status == FOUND and len(cc.text) > ZH_CHIEF_COMPLAINT_MAX:
        summary.warnings.append(
            SummaryWarning(
                "long_chief_complaint",
                f"The chief complaint has {len(cc.text)} characters; a Chinese chief complaint is at most "
                f"{ZH_CHIEF_COMPLAINT_MAX} (symptom + duration).",
                field="chief_complaint",
            )
        )
    return summary


def create(settings: EngineSettings) -> LlmSummarizer:
    return LlmSummarizer(settings)
