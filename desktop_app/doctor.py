"""`emr-assist doctor`: what a security team or a support call needs to know about this install.

Each check is a small function returning a `Check` (or a list of them); add one by appending it to
`CHECKS`. Checks must be quick, must not touch the network and must not print note text. A warning or
an error says what to do. Heavy libraries (torch) are imported only inside their check, and what a
check learns from the machine comes from a small `probe_*` function, so tests can replace it.

A check's detail is a code and its parameters (doctor_texts.py), rendered in the reader's language.
No GUI module is imported: the Qt check loads QtCore only, and the app's saved model folders are read
through `qt_settings` (QtCore's QSettings).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app import doctor_texts as texts
from desktop_app import paths
from desktop_app.doctor_texts import Text

OK, WARN, FAIL = "ok", "warn", "fail"


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # ok | warn | fail
    code: str  # what the detail says: a key of doctor_texts.TEXTS
    params: dict = field(default_factory=dict)

    def text(self, language: str = "en") -> str:
        """The detail in `language` (zh or en)."""
        return texts.render(self.code, self.params, language)

    @property
    def detail(self) -> str:
        return self.text("en")


def check_network() -> Check:
    from desktop_app.privacy import network

    posture = network.posture()
    if not posture.installed:
        return Check("network", WARN, "network_off")
    return Check("network", OK, "network_on", {"hosts": ", ".join(posture.allowed_hosts) or texts.NONE})


def check_offline_environment() -> Check:
    missing = [key for key, value in paths.OFFLINE_ENV.items() if os.environ.get(key) != value]
    if missing:
        return Check("offline", WARN, "offline_missing", {"switches": ", ".join(missing)})
    return Check("offline", OK, "offline_ok", {"switches": ", ".join(paths.OFFLINE_ENV)})


def check_telemetry() -> Check:
    """What was checked, item by item: the native switches, the modules kept unloaded, which
    runtimes with telemetry are loaded in this process."""
    from desktop_app.privacy import telemetry

    findings = telemetry.report()  # its findings are in English only (names of switches and modules)
    status = OK if all(f.ok for f in findings) else FAIL
    return Check("telemetry", status, "telemetry", {"findings": "; ".join(f.detail for f in findings)})


def check_audit_log() -> Check:
    from desktop_app.privacy import audit

    result = audit.AuditLog().verify()
    described = Text(audit.describe(result, "en"), audit.describe(result, "zh"))
    return Check("audit log", OK if result.ok else FAIL, "audit",
                 {"result": described, "key": texts.audit_key(result.key_source, result.anchored)})


def check_history() -> Check:
    from desktop_app.privacy import history

    problem = history.unavailable()
    if problem is not None:
        return Check("history", OK, "history_off", {"reason": Text(problem.reason("en"), problem.reason("zh"))})
    return Check("history", OK, "history_ok")


# --- Python and Qt -------------------------------------------------------------------------

MIN_PYTHON = (3, 10)
BAD_PYSIDE = {((6, 12, 0), (3, 12)): texts.PYSIDE_REFCOUNT}


def probe_python() -> tuple[tuple[int, int, int], str]:
    return tuple(sys.version_info[:3]), sys.executable


def check_python() -> Check:
    version, executable = probe_python()
    text = ".".join(map(str, version))
    if version[:2] < MIN_PYTHON:
        return Check("python", FAIL, "python_old", {"version": text})
    return Check("python", OK, "python_ok", {"version": text, "executable": executable})


@dataclass
class QtInfo:
    installed: bool
    pyside: str = ""
    qt: str = ""
    broken: bool = False  # the behavioural probe of the binding (qt_binding.py) found the known bug


def probe_qt() -> QtInfo:
    if importlib.util.find_spec("PySide6") is None:
        return QtInfo(False)
    import PySide6
    from PySide6 import QtCore

    from desktop_app.qt_binding import binding_is_broken

    return QtInfo(True, PySide6.__version__, QtCore.qVersion(), binding_is_broken())


def _version_tuple(text: str) -> tuple[int, ...]:
    parts = []
    for piece in text.split("+")[0].split("."):
        digits = "".join(c for c in piece if c.isdigit())
        if not digits:
            break
        parts.append(int(digits))
    return tuple(parts)


def check_qt() -> Check:
    info = probe_qt()
    if not info.installed:
        return Check("qt", WARN, "qt_missing")
    python = tuple(probe_python()[0][:2])
    for (bad, below), why in BAD_PYSIDE.items():
        if _version_tuple(info.pyside)[:3] == bad and python < below:
            return Check("qt", FAIL, "qt_bad", {"pyside": info.pyside, "why": why})
    if info.broken:
        return Check("qt", FAIL, "qt_broken", {"pyside": info.pyside, "python": ".".join(map(str, python))})
    return Check("qt", OK, "qt_ok", {"pyside": info.pyside, "qt": info.qt})


# --- torch, CUDA, bitsandbytes ---------------------------------------------------------------


@dataclass
class GpuInfo:
    name: str
    vram_bytes: int


@dataclass
class TorchInfo:
    installed: bool
    version: str = ""
    cuda_build: str | None = None  # torch.version.cuda; None for a CPU build
    cuda_available: bool = False
    gpus: list[GpuInfo] = field(default_factory=list)
    driver: str | None = None
    torchvision: bool = False
    error: str | None = None  # torch is there but would not import


def probe_torch() -> TorchInfo:
    """torch is imported here only (it takes seconds); nothing else in the doctor needs it."""
    if importlib.util.find_spec("torch") is None:
        return TorchInfo(False)
    torchvision = importlib.util.find_spec("torchvision") is not None
    try:
        import torch
    except Exception as exc:  # a broken install: report it rather than crash the doctor
        return TorchInfo(True, error=f"{type(exc).__name__}: {exc}", torchvision=torchvision)
    info = TorchInfo(True, torch.__version__, torch.version.cuda, torchvision=torchvision)
    try:
        info.cuda_available = bool(torch.cuda.is_available())
        for index in range(torch.cuda.device_count() if info.cuda_available else 0):
            props = torch.cuda.get_device_properties(index)
            info.gpus.append(GpuInfo(props.name, int(props.total_memory)))
    except Exception as exc:  # e.g. a driver too old for this CUDA build
        info.error = f"{type(exc).__name__}: {exc}"
    info.driver = probe_nvidia_driver()
    return info


def probe_nvidia_driver() -> str | None:
    tool = shutil.which("nvidia-smi")
    if tool is None:
        return None
    try:
        out = subprocess.run([tool, "--query-gpu=driver_version", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=10, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return out.strip().splitlines()[0] if out.strip() else None


def check_torch() -> list[Check]:
    info = probe_torch()
    models = bool(model_folders())
    if not info.installed:
        return [Check("torch", WARN if models else OK, "torch_missing",
                      {"todo": texts.TORCH_NEEDED if models else texts.TORCH_OPTIONAL})]
    if info.error and not info.version:
        return [Check("torch", FAIL, "torch_broken", {"error": info.error})]
    build = texts.cuda_build(info.cuda_build) if info.cuda_build else texts.CPU_BUILD
    results = [Check("torch", OK, "torch_ok", {"version": info.version, "build": build})]
    if info.torchvision:
        results.append(Check("torch", WARN, "torchvision"))
    driver = texts.driver(info.driver)
    if info.cuda_available and info.gpus:
        for gpu in info.gpus:
            results.append(Check("gpu", OK, "gpu_ok",
                                 {"gpu": gpu.name, "vram": gpu.vram_bytes / 2**30, "driver": driver}))
    elif info.cuda_build:
        results.append(Check("gpu", WARN, "gpu_unusable", {"cuda": info.cuda_build, "driver": driver,
                                                            "problem": info.error or texts.NO_GPU}))
    else:
        results.append(Check("gpu", WARN if models else OK, "gpu_none", {"driver": driver}))
    return results


def probe_bitsandbytes() -> str | None:
    """The installed version, without importing it (its import probes CUDA and prints)."""
    try:
        return importlib.metadata.version("bitsandbytes")
    except importlib.metadata.PackageNotFoundError:
        return None


def check_bitsandbytes() -> Check:
    version = probe_bitsandbytes()
    if version:
        return Check("quantize", OK, "bnb_ok", {"version": version})
    torch = probe_torch() if importlib.util.find_spec("torch") is not None else TorchInfo(False)
    if torch.cuda_available:
        return Check("quantize", WARN, "bnb_missing_gpu")
    return Check("quantize", OK, "bnb_not_needed")


# --- model folders -----------------------------------------------------------------------------


def probe_configured_models() -> list[tuple[str, Path]]:
    """The model folders set in the desktop app's Settings ((label, path)); empty without Qt."""
    if importlib.util.find_spec("PySide6") is None:
        return []
    from desktop_app import qt_settings

    prefs = qt_settings.load(qt_settings.default_qsettings())
    found = []
    for label, value in (("OCR model (Settings)", prefs.ocr_model),
                         ("summary model (Settings)", prefs.summarizer_model)):
        if value:
            found.append((label, Path(value)))
    return found


def probe_imported_models() -> list[tuple[str, Path]]:
    from desktop_app import model_store

    return [(f"imported {m.label}", m.path) for m in model_store.list_models()]


def model_folders() -> list[tuple[str, Path]]:
    seen: set[Path] = set()
    folders = []
    for label, path in probe_configured_models() + probe_imported_models():
        key = Path(path).expanduser().resolve()
        if key not in seen:
            seen.add(key)
            folders.append((label, path))
    return folders


def check_models() -> list[Check]:
    from desktop_app.model_check import check_model

    folders = model_folders()
    if not folders:
        return [Check("models", OK, "models_none")]
    results = []
    for label, path in folders:
        report = check_model(path)
        params = {"label": label, "path": str(path)}
        if report.ok:
            results.append(Check("model", OK, "model_ok", {
                **params, "model_type": report.model_type or "?", "params": report.params / 1e9,
                "role": f", {report.role}" if report.role else ""}))
        else:  # model_check words its problems in English
            results.append(Check("model", FAIL, "model_bad", {**params, "problems": "; ".join(report.problems)}))
    return results


# --- keyring, fonts -----------------------------------------------------------------------------


def probe_keyring() -> list[str]:
    """Module-qualified class names of the keyring backends in use ([] = none)."""
    import keyring
    from keyring.backends import chainer

    backend = keyring.get_keyring()
    backends = backend.backends if isinstance(backend, chainer.ChainerBackend) else [backend]
    return [f"{type(b).__module__}.{type(b).__name__}" for b in backends]


def _insecure_backend(name: str) -> bool:
    return name.startswith(("keyring.backends.fail", "keyring.backends.null")) or "plaintext" in name.lower()


def check_keyring() -> Check:
    try:
        names = probe_keyring()
    except ImportError:
        return Check("keyring", WARN, "keyring_package")
    secure = [n for n in names if not _insecure_backend(n)]
    if secure:
        return Check("keyring", OK, "keyring_ok", {"backends": ", ".join(secure)})
    found = ", ".join(names) or texts.NONE
    plaintext = any("plaintext" in n.lower() for n in names)
    return Check("keyring", WARN, "keyring_plaintext" if plaintext else "keyring_none", {"found": found})


KNOWN_CJK_FONTS = (
    "C:/Windows/Fonts/msyh.ttc", "C:/Windows/Fonts/simsun.ttc", "C:/Windows/Fonts/simhei.ttf",
    "/System/Library/Fonts/PingFang.ttc", "/System/Library/Fonts/STHeiti Light.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
)


def probe_cjk_fonts() -> list[str]:
    """Font families that cover Chinese: fontconfig when present, else well-known font files."""
    tool = shutil.which("fc-list")
    if tool is not None:
        try:
            out = subprocess.run([tool, ":lang=zh", "family"], capture_output=True, text=True, timeout=20,
                                 check=True).stdout
            families = sorted({line.split(",")[0].strip() for line in out.splitlines() if line.strip()})
            if families:
                return families
        except (OSError, subprocess.SubprocessError):
            pass
    return [Path(p).name for p in KNOWN_CJK_FONTS if Path(p).is_file()]


def check_fonts() -> Check:
    families = probe_cjk_fonts()
    if not families:
        return Check("fonts", WARN, "fonts_none")
    shown = ", ".join(families[:3]) + (f" (+{len(families) - 3})" if len(families) > 3 else "")
    return Check("fonts", OK, "fonts_ok", {"families": shown})


CHECKS: list[Callable[[], Check | list[Check]]] = [
    check_python, check_qt, check_torch, check_bitsandbytes, check_models, check_keyring, check_fonts,
    check_network, check_offline_environment, check_telemetry, check_audit_log, check_history,
]


def run_checks() -> list[Check]:
    results: list[Check] = []
    for check in CHECKS:
        try:
            outcome = check()
        except Exception as exc:  # one broken check must not hide the others
            name = check.__name__.removeprefix("check_")
            outcome = Check(name, FAIL, "check_crashed", {"error": f"{type(exc).__name__}: {exc}"})
        results.extend(outcome if isinstance(outcome, list) else [outcome])
    return results


def format_checks(results: list[Check], language: str = "en") -> str:
    """The command's output: one line per check (names and marks stay the fixed English codes; the
    details are in `language`), then the counts."""
    marks = {OK: "OK  ", WARN: "WARN", FAIL: "FAIL"}
    lines = [f"[{marks[r.status]}] {r.name:10} {r.text(language)}" for r in results]
    counts = {status: sum(r.status == status for r in results) for status in (OK, WARN, FAIL)}
    lines.append(f"{counts[OK]} ok, {counts[WARN]} warning(s), {counts[FAIL]} error(s)")
    return "\n".join(lines)
