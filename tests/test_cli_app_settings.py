"""`emr-assist summarize/batch` take the desktop app's saved engine settings as their defaults;
flags override them, and --no-app-settings ignores them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop_app import cli

pytest.importorskip("PySide6")

SAMPLE = Path(__file__).resolve().parent.parent / "resources" / "samples" / "en_progress_note_text_layer.pdf"


@pytest.fixture
def saved(tmp_path, monkeypatch):
    """The app's settings store: an ini file in tmp_path, as the desktop app would have saved it."""
    from PySide6.QtCore import QSettings

    from desktop_app import qt_settings

    ini = tmp_path / "settings.ini"
    monkeypatch.setenv(qt_settings.SETTINGS_FILE_ENV, str(ini))

    def save(**values):
        prefs = qt_settings.Preferences(**values)
        qt_settings.save(QSettings(str(ini), QSettings.Format.IniFormat), prefs)
        return prefs

    return save


def captured_settings(monkeypatch) -> list:
    """The EngineSettings each command ran with (the pipeline itself runs as usual)."""
    from desktop_app import pipeline

    seen = []
    original = pipeline.Pipeline.__init__

    def spy(self, settings, *args, **kwargs):
        seen.append(settings)
        original(self, settings, *args, **kwargs)

    monkeypatch.setattr(pipeline.Pipeline, "__init__", spy)
    return seen


def test_saved_summarizer_and_output_language_are_the_defaults(saved, monkeypatch, capsys):
    # GIVEN the app saved the embedded OCR, the sections summarizer with English labels, a device
    # and an allowed host
    saved(ocr_engine="pdf-text", summarizer="sections", output_language="en", device="cpu",
          allowed_hosts=("ocr-box.clinic.lan",), served_model="deepseek-ocr")
    seen = captured_settings(monkeypatch)

    # WHEN summarize runs with no engine flags
    code = cli.main(["--lang", "en", "summarize", str(SAMPLE)])
    out = capsys.readouterr().out

    # THEN it used them
    assert code == 0
    [settings] = seen
    assert (settings.ocr, settings.summarizer, settings.output_language, settings.device) == (
        "pdf-text", "sections", "en", "cpu")
    assert settings.allowed_hosts == ("ocr-box.clinic.lan",) and settings.served_model == "deepseek-ocr"
    assert "Chief complaint" in out  # the English labels of the saved output language


def test_flags_override_the_saved_settings(saved, monkeypatch, capsys):
    saved(summarizer="sections", output_language="zh", device="cpu", allowed_hosts=("a.lan",))
    seen = captured_settings(monkeypatch)

    code = cli.main(["--lang", "en", "summarize", str(SAMPLE), "--json", "--output-language", "en",
                     "--device", "auto", "--allow-host", "b.lan"])

    capsys.readouterr()
    assert code == 0
    [settings] = seen
    assert settings.output_language == "en" and settings.device == "auto"
    assert settings.allowed_hosts == ("b.lan", "a.lan")  # the command's and the app's allow-lists


def test_no_app_settings_ignores_them(saved, monkeypatch, capsys):
    saved(ocr_engine="rapidocr", output_language="zh", device="cpu", summarizer_model="/models/youtu")
    seen = captured_settings(monkeypatch)

    code = cli.main(["summarize", str(SAMPLE), "--json", "--no-app-settings"])

    capsys.readouterr()
    assert code == 0
    [settings] = seen
    assert (settings.ocr, settings.output_language, settings.device, settings.summarizer_model) == (
        "auto", None, "auto", None)


def test_batch_uses_the_saved_settings_too(saved, monkeypatch, tmp_path, capsys):
    saved(output_language="zh")
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "note.pdf").write_bytes(SAMPLE.read_bytes())

    assert cli.main(["batch", str(inbox), "--out", str(tmp_path / "out")]) == 0
    capsys.readouterr()
    [markdown] = (tmp_path / "out").glob("*.md")
    assert "主诉" in markdown.read_text(encoding="utf-8")
    [result] = (tmp_path / "out").glob("*.json")
    assert json.loads(result.read_text(encoding="utf-8"))["error"] is None


def test_saved_settings_are_read_with_qtcore_only(saved, tmp_path):
    """A fresh interpreter: reading the app's settings imports QtCore, never widgets or the GUI."""
    import os
    import subprocess
    import sys

    saved(summarizer="sections", output_language="en")
    code = ("import sys\nfrom desktop_app.qt_settings import saved_engine_settings\n"
            "s = saved_engine_settings()\nassert s.output_language == 'en', s\n"
            "bad = [m for m in ('PySide6.QtWidgets', 'PySide6.QtGui', 'torch', 'pymupdf') if m in sys.modules]\n"
            "assert not bad, bad\n")
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "PYTHONPATH": str(root)})
    assert result.returncode == 0, result.stderr


def test_saved_summary_server_and_concurrency_fill_batch(saved, monkeypatch, tmp_path):
    # GIVEN the app saved a summary server and four documents at once (Settings → Advanced)
    saved(summarizer="openai", summary_endpoint="http://127.0.0.1:8001/v1", summary_served_model="youtu",
          concurrency=4)
    from desktop_app import batch

    runs = []
    monkeypatch.setattr(batch, "run_batch", lambda in_dir, out, settings, **kw: runs.append((settings, kw)) or 0)

    # WHEN batch runs with no engine flags, and again with its own --concurrency
    assert cli.main(["batch", str(tmp_path), "--out", str(tmp_path / "out")]) == 0
    assert cli.main(["batch", str(tmp_path), "--out", str(tmp_path / "out"), "--concurrency", "2",
                     "--summary-served-model", "other"]) == 0
    assert cli.main(["batch", str(tmp_path), "--out", str(tmp_path / "out"), "--no-app-settings"]) == 0

    # THEN the saved values are the defaults, a flag wins, and --no-app-settings gives the built-in ones
    first, second, bare = (settings for settings, _options in runs)
    assert (first.summarizer, first.summary_endpoint, first.summary_served_model, first.concurrency) == (
        "openai", "http://127.0.0.1:8001/v1", "youtu", 4)
    assert second.concurrency == 2 and second.summary_served_model == "other"
    assert (bare.summarizer, bare.summary_endpoint, bare.concurrency) == ("sections", None, 1)
