"""The embedded OCR default: RapidOCR's PP-OCRv4 models, shipped inside the wheel (no download).

Runs on OpenVINO when `rapidocr-openvino` is installed (faster on CPU), else on ONNX Runtime; how
the sessions are set up for this machine (threads, parallel recognition streams) is `rapid_runtime`.
PP-OCRv6 small (`models="v6"`) can be measured against it with benchmarks/ocr_fidelity.py: it reads
English better and Chinese worse, and runs on ONNX Runtime only, about half as fast (see there).

The engine drives RapidOCR's detector and recogniser itself so that it can
- find which way up the page is (`orientation`) and read it upright, boxes mapped back to the
  original page pixels; RapidOCR's own angle classifier is off: it flips upright lines. A page on
  its side is told from the detections and a trial read of a few lines, never read sideways in full;
- keep what the recogniser knew per character (`FrameDecoder`), so doubtful words are marked
  (`doubt`) instead of being copied silently, and keep the weak lines RapidOCR would drop (< 0.5),
  marked doubtful, since a dropped line is text lost without a cue;
- put back the spaces between Latin words that recognition drops (`FrameDecoder` again).
Pieces are joined into lines and put in reading order, in the page's de-skewed frame, by `layout`.
"""

from __future__ import annotations

import os
import re
import statistics
import threading
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from desktop_app import errors
from desktop_app.cancel import CancelToken
from desktop_app.models import Block, OcrOutput
from desktop_app.ocr import orientation, rapid_runtime
from desktop_app.ocr.doubt import CharReading, LineReading, doubt_spans, is_unsure, second_look
from desktop_app.ocr.layout import is_cjk, layout_page
from desktop_app.progress import ProgressSink
from desktop_app.settings import EngineSettings

if TYPE_CHECKING:
    from desktop_app.ingest import SourcePage

SPACE_PROBABILITY = 0.01  # see FrameDecoder
CJK_SPACE_PROBABILITY = 0.05  # a space next to a CJK character needs this much to be kept
DECIMAL_SPACE_PROBABILITY = 0.1  # a space between "3." and "96" needs this much to be kept
HALF_SEEN_FLOOR = 0.01  # a class this faint between two characters is not worth keeping
CAPITAL_RUNNER_UP_FLOOR = 0.01  # see FrameDecoder: a capital this likely is a real contender
# Small letters that a blurred crop scaled to one height tells from their capital by size alone
# (and "i", whose dot blurs away: "HiV", "MRi").
CAPITAL_LOOKALIKES = frozenset("cosuvwxzi")
_LATIN_WORD = re.compile("[A-Za-z]+")
UPRIGHT_CONFIDENCE = 0.8  # a first read whose median line scores this is not checked for 180°
MODELS = ("v4", "v6")  # see `rapid_runtime.model_files`
DEFAULT_MODELS = "v4"
TRIAL_LINES = 8  # longest lines read turned by 180° to decide whether the page is upside down

# Same PP-OCR models inside both wheels; the OpenVINO runtime ran ~2.6x faster on CPU here.
BACKENDS = ("rapidocr_openvino", "rapidocr_onnxruntime")
# OpenVINO 2024.0 (the newest rapidocr-openvino 1.4 accepts) cannot load the PP-OCRv6 graphs
# ("The value of scalar shape pattern should be equal to 1!"): v6 runs on ONNX Runtime only.
BACKENDS_FOR = {"v4": BACKENDS, "v6": ("rapidocr_onnxruntime",)}


def _backend(models: str = "v4") -> str | None:
    import importlib.util

    return next((name for name in BACKENDS_FOR[models] if importlib.util.find_spec(name) is not None), None)


def is_installed() -> bool:
    return _backend() is not None


def _import_rapidocr(models: str):
    # rapidocr pulls in opencv-python, whose import points Qt at its own (Qt5) plugins;
    # keep the Qt variables as they were so a running PySide6 app is not broken.
    import importlib

    saved = {k: os.environ.get(k) for k in ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_QPA_FONTDIR")}
    try:
        module = importlib.import_module(_backend(models) or BACKENDS[-1])
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return module


class FrameDecoder:
    """CTC decoding that keeps what the recogniser knew, frame by frame. Returns `LineReading`s.

    - Spaces: PP-OCRv4's recogniser often gives a space between Latin words less probability than
      the CTC blank, so "Urinary retention" decodes as "Urinaryretention". A frame whose best class
      is the blank but whose space probability is at least `space_threshold` is decoded as a space.
      Measured on scan-damaged A4 pages of ../shared/data notes: CER 10.6% → 1.0% at 0.05; the
      spaces still lost (after punctuation, between capitals: "pain,and", "OFPRESENT") are seen
      with 0.01–0.05, and 0.01 took word F1 0.984 → 0.997 on skewed scans and phone photos.
      Spaces between two CJK characters are not kept (Chinese has none), nor leading/trailing ones,
      nor a faint one after the decimal point of a number ("3. 96": 12 on one FUNSD table of values;
      the 1,202 MTSamples notes write a digit, a period, a space and a digit 5 times, 1,652 decimals).
    - Per character: its best frame probability, and its runner-up (the best other non-blank class
      over its frames: "o" that was 40% "0"), which `doubt` reads for look-alike misreads.
    - Between characters: the most likely non-blank class of the blank frames, when it was half-seen
      (a decimal point that lost to the blank is how "0.5" becomes "05").
    - Case inside capitals: many small and capital letters differ only in size (o/O, s/S, c/C,
      u/U, v/V, w/W, x/X; and i/I once the dot blurs), which a crop scaled to one height hardly
      shows, so headings and acronyms come out as "CARDIoVASCULAR", "MouTH", "CoPD", "HiV". A small
      letter in a word of capitals is read as its capital when the recogniser's runner-up for it
      was that very capital (≥ 1%; 2–50% in the misreads of ../shared/data renders). A plural
      written small ("TMs", "PVCs") is read with its capital at ≤ 0.2% (so is the "i" of "His"),
      and a word that mixes cases for real ("HbA1c", "pCO2") has small letters of other shapes.
    - Full-width marks in a Latin line: the recogniser reads Chinese too, and now and then gives an
      English line a full-width comma or colon ("morphine，and"), which would be pasted as such; in
      a line with no CJK character they are read as their Latin forms.
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
            probability = float(peak[label])
            peak[0], peak[label] = 0, 0
            other = int(peak.argmax())
            chars.append(CharReading(self.character[label], probability, self.character[other], float(peak[other])))
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
                # "3. 96" for 3.96: a faint space after a decimal point splits the number (and
                # starts a false list item "3." in a table of values).
                decimal = (left == "." and len(kept) >= 2 and kept[-2].char.isdigit() and right.isdigit()
                           and reading.probability < DECIMAL_SPACE_PROBABILITY)
                if (not left or not right or left == " " or right == " " or all(cjk) or decimal
                        or (any(cjk) and reading.probability < CJK_SPACE_PROBABILITY)):
                    continue
            kept.append(reading)
        new_index.append(len(kept))
        moved = [(new_index[i], char, p) for i, char, p in half_seen if 0 < new_index[i] < len(kept)]
        kept = self._capitals(self._half_width_in_latin_line(kept))
        visible = [c.probability for c in kept if c.char != " "]
        return LineReading(text="".join(c.char for c in kept), confidence=float(np.mean(visible)) if visible else 0.0,
                           chars=kept, half_seen=moved)

    @staticmethod
    def _half_width_in_latin_line(chars: list[CharReading]) -> list[CharReading]:
        # Chinese sets full-width marks next to Latin letters and digits too ("T37.8℃，P：74"), so
        # only a line with no CJK character at all is taken to be Latin text.
        fullwidth = {i for i, c in enumerate(chars) if "\uff01" <= c.char <= "\uff5e"}  # forms of ASCII
        if not fullwidth or any(is_cjk(c.char) for i, c in enumerate(chars) if i not in fullwidth):
            return chars
        out = list(chars)
        for i in fullwidth:
            out[i] = replace(chars[i], char=unicodedata.normalize("NFKC", chars[i].char))
        return out

    @staticmethod
    def _capitals(chars: list[CharReading]) -> list[CharReading]:
        """Small letters read as their capital in words of capitals (see the class docstring). The
        letter itself was sure to the sum of both cases' probabilities; which case, the word decides."""
        out = list(chars)
        for word in _LATIN_WORD.finditer("".join(c.char for c in chars)):
            small = [i for i in range(*word.span()) if chars[i].char.islower()]
            capitals = sum(ch.isupper() for ch in word.group())
            if small and capitals >= 2 and all(
                    chars[i].char in CAPITAL_LOOKALIKES and chars[i].alternative == chars[i].char.upper()
                    and chars[i].alternative_probability >= CAPITAL_RUNNER_UP_FLOOR for i in small):
                for i in small:
                    both_cases = min(1.0, chars[i].probability + chars[i].alternative_probability)
                    out[i] = CharReading(chars[i].alternative, both_cases)
        return out


def _reframed(crop: np.ndarray) -> np.ndarray:
    """The same line framed differently (a margin of paper around it) for an independent second read."""
    import cv2

    pad = max(2, crop.shape[0] // 6)
    return cv2.copyMakeBorder(crop, pad, pad, pad, pad, cv2.BORDER_REPLICATE)


def _sizes(quads) -> list[tuple[float, float]]:
    return [(float(np.linalg.norm(q[0] - q[1])), float(np.linalg.norm(q[0] - q[3]))) for q in quads]


class RapidOcrEngine:
    name = "rapidocr"

    def __init__(self, settings: EngineSettings | None = None, models: str = DEFAULT_MODELS) -> None:
        if models not in MODELS:
            raise ValueError(f"models must be one of {MODELS}")
        self.models = models
        self.backend = _backend(models)  # the runtime package that will run them (None: not installed)
        self._ocr = None
        self._pool: ThreadPoolExecutor | None = None  # recognition streams (see rapid_runtime)
        self._streams = 1
        self._lock = threading.Lock()  # one inference session pair, used from one thread at a time

    def _engine(self):
        if self._ocr is None:
            module = _import_rapidocr(self.models)
            det, rec, character = rapid_runtime.model_files(self.models, module)
            # RapidOCR 1.4 takes keyword arguments; its angle classifier is never used here (see the
            # module docstring): the engine calls the detector and the recogniser itself.
            ocr = module.RapidOCR(det_model_path=det, rec_model_path=rec)
            self._streams = rapid_runtime.tune(ocr, module.__name__, det, rec)
            if self._streams > 1:
                self._pool = ThreadPoolExecutor(self._streams, thread_name_prefix="rapidocr-rec")
            ocr.text_rec.postprocess_op = FrameDecoder(character or ocr.text_rec.postprocess_op.character)
            self._ocr = ocr
        return self._ocr

    def _detect(self, image: np.ndarray):
        """Find the text: (quads in `image` pixels, line crops), in detector order."""
        ocr = self._engine()
        raw_h, raw_w = image.shape[:2]
        resized, ratio_h, ratio_w = ocr.preprocess(image)
        resized, record = ocr.maybe_add_letterbox(resized, {"preprocess": {"ratio_h": ratio_h, "ratio_w": ratio_w}})
        boxes, _ = ocr.auto_text_det(resized)
        if boxes is None:
            return [], []
        # Lines are cut from the copy the detector saw (at most 2000 pixels on its long side): cut
        # from a 200 dpi page itself they read worse (CER 0.08% -> 0.16% on an English scan, 2.4% ->
        # 2.6% on a Chinese one), as the recogniser's plain resize to 48 pixels then aliases the strokes.
        crops = ocr.get_crop_img_list(resized, boxes)
        return list(ocr._get_origin_points(boxes, record, raw_h, raw_w)), crops

    def _recognise(self, crops) -> list[LineReading]:
        if not crops:
            return []
        text_rec = self._engine().text_rec
        return rapid_runtime.recognise_in_parallel(lambda share: text_rec(share)[0], crops, self._pool,
                                                   self._streams)

    def _look_again(self, crops, readings: list[LineReading]) -> list[LineReading]:
        """Read the lines with an unsure character once more, framed differently (see `second_look`)."""
        unsure = [i for i, reading in enumerate(readings) if is_unsure(reading)]
        if not unsure:
            return readings
        again = self._recognise([_reframed(crops[i]) for i in unsure])
        readings = list(readings)
        for i, reading in zip(unsure, again, strict=True):
            readings[i] = second_look(readings[i], reading)
        return readings

    def _reads_better_flipped(self, crops, readings: list[LineReading] | None) -> bool:
        """Whether the longest lines, turned by 180°, read clearly better than as they are."""
        trial = sorted(range(len(crops)), key=lambda i: -crops[i].shape[1])[:TRIAL_LINES]
        if not trial:
            return False
        as_is = ([readings[i] for i in trial] if readings is not None
                 else self._recognise([crops[i] for i in trial]))
        turned = self._recognise([np.ascontiguousarray(np.rot90(crops[i], 2)) for i in trial])
        return (statistics.mean(r.confidence for r in turned)
                > statistics.mean(r.confidence for r in as_is) + orientation.FLIP_MARGIN)

    def _read_upright(self, image: np.ndarray, cancel: CancelToken):
        """(turns, upright image, quads, crops, readings): the page read the right way up.

        A page on its side is told by its detections alone, and which side is up by a trial read of
        a few lines, so its sideways text is never read in full. An upright-looking page is read
        once; only when that read is weak are a few of its lines tried upside down.
        """
        quads, crops = self._detect(image)
        readings = None
        if quads and orientation.tall_share(_sizes(quads)) >= 0.5:
            turns = orientation.quarter_turns(True, self._reads_better_flipped(crops, None))
        else:
            readings = self._recognise(crops)
            scores = [r.confidence for r in readings if r.text.strip()]
            weak = bool(scores) and statistics.median(scores) < UPRIGHT_CONFIDENCE
            turns = 2 if weak and self._reads_better_flipped(crops, readings) else 0
        if turns:
            cancel.raise_if_cancelled()
            image = np.ascontiguousarray(np.rot90(image, turns))
            # Detected again on the upright page: boxes found on sideways text merge and split
            # lines (reusing them cost 5% CER on turned pages here).
            quads, crops = self._detect(image)
            readings = None
        if readings is None:
            readings = self._recognise(crops)
        return turns, image, quads, crops, readings

    def recognize(self, page: SourcePage, *, cancel: CancelToken, progress: ProgressSink) -> OcrOutput:
        image = np.asarray(page.image())
        cancel.raise_if_cancelled()
        with self._lock:
            try:
                turns, image, quads, crops, readings = self._read_upright(image, cancel)
                readings = self._look_again(crops, readings)
            except errors.Cancelled:
                raise
            except Exception as exc:  # onnxruntime/openvino/opencv failures on odd images
                raise errors.PageError(page=page.index + 1, detail=f"OCR failed ({type(exc).__name__})") from None
        pieces, piece_quads = [], []
        for quad, reading in zip(quads, readings, strict=True):
            # Weak lines are kept (RapidOCR drops those under 0.5): a dropped line is text lost
            # without a cue, a kept one is shown doubtful as a whole (`doubt.LINE_DOUBT`).
            if not reading.text.strip():
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
