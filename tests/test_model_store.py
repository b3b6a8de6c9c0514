"""`models import / list / verify`: all-or-nothing copies with a SHA-256 manifest.

The model folders are tiny fakes with the real file layout (config.json, a safetensors index and two
shards written byte by byte, tokenizer files), so the model check passes without torch.
"""

from __future__ import annotations

import errno
import json
import struct
from pathlib import Path

import pytest

from desktop_app import cli, errors, model_store
from desktop_app.cancel import CancelToken


def write_safetensors(path: Path, tensors: dict[str, int]) -> None:
    """A valid safetensors file: F32 tensors of the given element counts (zeros)."""
    header, offset = {}, 0
    for name, count in tensors.items():
        header[name] = {"dtype": "F32", "shape": [count], "data_offsets": [offset, offset + 4 * count]}
        offset += 4 * count
    raw = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + b"\0" * offset)


def fake_model(folder: Path, model_type: str = "youtu", shard_elements: int = 3000) -> Path:
    folder.mkdir(parents=True)
    config = {"model_type": model_type, "num_hidden_layers": 2, "num_attention_heads": 2,
              "num_key_value_heads": 2, "hidden_size": 32}
    (folder / "config.json").write_text(json.dumps(config))
    shards = {"model-00001-of-00002.safetensors": {"embed.weight": shard_elements, "norm.weight": 32},
              "model-00002-of-00002.safetensors": {"lm_head.weight": shard_elements}}
    # the tensor names `models check` expects of the model type (it refuses a mislabelled folder)
    signature = {"youtu": ["model.layers.0.self_attn.kv_a_proj_with_mqa.weight"],
                 "deepseek_ocr2": ["model.sam_model.patch_embed.proj.weight", "model.qwen2_model.norm.weight",
                                   "model.projector.layers.weight"]}
    shards["model-00001-of-00002.safetensors"].update({name: 16 for name in signature.get(model_type, [])})
    weight_map = {}
    for shard, tensors in shards.items():
        write_safetensors(folder / shard, tensors)
        weight_map.update({tensor: shard for tensor in tensors})
    index = {"metadata": {}, "weight_map": weight_map}
    (folder / "model.safetensors.index.json").write_text(json.dumps(index))
    (folder / "tokenizer.json").write_text('{"version": "1.0"}')
    (folder / "tokenizer_config.json").write_text("{}")
    if model_type == "deepseek_ocr2":
        (folder / "preprocessor_config.json").write_text("{}")
    (folder / "nested").mkdir()
    (folder / "nested" / "README.md").write_text("a nested file is copied too")
    return folder


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, int, int]] = []

    def update(self, stage: str, done: int, total: int) -> None:
        self.calls.append((stage, done, total))


@pytest.fixture
def root(tmp_path) -> Path:
    return tmp_path / "store"


def leftovers(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*")) if root.exists() else []


def test_import_copies_checks_and_writes_a_manifest(tmp_path, root):
    # GIVEN a summary model folder on a "USB drive"
    source = fake_model(tmp_path / "usb" / "Youtu-LLM-2B")
    progress = Recorder()

    # WHEN it is imported
    result = model_store.import_model(source, "summary", root=root, progress=progress)

    # THEN it is at <root>/summary/<name>, byte for byte, with a manifest of every file
    assert result.path == root / "summary" / "Youtu-LLM-2B"
    copied = dict(model_store.iter_model_files(result.path))
    assert set(copied) == set(dict(model_store.iter_model_files(source)))
    assert "nested/README.md" in copied
    for relative, path in copied.items():
        assert path.read_bytes() == (source / relative).read_bytes()
        assert result.manifest.files[relative]["sha256"] == model_store.sha256_file(path)
    on_disk = model_store.Manifest.read(result.path)
    assert on_disk == result.manifest and on_disk.model_type == "youtu"
    # progress is reported in bytes and ends at the total
    total = sum(p.stat().st_size for p in copied.values())
    assert progress.calls[0] == ("import", 0, total) and progress.calls[-1] == ("import", total, total)
    assert result.report.ok
    # nothing but the model is left in the store
    assert not [p for p in leftovers(root) if Path(p).name.startswith(".")]


def test_list_and_verify_a_clean_import(tmp_path, root):
    model_store.import_model(fake_model(tmp_path / "a"), "summary", root=root, name="llm")
    model_store.import_model(fake_model(tmp_path / "b", "deepseek_ocr2"), "ocr", root=root)

    models = model_store.list_models(root)
    assert [m.label for m in models] == ["ocr/b", "summary/llm"]
    assert all(model_store.verify_model(m).ok for m in models)
    assert model_store.find_model("summary/llm", root).name == "llm"
    assert "ocr/b" in model_store.format_list(models, root)


def test_verify_reports_changed_missing_and_extra_files(tmp_path, root):
    result = model_store.import_model(fake_model(tmp_path / "m"), "summary", root=root)
    folder = result.path
    shard = folder / "model-00002-of-00002.safetensors"
    data = bytearray(shard.read_bytes())
    data[-1] ^= 0xFF  # same size, one bit pattern changed: only the hash can tell
    shard.write_bytes(bytes(data))
    (folder / "tokenizer_config.json").write_text('{"x": 1}')  # size changed
    (folder / "nested" / "README.md").unlink()
    (folder / "stray.bin").write_bytes(b"x")

    verdict = model_store.verify_model(model_store.find_model("m", root))

    assert not verdict.ok
    assert verdict.changed == ["model-00002-of-00002.safetensors", "tokenizer_config.json"]
    assert verdict.missing == ["nested/README.md"]
    assert verdict.extra == ["stray.bin"]
    text = model_store.format_verify(verdict)
    assert "changed: model-00002" in text and "missing: nested/README.md" in text
    assert "extra:   stray.bin" in text


def test_a_folder_that_fails_the_check_is_not_imported(tmp_path, root):
    source = fake_model(tmp_path / "broken")
    shard = source / "model-00001-of-00002.safetensors"
    shard.write_bytes(shard.read_bytes()[:-100])  # a truncated copy on the USB drive

    with pytest.raises(errors.ModelFolderInvalid) as caught:
        model_store.import_model(source, "summary", root=root)
    assert "truncated" in caught.value.message("en")
    assert caught.value.message("zh")
    assert leftovers(root) == []


def test_the_wrong_kind_is_refused_with_the_right_one_suggested(tmp_path, root):
    with pytest.raises(errors.ModelKindMismatch) as caught:
        model_store.import_model(fake_model(tmp_path / "ocr", "deepseek_ocr2"), "summary", root=root)
    assert "--as ocr" in caught.value.message("en")
    with pytest.raises(errors.ModelKindMismatch):
        model_store.import_model(fake_model(tmp_path / "llm"), "ocr", root=root)
    # an unknown causal LM is fine as a summary model
    model_store.import_model(fake_model(tmp_path / "qwen", "qwen3"), "summary", root=root)


def test_an_existing_model_is_kept_unless_replaced(tmp_path, root):
    first = model_store.import_model(fake_model(tmp_path / "v1" / "m"), "summary", root=root)
    newer = fake_model(tmp_path / "v2" / "m", shard_elements=4000)
    with pytest.raises(errors.ModelAlreadyImported):
        model_store.import_model(newer, "summary", root=root)
    assert model_store.verify_model(model_store.find_model("m", root)).ok

    second = model_store.import_model(newer, "summary", root=root, replace=True)
    assert second.path == first.path
    assert second.manifest.total_bytes > first.manifest.total_bytes
    assert [m.label for m in model_store.list_models(root)] == ["summary/m"]
    assert not [p for p in leftovers(root) if ".importing-" in p]


def test_a_disk_full_copy_leaves_nothing_and_says_so(tmp_path, root, monkeypatch):
    source = fake_model(tmp_path / "m")
    calls = {"n": 0}
    real = model_store._copy_hashing

    def fill_disk(src, dst, cancel, counter):
        calls["n"] += 1
        if calls["n"] == 3:  # mid-import: some files are already copied
            dst.write_bytes(b"partial")
            raise OSError(errno.ENOSPC, "No space left on device", str(dst))
        return real(src, dst, cancel, counter)

    monkeypatch.setattr(model_store, "_copy_hashing", fill_disk)
    with pytest.raises(errors.ModelDiskFull) as caught:
        model_store.import_model(source, "summary", root=root)
    assert "nothing was left half-imported" in caught.value.message("en")
    assert "未留下不完整的导入" in caught.value.message("zh")
    assert leftovers(root) == ["summary"]
    assert model_store.list_models(root) == []


def test_too_little_free_space_is_refused_before_copying(tmp_path, root, monkeypatch):
    import shutil

    almost_full = shutil._ntuple_diskusage(10**9, 10**9 - 1000, 1000)
    monkeypatch.setattr(shutil, "disk_usage", lambda path: almost_full)
    with pytest.raises(errors.ModelDiskFull):
        model_store.import_model(fake_model(tmp_path / "m"), "summary", root=root)
    assert leftovers(root) == ["summary"]


def test_a_cancelled_or_interrupted_import_leaves_nothing(tmp_path, root):
    source = fake_model(tmp_path / "m")
    cancel = CancelToken()

    class CancelMidway(Recorder):
        def update(self, stage, done, total):
            if done > 0:
                cancel.cancel()

    with pytest.raises(errors.Cancelled):
        model_store.import_model(source, "summary", root=root, progress=CancelMidway(), cancel=cancel)
    assert leftovers(root) == ["summary"]

    class CtrlC(Recorder):
        def update(self, stage, done, total):
            if done > 0:
                raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        model_store.import_model(source, "summary", root=root, progress=CtrlC())
    assert leftovers(root) == ["summary"]


def test_a_stale_temporary_folder_is_hidden_and_cleaned_up(tmp_path, root):
    stale = root / "summary" / ".importing-m-deadbeef"
    stale.mkdir(parents=True)
    (stale / "config.json").write_text("{}")
    assert model_store.list_models(root) == []

    model_store.import_model(fake_model(tmp_path / "m"), "summary", root=root)
    assert not stale.exists()


def test_cli_import_list_verify(tmp_path, monkeypatch, capsys):
    # GIVEN the app's models folder inside tmp_path
    store = tmp_path / "data" / "models"
    monkeypatch.setattr(model_store.paths, "models_dir", lambda: store)
    source = fake_model(tmp_path / "usb" / "Youtu-LLM-2B")

    # WHEN the user imports, lists and verifies through the CLI
    assert cli.main(["models", "import", str(source), "--as", "summary"]) == 0
    out = capsys.readouterr()
    assert "Imported summary/Youtu-LLM-2B" in out.out and "--summarizer-model" in out.out
    assert "importing" in out.err  # the tqdm bar
    assert cli.main(["models", "list"]) == 0
    assert "summary/Youtu-LLM-2B" in capsys.readouterr().out
    assert cli.main(["models", "verify"]) == 0
    assert "OK (" in capsys.readouterr().out

    # THEN a changed file makes verify fail with the file named; a second import is refused
    (store / "summary" / "Youtu-LLM-2B" / "tokenizer.json").write_text("{}")
    assert cli.main(["models", "verify", "Youtu-LLM-2B"]) == 3
    assert "changed: tokenizer.json" in capsys.readouterr().err
    assert cli.main(["--lang", "en", "models", "import", str(source), "--as", "summary"]) == 3
    assert "--replace" in capsys.readouterr().err
    assert cli.main(["--lang", "en", "models", "verify", "nope"]) == 3
    assert "models list" in capsys.readouterr().err
