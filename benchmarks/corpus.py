"""Benchmark pages rendered from the public notes in ../shared/data.

The loaders and metrics live in the package (`desktop_app.evaluation`), shared with
`emr-assist evaluate`; this module re-exports them for the benchmark scripts.
"""

from __future__ import annotations

from desktop_app.evaluation.corpus import DATA, Note, aci_notes, cmb_notes, mtsamples_notes
from desktop_app.evaluation.metrics import cer, token_f1, tokens

__all__ = ["DATA", "Note", "aci_notes", "cer", "cmb_notes", "mtsamples_notes", "token_f1", "tokens"]
