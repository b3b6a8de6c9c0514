"""Native telemetry off, for every runtime the app may load, before any of them is imported.

The network guard (`privacy.network`) sees Python sockets only. Native runtimes open their own:
onnxruntime's 1DS telemetry sends DNS queries for a Microsoft host and queues events under
`~/.cache/Microsoft/` unless `ORT_DISABLE_TELEMETRY` is set when its library loads. So `apply()` runs
from `desktop_app/__init__.py`, the one place that runs before any module of the app can import
PyMuPDF, RapidOCR, OpenVINO or onnxruntime. Standard library only.

`import pymupdf` also imports `pymupdf.layout` and `pymupdf4llm` (PyMuPDF 2 depends on both): they
load onnxruntime, and an ONNX layout model, in every process, even when OCR runs on OpenVINO. The
app uses neither (no layout analysis, no Markdown export), so both imports are blocked the way Python
documents for an optional module (`sys.modules[name] = None`: PyMuPDF catches the ImportError).
onnxruntime then loads only when it is the OCR backend.

`import openvino` (RapidOCR's OpenVINO backend) imports its model converter, which imports
`openvino_telemetry`; a conversion would then send usage data without asking (its consent defaults to
yes when no consent file exists). The app never converts models, and the module is blocked the same
way: the converter falls back to OpenVINO's own no-op stub. `report()` says what was checked, for
`doctor`.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

# Set whatever the user's environment says: an inherited "0" must not turn telemetry back on.
NATIVE_TELEMETRY_ENV = {
    "ORT_DISABLE_TELEMETRY": "1",  # onnxruntime (read by its native library at load)
    "DO_NOT_TRACK": "1",  # the cross-tool convention (Hugging Face, OpenVINO tools, …)
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "PYMUPDF_SUGGEST_LAYOUT_ANALYZER": "0",  # PyMuPDF would print a hint to install the blocked module
}
# pymupdf.layout and pymupdf4llm: imported by `import pymupdf`, they import onnxruntime; the app uses
# neither (no layout analysis, no Markdown export). openvino_telemetry: imported by `import openvino`
# (its model converter); it would send usage data if the converter ran. Blocked, OpenVINO uses its
# own stub.
BLOCKED_MODULES = ("pymupdf.layout", "pymupdf4llm", "openvino_telemetry")


def apply() -> None:
    """Idempotent; cheap (no imports)."""
    for key, value in NATIVE_TELEMETRY_ENV.items():
        os.environ[key] = value
    for name in BLOCKED_MODULES:
        sys.modules.setdefault(name, None)  # already imported (by a host program): nothing to block


@dataclass(frozen=True)
class Finding:
    ok: bool
    detail: str


def report() -> list[Finding]:
    """What is checked: the switches are set, the blocked modules stayed unloaded, and which of the
    runtimes that have native telemetry are loaded in this process."""
    findings = []
    wrong = [key for key, value in NATIVE_TELEMETRY_ENV.items() if os.environ.get(key) != value]
    findings.append(Finding(not wrong, "native telemetry switches not set: " + ", ".join(wrong) if wrong else
                            "native telemetry switches set (" + ", ".join(NATIVE_TELEMETRY_ENV) + ")"))
    for name in BLOCKED_MODULES:
        loaded = sys.modules.get(name) is not None
        findings.append(Finding(not loaded, f"{name} loaded" if loaded else f"{name} blocked, not loaded"))
    onnx_loaded = "onnxruntime" in sys.modules
    findings.append(Finding(True, "onnxruntime loaded (telemetry switched off before it loaded)" if onnx_loaded
                            else "onnxruntime not loaded in this process"))
    openvino_loaded = "openvino" in sys.modules
    findings.append(Finding(True, "OpenVINO loaded (its telemetry module blocked)" if openvino_loaded
                            else "OpenVINO not loaded in this process"))
    return findings
