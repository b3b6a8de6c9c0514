"""The model path under faults, through the real `emr-assist` command (a child process, as a user runs it).

A stand-in OpenAI-compatible server on 127.0.0.1 fails the way vLLM does (an error event mid-stream,
`finish_reason: length`, a loop, a dropped connection, a redirect); tiny DeepSeek-OCR-2 / Youtu folders
are damaged the way copies are (a truncated shard, a mislabelled config). Every run must exit with the
documented code and print exactly one JSON object per input, in input order.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.paths import sample_documents
from tests.model_fixtures import StandInOcrServer

EMR_ASSIST = Path(sys.executable).with_name("emr-assist")
SCANS = ("en_progress_note_scan.jpg", "zh_outpatient_note_scan.jpg")


def _inputs() -> list[str]:
    found = {p.name: str(p) for p in sample_documents()}
    return [found[name] for name in SCANS]


def run_cli(*args: str, timeout: float = 300) -> tuple[int, list[dict], str]:
    """(exit code, the JSON objects printed on stdout, everything else printed) of one real run."""
    env = dict(os.environ)
    done = subprocess.run(
        [str(EMR_ASSIST), "--lang", "en", *args, "--no-app-settings"],
        capture_output=True, text=True, timeout=timeout, env=env, check=False,
    )
    lines = done.stdout.splitlines()
    objects = [json.loads(line) for line in lines if line.startswith("{")]
    rest = "\n".join(line for line in lines if not line.startswith("{"))
    return done.returncode, objects, rest + "\n" + done.stderr


def served(server_url: str) -> list[str]:
    return ["--ocr", "openai", "--endpoint", server_url, "--served-model", "deepseek-ai/DeepSeek-OCR-2"]


@pytest.fixture
def server():
    srv = StandInOcrServer()
    yield srv
    srv.close()


def _codes(result: dict) -> list[str | None]:
    return [page["error_code"] for page in result["pages"]]


# --- the served engine (`openai`) ------------------------------------------------------------------


def test_clean_stream_is_read_and_carries_the_recipe_guard(server):
    code, results, _ = run_cli("summarize", *_inputs(), "--json", *served(server.url))
    assert code == 0 and [r["source"] for r in results] == _inputs()
    assert all(r["pages"][0]["status"] == "ok" and r["pages"][0]["warnings"] == [] for r in results)
    assert "pneumonia" in results[0]["summary"]["diagnosis"]["text"]
    body = server.requests[0]["body"]
    # the DeepSeek-OCR vLLM recipe: cap 8192, n-gram 30 in a window of 90, <td>/</td> whitelisted
    assert body["max_tokens"] == 8192
    assert body["vllm_xargs"] == {"ngram_size": 30, "window_size": 90, "whitelist_token_ids": [128821, 128822]}


def test_error_event_mid_stream_fails_the_page_not_the_run(server):
    server.mode = "error_event"
    code, results, _ = run_cli("summarize", *_inputs(), "--json", *served(server.url))
    assert code == 1 and len(results) == 2
    for result in results:
        page = result["pages"][0]
        assert page["status"] == "failed" and page["error_code"] == "ocr_server_error"
        assert "error mid-stream" in page["error"] and page["text"] == ""  # no partial text kept
        assert result["error_code"] == "ocr_server_error"


def test_dropped_connection_fails_the_page_and_the_next_input_is_still_read(server):
    server.mode = "drop"
    code, results, _ = run_cli("summarize", *_inputs(), "--json", *served(server.url))
    assert code == 1 and [_codes(r) for r in results] == [["ocr_server_unreachable"], ["ocr_server_unreachable"]]
    assert "ended before the page was finished" in results[0]["pages"][0]["error"]
    assert results[0]["pages"][0]["text"] == ""  # no partial text kept
    # the first page is read again from the start 4 times (with backoff); once the server is known to be
    # gone, the next input's page is asked once, so a dead server fails a queue in seconds
    assert len(server.requests) == 5 + 1


def test_token_cap_keeps_the_page_with_a_truncation_warning(server):
    server.mode = "length"
    code, results, _ = run_cli("summarize", *_inputs(), "--json", *served(server.url))
    assert code == 0 and len(results) == 2
    page = results[0]["pages"][0]
    assert page["status"] == "ok" and "Plan: chest x-ray." in page["text"]
    assert page["warnings"] == [
        "Page 1: the OCR output was truncated at the token cap (8192 tokens); the end of the page may be "
        "missing — check it against the scan"
    ]
    ocr_warnings = [w for w in results[0]["summary"]["warnings"] if w["code"] == "ocr_warning"]
    assert [w["message"] for w in ocr_warnings] == page["warnings"]
    assert len(server.requests) == 2  # not retried: a long page is not a loop


def test_loop_is_retried_with_free_ocr_then_the_page_fails(server):
    server.mode = "loop"
    code, results, _ = run_cli("summarize", *_inputs(), "--json", *served(server.url))
    assert code == 1 and [_codes(r) for r in results] == [["ocr_loop"], ["ocr_loop"]]
    prompts = [r["body"]["messages"][0]["content"][1]["text"] for r in server.requests]
    assert prompts == ["<|grounding|>Convert the document to markdown.", "Free OCR."] * 2


def test_redirect_is_not_followed_and_every_input_is_answered(server):
    elsewhere = StandInOcrServer()
    try:
        server.mode, server.redirect_to = "redirect", elsewhere.url
        code, results, _ = run_cli("summarize", *_inputs(), "--json", *served(server.url))
    finally:
        elsewhere.close()
    assert code == 3 and [r["error_code"] for r in results] == ["endpoint_redirected"] * 2
    assert "Redirects are not followed" in results[0]["error"]
    assert elsewhere.requests == []  # neither the page nor a key went to the redirect target


def test_refused_connection_fails_each_page_and_the_batch_goes_on(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    in_dir = tmp_path / "in"
    in_dir.mkdir()
    for path in _inputs():
        shutil.copy(path, in_dir)
    code, _, err = run_cli("batch", str(in_dir), "--out", str(tmp_path / "out"),
                           *served(f"http://127.0.0.1:{free_port}/v1"))
    outputs = sorted((tmp_path / "out").glob("*.json"))
    assert code == 1 and len(outputs) == 2
    for output in outputs:
        result = json.loads(output.read_text(encoding="utf-8"))
        assert _codes(result) == ["ocr_server_unreachable"]
        assert "connection refused: is the server running?" in result["pages"][0]["error"]
    assert "2 documents: 0 summarized, 0 skipped (already done), 2 failed" in err


# --- the in-process engines: damaged model folders ------------------------------------------------


@pytest.fixture(scope="module")
def model_dirs(tmp_path_factory):
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from tests.model_fixtures import build_tiny_deepseek_ocr2, build_tiny_youtu

    root = tmp_path_factory.mktemp("faulty_models")
    good = build_tiny_deepseek_ocr2(root / "ocr", stop_at_once=True)
    truncated = root / "ocr_truncated"
    shutil.copytree(good, truncated)
    weights = truncated / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    mislabelled = root / "ocr_labelled_llama"  # DeepSeek-OCR-2 weights whose config says llama
    shutil.copytree(good, mislabelled)
    config = json.loads((mislabelled / "config.json").read_text())
    config.update(model_type="llama", architectures=["LlamaForCausalLM"])
    (mislabelled / "config.json").write_text(json.dumps(config))
    youtu = build_tiny_youtu(root / "youtu")
    youtu_truncated = root / "youtu_truncated"
    shutil.copytree(youtu, youtu_truncated)
    weights = youtu_truncated / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:-64])
    return {"ocr": good, "ocr_truncated": truncated, "mislabelled": mislabelled, "youtu": youtu,
            "youtu_truncated": youtu_truncated}


def _deepseek(folder: Path) -> list[str]:
    return ["--ocr", "deepseek-ocr2", "--ocr-model", str(folder), "--device", "cpu"]


def test_truncated_ocr_weights_answer_every_input_with_a_typed_error(model_dirs):
    code, results, err = run_cli("summarize", *_inputs(), "--json", *_deepseek(model_dirs["ocr_truncated"]))
    assert code == 3 and len(results) == 2, err
    for result in results:
        assert result["error_code"] == "model_folder_invalid"
        assert "model.safetensors has" in result["error"] and "truncated or damaged copy" in result["error"]
    assert "Traceback" not in err


def test_truncated_summary_weights_answer_every_input_with_a_typed_error(model_dirs):
    code, results, err = run_cli("summarize", *_inputs(), "--json", "--summarizer", "youtu",
                                 "--summarizer-model", str(model_dirs["youtu_truncated"]), "--device", "cpu")
    assert code == 3 and [r["error_code"] for r in results] == ["model_folder_invalid"] * 2, err
    assert "Traceback" not in err


def test_mislabelled_folder_is_refused_by_models_check_and_by_the_run(model_dirs, tmp_path):
    # `models check` names the mismatch ...
    done = subprocess.run([str(EMR_ASSIST), "models", "check", str(model_dirs["mislabelled"])],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 3
    assert "says model_type 'llama', but the weights are a deepseek_ocr2 model's" in done.stdout
    # ... and a batch run with it as the summary model answers every input, then exits 3
    in_dir = tmp_path / "in"
    in_dir.mkdir()
    for path in _inputs():
        shutil.copy(path, in_dir)
    code, _, err = run_cli("batch", str(in_dir), "--out", str(tmp_path / "out"), "--summarizer", "llm",
                           "--summarizer-model", str(model_dirs["mislabelled"]), "--device", "cpu")
    outputs = sorted((tmp_path / "out").glob("*.json"))
    assert code == 3 and len(outputs) == 2, err
    for output in outputs:
        result = json.loads(output.read_text(encoding="utf-8"))
        assert result["error_code"] == "model_folder_invalid" and "mislabelled" in result["error"]


# --- item 1: the LLM -> sections fallback through the CLI and its audit log -------------------------


def test_llm_fallback_is_audited_and_every_input_is_answered(model_dirs, monkeypatch, capsys):
    from desktop_app import cli
    from desktop_app.privacy.audit import AuditLog, default_path
    from desktop_app.summarize import llm

    class Unconstrained(llm.LlmSummarizer):  # short answers keep the random model quick
        def __init__(self, settings):
            super().__init__(settings, max_new_tokens=16, constrain_json=False)

    # GIVEN a machine without the JSON constraint, where the model's answers are not JSON twice
    monkeypatch.setattr(llm, "LlmSummarizer", Unconstrained)
    log = AuditLog(default_path())
    before = log.verify().entries
    code = cli.main(["summarize", *_inputs(), "--json", "--summarizer", "youtu", "--summarizer-model",
                     str(model_dirs["youtu"]), "--device", "cpu", "--no-app-settings"])
    out, err = capsys.readouterr()
    results = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    # THEN both inputs are answered by the embedded extractor, with the fallback said
    assert code == 0 and len(results) == 2
    assert [r["summary"]["engine"] for r in results] == ["llm>sections"] * 2
    assert all(r["summary"]["warnings"][0]["code"] == "llm_fallback" for r in results)
    # ... and the audit log took both entries, fallback engine name and all
    assert "audit log could not be written" not in err
    entries = [json.loads(line) for line in log.path.read_text().splitlines()][before:]
    summarized = [e for e in entries if e["action"] == "summarize"]
    assert [e["engines"]["summarizer"] for e in summarized] == ["llm>sections"] * 2


def test_an_audit_entry_the_log_refuses_never_ends_the_run(monkeypatch, capsys):
    from desktop_app import cli
    from desktop_app.privacy import audit

    def refuse(self, action, **fields):
        raise ValueError("engines must map a role to an engine name")

    monkeypatch.setattr(audit.AuditLog, "record", refuse)
    code = cli.main(["summarize", *_inputs(), "--json", "--no-app-settings"])
    out, err = capsys.readouterr()
    assert code == 0 and len([line for line in out.splitlines() if line.startswith("{")]) == 2
    assert err.count("emr-assist: the audit log could not be written (ValueError)") == 1
