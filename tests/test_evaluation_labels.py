"""The evaluation labels file: format, and clear messages for what is wrong with it."""

from __future__ import annotations

import json

import pytest

from desktop_app import errors
from desktop_app.cli import main
from desktop_app.evaluation import label_errors
from desktop_app.evaluation.labels import load_labels


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "scans").mkdir()
    (tmp_path / "scans" / "a.jpg").write_bytes(b"not read by the loader")
    (tmp_path / "b.pdf").write_bytes(b"%PDF-")
    (tmp_path / "b.txt").write_text("true text of b", encoding="utf-8")
    return tmp_path


def write_json(folder, data) -> None:
    (folder / "labels.json").write_text(json.dumps(data), encoding="utf-8")


def test_json_labels_with_text_absent_and_not_documented_fields(folder):
    write_json(folder, {"version": 1, "documents": [
        {"file": "scans/a.jpg", "text": "CC: cough", "chief_complaint": "cough", "plan": None},
        {"file": "b.pdf", "text_file": "b.txt"},
    ]})
    labels = load_labels(folder)
    a, b = labels.documents
    assert a.file == "scans/a.jpg" and a.text == "CC: cough"
    # diagnosis not labelled; plan labelled as not documented
    assert a.fields == {"chief_complaint": "cough", "plan": None}
    assert b.text == "true text of b" and b.fields == {}
    assert labels.document_path(a) == folder / "scans" / "a.jpg"


def test_csv_labels_not_documented_cell_and_empty_cells(folder):
    (folder / "labels.csv").write_text(
        "file,chief_complaint,diagnosis,plan\n"
        "scans/a.jpg,Cough for a week,,not_documented\n", encoding="utf-8")
    (label,) = load_labels(folder).documents
    assert label.fields == {"chief_complaint": "Cough for a week", "plan": None}
    assert label.text is None


def test_missing_document_is_named(folder):
    write_json(folder, {"documents": [{"file": "scans/a.jpg"}, {"file": "scans/missing.jpg"}]})
    with pytest.raises(label_errors.LabelsMissingDocument) as caught:
        load_labels(folder)
    assert "scans/missing.jpg" in caught.value.message("en")
    assert "labels.json" in caught.value.message("en")
    assert "不在文件夹中" in caught.value.message("zh")


def test_bad_json_gives_line_and_column(folder):
    (folder / "labels.json").write_text('{"documents": [\n  {"file": "b.pdf",}\n]}', encoding="utf-8")
    with pytest.raises(label_errors.LabelsBadJson) as caught:
        load_labels(folder)
    message = caught.value.message("en")
    assert "not valid JSON" in message and "line 2" in message
    assert "第 2 行" in caught.value.message("zh")


def test_unknown_field_is_named_with_a_suggestion(folder):
    write_json(folder, {"documents": [{"file": "b.pdf", "diagnoses": "flu"}]})
    with pytest.raises(label_errors.LabelsUnknownField) as caught:
        load_labels(folder)
    message = caught.value.message("en")
    assert "'diagnoses'" in message and "entry 1, 'b.pdf'" in message and "'diagnosis'" in message


def test_unknown_csv_column_and_top_level_key(folder):
    (folder / "labels.csv").write_text("file,complaint\nb.pdf,cough\n", encoding="utf-8")
    with pytest.raises(label_errors.LabelsUnknownField, match="complaint"):
        load_labels(folder, folder / "labels.csv")
    write_json(folder, {"docs": []})
    with pytest.raises(label_errors.LabelsUnknownField, match="'docs'.*top level"):
        load_labels(folder)


@pytest.mark.parametrize(("data", "expected"), [
    ({"documents": []}, "lists no documents"),
    ({"documents": [{"text": "x"}]}, "has no 'file'"),
    ({"documents": [{"file": "b.pdf"}, {"file": "b.pdf"}]}, "listed twice"),
    ({"documents": [{"file": "b.pdf", "plan": 3}]}, "'plan' must be text or null"),
    ([1], "entry 1 is not an object"),
])
def test_other_mistakes_are_explained(folder, data, expected):
    write_json(folder, data)
    with pytest.raises(label_errors.LabelsError, match=expected):
        load_labels(folder)


def test_no_labels_file(folder):
    with pytest.raises(label_errors.LabelsNotFound, match="labels.json or labels.csv"):
        load_labels(folder)


def test_cli_reports_a_bad_labels_file_and_exits_2(folder, capsys):
    # GIVEN a labels file that names a document that is not there
    write_json(folder, {"documents": [{"file": "gone.jpg"}]})
    # WHEN evaluate runs THEN it stops before any engine loads, with the message and the usage exit code
    code = main(["--lang", "en", "evaluate", str(folder), "--out", str(folder / "report"),
                 "--no-app-settings"])
    assert code == errors.ExitCode.USAGE
    assert "gone.jpg" in capsys.readouterr().err
    assert not (folder / "report").exists()


def test_the_bundled_starter_set_loads():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "resources" / "eval_starter"
    labels = load_labels(root)
    assert len(labels.documents) == 10
    assert all(label.text and "chief_complaint" in label.fields for label in labels.documents)
    assert any(label.fields.get("plan", "x") is None for label in labels.documents)  # not documented cases
    assert sum(p.stat().st_size for p in root.iterdir()) < 3 * 2**20
