"""The embedded OCR default: RapidOCR's PP-OCRv4 models, shipped inside the wheel (no download).

Runs on OpenVINO when `rapidocr-openvino` is installed (faster on CPU), else on ONNX Runtime.

Two measured quirks are handled here: the angle classifier flips upright lines (so it is off),
and recognition drops the spaces between Latin words (so they are put back from the recogniser's
own per-frame probabilities, see `KeepSpaces`). Pieces on one line are joined by box geometry
in `layout`.
"""

from __future__ import annotations

import os
import re
import threading
from typing import TYPE_CHECKING

import numpy as np

from desktop_app import errors
from desktop_app.jobs.cancel import CancelToken
from desktop_app.jobs.progress import ProgressSink
from desktop_app.models import Block, OcrOutput
from desktop_app.ocr.layout import layout_page
from desktop_app.settings import EngineSettings

if TYPE_CHECKING:
    from desktop_app.ingest import SourcePage

SPACE_PROBABILITY = 0.05  # see KeepSpaces
_CJK = r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]"
_CJK_SPACE = re.compile(rf"(?<={_CJK}) +(?={_CJK})")


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


class KeepSpaces:
    """CTC decoding that keeps the spaces the recogniser half-sees.

    PP-OCRv4's recogniser often gives a space between Latin words less probability than the CTC
    blank, so "Urinary retention" decodes as "Urinaryretention". A frame whose best class is the
    blank but whose space probability is at least `threshold` is decoded as a space. Measured on
    scan-damaged A4 pages of ../shared/data notes: CER 10.6% → 1.0%, long run-on tokens 91 → 6.
    Spaces this puts between two CJK characters are removed again (Chinese has none).
    """

    def __init__(self, decode, threshold: float = SPACE_PROBABILITY) -> None:
        self._decode = decode
        self.threshold = threshold

    def __call__(self, preds: np.ndarray, return_word_box: bool = False, **kwargs):
        space = preds.shape[2] - 1  # rapidocr appends the space class last, after the dictionary
        promote = (preds.argmax(axis=2) == 0) & (preds[:, :, space] >= self.threshold)
        if promote.any():
            preds = preds.copy()
            preds[promote, space] = 1.0
        return self._decode(preds, return_word_box, **kwargs)


def drop_cjk_spaces(text: str) -> str:
    return _CJK_SPACE.sub("", text)


class RapidOcrEngine:
    name = "rapidocr"

    def __init__(self, settings: EngineSettings | None = None) -> None:
        self._ocr = None
        self._lock = threading.Lock()  # one onnxruntime session pair, used from one thread at a time

    def _engine(self):
        if self._ocr is None:
            rapid_ocr = _import_rapidocr()
            self._ocr = rapid_ocr(params={"Global.use_cls": False, "Global.print_verbose": False})
            self._ocr.text_rec.postprocess_op = KeepSpaces(self._ocr.text_rec.postprocess_op)
        return self._ocr

    def recognize(self, page: SourcePage, *, cancel: CancelToken, progress: ProgressSink) -> OcrOutput:
        image = page.image()
        cancel.raise_if_cancelled()
        with self._lock:
            try:
                result, _ = self._engine()(np.asarray(image), use_cls=False)
            except Exception as exc:  # onnxruntime/opencv failures on odd images
                raise errors.PageError(page=page.index + 1, detail=f"OCR failed ({type(exc).__name__})") from None
        pieces = []
        for row in result or []:
            quad, text, score = row[0], row[1], row[2]
            xs = [p[0] for p in quad]
            ys = [p[1] for p in quad]
            bbox = (float(min(xs)), float(min(ys)), float(max(xs)), float(max(ys)))
            text = drop_cjk_spaces(text)
            pieces.append(Block(text=text.strip(), bbox=bbox, confidence=round(float(score), 4)))
        text, lines = layout_page(pieces)
        return OcrOutput(text=text, blocks=lines)
