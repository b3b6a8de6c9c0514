"""Render clinical text to page images and PDFs, for test fixtures, benchmarks and evaluation sets.

Pages are A4 at a chosen DPI, with optional scan-like damage (skew, blur, JPEG noise). Needs a
CJK-capable font for Chinese (Debian's fonts-noto-cjk); the set-up installs it.
"""

from __future__ import annotations

import functools
import io
import random
import re
from collections.abc import Iterator
from pathlib import Path

import pymupdf
from PIL import Image, ImageDraw, ImageFilter, ImageFont

A4_INCHES = (8.27, 11.69)
FONT_CANDIDATES = {
    "sans": ["/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
             "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"],
    "serif": ["/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
              "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"],
}


def find_font(style: str = "sans") -> str:
    for candidate in FONT_CANDIDATES[style]:
        if Path(candidate).exists():
            return candidate
    raise FileNotFoundError("No CJK font found: install fonts-noto-cjk (apt-get install fonts-noto-cjk)")


def load_font(style: str = "sans", size: int = 30, bold: bool = False) -> ImageFont.FreeTypeFont:
    """The font to draw notes with, at `size` pixels: from Noto's CJK collection, its Simplified
    Chinese face. The collection holds one face per region (JP, KR, SC, TC, HK) and draws the same
    character in that region's form; its first face is Japanese, whose 门 骨 直 are not the forms a
    Chinese clinic prints (the recogniser read that 门 as 内). The Latin letters are alike in all."""
    path = find_font(style)
    if bold:
        path = path.replace("Regular", "Bold")
    return ImageFont.truetype(path, size, index=_simplified_chinese_face(path))


@functools.cache
def _simplified_chinese_face(path: str) -> int:
    """The index of the collection's SC face (0 for a single font, or a collection without one)."""
    if not path.endswith(".ttc"):
        return 0
    index = 0
    while True:
        try:
            if ImageFont.truetype(path, 12, index=index).getname()[0].endswith(" SC"):
                return index
        except OSError:  # past the last face
            return 0
        index += 1


def mtsamples_to_text(transcription: str) -> str:
    """MTSamples writes line breaks as commas after headings and sentences (`HEADING:,  text.,NEXT`)."""
    text = re.sub(r":\s*,\s*", ":\n", transcription)
    text = re.sub(r"\.\s*,\s*", ".\n", text)
    text = re.sub(r",\s*(?=[A-Z][A-Z /&-]{2,}:)", "\n", text)
    return "\n".join(line.strip() for line in text.splitlines())


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: float) -> Iterator[str]:
    for paragraph in text.split("\n"):
        if not paragraph.strip():
            yield ""
            continue
        # Break between words for Latin text and between characters for CJK.
        tokens = re.findall(r"[\u2e80-\u9fff\uff00-\uffef]|[^\s\u2e80-\u9fff\uff00-\uffef]+\s*|\s+", paragraph)
        line = ""
        for token in tokens:
            if line and draw.textlength(line + token.rstrip(), font=font) > width:
                yield line.rstrip()
                line = token.lstrip()
            else:
                line += token
        if line.strip():
            yield line.rstrip()


def render_pages(text: str, dpi: int = 200, font_pt: float = 11.0, style: str = "sans",
                 margin_in: float = 0.9, line_spacing: float = 1.45) -> list[Image.Image]:
    """Lay text out on as many A4 pages as it needs; returns clean RGB pages."""
    width, height = int(A4_INCHES[0] * dpi), int(A4_INCHES[1] * dpi)
    font = load_font(style, int(font_pt / 72 * dpi))
    margin = int(margin_in * dpi)
    line_height = int(font.size * line_spacing)
    probe = ImageDraw.Draw(Image.new("RGB", (10, 10)))
    lines = list(_wrap(probe, text, font, width - 2 * margin))
    per_page = max(1, (height - 2 * margin) // line_height)
    pages = []
    for first in range(0, max(len(lines), 1), per_page):
        page = Image.new("RGB", (width, height), "white")
        draw = ImageDraw.Draw(page)
        for row, line in enumerate(lines[first:first + per_page]):
            draw.text((margin, margin + row * line_height), line, font=font, fill=(20, 20, 20))
        pages.append(page)
    return pages


def scan_damage(page: Image.Image, seed: int = 0, skew_deg: float = 0.6, blur: float = 0.6,
                jpeg_quality: int = 70) -> Image.Image:
    """A scanner's look: slight rotation, blur, grey paper, JPEG artefacts."""
    rng = random.Random(seed)
    angle = rng.uniform(-skew_deg, skew_deg)
    damaged = page.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=(245, 245, 240))
    if blur:
        damaged = damaged.filter(ImageFilter.GaussianBlur(blur))
    buffer = io.BytesIO()
    damaged.save(buffer, "JPEG", quality=jpeg_quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def save_pdf_from_images(pages: list[Image.Image], target: Path, dpi: int = 200) -> None:
    """A scanned PDF: one image per page, no text layer."""
    first, rest = pages[0], pages[1:]
    first.save(target, "PDF", resolution=dpi, save_all=True, append_images=rest)


def save_text_pdf(text: str, target: Path, font_pt: float = 11.0) -> None:
    """A born-digital PDF with a real text layer (CJK through MuPDF's built-in 'china-s' font)."""
    pdf = pymupdf.open()
    width, height = A4_INCHES[0] * 72, A4_INCHES[1] * 72
    cjk = bool(re.search(r"[\u4e00-\u9fff]", text))
    font = "china-s" if cjk else "helv"
    remaining = text
    while remaining:
        page = pdf.new_page(width=width, height=height)
        box = pymupdf.Rect(60, 60, width - 60, height - 60)
        writer = pymupdf.TextWriter(page.rect)
        leftover = writer.fill_textbox(box, remaining, font=pymupdf.Font(font), fontsize=font_pt)
        writer.write_text(page)
        # What did not fit comes back as (line, width) pairs: it starts the next page.
        remaining = "\n".join(item[0] if isinstance(item, tuple) else str(item) for item in leftover or [])
    pdf.save(target)
    pdf.close()
