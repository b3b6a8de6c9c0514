"""The hostile tester's corpus, grown: ≥ 40 bad inputs and the good documents between them, in ONE
`summarize --json` run of the real CLI. Each input gets exactly one JSON answer with its own error
code (and a message naming the file), nothing crashes or hangs, the good documents are summarized.

Odd pixel formats (16-bit gray, alpha, palette, CMYK, EXIF rotation, 1-bit) are GOOD documents here:
they must be read, not just survive. Builders write only under the test's tmp_path.
"""

from __future__ import annotations

import io
import json
import os
import socket
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pymupdf
import pytest
from PIL import Image

from desktop_app.render import render_pages
from tests.documents import EN_NOTE
from tests.test_bad_inputs import SAMPLE, Cases, build_corpus

ROOT = Path(__file__).resolve().parents[1]
Case = tuple[str, Path, "set[str] | None"]


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _note_image() -> Image.Image:
    """The English note as a clean grayscale page, cropped to its text (OCR stays quick)."""
    page = render_pages(EN_NOTE, dpi=110)[0].convert("L")
    return page.crop((0, 0, page.width, page.height // 2))


def _tiff_bytes(frames: list[Image.Image], **kwargs) -> bytes:
    buffer = io.BytesIO()
    frames[0].save(buffer, "TIFF", save_all=True, append_images=frames[1:], **kwargs)
    return buffer.getvalue()


def _first_ifd_entry_offset(data: bytes, tag: int, ifd_number: int) -> int:
    """Byte offset of `tag`'s value in a little-endian TIFF's n-th IFD."""
    offset = struct.unpack("<I", data[4:8])[0]
    for _ in range(ifd_number):
        count = struct.unpack("<H", data[offset:offset + 2])[0]
        offset = struct.unpack("<I", data[offset + 2 + 12 * count: offset + 6 + 12 * count])[0]
    count = struct.unpack("<H", data[offset:offset + 2])[0]
    for i in range(count):
        entry = offset + 2 + 12 * i
        if struct.unpack("<H", data[entry:entry + 2])[0] == tag:
            return entry + 8
    raise KeyError(tag)


def extra_cases(root: Path) -> list[Case]:
    """The cases the probe of issue #11 found, and their neighbours."""
    cases = Cases(root)
    add = cases.add

    note = _note_image()
    png_magic = b"\x89PNG\r\n\x1a\n"
    good_png = io.BytesIO()
    Image.new("L", (64, 64), 255).save(good_png, "PNG")
    good_png = good_png.getvalue()

    # --- damaged images that used to end the run with a traceback -----------------------------
    add("PNG with a zero IHDR length", "zero-ihdr.png", {"corrupt"},
        png_magic + struct.pack(">I", 0) + good_png[12:])
    two = [Image.new("L", (64, 64), 255), Image.new("L", (64, 64), 255)]
    data = bytearray(_tiff_bytes(two))
    where = _first_ifd_entry_offset(bytes(data), 259, 1)  # Compression of page 2
    data[where:where + 2] = struct.pack("<H", 34999)  # a compression no decoder knows
    add("TIFF whose page 2 has an unknown compression", "unknown-compression.tif", {"page_failed"}, bytes(data))
    data = bytearray(_tiff_bytes([Image.new("L", (64, 64), 255)]))
    where = _first_ifd_entry_offset(bytes(data), 256, 0)  # ImageWidth
    data[where:where + 2] = struct.pack("<H", 0)
    add("TIFF of width 0", "width-0.tif", {"corrupt"}, bytes(data))
    add("PNG of height 0", "height-0.png", {"corrupt"},
        png_magic + _chunk(b"IHDR", struct.pack(">IIBBBBB", 100, 0, 8, 0, 0, 0, 0)) + good_png[33:])
    add("PNG with a bad colour type", "bad-colour-type.png", {"corrupt"},
        png_magic + _chunk(b"IHDR", struct.pack(">IIBBBBB", 64, 64, 8, 9, 0, 0, 0)) + good_png[33:])
    add("PNG with a broken checksum", "bad-crc.png", {"corrupt"}, good_png[:29] + b"\0\0\0\0" + good_png[33:])
    add("PNG cut inside its pixel data", "cut.png", {"corrupt"}, good_png[: len(good_png) - 20])
    add("JPEG header then garbage", "garbage.jpg", {"corrupt"}, b"\xff\xd8\xff\xe0" + os.urandom(400))
    bmp = io.BytesIO()
    Image.new("RGB", (40, 40), "white").save(bmp, "BMP")
    add("BMP with an impossible header", "bad.bmp", {"corrupt"},
        bmp.getvalue()[:14] + struct.pack("<I", 7) + bmp.getvalue()[18:])
    webp = io.BytesIO()
    Image.new("RGB", (200, 200), "white").save(webp, "WEBP")
    add("truncated WebP", "cut.webp", {"corrupt"}, webp.getvalue()[:40])
    add("TIFF with an IFD pointing outside the file", "bad-ifd.tif", {"corrupt"},
        b"II*\x00" + struct.pack("<I", 10_000_000) + b"\0" * 64)
    add("30000×200 image", "strip.png", {"image_shape"},
        png_magic + _chunk(b"IHDR", struct.pack(">IIBBBBB", 30000, 200, 8, 0, 0, 0, 0))
        + _chunk(b"IDAT", zlib.compress(b"\0" * 200)) + _chunk(b"IEND", b""))
    ico = io.BytesIO()
    Image.new("RGB", (32, 32), "white").save(ico, "ICO")
    add("ICO image (a format Pillow reads, the app does not)", "icon.png", {"unsupported_format"}, ico.getvalue())
    add("HEIC-like container", "photo.heic", {"unsupported_format"},
        b"\x00\x00\x00\x18ftypheic" + os.urandom(200))
    add("SVG named .png", "drawing.png", {"unsupported_format"},
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>note</text></svg>')

    # --- files that are not files -------------------------------------------------------------
    os.mkfifo(root / "pipe.pdf")
    add("FIFO (named pipe)", "pipe.pdf", {"special_file"})
    (root / "null.png").symlink_to("/dev/null")
    add("link to a character device (/dev/null)", "null.png", {"special_file"})
    (root / "dev-zero.pdf").symlink_to("/dev/zero")
    add("link to /dev/zero (never ends)", "dev-zero.pdf", {"special_file"})
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(root / "sock.pdf"))  # stays bound while the corpus exists; the file is the socket
    cases_socket_keepalive.append(server)
    add("Unix socket", "sock.pdf", {"special_file"})
    (root / "loop-a.pdf").symlink_to(root / "loop-b.pdf")
    (root / "loop-b.pdf").symlink_to(root / "loop-a.pdf")
    add("symbolic link loop", "loop-a.pdf", {"not_found"})
    add("file name too long", "n" * 300 + ".pdf", {"not_found"})

    # --- documents that hold no text ----------------------------------------------------------
    blank = io.BytesIO()
    Image.new("RGB", (600, 800), "white").save(blank, "PNG")
    add("blank white scan", "blank.png", {"no_text"}, blank.getvalue())
    pdf = pymupdf.open()
    pdf.new_page()
    pdf.new_page()
    add("PDF of two empty pages", "empty-pages.pdf", {"no_text"}, pdf.tobytes())
    transparent = io.BytesIO()
    Image.new("RGBA", (600, 400), (0, 0, 0, 0)).save(transparent, "PNG")
    add("fully transparent PNG", "transparent.png", {"no_text"}, transparent.getvalue())

    # --- odd pixel formats: GOOD documents, read as a person sees them ------------------------
    sixteen = (np.asarray(note, dtype=np.uint16) * 257).astype(np.uint16)
    buffer = io.BytesIO()
    Image.fromarray(sixteen).save(buffer, "PNG")
    add("16-bit grayscale PNG", "gray16.png", None, buffer.getvalue())
    ink = np.asarray(note) < 128
    rgba = np.zeros((*ink.shape, 4), np.uint8)  # black ink on a transparent (hidden black) background
    rgba[..., 3] = np.where(ink, 255, 0)
    buffer = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buffer, "PNG")
    add("black text on a transparent background", "alpha.png", None, buffer.getvalue())
    buffer = io.BytesIO()
    palette = note.convert("P")
    palette.info["transparency"] = palette.getpixel((0, 0))  # the paper colour is the transparent one
    palette.save(buffer, "PNG", transparency=palette.getpixel((0, 0)))
    add("palette PNG with a transparent paper colour", "palette.png", None, buffer.getvalue())
    buffer = io.BytesIO()
    note.convert("CMYK").save(buffer, "JPEG", quality=92)
    add("CMYK JPEG", "cmyk.jpg", None, buffer.getvalue())
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to view": the pixels are stored turned the other way
    note.rotate(90, expand=True).convert("RGB").save(buffer, "JPEG", quality=92, exif=exif)
    add("phone photo stored sideways with EXIF orientation 6", "exif6.jpg", None, buffer.getvalue())
    add("1-bit TIFF (fax)", "fax.tif", None, _tiff_bytes([note.point(lambda v: 255 if v > 128 else 0).convert("1")],
                                                        compression="group4"))
    return cases


cases_socket_keepalive: list[socket.socket] = []


@pytest.fixture
def corpus(tmp_path):
    root = tmp_path / "in"
    cases = build_corpus(root) + extra_cases(root)
    cases.append(("good document last", root / "good-last.pdf", None))
    (root / "good-last.pdf").write_bytes(SAMPLE.read_bytes())
    yield cases
    while cases_socket_keepalive:
        cases_socket_keepalive.pop().close()


@pytest.mark.slow
def test_forty_bad_inputs_in_one_run_each_get_one_answer(corpus, tmp_path):
    bad = [case for case in corpus if case[2] is not None]
    assert len(bad) >= 40
    # WHEN the real CLI reads them all in one run (a child process: a hang or a crash would show)
    run = subprocess.run([sys.executable, "-m", "desktop_app", "--lang", "en", "summarize", "--json",
                          "--max-pages", "3", "--max-mb", "1", *[str(path) for _, path, _ in corpus]],
                         capture_output=True, text=True, timeout=600, cwd=tmp_path,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    # THEN the run ends with "some failed", no traceback, one JSON answer per input, in order
    assert run.returncode == 1, run.stderr[-3000:]
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    results = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    assert [r["source"] for r in results] == [str(path) for _, path, _ in corpus]
    table = []
    for (kind, path, codes), result in zip(corpus, results, strict=True):
        if codes is None:  # a good document: summarized, as a reader would see it
            assert result["error"] is None, f"{kind}: {result['error']}"
            assert result["summary"]["chief_complaint"]["status"] == "found", kind
            if path.suffix != ".pdf":  # the odd-format images all hold EN_NOTE
                assert "chest pain" in result["summary"]["chief_complaint"]["text"].lower(), kind
            continue
        failed_pages = [p for p in result["pages"] if p["status"] == "failed"]
        got = {result["error_code"]} | {p["error_code"] for p in failed_pages}
        assert got & codes, f"{kind}: got {got}, expected one of {codes}"
        if result["error_code"]:
            assert path.name in result["error"], kind  # says which file
            message = result["error"]
        else:
            warnings = [w["message"] for w in result["summary"]["warnings"] if w["code"] == "page_failed"]
            assert warnings and all(w.count("could not be read") == 1 for w in warnings), kind  # said once
            message = warnings[0]
        table.append((kind, sorted(c for c in got if c)[0], message))
    # the TIFF with a damaged page 2: page 1 read, page 2 failed, and the answer says so (once)
    tiff = next(r for r in results if r["source"].endswith("unknown-compression.tif"))
    assert [p["status"] for p in tiff["pages"]] == ["ok", "failed"]
    assert tiff["error"].count("Page 2 could not be read") == 1
    Path(os.environ.get("EMR_ASSIST_CORPUS_TABLE", tmp_path / "table.json")).write_text(
        json.dumps(table, ensure_ascii=False, indent=1), encoding="utf-8")
