"""Every engine, OCR and summary, in one table with what it can do. Adding an engine = one module + one
line in `ENGINES`.

The table is closed (no plugin loading: this is a clinical app) and in preference order within a kind.
Everything that needs to know about engines reads it here, at call time: the pipeline and the CLI (which
engine to create), `model_check` (which model types exist, their tensor signatures and required files),
`model_store` (which kind a model folder is for), the welcome dialog (which engine runs a model folder),
the worker's warm-up and the batch runner (which engines may run several documents at once).

An engine's module is imported only when the engine is used, so start-up stays light; the module has
`is_installed()` and the factory named in its line (called with the `EngineSettings`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from desktop_app import errors

if TYPE_CHECKING:  # settings may read the engine names from here: no import cycle
    from desktop_app.settings import EngineSettings

KINDS = ("ocr", "summary")
KIND_LABELS = {"ocr": "OCR", "summary": "summary"}
# The EngineSettings field that holds a kind's model folder, and the CLI option that sets it.
MODEL_SETTING = {"ocr": ("ocr_model", "--ocr-model"), "summary": ("summarizer_model", "--summarizer-model")}
MODELS_INSTALL_HINT = "install PyTorch, then pip install 'emr-summary-assistant[models]' (README, GPU install)"


@dataclass(frozen=True)
class ModelType:
    """A `config.json` model_type an engine loads, and how `model_check` recognises its weights."""

    name: str
    signature: tuple[str, ...] = ()  # every part is in some tensor name of a real checkpoint
    distinctive: bool = False  # no other model type has this signature (catches a mislabelled folder)
    required_files: tuple[tuple[str, ...], ...] = ()  # each tuple: one of these files must be present


@dataclass(frozen=True)
class EngineSpec:
    name: str
    kind: Literal["ocr", "summary"]
    module: str  # imported only when the engine is used
    factory: str  # called with the EngineSettings
    description: str
    # embedded: runs here and needs nothing but its package; model: runs here from a model folder;
    # server: sends requests to a model server.
    runs: Literal["embedded", "model", "server"] = "embedded"
    loads_weights: bool = False  # holds a model in this process's memory (several copies would compete)
    warm_up: bool = False  # loaded when the app starts, so the first document does not wait for it
    needs_image: bool = True  # OCR: False = reads the PDF's text layer and never renders the page
    model_types: tuple[ModelType, ...] = ()
    accepts_any_causal_lm: bool = False  # also loads a model_type transformers supports natively
    install_hint: str = ""
    aliases: tuple[str, ...] = ()

    def load_module(self):
        return importlib.import_module(self.module)

    def is_installed(self) -> bool:
        return self.load_module().is_installed()

    def create(self, settings: EngineSettings):
        module = self.load_module()
        if not module.is_installed():
            raise errors.EngineNotInstalled(name=self.name, hint=self.install_hint or "reinstall the app")
        factory: Callable[[EngineSettings], object] = getattr(module, self.factory)
        return factory(settings)

    @property
    def self_contained(self) -> bool:
        """Needs no model folder and no server, so `auto` may pick it."""
        return self.runs == "embedded"

    @property
    def model_setting(self) -> str:
        """The EngineSettings field holding this engine's model folder (model engines)."""
        return MODEL_SETTING[self.kind][0]

    def matches(self, name: str) -> bool:
        wanted = name.strip().lower()
        return wanted == self.name or wanted in self.aliases


DEEPSEEK_OCR2 = ModelType(
    "deepseek_ocr2",
    # the SAM encoder, the Qwen2 vision encoder and the projector of the native checkpoint
    signature=("sam_model.", "qwen2_model.", "projector."),
    distinctive=True,
    required_files=(("preprocessor_config.json", "processor_config.json"),),
)
# multi-head latent attention (the compressed KV projection)
YOUTU = ModelType("youtu", signature=("kv_a_proj_with_mqa",))

ENGINES: tuple[EngineSpec, ...] = (
    EngineSpec("rapidocr", "ocr", "desktop_app.ocr.rapid", "RapidOcrEngine",
               "Embedded PP-OCRv4 (CPU, no download)", loads_weights=True, warm_up=True,
               install_hint="pip install 'rapidocr-onnxruntime>=1.4,<1.5'", aliases=("embedded",)),
    EngineSpec("deepseek-ocr2", "ocr", "desktop_app.ocr.deepseek", "DeepseekOcr2Engine",
               "DeepSeek-OCR-2 in-process (local model folder; GPU recommended)", runs="model",
               loads_weights=True, model_types=(DEEPSEEK_OCR2,), install_hint=MODELS_INSTALL_HINT,
               aliases=("deepseek",)),
    EngineSpec("openai", "ocr", "desktop_app.ocr.openai_compat", "OpenAiOcrEngine",
               "DeepSeek-OCR served by vLLM (OpenAI API; loopback or allow-listed)", runs="server",
               aliases=("vllm",)),
    EngineSpec("pdf-text", "ocr", "desktop_app.ocr.pdf_text", "PdfTextEngine",
               "The PDF's own text layer (no OCR)", needs_image=False, install_hint="pip install pymupdf"),
    EngineSpec("sections", "summary", "desktop_app.summarize.sections", "SectionSummarizer",
               "Embedded section extractor (zh + en headings, no model)", aliases=("embedded",)),
    EngineSpec("llm", "summary", "desktop_app.summarize.llm", "LlmSummarizer",
               "Local LLM (Youtu-LLM-2B, a causal-LM folder or a .gguf), chunked", runs="model",
               loads_weights=True, model_types=(YOUTU,), accepts_any_causal_lm=True,
               install_hint=MODELS_INSTALL_HINT, aliases=("youtu",)),
    EngineSpec("openai", "summary", "desktop_app.summarize.openai_llm", "OpenAiSummarizer",
               "The same LLM summary from an OpenAI-compatible server (vLLM, llama.cpp)", runs="server",
               aliases=("server",)),
)


def specs(kind: str) -> tuple[EngineSpec, ...]:
    return tuple(spec for spec in ENGINES if spec.kind == kind)


def names(kind: str) -> list[str]:
    return [spec.name for spec in specs(kind)]


def find(kind: str, name: str) -> EngineSpec:
    for spec in specs(kind):
        if spec.matches(name):
            return spec
    raise errors.UnknownEngine(kind=KIND_LABELS[kind], name=name, available=", ".join(names(kind)))


def resolve_ocr(settings: EngineSettings) -> EngineSpec:
    """`auto` = the first embedded OCR engine in preference order that is installed and reads images."""
    if settings.ocr != "auto":
        return find("ocr", settings.ocr)
    for spec in specs("ocr"):
        if spec.needs_image and spec.self_contained and spec.is_installed():
            return spec
    raise errors.EngineUnavailable(name="OCR", detail="no OCR engine is installed")


def model_engine(kind: str) -> EngineSpec | None:
    """The in-process engine that runs a model folder of this kind (the first in preference order)."""
    return next((spec for spec in specs(kind) if spec.runs == "model"), None)


# --- model types, for model_check and model_store ---------------------------------------------------


def model_types() -> dict[str, ModelType]:
    """Every model_type some engine loads, by name."""
    found: dict[str, ModelType] = {}
    for spec in ENGINES:
        for model_type in spec.model_types:
            found.setdefault(model_type.name, model_type)
    return found


def loaders(model_type: str | None) -> list[EngineSpec]:
    """The engines that load this model_type, in preference order."""
    return [spec for spec in ENGINES if any(t.name == model_type for t in spec.model_types)]


def kind_of_model_type(model_type: str | None) -> str | None:
    """The kind a model folder of this type is for; None when no engine names it (a causal LM any
    `accepts_any_causal_lm` engine may still load)."""
    found = loaders(model_type)
    return found[0].kind if found else None


def role(model_type: str | None) -> str | None:
    """What a model folder is for, as `models check` prints it, e.g. 'OCR (deepseek-ocr2)'."""
    found = loaders(model_type)
    return f"{KIND_LABELS[found[0].kind]} ({' / '.join(s.name for s in found)})" if found else None


def any_causal_lm_kinds() -> tuple[str, ...]:
    """Kinds with an engine that loads any causal LM transformers supports natively."""
    return tuple(dict.fromkeys(s.kind for s in ENGINES if s.accepts_any_causal_lm))
