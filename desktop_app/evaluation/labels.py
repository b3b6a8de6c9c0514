"""The labels file of an evaluation folder: what each document truly says.

The folder holds the documents and one labels file, `labels.json` or `labels.csv`:

    labels.json
    {
      "documents": [
        {"file": "scans/note1.jpg",                 # path relative to the folder (required)
         "text": "CHIEF COMPLAINT: ...",             # the true text of the whole document
         "chief_complaint": "Chest pain for two days.",
         "diagnosis": "Stable angina.",
         "plan": null},                              # null = the document does not document it
        {"file": "note2.pdf", "text_file": "note2.txt"}   # true text read from a UTF-8 file instead
      ]
    }

    labels.csv (UTF-8, a header row; any subset of the columns after `file`)
    file,text,chief_complaint,diagnosis,plan
    note1.jpg,"CHIEF COMPLAINT: ...",Chest pain for two days.,Stable angina.,not_documented

Every field is optional: a field left out (JSON) or empty (CSV) is not scored; JSON `null` or the
CSV cell `not_documented` says the document does not document that field, which scores the
`not_documented` decision. Unknown fields, missing documents and malformed files are refused with a
message naming the file, the entry and the field.
"""

from __future__ import annotations

import csv
import difflib
import json
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app.evaluation import label_errors
from desktop_app.models import FIELD_NAMES

LABEL_FILES = ("labels.json", "labels.csv")
NOT_DOCUMENTED_CELL = "not_documented"
ENTRY_FIELDS = ("file", "text", "text_file", *FIELD_NAMES)
_UNSET = object()


@dataclass
class DocumentLabel:
    file: str  # relative to the evaluation folder, with "/" separators
    text: str | None = None  # None = no true text given (CER and word F1 are not scored)
    fields: dict[str, str | None] = field(default_factory=dict)  # only labelled fields; None = not documented


@dataclass
class LabelSet:
    path: Path
    root: Path
    documents: list[DocumentLabel]

    def document_path(self, label: DocumentLabel) -> Path:
        return self.root / label.file


def find_labels_file(root: Path) -> Path:
    for name in LABEL_FILES:
        if (root / name).is_file():
            return root / name
    raise label_errors.LabelsNotFound(path=str(root))


def load_labels(root: Path, labels_path: Path | None = None) -> LabelSet:
    """Read and check the labels file of `root` (default: root/labels.json, else root/labels.csv).

    Raises a `LabelsError` subclass naming the problem; checks that every listed document exists."""
    root = Path(root)
    path = Path(labels_path) if labels_path else find_labels_file(root)
    if not path.is_file():
        raise label_errors.LabelsNotFound(path=str(path))
    entries = _read_csv(path) if path.suffix.lower() == ".csv" else _read_json(path)
    documents = []
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        label = _entry(path, root, number, entry)
        if label.file in seen:
            raise label_errors.LabelsError(path=str(path), detail=f"entry {number}: '{label.file}' is listed twice")
        seen.add(label.file)
        documents.append(label)
    if not documents:
        raise label_errors.LabelsError(path=str(path), detail="it lists no documents")
    return LabelSet(path, root, documents)


def _read_json(path: Path) -> list[dict]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise label_errors.LabelsBadJson(path=str(path), detail=exc.msg, line=exc.lineno,
                                   column=exc.colno) from None
    except UnicodeDecodeError:
        raise label_errors.LabelsError(path=str(path), detail="it is not UTF-8 text") from None
    if isinstance(data, dict):
        extra = sorted(set(data) - {"documents", "version", "description"})
        if extra:
            raise _unknown(path, extra[0], "top level", ("documents", "version", "description"))
        data = data.get("documents", _UNSET)
    if data is _UNSET or not isinstance(data, list):
        raise label_errors.LabelsError(path=str(path), detail='expected {"documents": [ {...}, ... ]}')
    for number, entry in enumerate(data, start=1):
        if not isinstance(entry, dict):
            raise label_errors.LabelsError(path=str(path), detail=f"entry {number} is not an object")
    return data


def _read_csv(path: Path) -> list[dict]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            rows = list(reader)
            header = [name.strip() for name in reader.fieldnames or []]
    except UnicodeDecodeError:
        raise label_errors.LabelsError(path=str(path), detail="it is not UTF-8 text") from None
    except csv.Error as exc:
        raise label_errors.LabelsError(path=str(path), detail=f"malformed CSV: {exc}") from None
    for name in header:
        if name not in ENTRY_FIELDS:
            raise _unknown(path, name, "CSV header", ENTRY_FIELDS)
    if "file" not in header:
        raise label_errors.LabelsError(path=str(path), detail="the CSV header has no 'file' column")
    entries = []
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        if None in row:
            raise label_errors.LabelsError(path=str(path), detail=f"row {number} has more cells than the header")
        entry: dict[str, object] = {}
        for key, value in row.items():
            key, value = key.strip(), (value or "").strip()
            if key in FIELD_NAMES and value.lower() == NOT_DOCUMENTED_CELL:
                entry[key] = None
            elif value or key == "file":
                entry[key] = value
        entries.append(entry)
    return entries


def _unknown(path: Path, name: str, where: str, known: tuple[str, ...]) -> label_errors.LabelsUnknownField:
    close = difflib.get_close_matches(name, known, n=1)
    hint = f" (→ '{close[0]}'?)" if close else ""
    return label_errors.LabelsUnknownField(path=str(path), field=name, where=where, known=", ".join(known),
                                     hint=hint)


def _entry(path: Path, root: Path, number: int, entry: dict) -> DocumentLabel:
    where = f"entry {number}"
    name = entry.get("file")
    if isinstance(name, str) and name.strip():
        where = f"entry {number}, '{name.strip()}'"
    for key in entry:
        if key not in ENTRY_FIELDS:
            raise _unknown(path, str(key), where, ENTRY_FIELDS)
    if not isinstance(name, str) or not name.strip():
        raise label_errors.LabelsError(path=str(path),
                                 detail=f"{where} has no 'file' (the document's path in the folder)")
    name = name.strip().replace("\\", "/")
    where = f"entry {number}, '{name}'"
    document = root / name
    if not document.is_file():
        raise label_errors.LabelsMissingDocument(path=str(path), document=name)
    for key in ("text", "text_file", *FIELD_NAMES):
        value = entry.get(key)
        if value is not None and not isinstance(value, str):
            raise label_errors.LabelsError(path=str(path), detail=f"{where}: '{key}' must be text or null")
    if "text" in entry and "text_file" in entry:
        raise label_errors.LabelsError(path=str(path), detail=f"{where}: give 'text' or 'text_file', not both")
    text = entry.get("text")
    if entry.get("text_file"):
        text_path = root / entry["text_file"]
        try:
            text = text_path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            raise label_errors.LabelsMissingDocument(path=str(path), document=str(entry["text_file"])) from None
    fields = {key: entry[key] for key in FIELD_NAMES if key in entry}
    return DocumentLabel(name, text, fields)
