"""The audit log: a hash chain that `emr-assist audit verify` checks line by line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop_app import cli
from desktop_app.privacy.audit import AuditLog, describe

SHA = "7cefb193f89858e12defbd8aade498c7173b0aa247a6884b9a0a939d0169d1dd"


def _log(tmp_path: Path, entries: int = 5) -> AuditLog:
    log = AuditLog(tmp_path / "audit.jsonl")
    actions = ["open", "ocr", "summarize", "copy", "export", "settings_change"]
    for i in range(entries):
        log.record(actions[i % len(actions)], sha256=SHA,
                   engines={"ocr": "rapidocr", "summarizer": "sections"},
                   outcome="ok" if i % 2 else "encrypted_pdf")
    return log


def _lines(log: AuditLog) -> list[str]:
    return log.path.read_text(encoding="utf-8").splitlines(keepends=True)


def test_entries_hold_only_codes_and_hashes(tmp_path):
    log = _log(tmp_path, 2)
    entry = json.loads(_lines(log)[1])
    assert set(entry) == {"seq", "time", "user", "action", "sha256", "engines", "outcome", "prev", "hash",
                          "alg", "key"}
    assert entry["alg"] == "hmac-sha256" and len(entry["key"]) == 16  # a key id, not the key
    assert entry["prev"] == json.loads(_lines(log)[0])["hash"]
    assert log.verify().ok and log.verify().entries == 2


@pytest.mark.parametrize("kwargs", [
    {"action": "looked at Martha Collins"},  # no free-text actions
    {"action": "open", "sha256": "/home/dr/Martha Collins.pdf"},  # a name where a hash belongs
    {"action": "open", "outcome": "failed for Martha Collins"},
    {"action": "open", "engines": {"ocr": "rapidocr reading Martha Collins"}},
])
def test_free_text_is_refused(tmp_path, kwargs):
    with pytest.raises(ValueError):
        AuditLog(tmp_path / "audit.jsonl").record(**kwargs)
    assert not (tmp_path / "audit.jsonl").exists()


def _rewrite(log: AuditLog, lines: list[str]) -> None:
    log.path.write_text("".join(lines), encoding="utf-8")


def test_edited_line_is_detected(tmp_path):
    log = _log(tmp_path)
    lines = _lines(log)
    lines[2] = lines[2].replace('"outcome": "encrypted_pdf"', '"outcome": "ok"')  # hide a failure
    assert lines[2] != _lines(log)[2]
    _rewrite(log, lines)
    result = log.verify()
    assert (result.ok, result.problem.kind, result.problem.line) == (False, "edited", 3)


def test_edited_line_with_recomputed_hash_is_still_detected(tmp_path):
    # A careful forger fixes the edited line's own hash (they have no key: a plain SHA-256).
    from desktop_app.privacy.audit import _hash

    log = _log(tmp_path)
    lines = _lines(log)
    entry = json.loads(lines[1])
    entry["action"] = "export"
    entry["hash"] = _hash(entry)
    lines[1] = json.dumps(entry, sort_keys=True) + "\n"
    _rewrite(log, lines)
    assert (log.verify().problem.kind, log.verify().problem.line) == ("edited", 2)


def test_removed_line_is_detected(tmp_path):
    log = _log(tmp_path)
    lines = _lines(log)
    del lines[1]
    _rewrite(log, lines)
    assert (log.verify().problem.kind, log.verify().problem.line) == ("broken_link", 2)


def test_reordered_lines_are_detected(tmp_path):
    log = _log(tmp_path)
    lines = _lines(log)
    lines[1], lines[2] = lines[2], lines[1]
    _rewrite(log, lines)
    assert log.verify().problem.kind == "broken_link"


def test_removed_tail_is_detected_by_the_head(tmp_path):
    log = _log(tmp_path)
    _rewrite(log, _lines(log)[:3])
    result = log.verify()
    assert (result.problem.kind, result.entries) == ("truncated", 3)


def test_appending_continues_the_chain_across_instances(tmp_path):
    _log(tmp_path, 3)
    log = AuditLog(tmp_path / "audit.jsonl")
    log.record("copy", sha256=SHA)
    assert log.verify().ok and log.verify().entries == 4


def test_cli_audit_verify(tmp_path, capsys):
    log = _log(tmp_path)
    assert cli.main(["--lang", "en", "audit", "verify", "--file", str(log.path)]) == 0
    assert "5 entries" in capsys.readouterr().out
    lines = _lines(log)
    _rewrite(log, lines[:1] + lines[2:])
    assert cli.main(["--lang", "zh", "audit", "verify", "--file", str(log.path)]) == 1
    err = capsys.readouterr().err
    assert "审计日志校验失败" in err and "第 2 行" in err
    assert describe(log.verify(), "en").startswith("Audit log FAILED")


def test_record_document_from_a_real_result(tmp_path):
    from desktop_app.pipeline import Pipeline
    from desktop_app.privacy.audit import record_document

    sample = Path(__file__).resolve().parents[1] / "resources" / "samples" / "en_progress_note_text_layer.pdf"
    result = Pipeline().run(sample)
    (tmp_path / "empty.pdf").write_bytes(b"")
    failed = Pipeline().run(tmp_path / "empty.pdf")
    log = AuditLog(tmp_path / "audit.jsonl")
    entry = record_document(log, "summarize", result)
    assert (entry["sha256"], entry["engines"], entry["outcome"]) == (
        result.sha256, {"ocr": "pdf-text", "summarizer": "sections"}, "ok")
    assert record_document(log, "open", failed)["outcome"] == "empty_file"
    text = log.path.read_text(encoding="utf-8")
    assert "Foul-smelling" not in text and "empty.pdf" not in text and "en_progress" not in text
    assert log.verify().ok
