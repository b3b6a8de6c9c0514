"""Two small layout builders the panels share: a row of widgets (a title, a stretch, buttons) and
a widget's column of rows and widgets."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLayout, QVBoxLayout, QWidget


def row(*items: QWidget | None, margins: tuple[int, int, int, int] | None = None) -> QHBoxLayout:
    """A horizontal layout of `items`; None stands for a stretch."""
    layout = QHBoxLayout()
    if margins is not None:
        layout.setContentsMargins(*margins)
    for item in items:
        if item is None:
            layout.addStretch(1)
        else:
            layout.addWidget(item)
    return layout


def column(owner: QWidget, *items: QWidget | QLayout | tuple[QWidget, int],
           margins: tuple[int, int, int, int] = (0, 0, 0, 0), spacing: int | None = None) -> QVBoxLayout:
    """`owner`'s vertical layout of widgets, layouts and (widget, stretch) pairs."""
    layout = QVBoxLayout(owner)
    layout.setContentsMargins(*margins)
    if spacing is not None:
        layout.setSpacing(spacing)
    for item in items:
        if isinstance(item, QLayout):
            layout.addLayout(item)
        elif isinstance(item, tuple):
            layout.addWidget(*item)
        else:
            layout.addWidget(item)
    return layout
