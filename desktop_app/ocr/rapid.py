"""The embedded OCR default: RapidOCR's PP-OCRv4 models, shipped inside the wheel (no download).

Runs on OpenVINO when `rapidocr-openvino` is installed (faster on CPU), else on ONNX Runtime.

The engine drives RapidOCR's detector and recogniser itself so that it can
- find which way up the page is (`orientation`) and read it upright, boxes mapped back to the
  original page pixels; RapidOCR's own angle classifier is off: it flips upright lines;
- keep what the recogniser knew per character (`FrameDecoder`), so doubtful words are marked
  (`doubt`) instead of being copied silently;
- put back the spaces between Latin words that recognition drops (`FrameDecoder` again).
Pieces are joined into lines and put in reading order, in the page's de-skewed frame, by `layout`.
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
from desktop_app.ocr import orientation
from desktop_app.ocr.doubt import CharReading, LineReading, doubt_spans, is_unsure, second_look
from desktop_app.ocr.layout import is_cjk, layout_page
from desktop_app.settings import EngineSettings

if TYPE_CHECKING:
    from desktop_app.ingest import SourcePage

SPACE_PROBABILITY = 0.01  # see FrameDecoder
CJK_SPACE_PROBABILITY = 0.05  # a space next to a CJK character needs this much to be kept
HALF_SEEN_FLOOR = 0.01  # a class this faint between two characters is not worth keeping
TEXT_SCORE = 0.5  # lines below this mean probability are noise (specks, ruling), as in RapidOCR
UPRIGHT_CONFIDENCE = 0.8  # a first read whose median line scores this is not checked for 180°
TRIAL_LINES = 8  # longest lines read turned by 180° to decide whether the page is upside down

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


class FrameDecoder:
    """CTC decoding that keeps what the recogniser knew, frame by frame. Returns `LineReading`s.

    - Spaces: PP-OCRv4's recogniser often gives a space between Latin words less probability than
      the CTC blank, so "Urinary retention" decodes as "Urinaryretention". A frame whose best class
      is the blank but whose space probability is at least `space_threshold` is decoded as a space.
      Measured on scan-damaged A4 pages of ../shared/data notes: CER 10.6% → 1.0% at 0.05; the
      spaces still lost (after punctuation, between capitals: "pain,and", "OFPRESENT") are seen
      with 0.01–0.05, and 0.01 took word F1 0.984 → 0.997 on skewed scans and phone photos.
      Spaces between two CJK characters are not kept (Chinese has none), nor leading/trailing ones.
    - Per character: its best frame probability.
    - Between characters: the most likely non-blank class of the blank frames, when it was half-seen
      (a decimal point that lost to the blank is how "0.5" becomes "05").
    """

    def __init__(self, character: list[str], space_threshold: float = SPACE_PROBABILITY) -> None:
        self.character = character  # index 0 is the CTC blank, the last is the space
        self.space_threshold = space_threshold

    def __call__(self, preds: np.ndarray, return_word_box: bool = False, **kwargs) -> list[LineReading]:
        return [self.decode_line(frames) for frames in preds]

    def decode_line(self, frames: np.ndarray) -> LineReading:
        space = frames.shape[1] - 1
        best = frames.argmax(axis=1)
        best = np.where((best == 0) & (frames[:, space] >= self.space_threshold), space, best)
        # Runs of equal best classes: CTC collapses each run to one class, then drops blanks.
        cuts = np.flatnonzero(np.diff(best)) + 1
        starts = np.concatenate(([0], cuts))
        ends = np.concatenate((cuts, [len(best)]))
        chars: list[CharReading] = []
        half_seen: list[tuple[int, str, float]] = []
        for start, end in zip(starts, ends, strict=True):
            label = int(best[start])
            peak = frames[start:end].max(axis=0)
            if label == 0:
                peak[0] = 0
                other = int(peak.argmax())
                if chars and peak[other] >= HALF_SEEN_FLOOR:
                    half_seen.append((len(chars), self.character[other], float(peak[other])))
                continue
            chars.append(CharReading(self.character[label], float(peak[label])))
        return self._tidy_spaces(chars, half_seen)

    def _tidy_spaces(self, chars: list[CharReading], half_seen: list[tuple[int, str, float]]) -> LineReading:
        """Drop leading, trailing and repeated spaces, spaces between two CJK characters, and faint
        spaces next to one (Chinese puts no space before a number: "咳嗽1周")."""
        kept: list[CharReading] = []
        new_index = []  # position in `kept` of each original index
        for i, reading in enumerate(chars):
            new_index.append(len(kept))
            if reading.char == " ":
                left = kept[-1].char if kept else ""
                right = chars[i + 1].char if i + 1 < len(chars) else ""
                cjk = [bool(side) and is_cjk(side) for side in (left, right)]
                if (not left or not right or left == " " or right == " " or all(cjk)
                        or (any(cjk) and reading.probability < CJK_SPACE_PROBABILITY)):
                    continue
            kept.append(reading)
        new_index.append(len(kept))
        moved = [(new_index[i], char, p) for i, char, p in half_seen if 0 < new_index[i] < len(kept)]
        visible = [c.probability for c in kept if c.char != " "]
        return LineReading(text="".join(c.char for c in kept), confidence=float(np.mean(visible)) if visible else 0.0,
                           chars=kept, half_seen=moved)


def _reframed(crop: np.ndarray) -> np.ndarray:
    """The same line framed differently (a margin of paper around it) for an independent second read."""
    import cv2

    pad = max(2, crop.shape[0] // 6)
    return cv2.copyMakeBorder(crop, pad, pad, pad, pad, cv2.BORDER_REPLICATE)


def _sizes(quads) -> list[tuple[float, float]]:
    return [(float(np.linalg.norm(q[0] - q[1])), float(np.linalg.norm(q[0] - q[3]))) for q in quads]


class RapidOcrEngine:
    name = "rapidocr"

    def __init__(self, settings: EngineSettings | None = None) -> None:
        self._ocr = None
        self._lock = threading.Lock()  # one inference session pair, used from one thread at a time

    def _engine(self):
        if self._ocr is None:
            rapid_ocr = _import_rapidocr()
            self._ocr = rapid_ocr(params={"Global.use_cls": False, "Global.print_verbose": False})
            self._ocr.text_rec.postprocess_op = FrameDecoder(self._ocr.text_rec.postprocess_op.character)
        return self._ocr

    def _read(self, image: np.ndarray):
        """Detect and recognise: (quads in `image` pixels, line crops, readings), in detector order."""
        ocr = self._engine()
        raw_h, raw_w = image.shape[:2]
        resized, ratio_h, ratio_w = ocr.preprocess(image)
        resized, record = ocr.maybe_add_letterbox(resized, {"preprocess": {"ratio_h": ratio_h, "ratio_w": ratio_w}})
        boxes, _ = ocr.auto_text_det(resized)
        if boxes is None:
            return [], [], []
        crops = ocr.get_crop_img_list(resized, boxes)
        readings, _ = ocr.text_rec(crops)
        quads = ocr._get_origin_points(boxes, record, raw_h, raw_w)
        return list(quads), crops, readings

    def _look_again(self, crops, readings: list[LineReading]) -> list[LineReading]:
        """Read the lines with an unsure character once more, framed differently (see `second_look`)."""
        unsure = [i for i, reading in enumerate(readings) if is_unsure(reading)]
        if not unsure:
            return readings
        again, _ = self._engine().text_rec([_reframed(crops[i]) for i in unsure])
        readings = list(readings)
        for i, reading in zip(unsure, again, strict=True):
            readings[i] = second_look(readings[i], reading)
        return readings

    def _turns(self, quads, crops, readings: list[LineReading]) -> int:
        """Quarter turns that bring the page upright (0 for a page read the right way up)."""
        on_side = orientation.tall_share(_sizes(quads)) >= 0.5
        scores = [r.confidence for r in readings if r.text.strip()]
        if not on_side and scores and statistics.median(scores) >= UPRIGHT_CONFIDENCE:
            return 0
        trial = sorted(range(len(crops)), key=lambda i: -crops[i].shape[1])[:TRIAL_LINES]
        if not trial:
            return 0
        turned, _ = self._engine().text_rec([np.ascontiguousarray(np.rot90(crops[i], 2)) for i in trial])
        as_read = statistics.mean(readings[i].confidence for i in trial)
        flipped = statistics.mean(r.confidence for r in turned) > as_read + orientation.FLIP_MARGIN
        return orientation.quarter_turns(on_side, flipped)

    def recognize(self, page: SourcePage, *, cancel: CancelToken, progress: ProgressSink) -> OcrOutput:
        image = np.asarray(page.image())
        cancel.raise_if_cancelled()
        with self._lock:
            try:
                quads, crops, readings = self._read(image)
                turns = self._turns(quads, crops, readings) if quads else 0
                if turns:
                    cancel.raise_if_cancelled()
                    image = np.ascontiguousarray(np.rot90(image, turns))
                    # Detected again on the upright page: boxes found on sideways text merge and split
                    # lines (reusing them cost 5% CER on turned pages here).
                    quads, crops, readings = self._read(image)
                readings = self._look_again(crops, readings)
            except Exception as exc:  # onnxruntime/openvino/opencv failures on odd images
                raise errors.PageError(page=page.index + 1, detail=f"OCR failed ({type(exc).__name__})") from None
        pieces, piece_quads = [], []
        for quad, reading in zip(quads, readings, strict=True):
            if reading.confidence < TEXT_SCORE or not reading.text.strip():
                continue
            corners = [(float(x), float(y)) for x, y in quad]
            bbox = (min(x for x, _ in corners), min(y for _, y in corners),
                    max(x for x, _ in corners), max(y for _, y in corners))
            pieces.append(Block(text=reading.text, bbox=bbox, confidence=round(reading.confidence, 4),
                                doubts=doubt_spans(reading)))
            piece_quads.append(corners)
        text, lines = layout_page(pieces, piece_quads)
        if turns:
            height, width = image.shape[:2]
            for line in lines:
                line.bbox = orientation.box_to_page(line.bbox, turns, width, height)
        return OcrOutput(text=text, blocks=lines)
