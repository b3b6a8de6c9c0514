"""`emr-assist doctor`: what a security team or a support call needs to know about this install.

Each check is a small function returning a `Check` (or a list of them); add one by appending it to
`CHECKS`. Checks must be quick, must not touch the network and must not print note text. A warning or
an error says what to do. Heavy libraries (torch) are imported only inside their check, and what a
check learns from the machine comes from a small `probe_*` function, so tests can replace it.
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

from desktop_app import paths

OK, WARN, FAIL = "ok", "warn", "fail"


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # ok | warn | fail
    detail: str


def check_network() -> Check:
    from desktop_app.privacy import network

    posture = network.posture()
    return Check("network", OK if posture.installed else WARN, posture.describe())


def check_offline_environment() -> Check:
    missing = [key for key, value in paths.OFFLINE_ENV.items() if os.environ.get(key) != value]
    if missing:
        return Check("offline", WARN, "Hugging Face offline switches not set: " + ", ".join(missing))
    return Check("offline", OK, "Hugging Face libraries forced offline (" + ", ".join(paths.OFFLINE_ENV) + ")")


def check_telemetry() -> Check:
    """What was checked, item by item: the native switches, the modules kept unloaded, which
    runtimes with telemetry are loaded in this process."""
    from desktop_app.privacy import telemetry

    findings = telemetry.report()
    return Check("telemetry", OK if all(f.ok for f in findings) else FAIL, "; ".join(f.detail for f in findings))


def check_audit_log() -> Check:
    from desktop_app.privacy import audit

    result = audit.AuditLog().verify()
    detail = audit.describe(result)
    if result.key_source:
        detail += f"; sealed with the key from the {result.key_source}"
        detail += "; anchor checked" if result.anchored else ""
    return Check("audit log", OK if result.ok else FAIL, detail)


def check_history() -> Check:
    from desktop_app.privacy import history

    reason = history.unavailable_reason()
    if reason:
        return Check("history", OK, f"off: {reason}")
    return Check("history", OK, "can be turned on (encrypted, key in the OS keyring)")


# --- Python and Qt -------------------------------------------------------------------------

MIN_PYTHON = (3, 10)
BAD_PYSIDE = {((6, 12, 0), (3, 12)): "reference-count bug on Python < 3.12; the app crashes after a while"}


def probe_python() -> tuple[tuple[int, int, int], str]:
    return tuple(sys.version_info[:3]), sys.executable


def check_python() -> Check:
    version, executable = probe_python()
    text = ".".join(map(str, version))
    if version[:2] < MIN_PYTHON:
        return Check("python", FAIL, f"Python {text} is too old: install Python 3.10 or newer and "
                                     "reinstall the app")
    return Check("python", OK, f"Python {text} ({executable})")


@dataclass
class QtInfo:
    installed: bool
    pyside: str = ""
    qt: str = ""
    problem: str | None = None  # the app's behavioural probe of the binding


def probe_qt() -> QtInfo:
    if importlib.util.find_spec("PySide6") is None:
        return QtInfo(False)
    import PySide6
    from PySide6 import QtCore

    from desktop_app.app import qt_binding_problem

    return QtInfo(True, PySide6.__version__, QtCore.qVersion(), qt_binding_problem())


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
        return Check("qt", WARN, "PySide6 is not installed: the desktop app cannot open (the command line "
                                 "works). Install it: pip install 'PySide6-Essentials>=6.6,<6.12'")
    python = tuple(probe_python()[0][:2])
    for (bad, below), why in BAD_PYSIDE.items():
        if _version_tuple(info.pyside)[:3] == bad and python < below:
            return Check("qt", FAIL, f"PySide6 {info.pyside}: {why}. Install another version: "
                                     "pip install 'PySide6-Essentials>=6.6,<6.12'")
    if info.problem:
        return Check("qt", FAIL, info.problem)
    return Check("qt", OK, f"PySide6 {info.pyside}, Qt {info.qt}")


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
        status = WARN if models else OK
        todo = ("; model folders are set up, so install the PyTorch build for this machine (README, "
                "GPU install)" if models else "; only the model engines need it")
        return [Check("torch", status, "not installed: the embedded engines work without it" + todo)]
    if info.error and not info.version:
        return [Check("torch", FAIL, f"installed but does not import ({info.error}): reinstall the "
                                     "PyTorch build for this machine (README, GPU install)")]
    results = [Check("torch", OK, f"torch {info.version} ("
                     + (f"CUDA {info.cuda_build} build)" if info.cuda_build else "CPU build)"))]
    if info.torchvision:
        results.append(Check("torch", WARN, "torchvision is installed beside torch; a mismatched build "
                                            "breaks the OCR model's processor: pip uninstall torchvision"))
    driver = f", driver {info.driver}" if info.driver else ""
    if info.cuda_available and info.gpus:
        for gpu in info.gpus:
            vram = f"{gpu.vram_bytes / 2**30:.1f} GiB VRAM"
            results.append(Check("gpu", OK, f"CUDA: {gpu.name}, {vram}{driver}"))
    elif info.cuda_build:
        detail = info.error or "no usable GPU found"
        results.append(Check("gpu", WARN, f"CUDA {info.cuda_build} build but {detail}{driver}: update the "
                                          "NVIDIA driver, or install the torch build matching it; model "
                                          "engines run on the CPU (slow) until then"))
    else:
        results.append(Check("gpu", WARN if models else OK,
                             f"no CUDA (CPU build of torch{driver}): model engines run on the CPU, slowly. "
                             "On an NVIDIA workstation install the CUDA build (README, GPU install)"))
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
        return Check("quantize", OK, f"bitsandbytes {version}: --quantization 8bit / 4bit available on CUDA")
    torch = probe_torch() if importlib.util.find_spec("torch") is not None else TorchInfo(False)
    if torch.cuda_available:
        return Check("quantize", WARN, "bitsandbytes is not installed: 8-bit / 4-bit loading (needed to fit "
                                       "both models on an 8 GB card) is off. pip install bitsandbytes")
    return Check("quantize", OK, "bitsandbytes not installed (only used for 8-bit / 4-bit on a CUDA GPU)")


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
        return [Check("models", OK, "none set up: the embedded engines need none. To add one: "
                                    "emr-assist models import SRC_DIR --as ocr|summary")]
    results = []
    for label, path in folders:
        report = check_model(path)
        if report.ok:
            role = f", {report.role}" if report.role else ""
            results.append(Check("model", OK, f"{label}: {path} ({report.model_type or '?'}{role}, "
                                              f"{report.params / 1e9:.2f} B parameters)"))
        else:
            results.append(Check("model", FAIL, f"{label}: {path}: {'; '.join(report.problems)}. Copy the "
                                                "folder again, or clear it in Settings"))
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
        return Check("keyring", WARN, "the keyring package is missing: reinstall the app")
    secure = [n for n in names if not _insecure_backend(n)]
    if secure:
        return Check("keyring", OK, "secure OS keyring: " + ", ".join(secure))
    found = ", ".join(names) or "none"
    if any("plaintext" in n.lower() for n in names):
        todo = ("a plain-text keyring stores secrets unencrypted: uninstall keyrings.alt and use the OS "
                "keyring (Windows Credential Manager, GNOME Keyring / KWallet)")
    else:
        todo = ("no secure OS keyring (history stays off; server API keys cannot be saved). On Linux "
                "install and unlock GNOME Keyring or KWallet (a desktop session); Windows has one built in")
    return Check("keyring", WARN, f"{todo} [found: {found}]")


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
        return Check("fonts", WARN, "no font for Chinese found: Chinese text would show as empty boxes. "
                                    "Debian/Ubuntu: apt-get install fonts-noto-cjk; Windows and macOS "
                                    "have one built in")
    shown = ", ".join(families[:3]) + (f" (+{len(families) - 3} more)" if len(families) > 3 else "")
    return Check("fonts", OK, f"Chinese fonts: {shown}")


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
            outcome = Check(name, FAIL, f"check failed: {type(exc).__name__}: {exc}")
        results.extend(outcome if isinstance(outcome, list) else [outcome])
    return results


def exit_code(results: list[Check]) -> int:
    """Non-zero when any check is an error (warnings alone keep 0)."""
    from desktop_app.errors import ExitCode

    return ExitCode.CONFIG if any(r.status == FAIL for r in results) else ExitCode.OK


def format_checks(results: list[Check]) -> str:
    marks = {OK: "OK  ", WARN: "WARN", FAIL: "FAIL"}
    lines = [f"[{marks[r.status]}] {r.name:10} {r.detail}" for r in results]
    counts = {status: sum(r.status == status for r in results) for status in (OK, WARN, FAIL)}
    lines.append(f"{counts[OK]} ok, {counts[WARN]} warning(s), {counts[FAIL]} error(s)")
    return "\n".join(lines)
