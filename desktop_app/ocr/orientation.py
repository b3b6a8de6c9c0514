"""Which way up a page is, from what the text detector and recogniser already produced.

No classifier is needed: line-shaped detections standing upright mean the page lies on its side
(90/270°), and a trial read of a few lines turned by 180° that scores clearly better than the read
as-is means it is upside down. The engine then reads the page turned upright and maps every box
back to the original page pixels with `to_page`.
"""

from __future__ import annotations

from collections.abc import Sequence

LINE_SHAPE = 3.0  # a detection this many times longer than high is a text line with a direction
FLIP_MARGIN = 0.1  # mean confidence the 180°-turned trial read must gain to call the page upside down

Point = tuple[float, float]


def tall_share(sizes: Sequence[tuple[float, float]]) -> float:
    """Share of line-shaped detections (width, height) that stand upright."""
    tall = sum(1 for w, h in sizes if h >= LINE_SHAPE * w)
    wide = sum(1 for w, h in sizes if w >= LINE_SHAPE * h)
    return tall / (tall + wide) if tall + wide else 0.0


def quarter_turns(on_side: bool, flipped: bool) -> int:
    """Counter-clockwise quarter turns (`numpy.rot90`'s k) that bring the page upright.

    The detector's crops of upright (tall) boxes are turned a quarter counter-clockwise before
    recognition, so "on its side and the trial read is fine" means one quarter turn.
    """
    if on_side:
        return 3 if flipped else 1
    return 2 if flipped else 0


def to_page(points: Sequence[Point], turns: int, upright_width: float, upright_height: float) -> list[Point]:
    """Points in the image turned `turns` quarter turns counter-clockwise → original page points."""
    out = [(float(x), float(y)) for x, y in points]
    width, height = upright_width, upright_height
    for _ in range(turns % 4):
        # One quarter turn back: the turned image's row y is the original's column (height - y).
        out = [(height - y, x) for x, y in out]
        width, height = height, width
    return out


def box_to_page(box: tuple[float, float, float, float], turns: int, upright_width: float,
                upright_height: float) -> tuple[float, float, float, float]:
    corners = to_page([(box[0], box[1]), (box[2], box[3])], turns, upright_width, upright_height)
    xs, ys = [p[0] for p in corners], [p[1] for p in corners]
    return (min(xs), min(ys), max(xs), max(ys))
