"""The audit log against someone with file access (issue #11): each attack the probe used is caught by
`emr-assist audit verify` (exit 1), and a crash mid-append is recovered with the gap on record.

No secure keyring exists on the test machine, so the key comes from the key file in the anchor folder
(the same path a headless install takes)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from desktop_app import cli
from desktop_app.privacy.audit import AuditLog, _hash, describe

SHA = "7cefb193f89858e12defbd8aade498c7173b0aa247a6884b9a0a939d0169d1dd"


@pytest.fixture
def log(tmp_path, monkeypatch) -> AuditLog:
    monkeypatch.setenv("EMR_ASSIST_ANCHOR_DIR", str(tmp_path / "anchor"))  # a fresh key and anchor per test
    audit = AuditLog(tmp_path / "data" / "audit.jsonl")
    for action in ("open", "ocr", "summarize", "copy", "export", "copy"):
        audit.record(action, sha256=SHA, engines={"ocr": "rapidocr"})
    assert audit.verify().ok and audit.verify().key_source == "key file"
    return audit


def _lines(log: AuditLog) -> list[str]:
    return log.path.read_text(encoding="utf-8").splitlines(keepends=True)


def _write(log: AuditLog, lines: list[str]) -> None:
    log.path.write_text("".join(lines), encoding="utf-8")


def _verify_cli(log: AuditLog, capsys) -> tuple[int, str]:
    code = cli.main(["--lang", "en", "audit", "verify", "--file", str(log.path)])
    captured = capsys.readouterr()
    return code, (captured.out + captured.err).strip()


def test_cut_tail_and_delete_head_file(log, capsys):
    _write(log, _lines(log)[:4])
    log.head_path.unlink()
    code, said = _verify_cli(log, capsys)
    assert code == 1 and "entries after line 4 were removed" in said


def test_cut_tail_and_rewrite_head_file_to_match(log, capsys):
    lines = _lines(log)[:4]
    _write(log, lines)
    log.head_path.write_text(json.dumps({"entries": 4, "last_hash": json.loads(lines[-1])["hash"]}))
    code, said = _verify_cli(log, capsys)
    assert code == 1 and "entries after line 4 were removed" in said


def test_delete_the_first_entries(log, capsys):
    _write(log, _lines(log)[2:])
    code, said = _verify_cli(log, capsys)
    assert code == 1 and "the chain breaks at line 1" in said


def test_remove_an_entry_and_recompute_the_chain_without_the_key(log, capsys):
    # GIVEN an attacker who removes entry 3 and re-chains everything with plain SHA-256 (no key)
    entries = [json.loads(line) for line in _lines(log)]
    del entries[2]
    prev = "0" * 64
    forged = []
    for seq, entry in enumerate(entries, start=1):
        entry = {k: v for k, v in entry.items() if k not in ("alg", "key", "hash")}
        entry.update(seq=seq, prev=prev)
        entry["hash"] = prev = _hash(entry)
        forged.append(json.dumps(entry, sort_keys=True) + "\n")
    _write(log, forged)
    log.head_path.write_text(json.dumps({"entries": len(forged), "last_hash": prev}))
    # THEN verify names the first re-chained line
    code, said = _verify_cli(log, capsys)
    assert code == 1 and "line 1 is not sealed, though the log was written sealed" in said


def test_remove_an_entry_and_reseal_with_a_guessed_key(log, capsys):
    import hashlib
    import hmac

    entries = [json.loads(line) for line in _lines(log)]
    del entries[2]
    prev, forged = "0" * 64, []
    for seq, entry in enumerate(entries, start=1):
        entry.update(seq=seq, prev=prev)
        body = {k: v for k, v in entry.items() if k != "hash"}
        canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
        entry["hash"] = prev = hmac.new(b"guess", canonical, hashlib.sha256).hexdigest()
        forged.append(json.dumps(entry, sort_keys=True) + "\n")
    _write(log, forged)
    code, said = _verify_cli(log, capsys)
    assert code == 1 and "line 1 was changed after it was written" in said


def test_delete_log_and_head(log, capsys):
    log.path.unlink()
    log.head_path.unlink()
    code, said = _verify_cli(log, capsys)
    assert code == 1 and "the log is missing: it existed and was deleted" in said


def test_delete_everything_in_the_data_folder_and_the_key(log, capsys):
    log.path.unlink()
    log.head_path.unlink()
    (Path(os.environ["EMR_ASSIST_ANCHOR_DIR"]) / "audit.key").unlink()
    code, said = _verify_cli(log, capsys)
    assert code == 1 and "key is missing" in said


def test_delete_the_anchor(log, capsys):
    log.anchor_path.unlink()
    code, said = _verify_cli(log, capsys)
    assert code == 1 and "anchor is missing" in said


def test_forge_the_anchor(log, capsys):
    anchor = json.loads(log.anchor_path.read_text())
    anchor["entries"] = 3
    log.anchor_path.write_text(json.dumps(anchor))
    code, said = _verify_cli(log, capsys)
    assert code == 1 and "anchor was changed or replaced" in said


def test_an_attack_stays_visible_after_the_app_appends_again(log):
    # GIVEN a cut tail, WHEN the app (not knowing) appends more entries
    _write(log, _lines(log)[:3])
    log.head_path.unlink()
    log.record("open", sha256=SHA)
    log.record("copy", sha256=SHA)
    # THEN verify still reports the removal, at the place it happened
    result = log.verify()
    assert (result.ok, result.problem.kind, result.problem.line) == (False, "truncated", 4)


def test_deleted_log_stays_reported_after_a_new_one_starts(log):
    log.path.unlink()
    log.head_path.unlink()
    log.record("open", sha256=SHA)
    assert log.verify().problem.kind == "missing"


def test_torn_last_line_is_recovered_on_the_next_append_with_the_gap_recorded(log, capsys):
    # GIVEN a disk that filled up half-way through an entry
    with open(log.path, "ab") as handle:
        handle.write(b'{"action": "copy", "engines": {}, "has')
    # WHEN the next entry is appended
    log.record("export", sha256=SHA)
    # THEN the log verifies, the torn bytes are gone and the gap is an entry of its own
    code, said = _verify_cli(log, capsys)
    assert code == 0 and "8 entries" in said
    entries = [json.loads(line) for line in _lines(log)]
    assert [(e["action"], e["outcome"]) for e in entries[-2:]] == [("audit_recovered", "torn_line"), ("export", "ok")]


def test_torn_line_that_hides_a_cut_is_not_recovered_silently(log):
    # a cut in the middle of entry 5 looks like a torn line, but the anchor expected 6 entries
    lines = _lines(log)
    _write(log, lines[:4] + [lines[4][:30]])
    log.record("export", sha256=SHA)
    assert log.verify().problem.kind == "truncated"


def test_log_files_are_private(log):
    for path in (log.path, log.head_path, log.anchor_path, log.anchor_path.parent / "audit.key"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    for folder in (log.path.parent, log.anchor_path.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


def test_a_log_written_before_seals_still_verifies_and_then_continues_sealed(tmp_path, monkeypatch):
    monkeypatch.setenv("EMR_ASSIST_ANCHOR_DIR", str(tmp_path / "anchor"))
    prev, lines = "0" * 64, []
    for seq in (1, 2):
        entry = {"seq": seq, "time": "2026-01-01T00:00:00.000+00:00", "user": "dr", "action": "open",
                 "sha256": SHA, "engines": {}, "outcome": "ok", "prev": prev}
        entry["hash"] = prev = _hash(entry)
        lines.append(json.dumps(entry, sort_keys=True) + "\n")
    log = AuditLog(tmp_path / "audit.jsonl")
    log.path.write_text("".join(lines))
    assert log.verify().ok
    log.record("copy", sha256=SHA)
    result = log.verify()
    assert result.ok and result.entries == 3
    assert describe(result, "en").startswith("Audit log OK: 3 entries")


def test_a_keyring_that_appears_later_keeps_older_entries_verifiable(log, tmp_path):
    # GIVEN entries sealed with the key file (no keyring), THEN a secure keyring is set up
    import keyring

    from tests.test_history import FileKeyring

    previous = keyring.get_keyring()
    keyring.set_keyring(FileKeyring(str(tmp_path / "keyring.json")))
    try:
        # WHEN more entries are written THEN they are sealed with the keyring's key
        entry = log.record("copy", sha256=SHA)
        result = log.verify()
        assert result.ok and result.entries == 7 and result.key_source == "OS keyring"
        file_key_id = json.loads(_lines(log)[0])["key"]
        assert entry["key"] != file_key_id
        # and an edit is still caught under either key
        lines = _lines(log)
        lines[6] = lines[6].replace('"copy"', '"open"')
        _write(log, lines)
        assert log.verify().problem.kind == "edited"
    finally:
        keyring.set_keyring(previous)
