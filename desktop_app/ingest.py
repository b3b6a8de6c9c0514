"""Open a document and stream its pages.

The type is read from the content (magic bytes, then Pillow's own sniffing), never from the file
name. Pages are produced one at a time and render lazily, so a 300-page PDF never holds more than
one page image in memory. Every way a file can be unreadable maps to a specific `DocumentError`.
"""

from __future__ import annotations

import os
import stat
import threading
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pymupdf
from PIL import Image, ImageOps, UnidentifiedImageError

from desktop_app import errors
from desktop_app.file_hash import file_sha256
from desktop_app.settings import IngestLimits

DEFAULT_LIMITS = IngestLimits()

# Our own per-page limit is checked from the header before any pixel is decoded, so Pillow's
# global bomb check (which would raise without telling us the size) is not needed.
Image.MAX_IMAGE_PIXELS = None

IMAGE_FORMATS = {"PNG", "JPEG", "MPO", "BMP", "WEBP", "TIFF"}
STRIP_PIXELS = 1_000_000  # rasterize PDF pages in strips this size (see render_pdf_page)
MIN_TEXT_LAYER_CHARS = 20  # fewer real characters than this: the page is a scan, OCR it
# Longer than this many times its width (or the reverse), a page cannot be read: the OCR scales the long
# side to 2,000 px and a 30000×200 strip would shrink to nothing (measured: 40:1 reads, 150:1 fails).
MAX_ASPECT_RATIO = 100
REPLACEMENT_CHAR = "\ufffd"
pymupdf.TOOLS.mupdf_display_errors(False)  # MuPDF would print repair chatter to stderr


@dataclass
class SourcePage:
    """One page of a document. `image()` renders or decodes it on demand."""

    index: int
    width: int
    height: int
    _load: Callable[[], Image.Image]
    pdf_page: pymupdf.Page | None = None
    text_layer_usable: bool = False
    scale: float = 1.0  # page pixels per PDF point (dpi / 72) for PDF pages

    def image(self) -> Image.Image:
        """The page as an RGB image; raises `errors.PageError` if it cannot be decoded."""
        return self._load()


class Document:
    """An opened document. Use as a context manager; iterate `pages()` once per run, or take
    `page(i)` for one page (the GUI's page view)."""

    def __init__(self, path: Path, kind: str, page_count: int,
                 page: Callable[[int], SourcePage], close: Callable[[], None]) -> None:
        self.path = path
        self.kind = kind
        self.page_count = page_count
        self._page = page
        self._close = close
        self._sha256: str | None = None
        # Held while a page is loaded or rendered when several threads use this document (the GUI's
        # worker and page view share one, jobs/shared_documents.py).
        self.lock = threading.RLock()

    @property
    def sha256(self) -> str:
        """The file's hash, computed on first use (showing one page of a big PDF needs none)."""
        if self._sha256 is None:
            self._sha256 = file_sha256(self.path)
        return self._sha256

    def page(self, index: int) -> SourcePage:
        if not 0 <= index < self.page_count:
            raise errors.PageError(page=index + 1, detail=f"the document has {self.page_count} pages")
        return self._page(index)

    def pages(self) -> Iterator[SourcePage]:
        return (self._page(index) for index in range(self.page_count))

    def close(self) -> None:
        self._close()

    def __enter__(self) -> Document:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_document(path: str | os.PathLike, limits: IngestLimits = DEFAULT_LIMITS, dpi: int = 200) -> Document:
    """Open a document; every way it can be unreadable raises a specific `errors.DocumentError`."""
    path = Path(path)
    shown = str(path)
    size, head = _read_head(path, shown)
    if size == 0:
        raise errors.EmptyFile(path=shown)
    if size > limits.max_bytes:
        raise errors.FileTooLarge(path=shown, size_mb=size / 2**20, limit_mb=limits.max_bytes / 2**20)
    if b"%PDF-" in head[:1024]:
        return _open_pdf(path, limits, dpi)
    return _open_image(path, head, limits)


SPECIAL_FILES = (  # (test, English, Chinese): what a non-regular file is, for the message
    (stat.S_ISFIFO, "a pipe (FIFO)", "管道（FIFO）"),
    (stat.S_ISCHR, "a character device", "字符设备"),
    (stat.S_ISBLK, "a block device", "块设备"),
    (stat.S_ISSOCK, "a socket", "套接字"),
)


def _refuse_special(mode: int, shown: str) -> None:
    """Only regular files are read: a FIFO blocks forever on open, a device never ends."""
    if stat.S_ISDIR(mode):
        raise errors.UnsupportedFormat(path=shown, found="a folder", found_zh="文件夹")
    if stat.S_ISREG(mode):
        return
    for test, english, chinese in SPECIAL_FILES:
        if test(mode):
            raise errors.SpecialFile(path=shown, found=english, found_zh=chinese)
    raise errors.SpecialFile(path=shown, found="a special file", found_zh="特殊文件")


def check_regular_file(path: str | os.PathLike) -> None:
    """Raise the `DocumentError` for anything that is not a readable regular file (missing, a
    dangling link, a folder, a FIFO, a device, a socket), without opening it."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):  # missing, dangling link, no permission, NUL in the name
        raise errors.FileNotFound(path=str(path)) from None
    _refuse_special(mode, str(path))


def _read_head(path: Path, shown: str) -> tuple[int, bytes]:
    """(size, first 2 KiB). The file type is checked before it is opened, and again on the open
    handle (O_NONBLOCK: a FIFO swapped in between must not block the run)."""
    check_regular_file(path)
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError:  # gone since, or no permission
        raise errors.FileNotFound(path=shown) from None
    with os.fdopen(descriptor, "rb") as handle:
        try:
            info = os.fstat(handle.fileno())
            _refuse_special(info.st_mode, shown)
            return info.st_size, handle.read(2048)
        except OSError:
            raise errors.FileNotFound(path=shown) from None


# --- PDF -------------------------------------------------------------------------------------


def _open_pdf(path: Path, limits: IngestLimits, dpi: int) -> Document:
    shown = str(path)
    try:
        pdf = pymupdf.open(path, filetype="pdf")
    except Exception:  # MuPDF raises several types for unreadable files
        raise errors.CorruptDocument(path=shown, kind="PDF") from None
    try:
        return _check_pdf(pdf, path, limits, dpi)
    except errors.DocumentError:
        raise
    except Exception:  # a damaged file can make any MuPDF call fail: it is still a damaged file
        pdf.close()
        raise errors.CorruptDocument(path=shown, kind="PDF") from None


def _check_pdf(pdf: pymupdf.Document, path: Path, limits: IngestLimits, dpi: int) -> Document:
    shown = str(path)
    if pdf.needs_pass and not pdf.authenticate(""):
        pdf.close()
        raise errors.EncryptedPdf(path=shown)
    if pdf.is_repaired and not _has_eof_marker(path):
        # Cut short (an interrupted download or copy): MuPDF rebuilds what it can, often pages
        # with no content, which would read as blank instead of as damaged.
        pdf.close()
        raise errors.CorruptDocument(path=shown, kind="PDF, truncated")
    count = pdf.page_count
    if count == 0:
        repaired = pdf.is_repaired
        pdf.close()
        if repaired:
            raise errors.CorruptDocument(path=shown, kind="PDF")
        raise errors.EmptyDocument(path=shown)
    if count > limits.max_pages:
        pdf.close()
        raise errors.TooManyPages(path=shown, pages=count, limit=limits.max_pages)

    return Document(path, "pdf", count, lambda index: _pdf_page(pdf, index, limits, dpi), pdf.close)


def _has_eof_marker(path: Path) -> bool:
    """A complete PDF ends with %%EOF (readers accept it anywhere in the last 1024 bytes)."""
    try:
        with open(path, "rb") as handle:
            handle.seek(max(0, path.stat().st_size - 1024))
            return b"%%EOF" in handle.read()
    except OSError:
        return False


def _pdf_page(pdf: pymupdf.Document, index: int, limits: IngestLimits, dpi: int) -> SourcePage:
    try:
        page = pdf.load_page(index)
        rect = page.rect
    except Exception:
        return _failed_page(index, "PDF page structure is damaged")
    # Huge page sizes (posters, broken MediaBox) would render a bomb: lower the DPI to fit.
    points = max(rect.width * rect.height, 1.0)
    scale = min(dpi / 72.0, (limits.max_pixels_per_page / points) ** 0.5)
    pixels = (rect * pymupdf.Matrix(scale, scale)).irect  # the size get_pixmap will produce
    width, height = pixels.width, pixels.height

    def render() -> Image.Image:
        try:
            return render_pdf_page(page, scale)
        except Exception:
            raise errors.PageError(page=index + 1, detail="the page could not be rendered") from None

    return SourcePage(index, width, height, render, pdf_page=page,
                      text_layer_usable=text_layer_usable(page), scale=scale)


def render_pdf_page(page: pymupdf.Page, scale: float) -> Image.Image:
    """Rasterize in horizontal strips of about STRIP_PIXELS each.

    MuPDF holds Python's GIL while it rasterizes; a whole scanned A4 page at 200 dpi took ~110 ms,
    which froze the GUI thread for as long. Strips (~16 ms each) give the GIL back in between, and
    the result is pixel-identical to a single render.
    """
    matrix = pymupdf.Matrix(scale, scale)
    target = (page.rect * matrix).irect
    strips = max(1, -(-target.width * target.height // STRIP_PIXELS))
    display_list = page.get_displaylist()
    image = Image.new("RGB", (target.width, target.height), "white")
    height = page.rect.height / strips
    for i in range(strips):
        clip = pymupdf.Rect(page.rect.x0, page.rect.y0 + i * height, page.rect.x1, page.rect.y0 + (i + 1) * height)
        pixmap = display_list.get_pixmap(matrix=matrix, alpha=False, colorspace=pymupdf.csRGB, clip=clip)
        strip = Image.frombytes("RGB", (pixmap.width, pixmap.height), pixmap.samples)
        image.paste(strip, (pixmap.x - target.x0, pixmap.y - target.y0))
    return image


def text_layer_usable(page: pymupdf.Page) -> bool:
    """Enough real characters and no replacement glyphs (fonts without a Unicode map)."""
    try:
        return usable_text(page.get_text("text"))
    except Exception:
        return False


def usable_text(text: str) -> bool:
    if REPLACEMENT_CHAR in text:
        return False
    real = sum(1 for ch in text if unicodedata.category(ch)[0] in "LN")
    return real >= MIN_TEXT_LAYER_CHARS


def _failed_page(index: int, detail: str) -> SourcePage:
    def fail() -> Image.Image:
        raise errors.PageError(page=index + 1, detail=detail)

    return SourcePage(index, 0, 0, fail)


# --- images ----------------------------------------------------------------------------------


def _open_image(path: Path, head: bytes, limits: IngestLimits) -> Document:
    shown = str(path)
    try:
        image = Image.open(path)
    except UnidentifiedImageError:
        # Pillow says "unidentified" also when a known format's header is damaged (a TIFF of width 0)
        damaged = _image_kind_from_magic(head)
        if damaged:
            raise errors.CorruptDocument(path=shown, kind=f"{damaged} image") from None
        raise errors.UnsupportedFormat(path=shown, **_describe_content(head)) from None
    except Exception:  # decoders raise OSError, ValueError, SyntaxError, struct.error, KeyError, …
        damaged = _image_kind_from_magic(head)
        raise errors.CorruptDocument(path=shown, kind=f"{damaged} image" if damaged else "image") from None
    try:
        return _check_image(image, path, limits)
    except errors.DocumentError:
        image.close()
        raise
    except Exception:  # reading the frame count or the header of a damaged file
        image.close()
        raise errors.CorruptDocument(path=shown, kind=f"{image.format} image") from None


def _check_image(image: Image.Image, path: Path, limits: IngestLimits) -> Document:
    shown = str(path)
    if image.format not in IMAGE_FORMATS:
        raise errors.UnsupportedFormat(path=shown, found=f"{image.format} image", found_zh=f"{image.format} 图像")
    kind = image.format.lower()
    count = _frame_count(image, limits.max_pages + 1) if image.format == "TIFF" else 1
    if count > limits.max_pages:
        raise errors.TooManyPages(path=shown, pages=count, limit=limits.max_pages)
    if count == 1:
        _check_pixels(image, limits, shown)
        try:
            image.load()  # a truncated single image is a document error, not a page error
        except Exception:
            raise errors.CorruptDocument(path=shown, kind=f"{image.format} image") from None

    return Document(path, kind, count, lambda index: _image_page(image, index, limits, shown), image.close)


def _frame_count(image: Image.Image, stop: int) -> int:
    """The number of pages of a multi-page image. Pillow's `n_frames` walks every frame and fails on
    the first damaged one; then the frames are walked here: those before it are pages, the damaged
    one is a page that will fail, and what follows it cannot be found."""
    try:
        return image.n_frames
    except Exception:
        pass
    count = 0
    while count < stop:
        try:
            image.seek(count)
        except EOFError:
            break
        except Exception:
            count += 1  # the damaged frame: reported as a failed page
            break
        count += 1
    image.seek(0)
    return max(count, 1)


def _image_page(image: Image.Image, index: int, limits: IngestLimits, shown: str) -> SourcePage:
    try:
        image.seek(index)
        width, height = image.size
    except Exception:
        return _failed_page(index, "the image frame is damaged")

    def load() -> Image.Image:
        try:
            image.seek(index)
            _check_pixels(image, limits, shown)
            return normalize_image(image)
        except (errors.ImageTooLarge, errors.ImageShapeUnreadable, errors.CorruptDocument) as exc:
            raise errors.PageError(page=index + 1, detail=exc.message("en")) from None
        except Exception:  # any decoder failure on this frame; the other frames go on
            raise errors.PageError(page=index + 1, detail="the image frame is damaged") from None

    # EXIF orientations 5-8 swap width and height.
    if _exif_orientation(image) in (5, 6, 7, 8):
        width, height = height, width
    return SourcePage(index, width, height, load)


# --- pixel formats ---------------------------------------------------------------------------

PAPER = (255, 255, 255)  # transparent areas are shown on white paper, as a viewer shows them


def normalize_image(image: Image.Image) -> Image.Image:
    """Any mode Pillow decodes → the RGB page a person would see.

    `convert("RGB")` alone gets two common cases wrong: 16-bit grayscale is clipped to 8 bits
    (every value above 255 turns white, so a 16-bit scan reads as blank), and transparency is
    dropped (a transparent background keeps its hidden colour, usually black, under black text).
    """
    try:
        image = ImageOps.exif_transpose(image)  # phones store the rotation in EXIF
    except Exception:  # an unreadable EXIF block: the pixels are still good, as stored
        image = image.copy()
    if image.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        image = _to_8bit(image)
    if image.mode == "P":
        # a palette may carry transparency (tRNS); RGBA keeps it for the composite below
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    if image.mode in ("L", "RGB") and "transparency" in image.info:
        image = image.convert("RGBA")  # a single transparent colour (PNG tRNS)
    if image.mode in ("LA", "La", "PA", "RGBA", "RGBa"):
        rgba = image.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, PAPER + (255,))
        return Image.alpha_composite(paper, rgba).convert("RGB")
    return image.convert("RGB")  # 1, L, CMYK, YCbCr, LAB, HSV, RGBX …


def _to_8bit(image: Image.Image) -> Image.Image:
    """16-bit (or 32-bit) grayscale → 8-bit, scaled by the range its type can hold."""
    pixels = np.asarray(image)
    if image.mode == "F":
        peak = 1.0 if float(np.nanmax(pixels, initial=0.0)) <= 1.0 else 255.0
        scaled = np.nan_to_num(pixels) / peak * 255.0
    else:
        # I;16 holds 0–65535. Pillow opens 16-bit PNGs as mode "I" too, so "I" is read as 16-bit
        # unless every value is 8-bit already.
        sixteen_bit = image.mode.startswith("I;16") or int(pixels.max(initial=0)) > 255
        peak = 65535.0 if sixteen_bit else 255.0
        scaled = pixels.astype(np.float64) / peak * 255.0
    return Image.fromarray(np.clip(np.rint(scaled), 0, 255).astype(np.uint8), "L")


def _exif_orientation(image: Image.Image) -> int:
    try:
        return int(image.getexif().get(0x0112, 1))
    except Exception:
        return 1


def _check_pixels(image: Image.Image, limits: IngestLimits, shown: str) -> None:
    """Size and shape from the header, before any pixel is decoded."""
    width, height = image.size
    if width <= 0 or height <= 0:
        raise errors.CorruptDocument(path=shown, kind=f"{image.format} image of {width}×{height} pixels")
    if width * height > limits.max_pixels_per_page:
        raise errors.ImageTooLarge(path=shown, width=width, height=height, megapixels=width * height / 1e6,
                                   limit_mp=limits.max_pixels_per_page / 1e6)
    if max(width, height) > MAX_ASPECT_RATIO * min(width, height):
        raise errors.ImageShapeUnreadable(path=shown, width=width, height=height, limit=MAX_ASPECT_RATIO)


IMAGE_MAGIC = {b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG", b"II*\x00": "TIFF", b"MM\x00*": "TIFF",
               b"BM": "BMP"}


def _image_kind_from_magic(head: bytes) -> str | None:
    """The supported image format the first bytes claim, if any."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return next((kind for magic, kind in IMAGE_MAGIC.items() if head.startswith(magic)), None)


def _describe_content(head: bytes) -> dict[str, str]:
    """A short, content-based description for the 'unsupported format' message (en and zh)."""
    signatures = {
        b"PK\x03\x04": ("a ZIP or Office file", "ZIP 或 Office 文件"),
        b"GIF8": ("a GIF image", "GIF 图像"),
        b"\xd0\xcf\x11\xe0": ("an old Office file", "旧版 Office 文件"),
        b"{\\rtf": ("an RTF file", "RTF 文件"),
        b"\x00\x00\x00": ("a video or HEIC file", "视频或 HEIC 文件"),
    }
    found = next((label for magic, label in signatures.items() if head.startswith(magic)), None)
    if found is None:
        try:
            head.decode("utf-8")
            found = ("a text file", "文本文件")
        except UnicodeDecodeError:
            found = ("unknown binary content", "无法识别的二进制内容")
    return {"found": found[0], "found_zh": found[1]}
