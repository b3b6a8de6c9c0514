"""EMR Summary Assistant: local OCR and extraction of chief complaint, diagnosis and plan."""

from desktop_app.privacy import telemetry as _telemetry

__version__ = "0.1.0"

# Before any module of the app can import PyMuPDF or an OCR runtime (see privacy/telemetry.py).
_telemetry.apply()
