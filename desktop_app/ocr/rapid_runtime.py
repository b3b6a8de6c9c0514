"""How RapidOCR's two models run on this machine: runtime threads and parallel recognition.

RapidOCR 1.4 builds each model's session with the runtime's defaults and recognises the line
crops one batch after the other. On a small CPU (2 cores here) one batch of short line images
does not keep both cores busy, so the recogniser is compiled for throughput instead: several
inference streams (OpenVINO) or single-threaded runs (ONNX Runtime), fed by threads, one share of
the page's lines each. The detector, one large image per page, keeps every core on one request.
ONNX Runtime threads do not spin while they wait: other work on a shared CPU (the GUI, a second
document, other programs) would otherwise lose its cores to busy-waiting.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

MAX_STREAMS = 4  # more parallel recognition streams than this gain nothing on line crops
V4_FILES = ("ch_PP-OCRv4_det_infer.onnx", "ch_PP-OCRv4_rec_infer.onnx")  # inside the 1.4 wheels
V6_FILES = ("PP-OCRv6_det_small.onnx", "PP-OCRv6_rec_small.onnx")  # inside the `rapidocr` 3.x wheel


def model_files(models: str, module) -> tuple[str, str, list[str] | None]:
    """(detector path, recogniser path, recogniser classes or None for the wheel's own) for `models`.

    "v4": PP-OCRv4 mobile, inside the rapidocr-openvino/-onnxruntime 1.4 wheel `module`.
    "v6": PP-OCRv6 small, inside the `rapidocr` 3.x wheel; only its model files are used (that
    package is not imported: it would fetch missing models at run time); its character list is
    stored in the recogniser's ONNX metadata. Nothing is downloaded either way.
    """
    if models == "v4":
        folder = Path(module.__file__).parent / "models"
        return str(folder / V4_FILES[0]), str(folder / V4_FILES[1]), None
    spec = importlib.util.find_spec("rapidocr")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the PP-OCRv6 models need the package rapidocr 3.x (pip install --no-deps rapidocr)")
    folder = Path(next(iter(spec.submodule_search_locations))) / "models"
    det, rec = folder / V6_FILES[0], folder / V6_FILES[1]
    import onnxruntime

    meta = onnxruntime.InferenceSession(str(rec), providers=["CPUExecutionProvider"]).get_modelmeta()
    return str(det), str(rec), ["blank", *meta.custom_metadata_map["character"].splitlines(), " "]


def cpu_count() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


class _RequestPool:
    """OpenVINO infer requests of one compiled model, shared by threads (one request per call)."""

    def __init__(self, compiled, count: int) -> None:
        self._free = [compiled.create_infer_request() for _ in range(count)]
        self._lock = threading.Lock()
        self._available = threading.Semaphore(count)

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        with self._available:
            with self._lock:
                request = self._free.pop()
            try:
                request.infer(inputs=[batch])
                return request.get_output_tensor().data.copy()
            finally:
                with self._lock:
                    self._free.append(request)


def _tune_openvino(ocr, det_path: str, rec_path: str, cores: int) -> int:
    from openvino.runtime import Core

    core = Core()
    det = core.compile_model(core.read_model(det_path), "CPU",
                             {"PERFORMANCE_HINT": "LATENCY", "INFERENCE_NUM_THREADS": str(cores)})
    ocr.text_det.infer.session = det.create_infer_request()
    streams = min(MAX_STREAMS, cores)
    rec = core.compile_model(core.read_model(rec_path), "CPU",
                             {"PERFORMANCE_HINT": "THROUGHPUT", "NUM_STREAMS": str(streams)})
    ocr.text_rec.session = _RequestPool(rec, streams)
    return streams


def _ort_session(path: str, threads: int):
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 4
    options.enable_cpu_mem_arena = False
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return onnxruntime.InferenceSession(path, sess_options=options, providers=["CPUExecutionProvider"])


def _tune_onnxruntime(ocr, det_path: str, rec_path: str, cores: int) -> int:
    # RapidOCR's OrtInferSession wrappers are kept (they name inputs/outputs); only the session inside
    # is rebuilt. InferenceSession.run may be called from several threads at once.
    ocr.text_det.infer.session = _ort_session(det_path, cores)
    ocr.text_rec.session.session = _ort_session(rec_path, 1)
    return min(MAX_STREAMS, cores)


def tune(ocr, backend: str, det_path: str, rec_path: str) -> int:
    """Rebuild `ocr`'s detector and recogniser sessions for this machine; returns how many
    recognition streams can run at once (threads for `recognise_in_parallel`)."""
    cores = cpu_count()
    if backend == "rapidocr_openvino":
        return _tune_openvino(ocr, det_path, rec_path, cores)
    return _tune_onnxruntime(ocr, det_path, rec_path, cores)


def recognise_in_parallel(recognise: Callable[[list[np.ndarray]], list], crops: Sequence[np.ndarray],
                          pool: ThreadPoolExecutor | None, streams: int) -> list:
    """`recognise(crops)` split over `streams` threads; results in the order of `crops`.

    Crops are dealt out in order of width (as RapidOCR batches them), so every share holds lines of
    every length and the shares finish together.
    """
    if pool is None or streams <= 1 or len(crops) <= 1:
        return list(recognise(list(crops)))
    order = sorted(range(len(crops)), key=lambda i: crops[i].shape[1] / max(crops[i].shape[0], 1))
    shares = [order[k::streams] for k in range(streams)]
    shares = [share for share in shares if share]
    results = list(pool.map(lambda share: recognise([crops[i] for i in share]), shares))
    out: list = [None] * len(crops)
    for share, readings in zip(shares, results, strict=True):
        for i, reading in zip(share, readings, strict=True):
            out[i] = reading
    return out
