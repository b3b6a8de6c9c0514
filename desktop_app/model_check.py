"""Model folders: `emr-assist models check PATH`, and what the engines run before loading one.

The check reads only small files (config.json, the safetensors index and each shard's JSON header),
never the weights themselves, so it is instant on a 7 GB folder and needs no torch.
"""

from __future__ import annotations

import json
import math
import struct
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app import engines, errors

TOKENIZER_FILES = ("tokenizer.json", "tokenizer.model", "vocab.json")
BYTES_PER_PARAM = {"bf16": 2.0, "8-bit": 1.0, "4-bit": 0.5}
RUNTIME_OVERHEAD = 1.2  # activations, allocator slack and the CUDA context on top of the weights
RUNTIME_BASE = 0.5 * 2**30
_DTYPE_BYTES = {
    "F64": 8,
    "F32": 4,
    "F16": 2,
    "BF16": 2,
    "I64": 8,
    "I32": 4,
    "I16": 2,
    "I8": 1,
    "U8": 1,
    "BOOL": 1,
    "F8_E4M3": 1,
    "F8_E5M2": 1,
}


# --- estimates ---------------------------------------------------------------------------------


def kv_bytes_per_token(config: dict, dtype_bytes: int = 2) -> int:
    """KV-cache bytes per token. MLA models (kv_lora_rank) cache the compressed latent + the rope key."""
    text = config.get("text_config") or config
    layers = int(text["num_hidden_layers"])
    if text.get("kv_lora_rank"):
        return layers * (int(text["kv_lora_rank"]) + int(text.get("qk_rope_head_dim", 0))) * dtype_bytes
    heads = int(text.get("num_key_value_heads") or text["num_attention_heads"])
    head_dim = int(text.get("head_dim") or int(text["hidden_size"]) // int(text["num_attention_heads"]))
    return layers * 2 * heads * head_dim * dtype_bytes


def vram_estimates(params: int) -> dict[str, int]:
    """Rough bytes needed to run the model, per precision: weights × overhead + a fixed runtime base."""
    return {
        name: int(params * bpp * RUNTIME_OVERHEAD + RUNTIME_BASE) for name, bpp in BYTES_PER_PARAM.items()
    }


# --- the check ---------------------------------------------------------------------------------


@dataclass
class Shard:
    name: str
    size: int
    params: int = 0


@dataclass
class CheckReport:
    path: str
    model_type: str | None = None
    role: str | None = None
    shards: list[Shard] = field(default_factory=list)
    params: int = 0
    disk_bytes: int = 0
    vram: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def read_safetensors_header(path: Path) -> tuple[dict, int]:
    """(header dict, expected file size) from a safetensors file's 8-byte length + JSON header."""
    with path.open("rb") as handle:
        raw = handle.read(8)
        if len(raw) != 8:
            raise ValueError("shorter than a safetensors header")
        (length,) = struct.unpack("<Q", raw)
        if length > 100 * 2**20:
            raise ValueError("header length is not plausible")
        header = json.loads(handle.read(length))
    data_end = max((int(v["data_offsets"][1]) for k, v in header.items() if k != "__metadata__"), default=0)
    return header, 8 + length + data_end


def _check_shard(path: Path, report: CheckReport, expected_tensors: set[str] | None = None) -> set[str]:
    """Checks one shard; returns the tensor names its header lists."""
    if not path.is_file():
        report.problems.append(f"weight shard missing: {path.name}")
        return set()
    size = path.stat().st_size
    try:
        header, expected_size = read_safetensors_header(path)
    except (ValueError, OSError, KeyError, TypeError) as exc:
        report.problems.append(f"weight shard {path.name} is not a valid safetensors file ({exc})")
        return set()
    if size != expected_size:
        report.problems.append(
            f"weight shard {path.name} has {size:,} bytes; its header says {expected_size:,} "
            "(truncated or damaged copy)"
        )
    params = 0
    for name, info in header.items():
        if name != "__metadata__":
            params += math.prod(info["shape"])
    missing = (expected_tensors or set()) - set(header)
    if missing:
        report.problems.append(
            f"weight shard {path.name} lacks {len(missing)} tensors the index names "
            f"(e.g. {sorted(missing)[0]})"
        )
    report.shards.append(Shard(path.name, size, params))
    report.params += params
    return set(header) - {"__metadata__"}


def _has_signature(tensors: set[str], signature: tuple[str, ...]) -> bool:
    return all(any(part in name for name in tensors) for part in signature)


def _check_architecture(config: dict, tensors: set[str], report: CheckReport) -> None:
    """model_type against the weights' tensor names (the signatures in the engine registry) and the
    config's own `architectures`. A folder is mislabelled when its config names one type and its weights
    carry another's signature (e.g. DeepSeek-OCR-2 weights under a config edited to say "llama": it
    passes a config-only check, then fails deep inside the load)."""
    claimed = report.model_type
    if not claimed or not tensors:
        return
    known = engines.model_types()
    for other in (t for t in known.values() if t.distinctive and t.name != claimed):
        if _has_signature(tensors, other.signature):
            example = next(n for n in sorted(tensors) if other.signature[0] in n)
            report.problems.append(
                f"config.json says model_type '{claimed}', but the weights are a {other.name} model's "
                f"(tensors such as {example}): the folder is mislabelled"
            )
            return
    signature = known[claimed].signature if claimed in known else ()
    if signature and not _has_signature(tensors, signature):
        report.problems.append(
            f"config.json says model_type '{claimed}', but the weights lack its tensors "
            f"(no name contains {' / '.join(signature)}): the folder is mislabelled"
        )
        return
    architecture = (config.get("architectures") or [None])[0]
    owners = _architecture_owners(architecture)
    if owners and claimed not in owners:
        # Several model types share a class (e.g. LlamaForCausalLM); name the one the class is named after.
        owner = next((o for o in sorted(owners) if architecture.lower().startswith(o.replace("_", ""))),
                     sorted(owners)[0])
        report.problems.append(
            f"config.json says model_type '{claimed}' but architectures names a {owner} class "
            f"({architecture}): the folder is mislabelled"
        )


def _architecture_owners(architecture: object) -> set[str]:
    """The model types whose class `architecture` is, by transformers' own auto mappings."""
    if not isinstance(architecture, str):
        return set()
    try:
        from transformers.models.auto import modeling_auto
    except ImportError:  # the check runs without transformers too (installer build)
        return set()
    owners = set()
    for name in dir(modeling_auto):
        mapping = getattr(modeling_auto, name)
        if not name.endswith("_MAPPING_NAMES") or not isinstance(mapping, dict):
            continue
        for model_type, classes in mapping.items():
            if architecture == classes or (isinstance(classes, tuple) and architecture in classes):
                owners.add(model_type)
    return owners


def _check_gguf(path: Path, report: CheckReport) -> None:
    report.disk_bytes = path.stat().st_size
    try:
        from gguf import GGUFReader

        reader = GGUFReader(str(path))
    except ImportError:
        report.problems.append("reading a .gguf file needs the gguf package")
        return
    except Exception as exc:  # the reader raises plain errors on damaged files
        report.problems.append(f"not a readable GGUF file ({type(exc).__name__})")
        return
    report.params = sum(int(t.n_elements) for t in reader.tensors)
    field_ = reader.fields.get("general.architecture")
    if field_ is not None:
        report.model_type = bytes(field_.parts[field_.data[0]]).decode("utf-8", "replace")
    report.role = "summary (llm, GGUF)"
    report.shards.append(Shard(path.name, report.disk_bytes, report.params))
    report.notes.append("GGUF: the tokenizer is inside the file; transformers dequantizes it when loading")


def check_model(path: str | Path) -> CheckReport:
    path = Path(path).expanduser()
    report = CheckReport(path=str(path))
    if path.is_file() and path.suffix.lower() == ".gguf":
        _check_gguf(path, report)
    elif not path.is_dir():
        report.problems.append("not a folder or a .gguf file" if path.exists() else "does not exist")
        return report
    else:
        _check_folder(path, report)
    if report.params:
        report.vram = vram_estimates(report.params)
    return report


def check_folder_or_raise(path: str | Path) -> CheckReport:
    """What the engines run before loading: the same check as `models check`, as a typed error."""
    report = check_model(path)
    if not report.ok:
        raise errors.ModelFolderInvalid(path=str(path), detail="; ".join(report.problems))
    return report


def _check_folder(path: Path, report: CheckReport) -> None:
    report.disk_bytes = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    config_path = path / "config.json"
    config: dict = {}
    if not config_path.is_file():
        report.problems.append("config.json is missing")
    else:
        try:
            config = json.loads(config_path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            report.problems.append(f"config.json is not valid JSON ({exc})")
        report.model_type = config.get("model_type")
        if not report.model_type:
            report.problems.append("config.json has no model_type")
        else:
            report.role = engines.role(report.model_type)
        if report.model_type and report.role is None:
            open_engines = [s.name for s in engines.ENGINES if s.accepts_any_causal_lm]
            report.notes.append(
                f"model_type '{report.model_type}' is none of {', '.join(engines.model_types())}"
                + (f"; the {' / '.join(open_engines)} engine can still load it if transformers supports it "
                   "natively" if open_engines else "")
            )
        if config.get("auto_map"):
            report.notes.append("config.json names remote code (auto_map); it is never run here")

    index_path = path / "model.safetensors.index.json"
    if index_path.is_file():
        try:
            weight_map: dict[str, str] = json.loads(index_path.read_text(encoding="utf-8"))["weight_map"]
        except (json.JSONDecodeError, KeyError, UnicodeDecodeError) as exc:
            report.problems.append(f"model.safetensors.index.json is not valid ({exc})")
            weight_map = {}
        by_shard: dict[str, set[str]] = {}
        for tensor, shard in weight_map.items():
            by_shard.setdefault(shard, set()).add(tensor)
        tensors: set[str] = set()
        for shard in sorted(by_shard):
            tensors |= _check_shard(path / shard, report, by_shard[shard])
        _check_architecture(config, tensors or set(weight_map), report)
    elif (path / "model.safetensors").is_file():
        _check_architecture(config, _check_shard(path / "model.safetensors", report), report)
    else:
        report.problems.append("no weights: neither model.safetensors nor model.safetensors.index.json")

    if not any((path / name).is_file() for name in TOKENIZER_FILES):
        report.problems.append("tokenizer files missing (tokenizer.json or tokenizer.model)")
    if not (path / "tokenizer_config.json").is_file():
        report.notes.append(
            "tokenizer_config.json is missing (special tokens and chat template may be absent)"
        )
    known = engines.model_types().get(report.model_type or "")
    for choices in known.required_files if known else ():
        if not any((path / name).is_file() for name in choices):
            report.problems.append(f"{' or '.join(choices)} is missing (a {report.model_type} model needs it)")
    if config and engines.kind_of_model_type(report.model_type) != "ocr":  # a KV cache per token: text models
        try:
            report.notes.append(f"KV cache: {kv_bytes_per_token(config):,} bytes/token in bf16")
        except (KeyError, TypeError, ValueError):
            pass


def _gib(value: int) -> str:
    return f"{value / 2**30:.2f} GiB"


def format_report(report: CheckReport) -> str:
    lines = [
        f"Model: {report.path}",
        f"  type: {report.model_type or '?'}" + (f"  ({report.role})" if report.role else ""),
    ]
    for shard in report.shards:
        lines.append(f"  weights: {shard.name}  {shard.size:,} bytes  {shard.params:,} parameters")
    lines.append(f"  parameters: {report.params:,} ({report.params / 1e9:.2f} B)")
    lines.append(f"  on disk: {_gib(report.disk_bytes)}")
    if report.vram:
        lines.append("  estimated VRAM: " + ", ".join(f"{k} {_gib(v)}" for k, v in report.vram.items()))
    lines += [f"  note: {n}" for n in report.notes]
    lines += [f"  PROBLEM: {p}" for p in report.problems]
    lines.append("  OK" if report.ok else f"  NOT USABLE ({len(report.problems)} problem(s))")
    return "\n".join(lines)
