"""Each setting is declared once (desktop_app/settings_table.py); EngineSettings, the GUI's Preferences,
the QSettings keys and the CLI flags of summarize/batch/evaluate all follow from that one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app import cli
from desktop_app.evaluation.configs import resolve
from desktop_app.settings import EngineSettings, IngestLimits, Preferences
from desktop_app.settings_table import SETTINGS

ROOT = Path(__file__).resolve().parents[1]


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          cwd=str(ROOT), env={**os.environ, "PYTHONPATH": str(ROOT), **env})


def parsed_settings(*argv: str) -> EngineSettings:
    args = cli.build_parser().parse_args(list(argv))
    return cli._settings(args)


def test_the_defaults_are_the_tables():
    engine = EngineSettings()
    assert (engine.ocr, engine.summarizer, engine.dpi, engine.concurrency, engine.quantization) == (
        "auto", "sections", 200, 1, None)
    assert IngestLimits() == IngestLimits(max_bytes=300 * 1024 * 1024, max_pixels_per_page=100_000_000,
                                          max_pages=1000)
    prefs = Preferences()
    # the saved form: text for paths, "none"/"note" for the engine's None
    assert (prefs.ocr_engine, prefs.ocr_model, prefs.quantization, prefs.output_language) == (
        "auto", "", "none", "note")
    assert prefs.engine_settings() == engine
    assert len({s.name for s in SETTINGS}) == len(SETTINGS)
    assert len({s.key for s in SETTINGS if s.key}) == len([s for s in SETTINGS if s.key])


def test_preferences_turn_into_engine_settings():
    prefs = Preferences(ocr_engine="", ocr_model="/models/ocr", quantization="8bit", output_language="zh",
                        summary_endpoint="http://127.0.0.1:8001/v1", summary_served_model="youtu",
                        concurrency=4, allowed_hosts=("gpu.lan",))
    engine = prefs.engine_settings()
    assert engine.ocr == "auto"  # an empty saved engine name: the built-in default
    assert engine.ocr_model == Path("/models/ocr") and engine.summarizer_model is None
    assert (engine.quantization, engine.output_language) == ("8bit", "zh")
    assert (engine.summary_endpoint, engine.summary_served_model, engine.concurrency) == (
        "http://127.0.0.1:8001/v1", "youtu", 4)
    assert engine.allowed_hosts == ("gpu.lan",)


def test_cli_flags_give_engine_settings_in_engine_units():
    settings = parsed_settings("batch", "in", "--out", "out", "--no-text-layer", "--max-mb", "2",
                               "--max-megapixels", "1.5", "--allow-host", "a.lan", "--allow-host", "b.lan",
                               "--concurrency", "3", "--device", "cuda:1", "--dpi", "300")
    assert settings.use_text_layer is False and settings.dpi == 300
    assert settings.limits == IngestLimits(max_bytes=2 * 2**20, max_pixels_per_page=1_500_000, max_pages=1000)
    assert settings.allowed_hosts == ("a.lan", "b.lan") and settings.concurrency == 3
    assert settings.device == "cuda:1"  # the CLI takes a device the GUI does not list
    # nothing given: the table's defaults
    assert parsed_settings("summarize", "x.pdf") == EngineSettings()


@pytest.mark.parametrize("argv, message", [
    (["batch", "in", "--out", "out", "--concurrency", "0"], "expected a whole number of 1 or more, got '0'"),
    (["summarize", "x.pdf", "--quantization", "2bit"], "invalid choice: '2bit'"),
    (["summarize", "x.pdf", "--concurrency", "2"], "unrecognized arguments: --concurrency 2"),
])
def test_bad_flags_are_refused_with_a_reason(argv, message, capsys):
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(argv)
    assert message in capsys.readouterr().err


def test_help_follows_the_system_language():
    done = run_python("from desktop_app import cli\ncli.main(['summarize', '--help'])", LANG="zh_CN.UTF-8",
                      LC_ALL="", LC_MESSAGES="")
    assert "拒绝页数更多的文档（默认 1000）" in done.stdout
    assert "摘要服务器" in done.stdout


def test_evaluation_fingerprint_ignores_how_fast_it_runs():
    # GIVEN the same engine setup with one and with four documents in flight
    (one,) = resolve(["embedded"], {}, EngineSettings())
    (four,) = resolve(["embedded"], {"concurrency": 4}, EngineSettings())
    (other_dpi,) = resolve(["embedded"], {"dpi": 300}, EngineSettings())
    # THEN the cached results stay valid across concurrency, not across DPI
    assert one.fingerprint() == four.fingerprint() != other_dpi.fingerprint()


def test_evaluate_takes_the_model_flags_from_the_table():
    args = cli.build_parser().parse_args(["evaluate", "docs", "--out", "r", "--summary-endpoint",
                                          "http://127.0.0.1:9/v1", "--allow-host", "gpu.lan", "--dpi", "150"])
    from desktop_app import settings_cli

    assert settings_cli.given(args, "evaluate") == {
        "dpi": 150, "allowed_hosts": ("gpu.lan",), "summary_endpoint": "http://127.0.0.1:9/v1"}


def test_settings_import_neither_qt_nor_qt_settings():
    done = run_python("import sys\nimport desktop_app.settings, desktop_app.settings_cli\n"
                      "bad = [m for m in ('desktop_app.qt_settings', 'PySide6') if m in sys.modules]\n"
                      "assert not bad, bad\n")
    assert done.returncode == 0, done.stderr


def test_one_table_line_adds_an_option_everywhere(tmp_path):
    """A toy option declared once reaches EngineSettings, Preferences, QSettings and the CLI."""
    pytest.importorskip("PySide6")
    code = f"""
from desktop_app import settings_table as table
table.SETTINGS += (table.Setting("toy_level", int, 3, "toy level", "玩具级别", key="engines/toy_level",
                                 flag="--toy-level", commands=table.RUN_COMMANDS, minimum=1),)
from PySide6.QtCore import QSettings
from desktop_app import cli, qt_settings
from desktop_app.settings import EngineSettings, Preferences
assert EngineSettings().toy_level == 3 and Preferences().toy_level == 3
assert qt_settings.Key.TOY_LEVEL.value == "engines/toy_level"
store = QSettings({str(tmp_path / 'toy.ini')!r}, QSettings.Format.IniFormat)
qt_settings.save(store, Preferences(toy_level=5))
assert qt_settings.load(store).engine_settings().toy_level == 5
args = cli.build_parser().parse_args(["summarize", "x.pdf", "--toy-level", "7"])
assert cli._settings(args).toy_level == 7
args = cli.build_parser().parse_args(["summarize", "x.pdf"])
from desktop_app import settings_cli
settings_cli.fill_from_saved(args, "summarize", qt_settings.load(store).engine_settings())
assert cli._settings(args).toy_level == 5  # the app's saved value fills the flag not given
print("ok")
"""
    done = run_python(code, QT_QPA_PLATFORM="offscreen")
    assert done.returncode == 0 and "ok" in done.stdout, done.stderr
