"""The embedded OCR default: RapidOCR's PP-OCRv4 models, shipped inside the wheel (no download).

Runs on OpenVINO when `rapidocr-openvino` is installed (faster on CPU), else on ONNX Runtime.

Two measured quirks are handled here: the angle classifier flips upright lines (so it is off),
and recognition drops the spaces between Latin words (so they are put back from the character
boxes the recogniser reports).
"""

from __future__ import annotations

import os
import statistics
import threading
from typing import TYPE_CHECKING

import numpy as np

from desktop_app import errors
from desktop_app.jobs.cancel import CancelToken
from desktop_app.jobs.progress import ProgressSink
from desktop_app.models import Block, OcrOutput
from desktop_app.settings import EngineSettings
from desktop_app.ocr.layout import is_cjk, layout_page

if TYPE_CHECKING:
    from desktop_app.ingest import SourcePage

SPACE_GAP = 0.4  # a gap wider than this share of the line height may be a dropped space
GAP_OVER_TYPICAL = 3.0  # ... if it is also this many times the piece's median gap
MIN_RUN_FOR_SPACES = 15
_PUNCT_BEFORE_SPACE = ",;:"
_WIDE = set("MWmw")


# Same PP-OCR models inside both wheels; the OpenVINO runtime ran ~2.6x faster on CPU here.
BACKENDS = ("rapidocr_openvino", "rapidocr_onnxruntime")


def _backend() -> str | None:
    import importlib.util

    return next((name for name in BACKENDS if importlib.util.find_spec(name) is not None), None)


def is_installed() -> bool:
    return _backend() is not None


def _import_rapidocr():
    # rapidocr pulls in opencv-python, whose import points Qt at its own (Qt5) plugins;
    # keep the Qt variables as they were so a running PySide6 app is not broken.
    import importlib

    saved = {k: os.environ.get(k) for k in ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_QPA_FONTDIR")}
    try:
        module = importlib.import_module(_backend() or BACKENDS[-1])
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return module.RapidOCR


def restore_spaces(chars: list[str], boxes: list, line_height: float) -> str:
    """Re-insert spaces the recogniser dropped in a run of Latin text, from the character boxes.

    The recogniser's character boxes are approximate (wide letters leave gaps too), so this is
    conservative: only pieces with no space at all and long enough to be several words, and only
    gaps that stand out both against the line height and against the piece's own typical gap.
    """
    text = "".join(chars)
    if len(chars) != len(boxes) or " " in text or len(chars) < MIN_RUN_FOR_SPACES:
        return text
    gaps = [boxes[i][0][0] - boxes[i - 1][1][0] for i in range(1, len(chars))]
    typical = max(statistics.median(gaps), 1.0)
    out = [chars[0]]
    for i in range(1, len(chars)):
        prev, cur = chars[i - 1], chars[i]
        # Wide letters leave gaps as large as a space in these boxes: never split next to them.
        if not (is_cjk(prev) or is_cjk(cur) or prev in _WIDE or cur in _WIDE):
            gap = gaps[i - 1]
            wide_gap = gap >= SPACE_GAP * line_height and gap >= GAP_OVER_TYPICAL * typical
            after_punct = prev in _PUNCT_BEFORE_SPACE and cur.isalpha()
            if wide_gap or after_punct:
                out.append(" ")
        out.append(cur)
    return "".join(out)


class RapidOcrEngine:
    name = "rapidocr"

    def __init__(self, settings: EngineSettings | None = None) -> None:
        self._ocr = None
        self._lock = threading.Lock()  # one onnxruntime session pair, used from one thread at a time

    def _engine(self):
        if self._ocr is None:
            rapid_ocr = _import_rapidocr()
            self._ocr = rapid_ocr(params={"Global.use_cls": False, "Global.print_verbose": False})
        return self._ocr

    def recognize(self, page: SourcePage, *, cancel: CancelToken, progress: ProgressSink) -> OcrOutput:
        image = page.image()
        cancel.raise_if_cancelled()
        with self._lock:
            try:
                result, _ = self._engine()(np.asarray(image), use_cls=False, return_word_box=True)
            except Exception as exc:  # onnxruntime/opencv failures on odd images
                raise errors.PageError(page=page.index + 1, detail=f"OCR failed ({type(exc).__name__})") from None
        pieces = []
        for row in result or []:
            quad, text, score = row[0], row[1], row[2]
            xs = [p[0] for p in quad]
            ys = [p[1] for p in quad]
            bbox = (float(min(xs)), float(min(ys)), float(max(xs)), float(max(ys)))
            if len(row) >= 5 and row[3] and row[4]:
                text = restore_spaces(list(row[4]), row[3], bbox[3] - bbox[1])
            pieces.append(Block(text=text.strip(), bbox=bbox, confidence=round(float(score), 4)))
        text, lines = layout_page(pieces)
        return OcrOutput(text=text, blocks=lines)
