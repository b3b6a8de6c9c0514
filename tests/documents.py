"""Builders for test documents, written only under a test's tmp_path."""

from __future__ import annotations

import json
from pathlib import Path

import pymupdf
from PIL import Image

from desktop_app.render import mtsamples_to_text, render_pages, save_text_pdf

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

EN_NOTE = """CHIEF COMPLAINT:
Chest pain for two days.
HISTORY OF PRESENT ILLNESS:
The patient is a 58-year-old man with chest pain on exertion for two days.
ASSESSMENT:
Stable angina.
PLAN:
Start aspirin 81 mg daily and refer for a stress test.
"""

ZH_NOTE = """门诊病历
主诉：咳嗽、咳痰1周。
现病史：患者1周前受凉后出现咳嗽。
初步诊断：急性支气管炎
处理意见：多饮水，复诊。
"""


def mtsamples_record(note_id: int) -> dict:
    for line in open(DATA / "mtsamples_dev.jsonl", encoding="utf-8"):
        row = json.loads(line)
        if row["note_id"] == note_id:
            return row
    raise KeyError(note_id)


def mtsamples_text(note_id: int) -> str:
    return mtsamples_to_text(mtsamples_record(note_id)["transcription"])


def image_file(tmp_path: Path, text: str, name: str = "page.png", dpi: int = 150, **kwargs) -> Path:
    path = tmp_path / name
    render_pages(text, dpi=dpi, **kwargs)[0].save(path)
    return path


def text_pdf(tmp_path: Path, text: str, name: str = "note.pdf") -> Path:
    path = tmp_path / name
    save_text_pdf(text, path)
    return path


def mixed_pdf(tmp_path: Path, text_page: str, scanned_page: str, name: str = "mixed.pdf") -> Path:
    """Page 1 has a text layer; page 2 is only an image (a scan)."""
    path = tmp_path / name
    pdf = pymupdf.open()
    pdf.insert_pdf(pymupdf.open(text_pdf(tmp_path, text_page, "part1.pdf")))
    image = render_pages(scanned_page, dpi=150)[0]
    image_path = tmp_path / "part2.png"
    image.save(image_path)
    page = pdf.new_page(width=595, height=842)
    page.insert_image(page.rect, filename=str(image_path))
    pdf.save(path)
    return path


def blank_png(tmp_path: Path, size=(200, 100), name="blank.png") -> Path:
    path = tmp_path / name
    Image.new("RGB", size, "white").save(path)
    return path


def numbered_pdf(path: Path, pages: int = 3, label: str = "Page") -> Path:
    """A text PDF whose page N says "<label> N. CHIEF COMPLAINT: …" (tells pages and versions apart)."""
    document = pymupdf.open()
    for number in range(pages):
        page = document.new_page(width=595, height=842)
        page.insert_text((72, 100), f"{label} {number + 1}. CHIEF COMPLAINT: cough for three days.", fontsize=14)
    document.save(path)
    document.close()
    return path
