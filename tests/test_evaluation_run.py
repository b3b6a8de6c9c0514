"""`emr-assist evaluate` end to end on a small set: two configs, resume, the report, config failures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.evaluation.configs import resolve
from desktop_app.evaluation.labels import load_labels
from desktop_app.evaluation.report import write_report
from desktop_app.evaluation.runner import run_evaluation
from tests.documents import EN_NOTE, image_file, text_pdf

CC, DX, PLAN = ("Chest pain for two days.", "Stable angina.",
                "Start aspirin 81 mg daily and refer for a stress test.")
NO_PLAN_NOTE = "CHIEF COMPLAINT:\nHeadache for three days.\nASSESSMENT:\nTension headache.\n"


@pytest.fixture(scope="module")
def eval_dir(tmp_path_factory):
    """A text-layer PDF and one small scanned page, with labels."""
    folder = tmp_path_factory.mktemp("eval")
    text_pdf(folder, EN_NOTE, name="note.pdf")
    image_file(folder, NO_PLAN_NOTE, name="scan.png", dpi=110)
    labels = {"documents": [
        {"file": "note.pdf", "text": EN_NOTE, "chief_complaint": CC, "diagnosis": DX, "plan": PLAN},
        {"file": "scan.png", "text": NO_PLAN_NOTE, "chief_complaint": "Headache for three days.",
         "diagnosis": "Tension headache.", "plan": None},
    ]}
    (folder / "labels.json").write_text(json.dumps(labels), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def first_run(eval_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    labels = load_labels(eval_dir)
    configs = resolve(["text-layer", "embedded"])
    run = run_evaluation(labels, configs, out, show_progress=False)
    scored, written = write_report(run, out)
    return out, run, scored, written


def test_two_configs_over_the_same_documents(first_run):
    _, run, scored, _ = first_run
    assert run.ran == 4 and run.reused == 0 and not run.config_errors
    text_layer, embedded = scored.totals["text-layer"], scored.totals["embedded"]
    # The text layer reads the born-digital PDF exactly and cannot read the scan.
    pdf = scored.scores["text-layer"]["note.pdf"]
    assert pdf.cer == pytest.approx(0.0, abs=0.02)
    assert [pdf.field_f1(f) for f in ("chief_complaint", "diagnosis", "plan")] == [1.0, 1.0, 1.0]
    assert scored.scores["text-layer"]["scan.png"].failed
    assert text_layer.failed_documents == 1 and text_layer.failed_pages == 1
    # The embedded OCR reads both; the scan's plan is correctly not documented.
    scan = scored.scores["embedded"]["scan.png"]
    assert embedded.failed_documents == 0 and scan.cer < 0.15
    assert scan.fields["plan"].status_correct and scan.field_f1("chief_complaint") > 0.8
    assert embedded.not_documented_accuracy > text_layer.not_documented_accuracy
    assert embedded.seconds_per_page > 0 and embedded.peak_rss_mb and embedded.peak_rss_mb > 10


def test_report_files_hold_the_side_by_side_table(first_run):
    out, _, _, written = first_run
    assert {"report.md", "report.html", "scores.json", "cer.svg", "seconds_per_page.svg"} <= set(written)
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert "| metric | text-layer | embedded |" in markdown
    assert "| failed documents | 1 | 0 |" in markdown
    assert markdown.index("| scan.png |") < markdown.index("| note.pdf |")  # worst first
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<th>text-layer</th><th>embedded</th>" in page and page.count("<svg") >= 2
    assert "<script" not in page and 'src="http' not in page and "<link" not in page  # self-contained
    assert "<del>" in page  # the worst documents' differences
    scores = json.loads((out / "scores.json").read_text(encoding="utf-8"))
    assert scores["configs"]["text-layer"]["totals"]["failed_documents"] == 1


def test_resume_reuses_finished_work(first_run, eval_dir):
    out, _, _, _ = first_run
    labels = load_labels(eval_dir)

    def no_pipeline(settings, ui_language):
        raise AssertionError("nothing should run again")

    # WHEN the same evaluation runs again THEN every result, the cached failure too, comes from the cache
    again = run_evaluation(labels, resolve(["text-layer", "embedded"]), out, show_progress=False,
                           pipeline_factory=no_pipeline)
    assert (again.ran, again.reused) == (0, 4)
    # WHEN failures are retried THEN only the failed document runs again
    retried = run_evaluation(labels, resolve(["text-layer", "embedded"]), out, show_progress=False,
                             retry_failed=True)
    assert (retried.ran, retried.reused) == (1, 3)


def test_a_config_that_cannot_run_is_reported_and_the_others_go_on(eval_dir, tmp_path, capsys):
    # GIVEN a vLLM config with no server configured, beside the text-layer config
    code = main(["--lang", "en", "evaluate", str(eval_dir), "--configs", "text-layer,vllm",
                 "--out", str(tmp_path / "report"), "--no-app-settings", "--no-progress"])
    captured = capsys.readouterr()
    # THEN the run finishes with exit code 1, the table is printed and the reason is given
    assert code == 1
    assert "| metric | text-layer | vllm |" in captured.out
    assert "vllm" in captured.err and "--endpoint" in captured.err
    assert "could not run" in (tmp_path / "report" / "report.html").read_text(encoding="utf-8")


def test_evaluate_help_and_settings_stay_light(tmp_path):
    """Parsing `evaluate` imports no heavy library; reading the app's settings imports no Qt widgets."""
    code = ("import sys\n"
            "from desktop_app.cli import build_parser\n"
            "build_parser().parse_args(['evaluate', 'x', '--out', 'y'])\n"
            "heavy = [m for m in ('pymupdf', 'rapidocr_onnxruntime', 'torch', 'transformers', 'matplotlib',"
            " 'PySide6') if m in sys.modules]\n"
            "from desktop_app.evaluation.configs import app_engine_settings\n"
            "app_engine_settings()\n"
            "print(heavy, 'PySide6.QtWidgets' in sys.modules)\n")
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"), "PATH": "/usr/bin:/bin",
           "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60,
                          cwd=str(Path(__file__).resolve().parents[1]))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[] False"
