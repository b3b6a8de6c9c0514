"""OCR engine `deepseek-ocr2`: transformers' native DeepseekOcr2ForConditionalGeneration, in-process,
loaded offline from a local snapshot folder (no remote code).

preprocess (page image + prompt → tensors, with a resolution preset) → forward (greedy generation in the
shared runtime, hf_runtime.py, with this engine's no-repeat-n-gram guard that spares table tags, its
token probabilities and an early stop when the output starts looping) → postprocess (decode with the
special tokens kept, parse the grounding tags into blocks with pixel boxes; grounding.py).

Loop guard (DeepSeek-OCR's most reported failure): a page whose output loops is retried once with the
plain "Free OCR." prompt; if that loops too the page is marked failed with the reason. Never dropped.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app import errors, hf_runtime
from desktop_app.cancel import CancelToken
from desktop_app.models import OcrOutput
from desktop_app.ocr.grounding import clean, looping_tail, parse_grounding
from desktop_app.progress import ProgressSink
from desktop_app.settings import EngineSettings

if TYPE_CHECKING:
    from desktop_app.ingest import SourcePage

log = logging.getLogger(__name__)

PROMPTS = {
    "markdown": "<image>\n<|grounding|>Convert the document to markdown.",
    "free": "<image>\nFree OCR.",
    "table": "<image>\n<|grounding|>Convert the document to markdown. Write every table as an HTML <table>.",
}
RETRY_MODE = "free"
# size = the global view; tile_size > the image gives a single view (crop_to_patches=False miscounts
# image tokens in transformers 5.23, so it is never used).
RESOLUTIONS = {
    "small": {"size": 768, "tiles": False},  # one 768 px view: 144 image tokens
    "base": {"size": 1024, "tiles": False},  # one 1024 px view: 256 image tokens
    "tiles": {"size": 1024, "tiles": True, "tile_size": 768, "max_patches": 6},  # + up to 6 tiles of 144
}
DEFAULT_MAX_NEW_TOKENS = 8192  # the official cap (DeepSeek-OCR-2 recipe: max_tokens=8192)
NO_REPEAT_NGRAM = 20
NO_REPEAT_WINDOW = 90
LOOP_CHECK_EVERY = 32
LOOP_WINDOW_TOKENS = 128
LOOP_DOMINANT_SHARE = 0.5  # one token making up more than half of the last 128 (table tags aside)
# A token generated with less than even odds is marked as an OCR doubt on its block (never corrected).
DOUBT_PROBABILITY = 0.5
TABLE_TOKENS = ("<table>", "</table>", "<tr>", "</tr>", "<td>", "</td>", "<th>", "</th>", "<td", "<tr", ">")


is_installed = hf_runtime.is_installed


def resolve_folder(path: Path | None) -> Path:
    if path is None:
        raise errors.ModelNotConfigured(name="deepseek-ocr2", option="--ocr-model", gguf="")
    path = Path(path).expanduser()
    if not path.is_dir():
        raise errors.ModelFolderInvalid(
            path=str(path), detail="it does not exist" if not path.exists() else "not a folder"
        )
    config = path / "config.json"
    if not config.is_file():
        raise errors.ModelFolderInvalid(path=str(path), detail="config.json is missing")
    try:
        model_type = json.loads(config.read_text(encoding="utf-8")).get("model_type")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise errors.ModelFolderInvalid(path=str(path), detail="config.json is not valid JSON") from None
    if model_type != "deepseek_ocr2":
        raise errors.ModelFolderInvalid(
            path=str(path),
            detail=f"model_type is '{model_type}', not deepseek_ocr2 (the native DeepSeek-OCR-2 "
            "layout, e.g. deepseek-community/DeepSeek-OCR-2)",
        )
    return path


class DeepseekOcr2Engine:
    name = "deepseek-ocr2"

    def __init__(
        self,
        settings: EngineSettings | None = None,
        *,
        mode: str = "markdown",
        custom_prompt: str | None = None,
        resolution: str = "tiles",
        max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS,
    ) -> None:
        if mode not in PROMPTS and custom_prompt is None:
            raise errors.EngineUnavailable(name=self.name, detail=f"unknown prompt mode '{mode}'")
        if resolution not in RESOLUTIONS:
            raise errors.EngineUnavailable(name=self.name, detail=f"unknown resolution '{resolution}'")
        self.settings = settings or EngineSettings()
        self.mode = mode
        self.custom_prompt = custom_prompt
        self.resolution = resolution
        self.max_new_tokens = max_new_tokens
        self._model = None
        self._processor = None
        self._lock = threading.Lock()
        self._allowed_ids: set[int] = set()
        self._loading = hf_runtime.LoadOnce()

    # --- loading -----------------------------------------------------------------------------

    def load(self) -> None:
        if self._model is None:
            self._loading.run(self._load)

    def _load(self) -> None:
        self._model, self._processor = hf_runtime.load_offline(
            resolve_folder(self.settings.ocr_model), model_class="AutoModelForImageTextToText",
            companion_class="AutoProcessor", device=self.settings.device, quantization=self.settings.quantization,
        )
        vocab = self._processor.tokenizer.get_vocab()
        self._allowed_ids = {vocab[t] for t in TABLE_TOKENS if t in vocab}

    # --- preprocess ----------------------------------------------------------------------------

    def prompt(self, mode: str | None = None) -> str:
        if mode is None and self.custom_prompt:
            text = self.custom_prompt
            return text if text.startswith("<image>") else "<image>\n" + text
        return PROMPTS[mode or self.mode]

    def preprocess(self, image, prompt: str):
        preset = RESOLUTIONS[self.resolution]
        size = preset["size"]
        kwargs = {"size": {"height": size, "width": size}}
        if preset["tiles"]:
            kwargs.update(tile_size=preset["tile_size"], max_patches=preset["max_patches"])
        else:
            kwargs["tile_size"] = max(image.width, image.height, size) + 64
        return self._processor(images=image.convert("RGB"), text=prompt, return_tensors="pt", **kwargs)

    # --- forward -------------------------------------------------------------------------------

    def _forward(
        self, inputs, *, cancel: CancelToken, progress: ProgressSink
    ) -> tuple[list[int], bool, list[float]]:
        """(new token ids, stopped because the output looped, each new token's probability)."""
        import torch
        from transformers import LogitsProcessor

        prompt_len = inputs["input_ids"].shape[-1]
        allowed = self._allowed_ids
        tokenizer = self._processor.tokenizer
        looped = {"value": False}
        chosen: list[float] = []

        class NoRepeatNGram(LogitsProcessor):
            """Bans a token that would repeat an n-gram of the last `window` tokens (table tags exempt)."""

            def __call__(self, input_ids, scores):
                for row in range(input_ids.shape[0]):
                    seq = input_ids[row, prompt_len:].tolist()[-NO_REPEAT_WINDOW:]
                    if len(seq) < NO_REPEAT_NGRAM:
                        continue
                    head = seq[-(NO_REPEAT_NGRAM - 1) :]
                    banned = {
                        seq[i + NO_REPEAT_NGRAM - 1]
                        for i in range(len(seq) - NO_REPEAT_NGRAM + 1)
                        if seq[i : i + NO_REPEAT_NGRAM - 1] == head
                    } - allowed
                    if banned:
                        scores[row, list(banned)] = -float("inf")
                return scores

        class ChosenProbability(LogitsProcessor):
            """Last in the list: greedy picks the most likely token, so its probability is the max."""

            def __call__(self, input_ids, scores):
                chosen.append(float(torch.softmax(scores[0].float(), dim=-1).max()))
                return scores

        def looping(new_ids) -> bool:
            """Checked every LOOP_CHECK_EVERY tokens: one token dominating the tail, or a repeating tail."""
            if len(new_ids) % LOOP_CHECK_EVERY:
                return False
            tail = new_ids[-LOOP_WINDOW_TOKENS:].tolist()
            counted = Counter(t for t in tail if t not in allowed)
            dominant = (
                len(tail) >= LOOP_WINDOW_TOKENS
                and counted
                and counted.most_common(1)[0][1] > LOOP_DOMINANT_SHARE * len(tail)
            )
            looped["value"] = bool(dominant or looping_tail(tokenizer.decode(tail)))
            return looped["value"]

        config = hf_runtime.greedy_config(self._model, tokenizer, self.max_new_tokens)
        ids = hf_runtime.generate(self._model, inputs, config, cancel=cancel, progress=progress,
                                  logits_processors=[NoRepeatNGram(), ChosenProbability()], stop_when=looping)
        return ids, looped["value"], chosen

    # --- postprocess ---------------------------------------------------------------------------

    def decode(self, ids: list[int]) -> str:
        """Special tokens are kept (the grounding tags may be special); end/pad markers are dropped."""
        tokenizer = self._processor.tokenizer
        drop = {
            t
            for t in (tokenizer.eos_token_id, tokenizer.pad_token_id, tokenizer.bos_token_id)
            if t is not None
        }
        return tokenizer.decode([i for i in ids if i not in drop], skip_special_tokens=False)

    def doubt_spans(self, ids: list[int], probabilities: list[float]) -> list[tuple[int, int]]:
        """[start, end) spans of the decoded text whose tokens were below DOUBT_PROBABILITY. Runs of
        such tokens are decoded as one span, so a page the model was unsure of costs two decodes per run."""
        runs: list[list[int]] = []
        for i, probability in enumerate(probabilities[: len(ids)]):
            if probability < DOUBT_PROBABILITY:
                if runs and runs[-1][1] == i:
                    runs[-1][1] = i + 1
                else:
                    runs.append([i, i + 1])
        return [(len(self.decode(ids[:a])), len(self.decode(ids[:b]))) for a, b in runs]

    def loop_reason(self, raw: str, looped: bool) -> str | None:
        """Why the output counts as a loop, or None. Reaching the token cap alone is not a loop: a
        long page is kept (with a warning), a page whose text repeats is not."""
        unit = looping_tail(clean(raw))
        if looped or unit is not None:
            return f"repeated '{(unit or raw[-40:]).strip()[:40]}'"
        return None

    def hit_cap(self, ids: list[int]) -> bool:
        eos = self._processor.tokenizer.eos_token_id
        return len(ids) >= self.max_new_tokens and (not ids or ids[-1] != eos)

    # --- the OcrEngine protocol ----------------------------------------------------------------------

    def recognize(self, page: SourcePage, *, cancel: CancelToken, progress: ProgressSink) -> OcrOutput:
        page_no = page.index + 1
        with self._lock:  # one model, one generation at a time
            self.load()
            image = page.image()
            reason = None
            for attempt, mode in enumerate((None, RETRY_MODE)):
                cancel.raise_if_cancelled()
                inputs = self.preprocess(image, self.prompt(mode))
                ids, looped, probabilities = self._forward(inputs, cancel=cancel, progress=progress)
                raw = self.decode(ids)
                if self.loop_reason(raw, looped) is None:
                    doubts = self.doubt_spans(ids, probabilities)
                    text, blocks = parse_grounding(raw, page.width, page.height, doubts)
                    notices: list[errors.OcrNotice] = []
                    if attempt:
                        notices.append(errors.OcrReadWithPlainPrompt(page=page_no, detail=reason))
                    if self.hit_cap(ids):
                        notices.append(errors.OcrTruncatedAtCap(page=page_no, cap=self.max_new_tokens))
                    return OcrOutput(text=text, blocks=blocks, warnings=notices)
                reason = self.loop_reason(raw, looped)
                log.warning("page %d: OCR output looped; attempt %d", page_no, attempt + 1)
        raise errors.OcrLoopDetected(page=page_no, detail=reason)
