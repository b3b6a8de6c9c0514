"""The Hugging Face runtime both in-process model engines share (ocr/deepseek.py, summarize/llm.py).

What is here is what the engines would otherwise each copy: loading a model offline from a local folder
(the folder check first, no remote code, a failed load remembered), the device / dtype / quantization
options, the greedy generation config, the per-token watcher (progress, cancel, an engine's own early
stop) and `generate` / `forward`, the only code that touches the device, under `torch.inference_mode()`.
The engines keep only their own preprocess (inputs → tensors) and postprocess (tokens → result).

torch and transformers are imported inside the functions, on first use, never at import time.
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from desktop_app import errors
from desktop_app.cancel import CancelToken
from desktop_app.progress import ProgressSink

log = logging.getLogger(__name__)


def is_installed() -> bool:
    return all(importlib.util.find_spec(name) is not None for name in ("torch", "transformers"))


# --- loading options ----------------------------------------------------------------------------


@dataclass
class LoadOptions:
    device: str
    kwargs: dict
    move_to: str | None  # None when from_pretrained places the model itself (quantized loads)


def resolve_device(device: str = "auto") -> str:
    import torch

    if device in ("auto", "", None):
        if torch.cuda.is_available():
            return "cuda"
        log.warning("No CUDA GPU found: the model runs on the CPU, which will be slow.")
        return "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise errors.EngineUnavailable(
            name="model", detail="device 'cuda' was asked for but no CUDA GPU is available"
        )
    return device


def load_options(device: str = "auto", quantization: str | None = None, *, gguf: bool = False) -> LoadOptions:
    """from_pretrained keyword arguments: bf16 on GPU, float32 on CPU, SDPA, optional bitsandbytes."""
    import torch

    resolved = resolve_device(device)
    on_gpu = resolved.startswith("cuda")
    kwargs: dict = {"dtype": torch.bfloat16 if on_gpu else torch.float32, "attn_implementation": "sdpa"}
    if not quantization:
        return LoadOptions(resolved, kwargs, resolved)
    if quantization not in ("8bit", "4bit"):
        raise errors.EngineUnavailable(name="model", detail=f"unknown quantization '{quantization}' (8bit or 4bit)")
    if gguf:
        raise errors.EngineUnavailable(name="model", detail="a GGUF file is already quantized; drop --quantization")
    if not on_gpu:
        raise errors.EngineUnavailable(name="model", detail=f"{quantization} loading needs a CUDA GPU (bitsandbytes)")
    if importlib.util.find_spec("bitsandbytes") is None:
        raise errors.EngineUnavailable(
            name="model", detail=f"{quantization} loading needs the bitsandbytes package (pip install bitsandbytes)"
        )
    from transformers import BitsAndBytesConfig

    if quantization == "8bit":
        kwargs["quantization_config"] = BitsAndBytesConfig(load_in_8bit=True)
    else:
        kwargs["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=torch.bfloat16
        )
    kwargs["device_map"] = resolved
    return LoadOptions(resolved, kwargs, None)


# --- loading ------------------------------------------------------------------------------------


class LoadOnce:
    """A model loads lazily, once. A load that failed with a `ConfigError` (a broken folder, no GPU)
    fails every later call at once, instead of being retried for every page or document."""

    def __init__(self) -> None:
        self.error: errors.EmrError | None = None

    def run(self, load: Callable[[], None]) -> None:
        if self.error is not None:
            raise self.error
        try:
            load()
        except errors.ConfigError as exc:
            self.error = exc
            raise


def load_offline(folder: Path, *, model_class: str, companion_class: str, device: str = "auto",
                 quantization: str | None = None, gguf_file: str | None = None):
    """(model, tokenizer or processor) from a local folder or a GGUF file in it: offline, no remote
    code, in eval mode with the KV cache on. `model_class` / `companion_class` name transformers' Auto
    classes. The folder passes `model_check` first, so a truncated shard or a mislabelled folder is
    said plainly rather than as a loader traceback."""
    from desktop_app import paths
    from desktop_app.model_check import check_folder_or_raise

    paths.apply_offline_environment()
    source = folder / gguf_file if gguf_file else folder
    check_folder_or_raise(source)
    options = load_options(device, quantization, gguf=gguf_file is not None)
    import transformers

    extra = {"gguf_file": gguf_file} if gguf_file else {}
    try:
        companion = getattr(transformers, companion_class).from_pretrained(folder, local_files_only=True, **extra)
        model = getattr(transformers, model_class).from_pretrained(
            folder, local_files_only=True, **extra, **options.kwargs
        )
    except Exception as exc:  # noqa: BLE001 - loaders raise anything (SafetensorError, RuntimeError, ...)
        raise errors.ModelLoadFailed(path=str(source), detail=f"{type(exc).__name__}: {exc}"[:400]) from None
    if options.move_to:
        model.to(options.move_to)
    model.eval()
    # A checkpoint's generation_config may have the cache off; it is always on here.
    model.generation_config.use_cache = True
    return model, companion


# --- generation -----------------------------------------------------------------------------------


def greedy_config(model, tokenizer, max_new_tokens: int, **extra):
    """Greedy decoding (the output restates the document; no sampling) with the model's own special
    tokens; `extra` = further GenerationConfig fields (e.g. repetition_penalty)."""
    from transformers import GenerationConfig

    base = model.generation_config
    pad = next((t for t in (base.pad_token_id, tokenizer.pad_token_id, tokenizer.eos_token_id) if t is not None),
               None)
    return GenerationConfig(do_sample=False, num_beams=1, max_new_tokens=max_new_tokens, use_cache=True,
                            bos_token_id=base.bos_token_id, eos_token_id=base.eos_token_id, pad_token_id=pad,
                            **extra)


def token_watch(prompt_len: int, total: int, cancel: CancelToken, progress: ProgressSink,
                stop_when: Callable[[object], bool] | None = None):
    """A StoppingCriteria run at every generated token: reports progress ("generate", done, total) and
    stops on cancel, or when `stop_when(new_ids)` says so (an engine's own early stop; `new_ids` is a
    1-D tensor view of the tokens generated so far, converted by the engine only when it looks)."""
    import torch
    from transformers import StoppingCriteria

    class TokenWatch(StoppingCriteria):
        def __call__(self, input_ids, scores, **kwargs):
            done = input_ids.shape[-1] - prompt_len
            progress.update("generate", done, total)
            stop = cancel.cancelled or (stop_when is not None and done > 0
                                        and bool(stop_when(input_ids[0, prompt_len:])))
            return torch.full((input_ids.shape[0],), stop, dtype=torch.bool, device=input_ids.device)

    return TokenWatch()


def _on_device(model, inputs: dict) -> dict:
    """The inputs on the model's device; floating tensors (pixels) in the model's dtype."""
    import torch

    moved = {}
    for key, value in inputs.items():
        if isinstance(value, torch.Tensor):
            value = value.to(model.device)
            if torch.is_floating_point(value):
                value = value.to(model.dtype)
        moved[key] = value
    return moved


def generate(model, inputs: dict, config, *, cancel: CancelToken, progress: ProgressSink,
             logits_processors: Sequence = (), stop_when: Callable[[object], bool] | None = None,
             **kwargs) -> list[int]:
    """The new token ids of one greedy generation (batch of one). Raises `Cancelled` when the user
    cancelled during it. `kwargs` go to `model.generate` as they are (e.g. past_key_values)."""
    import torch
    from transformers import LogitsProcessorList, StoppingCriteriaList

    inputs = _on_device(model, dict(inputs))
    prompt_len = inputs["input_ids"].shape[-1]
    watch = token_watch(prompt_len, config.max_new_tokens, cancel, progress, stop_when)
    with torch.inference_mode():
        output = model.generate(**inputs, generation_config=config,
                                logits_processor=LogitsProcessorList(list(logits_processors)),
                                stopping_criteria=StoppingCriteriaList([watch]), **kwargs)
    cancel.raise_if_cancelled()
    return output[0, prompt_len:].tolist()


def forward(model, inputs: dict, **kwargs):
    """One forward pass (e.g. a prefill that fills a KV cache), with no generation."""
    import torch

    with torch.inference_mode():
        return model(**_on_device(model, dict(inputs)), **kwargs)
