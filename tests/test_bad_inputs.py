"""A corpus of bad inputs through the real CLI: each gets its own error code and message, and the
documents around it are still processed. Batch: thousands of files, duplicates, a full disk.

Only the text-layer sample and tiny images are used, so OCR runs at most on one 64×64 frame.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import struct
import zlib
from pathlib import Path

import pymupdf
import pytest
from PIL import Image

from desktop_app import batch as batch_module
from desktop_app import cli

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "resources" / "samples" / "en_progress_note_text_layer.pdf"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _png_header(path: Path, width: int, height: int) -> None:
    """A PNG that claims width×height: refused from its header, no pixel is decoded."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
                     + chunk(b"IEND", b""))


class Cases(list):
    """(kind, path, acceptable error codes — None for a document that must succeed), files under `root`."""

    def __init__(self, root: Path) -> None:
        super().__init__()
        self.root = root

    def add(self, kind: str, name: str, codes: set[str] | None, data: bytes | None = None) -> Path:
        path = self.root / name
        if data is not None:
            path.write_bytes(data)
        self.append((kind, path, codes))
        return path


def build_corpus(root: Path) -> list[tuple[str, Path, set[str] | None]]:
    """(kind, path, acceptable error codes — None for a document that must succeed)."""
    root.mkdir(parents=True, exist_ok=True)
    corpus = Cases(root)
    add = corpus.add

    sample = SAMPLE.read_bytes()
    add("good document first", "good.pdf", None, sample)
    add("0-byte file", "empty.pdf", {"empty_file"}, b"")
    add("truncated PDF", "cut.pdf", {"corrupt"}, sample[: len(sample) // 3])
    add("PDF header then garbage", "garbage.pdf", {"corrupt"}, b"%PDF-1.7\n" + os.urandom(3000))

    locked = pymupdf.open()
    locked.new_page().insert_text((72, 72), "secret note")
    locked.save(root / "locked.pdf", encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="pw", owner_pw="owner")
    add("encrypted PDF", "locked.pdf", {"encrypted_pdf"})

    add("0-page PDF", "zero.pdf", {"no_pages", "corrupt"},
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
    _png_header(root / "huge.png", 40_000, 40_000)
    add("40,000×40,000 PNG", "huge.png", {"image_too_large"})
    add("text file named .png", "notes.png", {"unsupported_format"}, b"patient notes\n" * 20)
    gif = root / "anim.gif"
    Image.new("RGB", (20, 20), "white").save(gif, "GIF")
    add("unsupported format (GIF)", "anim.gif", {"unsupported_format"})
    add("Office file named .pdf", "letter.pdf", {"unsupported_format"}, b"PK\x03\x04" + os.urandom(500))

    cut_jpeg = root / "cut.jpg"
    Image.effect_noise((300, 300), 50).convert("RGB").save(cut_jpeg, "JPEG")
    cut_jpeg.write_bytes(cut_jpeg.read_bytes()[:1500])
    add("truncated JPEG", "cut.jpg", {"corrupt"})

    tiff = root / "frames.tif"
    frames = [Image.effect_noise((64, 64), 40).convert("L") for _ in range(2)]
    frames[0].save(tiff, save_all=True, append_images=frames[1:])
    tiff.write_bytes(tiff.read_bytes()[:-4000])  # the second frame's data is gone
    add("corrupt TIFF frame", "frames.tif", {"page_failed", "corrupt"})

    add("non-ASCII path", "病历 Müller_张三 (副本).pdf", None, sample)
    add("missing file", "not-there.pdf", {"not_found"})
    (root / "dangling.pdf").symlink_to(root / "moved-away.pdf")
    add("dangling link", "dangling.pdf", {"not_found"})
    (root / "a folder.pdf").mkdir()
    add("folder named .pdf", "a folder.pdf", {"unsupported_format"})

    many = pymupdf.open()
    for _ in range(5):
        many.new_page()
    many.save(root / "five-pages.pdf")
    add("too many pages (--max-pages 3)", "five-pages.pdf", {"too_many_pages"})
    add("too large (--max-mb 1)", "big.pdf", {"file_too_large"}, b"%PDF-1.4\n" + b"0" * (1_300_000))
    if not IS_ROOT:  # root reads any file whatever its mode
        add("unreadable file (chmod 000)", "locked-out.pdf", {"not_found"}, sample)
        os.chmod(root / "locked-out.pdf", 0)
    add("duplicate of the good document", "good-copy.pdf", None, sample)
    return corpus


def _run(argv: list[str], capsys) -> tuple[int, list[dict], str]:
    code = cli.main(argv)
    captured = capsys.readouterr()
    return code, [json.loads(line) for line in captured.out.splitlines() if line.strip()], captured.err


def test_every_bad_input_gets_its_own_error_and_the_rest_goes_on(tmp_path, capsys):
    # GIVEN a folder of good and bad documents, interleaved
    corpus = build_corpus(tmp_path / "in")
    assert len({kind for kind, _, codes in corpus if codes}) >= 15
    # WHEN they are summarized in one run
    code, results, _ = _run(["--lang", "en", "summarize", "--json", "--max-pages", "3", "--max-mb", "1",
                             *[str(path) for _, path, _ in corpus]], capsys)
    # THEN one result per input, in order, each with the expected outcome
    assert code == 1  # some failed, and the run still finished
    assert [r["source"] for r in results] == [str(path) for _, path, _ in corpus]
    for (kind, path, codes), result in zip(corpus, results, strict=True):
        if codes is None:
            assert result["error"] is None, kind
            assert result["summary"]["plan"]["status"] == "found", kind
            continue
        failed_pages = {p["error_code"] for p in result["pages"] if p["status"] == "failed"}
        got = {result["error_code"]} | failed_pages
        assert got & codes, f"{kind}: got {got}, expected one of {codes}"
        if result["error_code"]:
            assert result["error"] and path.name in result["error"], kind  # says which file
        else:
            assert any(w["code"] == "page_failed" for w in result["summary"]["warnings"]), kind
    good = [r for r in results
            if r["error"] is None and r["page_count"] == 1 and r["pages"][0]["engine"] == "pdf-text"]
    assert len({r["sha256"] for r in good}) == 1 and len(good) == 3  # duplicates are summarized alike


def test_messages_follow_the_users_language(tmp_path, capsys):
    (tmp_path / "empty.pdf").write_bytes(b"")
    _, results, _ = _run(["--lang", "zh", "summarize", "--json", str(tmp_path / "empty.pdf")], capsys)
    assert results[0]["error_code"] == "empty_file" and "文件为空" in results[0]["error"]


def _batch_outputs(out: Path) -> dict[str, dict]:
    return {json.loads(p.read_text("utf-8"))["source"]: json.loads(p.read_text("utf-8"))
            for p in out.glob("*.json")}


def test_batch_over_thousands_of_files(tmp_path, capsys, monkeypatch):
    # GIVEN 2,000 small bad files and two good ones in nested folders
    source = tmp_path / "in"
    for i in range(2000):
        folder = source / f"box{i // 500}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"scan{i:04}.png").write_bytes(b"" if i % 2 else b"not an image, just text\n")
    shutil.copy(SAMPLE, source / "box0" / "good.pdf")
    shutil.copy(SAMPLE, source / "box3" / "same-as-good.pdf")  # a duplicate
    monkeypatch.setattr(batch_module.os, "fsync", lambda fd: None)  # durability is not what is tested here
    # WHEN the batch runs
    code = cli.main(["--lang", "en", "batch", str(source), "--out", str(tmp_path / "out")])
    summary_line = capsys.readouterr().out.strip().splitlines()[-1]
    # THEN every file has its outcome written, and the counts add up
    assert code == 1
    assert summary_line == "2002 documents: 2 summarized, 0 skipped (already done), 2000 failed"
    outputs = _batch_outputs(tmp_path / "out")
    assert len(outputs) == 2002
    assert outputs["box0/scan0001.png"]["error_code"] == "empty_file"
    assert outputs["box0/scan0000.png"]["error_code"] == "unsupported_format"
    assert outputs["box0/good.pdf"]["sha256"] == outputs["box3/same-as-good.pdf"]["sha256"]
    assert outputs["box3/same-as-good.pdf"]["error"] is None


def test_batch_disk_full_loses_nothing_and_resumes(tmp_path, capsys, monkeypatch):
    # GIVEN three documents, and a disk that fills up when the second one's output is written
    source, out = tmp_path / "in", tmp_path / "out"
    source.mkdir()
    for name in ("a.pdf", "b.pdf", "c.pdf"):
        data = bytearray(SAMPLE.read_bytes())
        (source / name).write_bytes(bytes(data) + f"\n% {name}\n".encode())  # distinct contents
    real_replace = os.replace

    def replace(src, dst, *args, **kwargs):
        if Path(dst).name.startswith("b.pdf"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(batch_module.os, "replace", replace)
    # WHEN the batch runs
    code = cli.main(["--lang", "en", "batch", str(source), "--out", str(out)])
    captured = capsys.readouterr()
    # THEN b fails with a clear message, a and c are written whole, and no temporary file is left
    assert code == 1
    assert "No space left on device" in captured.err and "b.pdf" in captured.err
    assert sorted(_batch_outputs(out)) == ["a.pdf", "c.pdf"]
    assert [p.name for p in out.iterdir() if p.name.startswith(".tmp-")] == []
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    # WHEN space is freed and the batch runs again
    monkeypatch.setattr(batch_module.os, "replace", real_replace)
    assert cli.main(["--lang", "en", "batch", str(source), "--out", str(out)]) == 0
    # THEN only b is processed; what was already written is untouched
    assert "3 documents: 1 summarized, 2 skipped" in capsys.readouterr().out
    assert sorted(_batch_outputs(out)) == ["a.pdf", "b.pdf", "c.pdf"]
    assert all((out / name).read_bytes() == data for name, data in before.items())


@pytest.mark.skipif(IS_ROOT, reason="root can read a chmod 000 file; covered by the dangling link case")
def test_batch_unreadable_file(tmp_path, capsys):
    source = tmp_path / "in"
    source.mkdir()
    shutil.copy(SAMPLE, source / "good.pdf")
    locked = source / "locked.pdf"
    shutil.copy(SAMPLE, locked)
    locked.chmod(0)
    try:
        code = cli.main(["--lang", "en", "batch", str(source), "--out", str(tmp_path / "out")])
    finally:
        locked.chmod(0o600)
    captured = capsys.readouterr()
    assert code == 1 and "locked.pdf" in captured.err
    assert sorted(_batch_outputs(tmp_path / "out")) == ["good.pdf"]


# --- issue #11: batch answers every entry, one batch per --out, nothing left behind ----------


def test_batch_answers_dangling_links_and_pipes_instead_of_skipping_them(tmp_path, capsys):
    # GIVEN a folder with a good document, a dangling link and a FIFO
    source, out = tmp_path / "in", tmp_path / "out"
    source.mkdir()
    shutil.copy(SAMPLE, source / "good.pdf")
    (source / "moved.pdf").symlink_to(tmp_path / "gone.pdf")
    os.mkfifo(source / "pipe.pdf")
    # WHEN the batch runs (a FIFO read would block for ever: it must not even be hashed)
    code = cli.main(["--lang", "en", "batch", str(source), "--out", str(out)])
    # THEN each has its own answer on disk, and the counts say so
    assert code == 1
    assert "3 documents: 1 summarized, 0 skipped (already done), 2 failed" in capsys.readouterr().out
    outputs = _batch_outputs(out)
    assert outputs["moved.pdf"]["error_code"] == "not_found"
    assert outputs["pipe.pdf"]["error_code"] == "special_file"
    assert outputs["good.pdf"]["error"] is None


def test_a_second_batch_on_the_same_out_folder_is_refused(tmp_path, capsys):
    from filelock import FileLock

    source, out = tmp_path / "in", tmp_path / "out"
    source.mkdir()
    shutil.copy(SAMPLE, source / "good.pdf")
    out.mkdir()
    # GIVEN another batch holding the --out folder
    with FileLock(out / batch_module.LOCK_NAME):
        # WHEN a second batch starts on it THEN it stops at once, says why, and writes nothing
        code = cli.main(["--lang", "en", "batch", str(source), "--out", str(out)])
        assert code == 2
        assert "Another batch is already writing to" in capsys.readouterr().err
        assert list(out.glob("*.json")) == []
    # once the first one is done, the folder is free again
    assert cli.main(["--lang", "en", "batch", str(source), "--out", str(out)]) == 0


def test_batch_removes_a_killed_runs_temporary_files_and_writes_private_files(tmp_path, capsys):
    source, out = tmp_path / "in", tmp_path / "out"
    source.mkdir()
    shutil.copy(SAMPLE, source / "good.pdf")
    out.mkdir()
    leftover = out / ".tmp-abc123.json"  # what `kill -9` during atomic_write leaves: note text
    leftover.write_text('{"text": "CHIEF COMPLAINT: ..."}')
    assert cli.main(["--lang", "en", "batch", str(source), "--out", str(tmp_path / "out" / "new")]) == 0
    assert cli.main(["--lang", "en", "batch", str(source), "--out", str(out)]) == 0
    assert not leftover.exists()
    written = list(out.glob("good.pdf.*"))
    assert len(written) == 2 and all(p.stat().st_mode & 0o777 == 0o600 for p in written)
    assert (tmp_path / "out" / "new").stat().st_mode & 0o777 == 0o700


def test_start_up_removes_pasted_images_of_dead_runs_only(tmp_path, monkeypatch, capsys):
    import subprocess
    import sys
    import tempfile

    from desktop_app import paths

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    crashed = tmp_path / f"{paths.PASTE_DIR_PREFIX}{dead}-x1"
    crashed.mkdir()
    (crashed / "pasted-1.png").write_bytes(b"note image")
    live = paths.new_paste_dir()  # this process: a window still open
    assert live.parent == tmp_path
    cli.main(["--lang", "en", "engines"])
    capsys.readouterr()
    assert not crashed.exists() and live.exists()
