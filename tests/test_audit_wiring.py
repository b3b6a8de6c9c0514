"""The audit log as the CLI and the GUI write it: open, summarize, copy, export, settings change.

Entries carry hashes, engine names and codes only: these tests also check that no file name or
note text reaches the log, and that a log that cannot be written never stops the work.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from desktop_app import cli, paths
from desktop_app.privacy.audit import AuditLog, default_path

SAMPLE = Path(__file__).resolve().parent.parent / "resources" / "samples" / "en_progress_note_text_layer.pdf"
SAMPLE_SHA = hashlib.sha256(SAMPLE.read_bytes()).hexdigest()


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    """The app's data folder (where the audit log lives), in tmp_path."""
    folder = tmp_path / "data"
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(folder))
    return folder


def entries(log_path: Path) -> list[dict]:
    return [json.loads(line) for line in log_path.read_text(encoding="utf-8").splitlines() if line.strip()]


def assert_no_names_or_text(log_path: Path, *forbidden: str) -> None:
    raw = log_path.read_text(encoding="utf-8")
    for word in forbidden:
        assert word not in raw


def test_the_data_folder_and_the_log_follow_the_environment(data_dir):
    assert paths.data_dir() == data_dir
    assert default_path() == data_dir / "audit.jsonl"


def test_summarize_records_each_document_and_the_tables_it_exports(data_dir, tmp_path, capsys, monkeypatch):
    # GIVEN a readable document and a missing one; the sample has no tables, so the export step is
    # stood in for by one that writes a file (the real one is tested in test_tables)
    document = tmp_path / "Jane Doe note.pdf"
    shutil.copy(SAMPLE, document)
    from desktop_app import tables

    def fake_export(found, out_dir, stem):
        if stem != Path(document).stem:
            return []
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / f"{stem}.csv").write_text("a,b\n")
        return [out_dir / f"{stem}.csv"]

    monkeypatch.setattr(tables, "export_tables", fake_export)

    # WHEN both are summarized, with tables exported
    code = cli.main(["--lang", "en", "summarize", str(document), str(tmp_path / "missing.pdf"),
                     "--json", "--tables", str(tmp_path / "tables"), "--no-app-settings"])
    capsys.readouterr()

    # THEN each document has a summarize entry (hash, engines, outcome), the export one too
    assert code == 1
    log_path = data_dir / "audit.jsonl"
    found = entries(log_path)
    assert [(e["action"], e["outcome"]) for e in found] == [
        ("summarize", "ok"), ("export", "ok"), ("summarize", "not_found")]
    assert found[0]["sha256"] == SAMPLE_SHA
    assert found[0]["engines"] == {"ocr": "pdf-text", "summarizer": "sections"}
    assert found[1]["sha256"] == SAMPLE_SHA and found[1]["engines"] == {"output": "tables"}
    assert found[2]["sha256"] is None
    assert AuditLog(log_path).verify().ok
    assert_no_names_or_text(log_path, "Jane", "missing.pdf", str(tmp_path))
    assert list((tmp_path / "tables").iterdir())  # the tables that entry stands for


def test_batch_records_summarize_and_export_per_document(data_dir, tmp_path, capsys):
    inbox = tmp_path / "in"
    inbox.mkdir()
    shutil.copy(SAMPLE, inbox / "a.pdf")
    (inbox / "b.pdf").write_bytes(b"")

    code = cli.main(["batch", str(inbox), "--out", str(tmp_path / "out"), "--no-app-settings"])
    capsys.readouterr()

    assert code == 1  # b.pdf is empty
    found = entries(data_dir / "audit.jsonl")
    assert [(e["action"], e["outcome"]) for e in found] == [
        ("summarize", "ok"), ("export", "ok"), ("summarize", "empty_file"), ("export", "ok")]
    assert {e["engines"].get("output") for e in found if e["action"] == "export"} == {"json+md"}
    assert found[0]["sha256"] == SAMPLE_SHA

    # A second run skips the finished document: only the failed one is processed (and audited) again.
    cli.main(["batch", str(inbox), "--out", str(tmp_path / "out"), "--no-app-settings"])
    capsys.readouterr()
    again = entries(data_dir / "audit.jsonl")[len(found):]
    assert [(e["action"], e["outcome"]) for e in again] == [("summarize", "empty_file"), ("export", "ok")]


def test_an_unwritable_log_warns_once_and_the_run_goes_on(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")  # the data folder cannot be created below a file
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(blocker / "data"))

    code = cli.main(["--lang", "en", "summarize", str(SAMPLE), str(SAMPLE), "--json", "--no-app-settings"])

    captured = capsys.readouterr()
    assert code == 0
    assert len(captured.out.strip().splitlines()) == 2
    assert captured.err.count("audit log could not be written") == 1


# --- the GUI -----------------------------------------------------------------------------------


def test_gui_audits_open_summarize_copy_and_settings(qtbot, tmp_path, monkeypatch):
    pytest.importorskip("pytestqt")
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QGuiApplication

    from desktop_app.app import create_app
    from desktop_app.ui.queue_list import DONE

    # GIVEN the app with its audit log in tmp_path
    log_path = tmp_path / "audit" / "audit.jsonl"
    store = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    _app, window = create_app(store=store, system_locale="en_US", warm_up=False, audit_log=AuditLog(log_path),
                              history_path=tmp_path / "history.sqlite3")
    qtbot.addWidget(window)
    try:
        # WHEN a document is opened and summarized, a field and then all fields are copied,
        [key] = window.add_paths([str(SAMPLE)])
        qtbot.waitUntil(lambda: window.sessions[key].status == DONE, timeout=30_000)
        window.summary_panel.copy_field("diagnosis")
        window.summary_panel.copy_all()
        # and the output language is changed in Settings
        dialog = window.open_settings()
        dialog.output_language_combo.setCurrentIndex(dialog.output_language_combo.findData("zh"))
        dialog.accept()
        window.audit.flush()

        # THEN each action is in the chain, with the document's hash and no text
        found = entries(log_path)
        actions = [(e["action"], e["engines"]) for e in found]
        assert actions[0] == ("open", {})
        assert ("summarize", {"ocr": "pdf-text", "summarizer": "sections"}) in actions
        assert ("copy", {"field": "diagnosis"}) in actions and ("copy", {"field": "all"}) in actions
        assert ("settings_change", {"changed": "output_language"}) in actions
        assert all(e["sha256"] == SAMPLE_SHA for e in found if e["action"] in ("open", "summarize", "copy"))
        assert AuditLog(log_path).verify().ok
        copied = QGuiApplication.clipboard().text()
        assert copied and copied not in log_path.read_text(encoding="utf-8")
        assert "en_progress_note" not in log_path.read_text(encoding="utf-8")
    finally:
        window.shutdown()


def test_gui_keeps_working_when_the_log_cannot_be_written(qtbot, tmp_path):
    pytest.importorskip("pytestqt")
    from PySide6.QtCore import QSettings

    from desktop_app.app import create_app
    from desktop_app.ui.queue_list import DONE

    blocker = tmp_path / "file"
    blocker.write_text("x")
    store = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    _app, window = create_app(store=store, system_locale="en_US", warm_up=False,
                              audit_log=AuditLog(blocker / "audit.jsonl"), history_path=tmp_path / "h.sqlite3")
    qtbot.addWidget(window)
    try:
        # WHEN a document is opened while the log's folder cannot be created
        with qtbot.waitSignal(window.audit.failed, timeout=10_000) as blocker:
            [key] = window.add_paths([str(SAMPLE)])

        # THEN the status bar says so (in the GUI thread), and the document is still read
        assert blocker.args[0] == "open"
        assert "audit log could not be written" in window.statusBar().currentMessage()
        qtbot.waitUntil(lambda: window.sessions[key].status == DONE, timeout=30_000)
        window.audit.flush()
        assert window.sessions[key].result.summary is not None
    finally:
        window.shutdown()


def test_a_table_export_that_cannot_be_written_fails_that_input_and_the_run_goes_on(data_dir, tmp_path, capsys,
                                                                                    monkeypatch):
    # GIVEN two documents and a disk that is full when the first one's tables are written
    from desktop_app import errors, tables

    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    shutil.copy(SAMPLE, first)
    shutil.copy(SAMPLE, second)

    def export(found, out_dir, stem):
        if stem == "a":
            raise errors.OutputWriteError(path=str(out_dir / "a.csv"), detail="No space left on device")
        return []

    monkeypatch.setattr(tables, "export_tables", export)
    # WHEN both are summarized with --tables
    code = cli.main(["--lang", "en", "summarize", str(first), str(second), "--json", "--tables",
                     str(tmp_path / "tables"), "--no-app-settings"])
    out, err = capsys.readouterr()
    # THEN the failure is said, the second document is still summarized, and the exit code says it
    assert code == 1
    assert "No space left on device" in err
    assert [json.loads(line)["source"] for line in out.splitlines()] == [str(first), str(second)]
    assert ("export", "write_failed") in [(e["action"], e["outcome"]) for e in entries(data_dir / "audit.jsonl")]
