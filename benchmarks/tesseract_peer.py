"""Tesseract as the benchmarks' peer, run the way it is fastest on this machine.

Tesseract's text recogniser asks OpenMP for more threads than this machine has cores; left
unlimited, one A4 page took 13.1 s here, with `OMP_THREAD_LIMIT` at the core count 2.5 s (the
same text). A peer slowed by its own thread settings would flatter every ratio against it, so the
benchmarks cap its threads at the cores the process may use, as the embedded engine is capped.
"""

from __future__ import annotations

import os

from desktop_app.ocr.rapid_runtime import cpu_count


def tesseract_text(image, language: str, *, find_orientation: bool = False) -> str:
    """Tesseract's text of `image` ("zh": chi_sim, else eng); with `find_orientation`, the page is
    first turned the way Tesseract's own orientation detection (OSD) says."""
    import pytesseract

    saved = os.environ.get("OMP_THREAD_LIMIT")
    os.environ["OMP_THREAD_LIMIT"] = str(cpu_count())  # pytesseract's tesseract process inherits it
    try:
        if find_orientation:
            try:
                osd = pytesseract.image_to_osd(image, output_type=pytesseract.Output.DICT)
                if osd.get("rotate"):
                    image = image.rotate(-osd["rotate"], expand=True)
            except pytesseract.TesseractError:
                pass  # too little text to tell
        return pytesseract.image_to_string(image, lang="chi_sim" if language == "zh" else "eng")
    finally:
        if saved is None:
            os.environ.pop("OMP_THREAD_LIMIT", None)
        else:
            os.environ["OMP_THREAD_LIMIT"] = saved
