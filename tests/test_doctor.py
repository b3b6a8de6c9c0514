"""`emr-assist doctor`: each line ok / warn / fail with what to do; the exit code follows the errors.

The machine probes (Python, Qt, torch/CUDA, bitsandbytes, model folders, keyring, fonts) are replaced,
so these tests are fast, import no torch and describe workstations this box is not (an RTX card).
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

from desktop_app import cli, doctor
from desktop_app.doctor import FAIL, OK, WARN, GpuInfo, QtInfo, TorchInfo

RTX = TorchInfo(True, "2.8.0+cu128", "12.8", True, [GpuInfo("NVIDIA GeForce RTX 4060", 8 * 2**30)], "570.86")


@pytest.fixture
def healthy(monkeypatch, tmp_path):
    """A healthy GPU workstation: every probe answers well; the audit log lives in tmp_path."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setattr(doctor.paths, "models_dir", lambda: tmp_path / "data" / "models")
    monkeypatch.setattr(doctor, "probe_python", lambda: ((3, 11, 7), "/opt/emr/python"))
    monkeypatch.setattr(doctor, "probe_qt", lambda: QtInfo(True, "6.11.3", "6.11.3"))
    monkeypatch.setattr(doctor, "probe_torch", lambda: RTX)
    monkeypatch.setattr(doctor, "probe_bitsandbytes", lambda: "0.48.1")
    monkeypatch.setattr(doctor, "probe_configured_models", lambda: [])
    monkeypatch.setattr(doctor, "probe_keyring", lambda: ["keyring.backends.Windows.WinVaultKeyring"])
    monkeypatch.setattr(doctor, "probe_cjk_fonts", lambda: ["Microsoft YaHei"])
    return monkeypatch


def by_name(results, name):
    return [r for r in results if r.name == name]


def test_a_healthy_gpu_workstation(healthy, capsys):
    results = doctor.run_checks()
    assert [(r.status, r.detail) for r in by_name(results, "python")] == [(OK, "Python 3.11.7 (/opt/emr/python)")]
    assert by_name(results, "qt")[0].detail == "PySide6 6.11.3, Qt 6.11.3"
    assert by_name(results, "torch")[0].detail == "torch 2.8.0+cu128 (CUDA 12.8 build)"
    (gpu,) = by_name(results, "gpu")
    assert (gpu.status, gpu.detail) == (OK, "CUDA: NVIDIA GeForce RTX 4060, 8.0 GiB VRAM, driver 570.86")
    assert by_name(results, "quantize")[0].status == OK
    assert by_name(results, "keyring")[0].status == OK
    assert by_name(results, "fonts")[0].detail == "Chinese fonts: Microsoft YaHei"
    assert by_name(results, "models")[0].status == OK

    # the command prints one line per check, and a count
    assert cli.main(["--lang", "en", "doctor"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "[OK  ] gpu        CUDA: NVIDIA GeForce RTX 4060, 8.0 GiB VRAM, driver 570.86" in lines
    assert lines[-1].endswith("0 error(s)")


def test_the_known_bad_pyside_on_python_311_is_an_error(healthy, capsys):
    healthy.setattr(doctor, "probe_qt", lambda: QtInfo(True, "6.12.0", "6.12.0"))
    (qt,) = by_name(doctor.run_checks(), "qt")
    assert qt.status == FAIL and "PySide6-Essentials>=6.6,<6.12" in qt.detail
    assert cli.main(["--lang", "en", "doctor"]) == 3
    assert any(line.startswith("[FAIL] qt ") for line in capsys.readouterr().out.splitlines())

    # the same version on Python 3.12 is fine
    healthy.setattr(doctor, "probe_python", lambda: ((3, 12, 3), "/usr/bin/python3"))
    assert by_name(doctor.run_checks(), "qt")[0].status == OK


def test_python_too_old_and_no_qt(healthy):
    healthy.setattr(doctor, "probe_python", lambda: ((3, 9, 18), "/usr/bin/python3"))
    healthy.setattr(doctor, "probe_qt", lambda: QtInfo(False))
    results = doctor.run_checks()
    assert by_name(results, "python")[0].status == FAIL
    qt = by_name(results, "qt")[0]
    assert qt.status == WARN and "pip install" in qt.detail
    assert cli.main(["--lang", "en", "doctor"]) == 3


def test_torch_without_cuda_or_not_installed(healthy):
    # GIVEN the CPU build of torch and no models: fine, said plainly
    healthy.setattr(doctor, "probe_torch", lambda: TorchInfo(True, "2.13.0+cpu", None))
    healthy.setattr(doctor, "probe_bitsandbytes", lambda: None)
    results = doctor.run_checks()
    assert by_name(results, "torch")[0].detail == "torch 2.13.0+cpu (CPU build)"
    assert by_name(results, "gpu")[0].status == OK and "CPU" in by_name(results, "gpu")[0].detail
    assert by_name(results, "quantize")[0].status == OK

    # GIVEN a CUDA build whose driver is too old: a warning that says what to do
    broken = TorchInfo(True, "2.8.0+cu128", "12.8", False, [], "470.1", error="RuntimeError: driver too old")
    healthy.setattr(doctor, "probe_torch", lambda: broken)
    (gpu,) = by_name(doctor.run_checks(), "gpu")
    assert gpu.status == WARN and "driver too old" in gpu.detail and "update the NVIDIA driver" in gpu.detail

    # GIVEN no torch at all: ok for the embedded engines
    healthy.setattr(doctor, "probe_torch", lambda: TorchInfo(False))
    (torch,) = by_name(doctor.run_checks(), "torch")
    assert torch.status == OK and "not installed" in torch.detail


def test_torchvision_beside_torch_and_missing_bitsandbytes_on_cuda_warn(healthy):
    healthy.setattr(doctor, "probe_torch", lambda: TorchInfo(**{**RTX.__dict__, "torchvision": True}))
    healthy.setattr(doctor, "probe_bitsandbytes", lambda: None)
    results = doctor.run_checks()
    torch_lines = by_name(results, "torch")
    assert any(r.status == WARN and "pip uninstall torchvision" in r.detail for r in torch_lines)
    quantize = by_name(results, "quantize")[0]
    assert quantize.status == WARN and "pip install bitsandbytes" in quantize.detail
    assert cli.main(["--lang", "en", "doctor"]) == 0  # warnings alone keep exit code 0


def _tiny_model(folder: Path, truncate: bool = False) -> Path:
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(json.dumps({"model_type": "youtu"}))
    # A tensor named as Youtu's are: `models check` refuses a folder whose weights do not match its config.
    header = json.dumps({"model.layers.0.self_attn.kv_a_proj_with_mqa.weight":
                         {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}).encode()
    data = struct.pack("<Q", len(header)) + header + b"\0" * 16
    (folder / "model.safetensors").write_bytes(data[:-4] if truncate else data)
    (folder / "tokenizer.json").write_text("{}")
    (folder / "tokenizer_config.json").write_text("{}")
    return folder


def test_model_folders_are_checked(healthy, tmp_path):
    from desktop_app import model_store

    good = _tiny_model(tmp_path / "usb" / "llm")
    model_store.import_model(good, "summary")  # into the patched models_dir
    bad = _tiny_model(tmp_path / "configured" / "ocr", truncate=True)
    configured = [("OCR model (Settings)", bad), ("summary model (Settings)", tmp_path / "gone")]
    healthy.setattr(doctor, "probe_configured_models", lambda: configured)
    results = by_name(doctor.run_checks(), "model")
    assert [r.status for r in results] == [FAIL, FAIL, OK]
    assert "truncated" in results[0].detail and "does not exist" in results[1].detail
    assert results[2].detail.startswith("imported summary/llm:") and "youtu" in results[2].detail
    assert cli.main(["--lang", "en", "doctor"]) == 3


@pytest.mark.parametrize("backends, expected", [
    (["keyring.backends.fail.Keyring"], "install and unlock GNOME Keyring"),
    ([], "found: none"),
    (["keyrings.alt.file.PlaintextKeyring"], "uninstall keyrings.alt"),
])
def test_an_insecure_keyring_is_a_warning_with_what_to_do(healthy, backends, expected):
    healthy.setattr(doctor, "probe_keyring", lambda: backends)
    (keyring,) = by_name(doctor.run_checks(), "keyring")
    assert keyring.status == WARN and expected in keyring.detail


def test_no_chinese_font_is_a_warning(healthy):
    healthy.setattr(doctor, "probe_cjk_fonts", lambda: [])
    (fonts,) = by_name(doctor.run_checks(), "fonts")
    assert fonts.status == WARN and "fonts-noto-cjk" in fonts.detail


def test_a_crashing_check_is_reported_not_raised(healthy):
    def broken():
        raise RuntimeError("probe exploded")

    healthy.setattr(doctor, "probe_cjk_fonts", broken)
    (fonts,) = by_name(doctor.run_checks(), "fonts")
    assert fonts.status == FAIL and "probe exploded" in fonts.detail


def test_the_real_probes_answer_on_this_machine():
    """No monkeypatching except torch (slow to import on 2 shared cores): shapes only."""
    assert doctor.probe_python()[0] >= (3, 10)
    assert isinstance(doctor.probe_cjk_fonts(), list)
    assert all(isinstance(name, str) for name in doctor.probe_keyring())
    assert doctor.check_fonts().status in (OK, WARN)


def test_telemetry_check_says_what_it_checked(monkeypatch):
    # GIVEN this process (desktop_app imported: the switches are set, PyMuPDF's extras blocked)
    import sys

    import desktop_app.ingest  # noqa: F401  (imports pymupdf)

    (check,) = by_name(doctor.run_checks(), "telemetry")
    assert check.status == OK
    assert "ORT_DISABLE_TELEMETRY" in check.detail and "pymupdf.layout blocked, not loaded" in check.detail
    assert sys.modules.get("pymupdf.layout") is None and sys.modules.get("pymupdf4llm") is None
    # WHEN a switch is turned back on by the environment THEN the check fails and names it
    monkeypatch.setenv("ORT_DISABLE_TELEMETRY", "0")
    (check,) = by_name(doctor.run_checks(), "telemetry")
    assert check.status == FAIL and "not set: ORT_DISABLE_TELEMETRY" in check.detail


def test_audit_check_fails_once_the_log_was_deleted(monkeypatch, tmp_path):
    from desktop_app.privacy.audit import AuditLog

    monkeypatch.setenv("EMR_ASSIST_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("EMR_ASSIST_ANCHOR_DIR", str(tmp_path / "anchor"))
    AuditLog().record("open")
    (check,) = by_name(doctor.run_checks(), "audit log")
    assert check.status == OK and "key file" in check.detail and "anchor checked" in check.detail
    (tmp_path / "data" / "audit.jsonl").unlink()
    (check,) = by_name(doctor.run_checks(), "audit log")
    assert check.status == FAIL and "missing" in check.detail


def test_every_detail_is_worded_in_both_languages(healthy, capsys):
    """Each template has a Chinese twin with the same parameters; a real run renders every line in
    Chinese, and `emr-assist --lang zh doctor` prints those lines."""
    import string

    from desktop_app.doctor_texts import TEXTS

    def fields(template):
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}

    for code, (en, zh) in TEXTS.items():
        assert fields(en) == fields(zh), code
    # GIVEN a workstation with warnings (no keyring, no Chinese font, a CUDA build without a GPU)
    healthy.setattr(doctor, "probe_keyring", lambda: ["keyring.backends.fail.Keyring"])
    healthy.setattr(doctor, "probe_cjk_fonts", lambda: [])
    healthy.setattr(doctor, "probe_torch", lambda: TorchInfo(True, "2.8.0+cu128", "12.8", False, [], None))
    results = doctor.run_checks()
    by_code = {r.code: r for r in results}
    # THEN the Chinese details say what to do in Chinese
    assert by_code["keyring_none"].text("zh").startswith("没有安全的系统密钥环")
    assert by_code["fonts_none"].text("zh").startswith("未找到中文字体")
    assert by_code["gpu_unusable"].text("zh").startswith("CUDA 12.8 版本，但未找到可用的 GPU：请更新 NVIDIA 驱动")
    assert by_code["torch_ok"].text("zh") == "torch 2.8.0+cu128（CUDA 12.8 版）"
    # every line a check words itself differs between the two languages
    own_words = [r for r in results if r.code not in ("telemetry", "audit")]
    assert all(r.text("zh") != r.text("en") for r in own_words), [r.code for r in own_words]
    # WHEN the command is asked for Chinese THEN it prints the Chinese details
    assert cli.main(["--lang", "zh", "doctor"]) == 0
    out = capsys.readouterr().out
    assert "未找到中文字体" in out and "no font for Chinese" not in out


def test_the_doctor_loads_no_gui_module():
    """`emr-assist doctor` reads QtCore (the binding probe, the saved model folders) but never the app,
    its windows or QtWidgets: the checks run where the GUI cannot start."""
    import subprocess
    import sys

    code = ("import sys\n"
            "from desktop_app import doctor\n"
            "doctor.probe_torch = lambda: doctor.TorchInfo(False)  # seconds to import on 2 cores\n"
            "doctor.run_checks()\n"
            "gui = ('desktop_app.app', 'desktop_app.ui', 'PySide6.QtWidgets', 'PySide6.QtGui')\n"
            "print(sorted(m for m in sys.modules if m.startswith(gui)))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True)
    assert out.stdout.strip() == "[]", out.stdout
