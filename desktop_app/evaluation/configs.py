"""Named engine setups to compare, each an `EngineSettings` run over the same documents.

Model paths, the server and the device come from the app's saved preferences (QSettings, read with
QtCore only: no widgets) and are overridden by the command's options. A name of the form
`OCR+SUMMARIZER` (e.g. `rapidocr+sections`) is accepted too. Engine names are checked before
anything runs; a model that is not configured or cannot load fails that config only, at run time.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, replace

from desktop_app import engines
from desktop_app.evaluation import label_errors
from desktop_app.settings import EngineSettings
from desktop_app.settings_table import setting

DEFAULT_CONFIGS = ("embedded",)


@dataclass(frozen=True)
class ConfigSpec:
    name: str
    ocr: str
    summarizer: str
    description: str
    use_text_layer: bool = True


NAMED_CONFIGS: tuple[ConfigSpec, ...] = (
    ConfigSpec("embedded", "rapidocr", "sections",
               "rapidocr + sections; a PDF page's own text layer when usable (the app's default)"),
    ConfigSpec("embedded-ocr-only", "rapidocr", "sections", "rapidocr on every page, even text-layer PDFs",
               use_text_layer=False),
    ConfigSpec("text-layer", "pdf-text", "sections",
               "the PDF text layer only, no OCR (scanned pages fail: a baseline for born-digital files)"),
    ConfigSpec("deepseek-ocr2", "deepseek-ocr2", "sections", "DeepSeek-OCR-2 (--ocr-model) + sections"),
    ConfigSpec("deepseek-youtu", "deepseek-ocr2", "llm",
               "DeepSeek-OCR-2 (--ocr-model) + Youtu-LLM (--summarizer-model)"),
    ConfigSpec("embedded-youtu", "rapidocr", "llm", "rapidocr + Youtu-LLM (--summarizer-model)"),
    ConfigSpec("vllm", "openai", "sections", "DeepSeek-OCR on a vLLM server (--endpoint, --served-model)"),
    ConfigSpec("vllm-youtu", "openai", "llm", "vLLM server OCR + Youtu-LLM (--summarizer-model)"),
)


@dataclass(frozen=True)
class EvalConfig:
    name: str
    description: str
    settings: EngineSettings

    def settings_dict(self) -> dict:
        data = asdict(self.settings)
        return json.loads(json.dumps(data, default=str))

    def fingerprint(self) -> str:
        """Changes when anything that affects the output changes (engines, models, DPI, …); not with
        how fast it runs (the concurrency)."""
        data = {key: value for key, value in self.settings_dict().items() if _changes_output(key)}
        blob = json.dumps(data, sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:10]


def _changes_output(name: str) -> bool:
    try:
        return setting(name).changes_output
    except KeyError:  # `limits`
        return True


def app_engine_settings() -> EngineSettings | None:
    """The desktop app's saved engine preferences, or None when PySide6 is not installed
    (`desktop_app.qt_settings.saved_engine_settings`, shared with the CLI)."""
    try:
        from desktop_app.qt_settings import saved_engine_settings
    except ImportError:
        return None
    return saved_engine_settings()


def available() -> list[str]:
    return [spec.name for spec in NAMED_CONFIGS] + ["app"]


def resolve(names: list[str], options: dict[str, object] | None = None,
            base: EngineSettings | None = None) -> list[EvalConfig]:
    """Configs by name, in the order given. `base` carries saved preferences (model folders, server,
    device); `options` (EngineSettings fields given on the command line, `settings_cli.given`) override
    it, and their allowed hosts add to its own. Raises `UnknownEvalConfig` / `UnknownEngine` before any run."""
    base = base or EngineSettings()
    overrides = dict(options or {})
    hosts = tuple(dict.fromkeys((*base.allowed_hosts, *overrides.pop("allowed_hosts", ()))))
    common = replace(base, **overrides, allowed_hosts=hosts)
    configs: list[EvalConfig] = []
    for raw in names:
        name = raw.strip()
        if not name:
            continue
        spec = next((s for s in NAMED_CONFIGS if s.name == name.lower()), None)
        if spec is not None:
            settings = replace(common, ocr=spec.ocr, summarizer=spec.summarizer,
                               use_text_layer=spec.use_text_layer)
            config = EvalConfig(spec.name, spec.description, settings)
        elif name.lower() == "app":
            description = f"the app's saved engines ({common.ocr} + {common.summarizer})"
            config = EvalConfig("app", description, common)
        elif "+" in name:
            ocr, summarizer = (part.strip() for part in name.split("+", 1))
            settings = replace(common, ocr=ocr, summarizer=summarizer)
            config = EvalConfig(name, f"{ocr} + {summarizer}", settings)
        else:
            raise label_errors.UnknownEvalConfig(name=name, available=", ".join(available()))
        if config.settings.ocr != "auto":
            engines.find("ocr", config.settings.ocr)
        engines.find("summary", config.settings.summarizer)
        if any(c.name == config.name for c in configs):
            continue
        configs.append(config)
    if not configs:
        raise label_errors.UnknownEvalConfig(name=",".join(names), available=", ".join(available()))
    return configs
