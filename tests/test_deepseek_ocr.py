"""OCR engine `deepseek-ocr2` on tiny random DeepseekOcr2 checkpoints built here (no download)."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

from PIL import Image  # noqa: E402

from desktop_app import errors  # noqa: E402
from desktop_app.cancel import NEVER_CANCELLED, CancelToken  # noqa: E402
from desktop_app.ingest import SourcePage  # noqa: E402
from desktop_app.ocr import registry  # noqa: E402
from desktop_app.ocr.deepseek import DeepseekOcr2Engine  # noqa: E402
from desktop_app.settings import EngineSettings  # noqa: E402
from desktop_app.summarize import constrained  # noqa: E402
from tests.model_fixtures import build_tiny_deepseek_ocr2, build_tiny_youtu  # noqa: E402


class Progress:
    def __init__(self):
        self.events = []

    def update(self, stage, done, total):
        self.events.append((stage, done, total))


def _page(width=300, height=400):
    image = Image.new("RGB", (width, height), "white")
    return SourcePage(index=0, width=width, height=height, _load=lambda: image)


@pytest.fixture(scope="module")
def ocr_dir(tmp_path_factory):
    return build_tiny_deepseek_ocr2(tmp_path_factory.mktemp("dsocr"))


@pytest.fixture(scope="module")
def looping_dir(tmp_path_factory):
    return build_tiny_deepseek_ocr2(tmp_path_factory.mktemp("dsocr_loop"), repeat_word="patient")


def test_registry_and_lazy_load(ocr_dir):
    engine = registry.find("deepseek-ocr2").create(EngineSettings(ocr="deepseek-ocr2", ocr_model=ocr_dir))
    assert isinstance(engine, DeepseekOcr2Engine) and engine._model is None
    # auto still prefers the embedded engine: a model engine needs a folder
    assert registry.resolve(EngineSettings()).name == "rapidocr"


def test_wrong_or_missing_folder_is_a_config_error(tmp_path):
    youtu = build_tiny_youtu(tmp_path / "youtu")
    with pytest.raises(errors.ModelFolderInvalid, match="not deepseek_ocr2"):
        DeepseekOcr2Engine(EngineSettings(ocr_model=youtu)).load()
    with pytest.raises(errors.ModelNotConfigured):
        DeepseekOcr2Engine(EngineSettings()).load()


def test_recognize_runs_the_native_model_with_progress(ocr_dir):
    from transformers import DeepseekOcr2ForConditionalGeneration

    engine = DeepseekOcr2Engine(
        EngineSettings(ocr_model=ocr_dir, device="cpu"), resolution="small", max_new_tokens=24
    )
    progress = Progress()
    engine.load()
    assert isinstance(engine._model, DeepseekOcr2ForConditionalGeneration)
    inputs = engine.preprocess(_page().image(), engine.prompt())
    assert int((inputs["input_ids"] == engine._processor.image_token_id).sum()) == 145  # 12×12 + separator
    # A loop here fails the test: the random model writes 24 tokens of varied text and hits the cap.
    output = engine.recognize(_page(), cancel=NEVER_CANCELLED, progress=progress)
    steps = [e for e in progress.events if e[0] == "generate"]
    assert max(d for _, d, _ in steps) == 24
    assert output.text.strip() and "<|ref|>" not in output.text
    # reaching the cap is not a loop: the text is kept and the page says it may be cut short
    assert [type(n) for n in output.warnings] == [errors.OcrTruncatedAtCap]
    assert "token cap (24 tokens)" in output.warnings[0].message("en")


def test_default_cap_is_the_official_8192():
    assert DeepseekOcr2Engine().max_new_tokens == 8192


def test_engine_warnings_reach_the_page_and_the_summary(ocr_dir, tmp_path):
    from desktop_app.pipeline import Pipeline

    scan = tmp_path / "page.png"
    Image.new("RGB", (300, 400), "white").save(scan)
    engine = DeepseekOcr2Engine(EngineSettings(ocr_model=ocr_dir, device="cpu"), resolution="small",
                                max_new_tokens=24)
    result = Pipeline(EngineSettings(ocr="deepseek-ocr2"), ocr_engine=engine).run(scan)
    page = result.pages[0]
    assert page.status == "ok" and len(page.warnings) == 1 and page.warnings[0].startswith("Page 1: ")
    assert [w.message for w in result.summary.warnings if w.code == "ocr_warning"] == page.warnings


def test_a_broken_folder_is_checked_first_and_not_reloaded_per_page(ocr_dir, tmp_path, monkeypatch):
    import shutil

    from desktop_app import model_check

    broken = tmp_path / "broken"
    shutil.copytree(ocr_dir, broken)
    weights = broken / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:-100])
    checks = []
    real_check = model_check.check_folder_or_raise
    monkeypatch.setattr(model_check, "check_folder_or_raise", lambda path: checks.append(path) or real_check(path))
    engine = DeepseekOcr2Engine(EngineSettings(ocr_model=broken, device="cpu"))
    with pytest.raises(errors.ModelFolderInvalid, match="truncated or damaged copy") as first:
        engine.recognize(_page(), cancel=NEVER_CANCELLED, progress=Progress())
    with pytest.raises(errors.ModelFolderInvalid) as second:
        engine.recognize(_page(), cancel=NEVER_CANCELLED, progress=Progress())
    assert second.value is first.value and len(checks) == 1


def test_loop_guard_retries_with_free_ocr_then_fails_the_page(looping_dir):
    engine = DeepseekOcr2Engine(
        EngineSettings(ocr_model=looping_dir, device="cpu"), resolution="small", max_new_tokens=400
    )
    prompts_seen = []
    original = engine.preprocess

    def spy(image, prompt):
        prompts_seen.append(prompt)
        return original(image, prompt)

    engine.preprocess = spy
    progress = Progress()
    with pytest.raises(errors.OcrLoopDetected) as failure:
        engine.recognize(_page(), cancel=NEVER_CANCELLED, progress=progress)
    assert prompts_seen == ["<image>\n<|grounding|>Convert the document to markdown.", "<image>\nFree OCR."]
    assert failure.value.code == "ocr_loop" and "repeated 'ppp" in failure.value.message("en")
    # stopped early by the guard, long before the cap
    assert max(d for s, d, _ in progress.events if s == "generate") < 400


def test_cancel_stops_generation(ocr_dir):
    engine = DeepseekOcr2Engine(
        EngineSettings(ocr_model=ocr_dir, device="cpu"), resolution="small", max_new_tokens=200
    )
    cancel = CancelToken()

    class CancelAtThree:
        def update(self, stage, done, total):
            if stage == "generate" and done >= 3:
                cancel.cancel()

    with pytest.raises(errors.Cancelled):
        engine.recognize(_page(), cancel=cancel, progress=CancelAtThree())


def test_full_cli_run_deepseek_then_youtu_json(tmp_path, capsys):
    from desktop_app import cli
    from desktop_app.paths import sample_documents

    scan = next(p for p in sample_documents() if p.name == "en_progress_note_scan.jpg")
    youtu = build_tiny_youtu(tmp_path / "youtu")
    # an OCR model that reads this line off any page (greedy), then ends
    ocr_dir = build_tiny_deepseek_ocr2(tmp_path / "ocr", script="Diagnosis: community acquired pneumonia")
    code = cli.main(
        [
            "summarize",
            str(scan),
            "--json",
            "--ocr",
            "deepseek-ocr2",
            "--ocr-model",
            str(ocr_dir),
            "--summarizer",
            "youtu",
            "--summarizer-model",
            str(youtu),
            "--device",
            "cpu",
            "--no-app-settings",
        ]
    )
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    page = result["pages"][0]
    assert code == 0 and result["error"] is None
    assert page["engine"] == "deepseek-ocr2" and page["status"] == "ok" and page["warnings"] == []
    assert page["text"] == result["text"] == "Diagnosis: community acquired pneumonia"
    assert (page["width"], page["height"]) != (0, 0)
    # the random summary model answers in JSON (constrained), but nothing it wrote is in the note:
    # every field it filled is flagged, none is passed off as the note's
    summary = result["summary"]
    assert summary["engine"] == ("llm" if constrained.is_available() else "llm>sections")
    flagged = {w["field"] for w in summary["warnings"] if w["code"] == "unsupported_text"}
    for name in ("chief_complaint", "diagnosis", "plan"):
        field = summary[name]
        assert field["status"] == "not_documented" or field["evidence"] or name in flagged


def test_token_probabilities_mark_doubtful_spans(ocr_dir, tmp_path):
    engine = DeepseekOcr2Engine(EngineSettings(ocr_model=ocr_dir, device="cpu"), resolution="small",
                                max_new_tokens=12)
    engine.load()
    # the random model is unsure of every token it writes: its whole output is one doubtful span
    ids, _, probabilities = engine._forward(
        engine.preprocess(_page().image(), engine.prompt()), cancel=NEVER_CANCELLED, progress=Progress()
    )
    assert len(probabilities) == len(ids) == 12 and all(0 < p < 0.5 for p in probabilities)
    assert engine.doubt_spans(ids, probabilities) == [(0, len(engine.decode(ids)))]
    # a confident model (it ends at once, p ~ 1) doubts nothing
    sure = DeepseekOcr2Engine(EngineSettings(ocr_model=build_tiny_deepseek_ocr2(tmp_path / "sure", stop_at_once=True),
                                             device="cpu"), resolution="small", max_new_tokens=12)
    sure.load()
    ids, _, probabilities = sure._forward(
        sure.preprocess(_page().image(), sure.prompt()), cancel=NEVER_CANCELLED, progress=Progress()
    )
    assert probabilities and min(probabilities) > 0.99 and sure.doubt_spans(ids, probabilities) == []
    # a low-probability token in the middle maps to its own characters of the decoded text
    tokenizer = engine._processor.tokenizer
    ids = tokenizer("Diagnosis: pneumonia", add_special_tokens=False)["input_ids"]
    word = tokenizer("Diagnosis:", add_special_tokens=False)["input_ids"]
    probabilities = [0.99] * len(word) + [0.1] * (len(ids) - len(word))
    assert ids[: len(word)] == word
    spans = engine.doubt_spans(ids, probabilities)
    text = engine.decode(ids)
    assert [text[s:e] for s, e in spans] == [" pneumonia"]
