"""OCR engine `deepseek-ocr2` on tiny random DeepseekOcr2 checkpoints built here (no download)."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

from PIL import Image  # noqa: E402

from desktop_app import errors  # noqa: E402
from desktop_app.ingest import SourcePage  # noqa: E402
from desktop_app.jobs.cancel import NEVER_CANCELLED, CancelToken  # noqa: E402
from desktop_app.ocr import registry  # noqa: E402
from desktop_app.ocr.deepseek import DeepseekOcr2Engine  # noqa: E402
from desktop_app.settings import EngineSettings  # noqa: E402
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
    try:
        output = engine.recognize(_page(), cancel=NEVER_CANCELLED, progress=progress)
    except errors.OcrLoopDetected:
        output = None  # a random model may loop; the guard is tested below on purpose
    steps = [e for e in progress.events if e[0] == "generate"]
    assert steps and max(d for _, d, _ in steps) >= 1
    if output is not None:
        assert "<|ref|>" not in output.text


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
    ocr_dir = build_tiny_deepseek_ocr2(tmp_path / "ocr", stop_at_once=True)
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
        ]
    )
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    page = result["pages"][0]
    assert code == 0 and result["error"] is None
    assert page["engine"] == "deepseek-ocr2" and page["status"] == "ok"
    assert (
        (page["width"], page["height"])
        == (result["pages"][0]["width"], result["pages"][0]["height"])
        != (0, 0)
    )
    # the model ends at once, so the page reads as empty; the summarizer still runs and says so
    summary = result["summary"]
    assert summary["engine"] == "llm"
    assert all(summary[f]["status"] == "not_documented" for f in ("chief_complaint", "diagnosis", "plan"))
    assert "no_text" in [w["code"] for w in summary["warnings"]]
