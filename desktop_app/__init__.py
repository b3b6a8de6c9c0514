"""EMR Summary Assistant: local OCR and extraction of chief complaint, diagnosis and plan."""

__version__ = "0.1.0"
