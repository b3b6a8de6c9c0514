"""A new engine is one module + one registry line: a toy model summarizer (tests/toy_engine.py) added
with one `EngineSpec` line is listed, chosen and run by the CLI, and its model folders are checked,
recognised and imported by kind, with no other change."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

from desktop_app import cli, engines, errors, model_store
from desktop_app.engines import EngineSpec, ModelType
from tests.documents import EN_NOTE, text_pdf

TOY_LINE = EngineSpec("toy", "summary", "tests.toy_engine", "ToySummarizer", "Toy model summarizer (tests)",
                      runs="model", loads_weights=True, model_types=(ModelType("toy_lm", signature=("toy_head.",)),),
                      install_hint="pip install toy-lm")


@pytest.fixture
def toy_registered(monkeypatch):
    # the one registry line
    monkeypatch.setattr(engines, "ENGINES", (*engines.ENGINES, TOY_LINE))


def toy_folder(folder: Path, tensor: str = "toy_head.weight") -> Path:
    """A model folder with the real file layout: config.json, one safetensors shard, a tokenizer."""
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(json.dumps({"model_type": "toy_lm", "copy_after": "CHIEF COMPLAINT:"}))
    header = json.dumps({tensor: {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}).encode()
    (folder / "model.safetensors").write_bytes(struct.pack("<Q", len(header)) + header + b"\0" * 16)
    (folder / "tokenizer.json").write_text("{}")
    (folder / "tokenizer_config.json").write_text("{}")
    return folder


def test_the_toy_engine_is_listed_chosen_and_run_by_the_cli(toy_registered, tmp_path, capsys):
    model = toy_folder(tmp_path / "toy-model")
    note = text_pdf(tmp_path, EN_NOTE)
    # THEN `engines` lists it among the summarizers
    assert cli.main(["engines"]) == 0
    assert any(line.split()[:1] == ["toy"] for line in capsys.readouterr().out.splitlines())
    # WHEN the CLI is asked for it THEN it runs from its model folder and its answer is the summary
    code = cli.main(["summarize", str(note), "--json", "--summarizer", "toy", "--summarizer-model", str(model),
                     "--no-app-settings"])
    out = capsys.readouterr().out
    (result,) = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert code == 0, out
    summary = result["summary"]
    assert summary["engine"] == "toy"
    assert summary["chief_complaint"]["text"] == "Chest pain for two days."
    assert summary["chief_complaint"]["evidence"] and summary["diagnosis"]["status"] == "not_documented"


def test_a_toy_engine_whose_package_is_missing_says_how_to_install_it(toy_registered, monkeypatch, tmp_path, capsys):
    import tests.toy_engine

    monkeypatch.setattr(tests.toy_engine, "is_installed", lambda: False)
    code = cli.main(["summarize", str(text_pdf(tmp_path, EN_NOTE)), "--json", "--summarizer", "toy",
                     "--summarizer-model", str(toy_folder(tmp_path / "toy-model")), "--no-app-settings"])
    (result,) = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert code == errors.ExitCode.CONFIG and result["error_code"] == "engine_not_installed"
    assert result["error"] == "The toy engine is not installed: pip install toy-lm"
    chinese = errors.EngineNotInstalled(name="toy", hint="pip install toy-lm").message("zh")
    assert chinese == "toy 引擎未安装：pip install toy-lm"


def test_without_its_registry_line_the_toy_engine_does_not_exist(tmp_path, capsys):
    with pytest.raises(errors.UnknownEngine) as raised:
        engines.find("summary", "toy")
    assert "sections, llm, openai" in raised.value.message("en")


def test_the_toy_model_folders_are_checked_and_imported_by_kind(toy_registered, tmp_path, capsys):
    model = toy_folder(tmp_path / "usb" / "toy-model")
    # `models check` names what the folder is for, from the registry line
    assert cli.main(["models", "check", str(model)]) == 0
    out = capsys.readouterr().out
    assert "type: toy_lm  (summary (toy))" in out and "OK" in out
    # a toy config over weights without its signature is refused as mislabelled
    mislabelled = toy_folder(tmp_path / "usb" / "mislabelled", tensor="model.embed.weight")
    assert cli.main(["models", "check", str(mislabelled)]) == 3
    assert "the weights lack its tensors (no name contains toy_head.)" in capsys.readouterr().out
    # the models folder takes it as a summary model and says so when asked to file it under OCR
    with pytest.raises(errors.ModelKindMismatch) as raised:
        model_store.import_model(model, "ocr", root=tmp_path / "models")
    assert "Use --as summary" in raised.value.message("en")
    imported = model_store.import_model(model, "summary", root=tmp_path / "models")
    assert imported.manifest.model_type == "toy_lm" and imported.path == tmp_path / "models" / "summary" / "toy-model"


def test_the_toy_engine_folder_check_runs_before_it_is_used(toy_registered, tmp_path, capsys):
    broken = toy_folder(tmp_path / "toy-model")
    data = (broken / "model.safetensors").read_bytes()
    (broken / "model.safetensors").write_bytes(data[:-4])  # a copy cut short
    note = text_pdf(tmp_path, EN_NOTE)
    code = cli.main(["summarize", str(note), "--json", "--summarizer", "toy", "--summarizer-model", str(broken),
                     "--no-app-settings"])
    out = capsys.readouterr().out
    (result,) = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert code == errors.ExitCode.CONFIG
    assert result["error_code"] == "model_folder_invalid" and "truncated" in result["error"]


@pytest.mark.gui
def test_the_welcome_dialog_offers_the_first_model_engine_of_the_registry(monkeypatch, qtbot, tmp_path):
    from desktop_app.qt_settings import Preferences
    from desktop_app.ui.welcome_dialog import WelcomeDialog

    # GIVEN the toy line placed before `llm` (preference order): a summary model folder now runs the toy
    llm = engines.find("summary", "llm")
    at = engines.ENGINES.index(llm)
    monkeypatch.setattr(engines, "ENGINES", (*engines.ENGINES[:at], TOY_LINE, *engines.ENGINES[at:]))
    dialog = WelcomeDialog(Preferences(), run_doctor=lambda: [])
    qtbot.addWidget(dialog)
    assert "(toy)" in dialog.use_checks["summary"].text()
    # WHEN a folder is set and the box ticked THEN the preferences choose the toy engine; unticked, the default
    dialog.folder_edits["summary"].setText(str(toy_folder(tmp_path / "toy-model")))
    dialog.use_checks["summary"].setChecked(True)
    assert dialog.preferences().summarizer == "toy"
    dialog.use_checks["summary"].setChecked(False)
    assert dialog.preferences().summarizer == Preferences().summarizer
