"""Fuzzing the image and PDF decoders behind `open_document`: a seeded mutation loop, bounded in time.

Whatever bytes arrive, ingest answers with a typed error for the document (`DocumentError`) or for a
page (`PageError`), or with pages that decode to RGB images: never another exception. Seeds are valid
files of every supported kind; mutants flip bits, cut, splice, repeat and overwrite header fields. The
seed of the loop is fixed (set EMR_FUZZ_SEED to explore), so a failure replays exactly.
"""

from __future__ import annotations

import io
import os
import random
import struct
import time

import pymupdf
import pytest
from PIL import Image

from desktop_app import errors
from desktop_app.ingest import open_document
from desktop_app.settings import IngestLimits

BUDGET_SECONDS = float(os.environ.get("EMR_FUZZ_SECONDS", "20"))
SEED = int(os.environ.get("EMR_FUZZ_SEED", "11"))
LIMITS = IngestLimits(max_bytes=8 * 2**20, max_pixels_per_page=2_000_000, max_pages=8)
INTERESTING = [0, 1, 0x7F, 0x80, 0xFF, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF]


def _image_bytes(fmt: str, mode: str = "RGB", frames: int = 1, **kwargs) -> bytes:
    images = [Image.effect_noise((48, 32), 60).convert(mode) for _ in range(frames)]
    buffer = io.BytesIO()
    images[0].save(buffer, fmt, save_all=frames > 1, append_images=images[1:], **kwargs)
    return buffer.getvalue()


def _seeds() -> dict[str, bytes]:
    text_pdf = pymupdf.open()
    page = text_pdf.new_page(width=200, height=150)
    page.insert_text((20, 40), "PLAN: rest and fluids, review in two weeks.")
    image_pdf = pymupdf.open()
    image_pdf.new_page(width=200, height=150).insert_image(pymupdf.Rect(0, 0, 200, 150),
                                                           stream=_image_bytes("PNG"))
    return {
        "png": _image_bytes("PNG"), "png16": _image_bytes("PNG", "I;16"), "png-la": _image_bytes("PNG", "LA"),
        "png-p": _image_bytes("PNG", "P"), "jpeg": _image_bytes("JPEG", quality=80),
        "jpeg-cmyk": _image_bytes("JPEG", "CMYK"), "bmp": _image_bytes("BMP"), "webp": _image_bytes("WEBP"),
        "tiff": _image_bytes("TIFF", "L", frames=3), "tiff-lzw": _image_bytes("TIFF", frames=2, compression="tiff_lzw"),
        "pdf-text": text_pdf.tobytes(), "pdf-image": image_pdf.tobytes(),
    }


def mutate(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        choice = rng.randrange(6)
        where = rng.randrange(max(1, len(out)))
        if choice == 0:  # flip a few bits (of what an earlier cut or deletion left)
            if out:
                out[where] ^= 1 << rng.randrange(8)
        elif choice == 1:  # cut the file
            del out[rng.randrange(8, max(9, len(out))):]
        elif choice == 2:  # overwrite a 16/32-bit field (sizes, offsets, counts) with an edge value
            layout = rng.choice(["<I", ">I", "<H", ">H"])
            packed = struct.pack(layout, rng.choice(INTERESTING) & (0xFFFF if layout.endswith("H") else 0xFFFFFFFF))
            out[where:where + len(packed)] = packed
        elif choice == 3:  # repeat a slice (a chunk or a page twice)
            end = min(len(out), where + rng.randint(1, 256))
            out[where:where] = out[where:end]
        elif choice == 4:  # delete a slice
            del out[where:where + rng.randint(1, 64)]
        else:  # random bytes in the header region, where the decoders branch
            head = rng.randrange(min(len(out), 64) or 1)
            out[head:head + 4] = rng.randbytes(4)
    return bytes(out[: LIMITS.max_bytes])


def _read_everything(path) -> str:
    """What a run does with a document; returns the outcome's kind for the statistics."""
    try:
        document = open_document(path, LIMITS, dpi=40)
    except errors.DocumentError:
        return "document error"
    with document:
        outcome = "read"
        for page in document.pages():
            try:
                image = page.image()
            except errors.PageError:
                outcome = "page error"
                continue
            assert image.mode == "RGB" and image.width * image.height <= LIMITS.max_pixels_per_page
    return outcome


@pytest.mark.filterwarnings("ignore::UserWarning")  # Pillow's notes on odd TIFF tags are expected here
def test_mutated_images_and_pdfs_only_ever_give_typed_errors(tmp_path):
    rng = random.Random(SEED)
    seeds = _seeds()
    names = sorted(seeds)
    path = tmp_path / "fuzzed"
    counts: dict[str, int] = {}
    deadline = time.monotonic() + BUDGET_SECONDS
    tried = 0
    while time.monotonic() < deadline:
        kind = names[tried % len(names)]
        data = mutate(seeds[kind], rng)
        path.write_bytes(data)
        try:
            outcome = _read_everything(path)
        except Exception as exc:  # the failing input is kept for replay
            (tmp_path / f"crash-{kind}-{tried}").write_bytes(data)
            pytest.fail(f"{kind} mutant #{tried} (seed {SEED}) raised {type(exc).__name__}: {exc}")
        counts[outcome] = counts.get(outcome, 0) + 1
        tried += 1
    # the loop really explored: every outcome kind came up, over a few hundred inputs
    print(f"fuzz: {tried} mutants in {BUDGET_SECONDS:.0f} s (seed {SEED}): {counts}")
    assert tried >= 200, counts
    assert {"document error", "read"} <= set(counts), counts
