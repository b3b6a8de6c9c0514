"""Ingest: type from content, EXIF, text-layer decisions, limits and every bad-input kind."""

from __future__ import annotations

import io
import os
import socket
import struct
import threading
import zlib

import numpy as np
import pymupdf
import pytest
from PIL import Image

from desktop_app import errors
from desktop_app.ingest import normalize_image, open_document, usable_text
from desktop_app.settings import IngestLimits
from tests.documents import EN_NOTE, blank_png, mixed_pdf, text_pdf


def test_type_comes_from_content_not_extension(tmp_path):
    # GIVEN a PNG saved under a .pdf name
    png = blank_png(tmp_path)
    disguised = tmp_path / "scan.pdf"
    disguised.write_bytes(png.read_bytes())
    # WHEN opened THEN it is read as an image
    with open_document(disguised) as document:
        assert document.kind == "png"
        assert document.page_count == 1


@pytest.mark.parametrize("fmt,kind", [("JPEG", "jpeg"), ("BMP", "bmp"), ("WEBP", "webp"), ("PNG", "png")])
def test_single_image_formats(tmp_path, fmt, kind):
    path = tmp_path / f"page.{fmt.lower()}"
    Image.new("RGB", (300, 200), "white").save(path, fmt)
    with open_document(path) as document:
        page = next(document.pages())
        assert document.kind == kind
        assert page.image().size == (300, 200)


def test_exif_orientation_is_honoured(tmp_path):
    # GIVEN a phone photo stored landscape with "rotate 90°" in its EXIF
    image = Image.new("RGB", (400, 100), "white")
    exif = image.getexif()
    exif[0x0112] = 6
    path = tmp_path / "photo.jpg"
    image.save(path, "JPEG", exif=exif)
    with open_document(path) as document:
        page = next(document.pages())
        # THEN the page comes out upright (portrait)
        assert (page.width, page.height) == (100, 400)
        assert page.image().size == (100, 400)


def test_multipage_tiff_streams_every_frame(tmp_path):
    frames = [Image.new("RGB", (120 + i, 80), "white") for i in range(3)]
    path = tmp_path / "fax.tif"
    frames[0].save(path, save_all=True, append_images=frames[1:])
    with open_document(path) as document:
        assert document.page_count == 3
        sizes = [page.image().size for page in document.pages()]
    assert sizes == [(120, 80), (121, 80), (122, 80)]


def test_pdf_text_layer_is_decided_page_by_page(tmp_path):
    path = mixed_pdf(tmp_path, EN_NOTE, "PLAN: rest.")
    with open_document(path, dpi=100) as document:
        pages = list(document.pages())
        assert (pages[1].width, pages[1].height) == pages[1].image().size
    assert [p.text_layer_usable for p in pages] == [True, False]
    # A4 at 100 dpi
    assert abs(pages[1].width - 826) <= 1 and abs(pages[1].height - 1169) <= 1


def test_pdf_pages_rendered_in_strips_match_a_single_render(tmp_path):
    from PIL import ImageChops

    path = mixed_pdf(tmp_path, EN_NOTE, "PLAN: rest.")
    with open_document(path, dpi=150) as document:
        for page in document.pages():
            whole = page.pdf_page.get_pixmap(matrix=pymupdf.Matrix(page.scale, page.scale), alpha=False)
            expected = Image.frombytes("RGB", (whole.width, whole.height), whole.samples)
            assert ImageChops.difference(page.image(), expected).getbbox() is None


def test_text_layer_needs_real_characters_and_no_replacement_glyphs(tmp_path):
    assert usable_text("Chief complaint: chest pain for two days.")
    assert not usable_text("Chief complaint: \ufffd\ufffd chest pain for two days.")  # font without Unicode map
    assert not usable_text("  Page 1  ")  # a scan with a page number stamped on it
    # A scan with a stamp is OCR'd
    pdf = pymupdf.open()
    pdf.new_page().insert_text((72, 72), "p. 1")
    path = tmp_path / "stamped.pdf"
    pdf.save(path)
    with open_document(path) as document:
        assert next(document.pages()).text_layer_usable is False


def _blank_pdf(path, pages: int):
    pdf = pymupdf.open()
    for _ in range(pages):
        pdf.new_page()
    pdf.save(path)
    return path


def test_pages_render_lazily(tmp_path):
    """A 300-page PDF must not hold every page image: pages render only when asked."""
    path = _blank_pdf(tmp_path / "long.pdf", 300)
    with open_document(path, dpi=50) as document:
        pages = document.pages()
        first = next(pages)
        # The generator has produced one page and rendered none.
        assert first.index == 0
        assert document.page_count == 300
        assert first.image().size == (first.width, first.height)


# --- bad input: each its own error ---------------------------------------------------------


def test_zero_byte_file(tmp_path):
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    with pytest.raises(errors.EmptyFile):
        open_document(path)


def test_missing_file(tmp_path):
    with pytest.raises(errors.FileNotFound):
        open_document(tmp_path / "nope.png")


def test_text_file_named_png(tmp_path):
    path = tmp_path / "notes.png"
    path.write_text("this is not an image", encoding="utf-8")
    with pytest.raises(errors.UnsupportedFormat) as caught:
        open_document(path)
    assert "text file" in caught.value.message("en")
    assert "不支持的文件（文本文件）" in caught.value.message("zh")  # what was found, named in Chinese too


def test_gif_is_unsupported(tmp_path):
    path = tmp_path / "anim.gif"
    Image.new("RGB", (10, 10)).save(path, "GIF")
    with pytest.raises(errors.UnsupportedFormat):
        open_document(path)


def test_truncated_pdf(tmp_path):
    good = text_pdf(tmp_path, EN_NOTE)
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(good.read_bytes()[:300])
    with pytest.raises((errors.CorruptDocument, errors.EmptyDocument)) as caught:
        open_document(broken)
    assert caught.value.code in {"corrupt", "no_pages"}


def test_truncated_jpeg(tmp_path):
    path = tmp_path / "cut.jpg"
    Image.effect_noise((400, 400), 50).convert("RGB").save(path, "JPEG")
    path.write_bytes(path.read_bytes()[:2000])
    with pytest.raises(errors.CorruptDocument):
        open_document(path)


def test_encrypted_pdf(tmp_path):
    pdf = pymupdf.open()
    pdf.new_page().insert_text((72, 72), "secret")
    path = tmp_path / "locked.pdf"
    pdf.save(path, encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="pw", owner_pw="owner")
    with pytest.raises(errors.EncryptedPdf):
        open_document(path)


def test_pdf_with_zero_pages(tmp_path):
    path = tmp_path / "zero.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
                     b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
    with pytest.raises((errors.EmptyDocument, errors.CorruptDocument)):
        open_document(path)


def _png_header_only(path, width, height):
    """A PNG that claims a huge size: the header is enough to refuse it, nothing is decoded."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
                     + chunk(b"IEND", b""))


def test_decompression_bomb_is_refused_before_decoding(tmp_path):
    path = tmp_path / "bomb.png"
    _png_header_only(path, 40_000, 40_000)
    with pytest.raises(errors.ImageTooLarge) as caught:
        open_document(path)
    assert "40000×40000" in caught.value.message("en")


def test_too_many_pages(tmp_path):
    path = _blank_pdf(tmp_path / "five.pdf", 5)
    with pytest.raises(errors.TooManyPages):
        open_document(path, IngestLimits(max_pages=4))


def test_file_too_large(tmp_path):
    path = blank_png(tmp_path)
    with pytest.raises(errors.FileTooLarge):
        open_document(path, IngestLimits(max_bytes=10))


def test_corrupt_tiff_frame_fails_only_that_page(tmp_path):
    frames = [Image.effect_noise((64, 64), 40).convert("L") for _ in range(2)]
    path = tmp_path / "two.tif"
    frames[0].save(path, save_all=True, append_images=frames[1:])
    data = bytearray(path.read_bytes())
    # Damage the second frame's strip offsets region by truncating the file after the first frame.
    path.write_bytes(bytes(data[: len(data) - 4000]))
    try:
        document = open_document(path)
    except errors.DocumentError:
        return  # refusing the whole file with a specific error is acceptable too
    outcomes = []
    with document:
        for page in document.pages():
            try:
                page.image()
                outcomes.append("ok")
            except errors.PageError:
                outcomes.append("failed")
    assert "failed" in outcomes or outcomes == ["ok", "ok"]


def test_folder_is_not_a_document(tmp_path):
    with pytest.raises(errors.UnsupportedFormat):
        open_document(tmp_path)


# --- issue #11: pixel formats read as a person sees them, special files refused ------------

INK, PAPER = 20, 235  # a dark stroke on light paper, in 8-bit terms


def _page_with_a_stroke(mode_pixels: np.ndarray, mode: str | None = None) -> Image.Image:
    return Image.fromarray(mode_pixels, mode) if mode else Image.fromarray(mode_pixels)


def _stroke_8bit() -> np.ndarray:
    pixels = np.full((40, 60), PAPER, np.uint8)
    pixels[15:25, 10:50] = INK
    return pixels


def _reopened(image: Image.Image, fmt: str, **kwargs) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **kwargs)
    return Image.open(io.BytesIO(buffer.getvalue()))


def _paper_and_ink(rgb: Image.Image) -> tuple[int, int]:
    assert rgb.mode == "RGB"
    return rgb.getpixel((2, 2))[0], rgb.getpixel((30, 20))[0]


def test_16_bit_grayscale_keeps_its_tones(tmp_path):
    # GIVEN a 16-bit PNG (values up to 65535): a plain convert("RGB") clips it all to white
    sixteen = _reopened(Image.fromarray(_stroke_8bit().astype(np.uint16) * 257), "PNG")
    assert sixteen.mode.startswith("I") and sixteen.convert("RGB").getpixel((30, 20))[0] == 255
    # WHEN normalised THEN paper and ink keep their 8-bit tones
    assert _paper_and_ink(normalize_image(sixteen)) == (PAPER, INK)


@pytest.mark.parametrize("hidden", [(0, 0, 0), (255, 255, 255), (0, 128, 255)])
def test_transparent_background_is_white_paper_whatever_colour_it_hides(hidden):
    rgba = np.zeros((40, 60, 4), np.uint8)
    rgba[..., :3] = hidden
    rgba[15:25, 10:50] = (INK, INK, INK, 255)  # opaque ink
    image = _reopened(Image.fromarray(rgba, "RGBA"), "PNG")
    assert _paper_and_ink(normalize_image(image)) == (255, INK)


def test_gray_with_alpha_and_palette_with_transparency():
    la = np.zeros((40, 60, 2), np.uint8)
    la[15:25, 10:50] = (INK, 255)
    assert _paper_and_ink(normalize_image(Image.fromarray(la, "LA"))) == (255, INK)
    palette = Image.fromarray(_stroke_8bit()).convert("P")
    paper_index = palette.getpixel((2, 2))
    reopened = _reopened(palette, "PNG", transparency=paper_index)
    assert "transparency" in reopened.info
    assert _paper_and_ink(normalize_image(reopened)) == (255, INK)


def test_cmyk_jpeg_reads_as_rgb():
    cmyk = _reopened(Image.fromarray(_stroke_8bit()).convert("CMYK"), "JPEG", quality=95)
    assert cmyk.mode == "CMYK"
    paper, ink = _paper_and_ink(normalize_image(cmyk))
    assert abs(paper - PAPER) < 8 and abs(ink - INK) < 8


def test_exif_rotation_is_applied_to_the_pixels(tmp_path):
    # GIVEN pixels stored turned left, with EXIF orientation 6 ("turn 90° clockwise to view")
    upright = Image.fromarray(_stroke_8bit())
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "photo.jpg"
    upright.rotate(90, expand=True).save(path, "JPEG", quality=95, exif=exif)
    # WHEN opened THEN the page is upright: 60 wide, 40 high, the stroke where it was drawn
    with open_document(path) as document:
        page = next(document.pages())
        image = page.image()
    assert (page.width, page.height) == image.size == (60, 40)
    assert abs(image.getpixel((30, 20))[0] - INK) < 10 and abs(image.getpixel((2, 2))[0] - PAPER) < 10


def _opens_within(path, seconds: float = 5.0):
    outcome: dict = {}

    def attempt() -> None:
        try:
            open_document(path)
        except errors.EmrError as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "open_document blocked"
    return outcome.get("error")


def test_fifo_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "pipe.pdf")
    error = _opens_within(tmp_path / "pipe.pdf")
    assert isinstance(error, errors.SpecialFile) and "pipe (FIFO)" in error.message("en")
    assert "管道" in error.message("zh")


def test_devices_and_sockets_are_refused(tmp_path):
    assert isinstance(_opens_within("/dev/zero"), errors.SpecialFile)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(str(tmp_path / "s.pdf"))
        error = _opens_within(tmp_path / "s.pdf")
    finally:
        server.close()
    assert isinstance(error, errors.SpecialFile) and "socket" in error.message("en")


def test_a_strip_too_long_to_read_gets_its_own_error(tmp_path):
    path = tmp_path / "strip.png"
    Image.new("L", (30000, 200), 255).save(path)
    with pytest.raises(errors.ImageShapeUnreadable) as caught:
        open_document(path)
    assert "30000×200" in caught.value.message("en")
    Image.new("L", (8000, 200), 255).save(path)  # 40:1 reads (measured with the embedded OCR)
    with open_document(path) as document:
        assert document.page_count == 1


def test_damaged_tiff_page_2_after_a_good_page_1(tmp_path):
    # GIVEN a two-page TIFF whose page 2 names a compression no decoder knows (n_frames raises KeyError)
    from tests.test_bad_input_corpus import _first_ifd_entry_offset, _tiff_bytes

    data = bytearray(_tiff_bytes([Image.new("L", (64, 64), 255), Image.new("L", (64, 64), 0)]))
    where = _first_ifd_entry_offset(bytes(data), 259, 1)
    data[where:where + 2] = struct.pack("<H", 34999)
    path = tmp_path / "two.tif"
    path.write_bytes(bytes(data))
    # WHEN opened THEN page 1 reads and page 2 fails as a page, not as the document
    with open_document(path) as document:
        pages = list(document.pages())
        assert len(pages) == 2
        assert pages[0].image().size == (64, 64)
        with pytest.raises(errors.PageError):
            pages[1].image()
