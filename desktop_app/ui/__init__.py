"""Widgets of the desktop app: one widget per module, composed by `main_window`."""
