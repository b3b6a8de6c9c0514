"""The `emr-assist` command line.

Start-up stays light: this module imports only the standard library at import time, so `--help`
never loads PyMuPDF, an OCR runtime, torch or transformers. Commands import what they need.
"""

from __future__ import annotations

import argparse
import json
import locale
import logging
import os
import sys
from dataclasses import asdict
from pathlib import Path

from desktop_app import __version__, paths, settings_cli
from desktop_app.errors import ExitCode
from desktop_app.settings_table import ENGINE, LIMIT


def _default_ui_language() -> str:
    value = os.environ.get("LC_ALL") or os.environ.get("LC_MESSAGES") or os.environ.get("LANG") or ""
    if not value:
        value = (locale.getlocale()[0] or "")
    return "zh" if value.lower().startswith("zh") else "en"


def _add_engine_options(parser: argparse.ArgumentParser, command: str) -> None:
    """The command's settings flags (declared in desktop_app/settings_table.py), help in the user's language."""
    language = _default_ui_language()
    group = parser.add_argument_group("engines")
    settings_cli.add_options(group, command, language, scope=ENGINE)
    group.add_argument("--no-app-settings", action="store_true",
                       help="ignore the desktop app's saved engine settings (by default they fill in every "
                            "engine option not given here)")
    settings_cli.add_options(parser.add_argument_group("limits"), command, language, scope=LIMIT)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="emr-assist",
        description="Summarize clinical documents locally: chief complaint, diagnosis and plan, "
                    "each copied from the document with its source. Nothing leaves this computer.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--lang", choices=("zh", "en"), help="language of messages (default: system locale)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr (no note text)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    summarize = commands.add_parser("summarize", help="summarize one or more documents")
    summarize.add_argument("paths", nargs="+", metavar="PATH", help="PDF, PNG, JPEG, BMP, WebP or TIFF files")
    summarize.add_argument("--json", action="store_true", help="one JSON object per input, one per line")
    summarize.add_argument("--tables", type=Path, metavar="OUT_DIR",
                           help="also write the tables the OCR found (HTML tables) as CSV and XLSX here")
    _add_engine_options(summarize, "summarize")
    summarize.set_defaults(handler=_cmd_summarize)

    batch = commands.add_parser("batch", help="summarize every document below a folder (resumable)")
    batch.add_argument("in_dir", type=Path, metavar="IN_DIR")
    batch.add_argument("--out", type=Path, required=True, metavar="OUT_DIR",
                       help="one .json and one .md per document are written here")
    _add_engine_options(batch, "batch")
    batch.set_defaults(handler=_cmd_batch)

    engines = commands.add_parser("engines", help="list the OCR engines and summarizers")
    engines.set_defaults(handler=_cmd_engines)

    models = commands.add_parser("models", help="check, import, list and verify local model folders")
    models_commands = models.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    models_check = models_commands.add_parser("check", help="check a model folder or .gguf file")
    models_check.add_argument("model_path", type=Path, metavar="PATH")
    models_check.set_defaults(handler=_cmd_models_check)
    models_import = models_commands.add_parser(
        "import", help="copy a model folder (e.g. from a USB drive) into the app's models folder")
    models_import.add_argument("source", type=Path, metavar="SRC_DIR")
    models_import.add_argument("--as", dest="kind", required=True, choices=("ocr", "summary"),
                               help="what the model is for")
    models_import.add_argument("--name", help="folder name under the models folder (default: SRC_DIR's name)")
    models_import.add_argument("--replace", action="store_true",
                               help="replace an imported model of that name")
    models_import.set_defaults(handler=_cmd_models_import)
    models_list = models_commands.add_parser("list", help="list the imported models")
    models_list.set_defaults(handler=_cmd_models_list)
    models_verify = models_commands.add_parser(
        "verify", help="re-hash imported models against their SHA-256 manifest")
    models_verify.add_argument("name", nargs="?", metavar="NAME", help="NAME or KIND/NAME (default: all)")
    models_verify.set_defaults(handler=_cmd_models_verify)

    gui = commands.add_parser("gui", help="open the desktop app (optionally with documents queued)")
    gui.add_argument("paths", nargs="*", metavar="PATH", help="documents or folders to open")
    gui.set_defaults(handler=_cmd_gui)

    audit = commands.add_parser("audit", help="check the audit log")
    audit_commands = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    audit_verify = audit_commands.add_parser("verify", help="detect edited, removed or reordered entries")
    audit_verify.add_argument("--file", type=Path, metavar="PATH", help="audit log (default: the app's own)")
    audit_verify.set_defaults(handler=_cmd_audit_verify)

    history = commands.add_parser("history", help="the optional encrypted history: status, purge, delete")
    history_commands = history.add_subparsers(dest="history_command", metavar="ACTION", required=True)
    for name, text in (("status", "whether history can be on here, and what it holds"),
                       ("purge", "remove entries older than the retention period (30 days)"),
                       ("delete-all", "remove every entry, the database and its key")):
        sub = history_commands.add_parser(name, help=text)
        sub.add_argument("--file", type=Path, metavar="PATH", help="history database (default: the app's own)")
        if name == "delete-all":
            sub.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        sub.set_defaults(handler=_cmd_history)

    evaluate = commands.add_parser("evaluate", help="measure engine setups on your own labelled documents")
    from desktop_app.evaluation import command as evaluate_command  # standard library only until it runs

    evaluate_command.add_arguments(evaluate)
    evaluate.set_defaults(handler=evaluate_command.run)

    doctor = commands.add_parser("doctor", help="report this installation's privacy posture and health")
    doctor.set_defaults(handler=_cmd_doctor)
    return parser


def _settings(args: argparse.Namespace):
    return settings_cli.engine_settings(args, args.command)


def result_json(result) -> str:
    data = asdict(result)
    return json.dumps(data, ensure_ascii=False)


def _cmd_summarize(args: argparse.Namespace) -> int:
    from desktop_app.pipeline import Pipeline
    from desktop_app.report import render_text

    pipeline = Pipeline(_settings(args), ui_language=args.lang)
    pipeline.check_engines()
    audit = CliAudit()
    failed = 0
    for path in args.paths:
        result = pipeline.run_answering_every_input(path)
        result.source = path  # exactly as given
        audit.document("summarize", result)
        failed += not result.ok
        if args.json:
            print(result_json(result), flush=True)
        else:
            print(render_text(result, args.output_language), flush=True)
        if getattr(args, "tables", None):
            from desktop_app.errors import OutputWriteError
            from desktop_app.labs.extract import results_table
            from desktop_app.tables import document_tables, export_tables

            tables = document_tables(result.pages)
            if not tables and result.summary and result.summary.results:  # lab rows read from the page boxes
                tables = [results_table(result.summary.results, result.summary.language)]
            try:
                written = export_tables(tables, args.tables, Path(path).stem)
            except OutputWriteError as exc:  # e.g. a full disk: say so, and go on with the next input
                audit.record("export", sha256=result.sha256 or None, engines={"output": "tables"}, outcome=exc.code)
                print(f"emr-assist: {exc.message(args.lang)}", file=sys.stderr)
                failed += 1
                continue
            if written:
                audit.record("export", sha256=result.sha256 or None, engines={"output": "tables"})
    if pipeline.config_error is not None:  # an engine or model that cannot run here: its own exit code
        return pipeline.config_error.exit_code
    return ExitCode.INPUT_FAILED if failed else ExitCode.OK


def _cmd_batch(args: argparse.Namespace) -> int:
    from desktop_app.batch import run_batch

    return run_batch(args.in_dir, args.out, _settings(args), ui_language=args.lang, audit=CliAudit())


class CliAudit:
    """The audit log as the CLI uses it: an entry that cannot be written is reported once on
    stderr (without any document detail) and the run goes on."""

    def __init__(self, log=None) -> None:
        from desktop_app.privacy.audit import AuditLog

        self.log = log or AuditLog()
        self._warned = False

    def record(self, action: str, **fields) -> None:
        try:
            self.log.record(action, **fields)
        except (OSError, ValueError) as exc:  # ValueError: a field the log refuses; never ends the run
            self._warn(exc)

    def document(self, action: str, result) -> None:
        from desktop_app.privacy.audit import record_document

        try:
            record_document(self.log, action, result)
        except (OSError, ValueError) as exc:
            self._warn(exc)

    def _warn(self, exc: Exception) -> None:
        if not self._warned:
            self._warned = True
            reason = getattr(exc, "strerror", None) or type(exc).__name__
            print(f"emr-assist: the audit log could not be written ({reason})", file=sys.stderr)


def _cmd_engines(args: argparse.Namespace) -> int:
    from desktop_app import engines

    for kind, title in (("ocr", "OCR engines (preference order):"), ("summary", "Summarizers:")):
        print(title)
        for spec in engines.specs(kind):
            state = "installed" if spec.is_installed() else "not installed"
            print(f"  {spec.name:14} {state:14} {spec.description}")
    return ExitCode.OK


def _cmd_models_check(args: argparse.Namespace) -> int:
    from desktop_app.model_check import check_model, format_report

    report = check_model(args.model_path)
    print(format_report(report))
    return ExitCode.OK if report.ok else ExitCode.CONFIG


class _TqdmProgress:
    """model_store progress (bytes) -> a tqdm bar on stderr."""

    def __init__(self, description: str) -> None:
        self.description = description
        self.bar = None

    def update(self, stage: str, done: int, total: int) -> None:
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=self.description, unit="B", unit_scale=True,
                            unit_divisor=1024, file=sys.stderr, leave=True)
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _cmd_models_import(args: argparse.Namespace) -> int:
    from desktop_app import model_store
    from desktop_app.model_check import format_report

    progress = _TqdmProgress("importing")
    try:
        result = model_store.import_model(args.source, args.kind, name=args.name, replace=args.replace,
                                          progress=progress)
    finally:
        progress.close()
    print(format_report(result.report))
    print(f"Imported {result.manifest.kind}/{result.manifest.name} ({len(result.manifest.files)} files, "
          f"{result.manifest.total_bytes / 2**30:.2f} GiB, {result.seconds:.1f} s) to {result.path}")
    option = "--ocr-model" if args.kind == "ocr" else "--summarizer-model"
    print(f"Use it with {option} {result.path}")
    return ExitCode.OK


def _cmd_models_list(args: argparse.Namespace) -> int:
    from desktop_app import model_store

    print(model_store.format_list(model_store.list_models()))
    return ExitCode.OK


def _cmd_models_verify(args: argparse.Namespace) -> int:
    from desktop_app import model_store

    models = [model_store.find_model(args.name)] if args.name else model_store.list_models()
    if not models:
        print(model_store.format_list(models))
        return ExitCode.OK
    bad = 0
    for model in models:
        progress = _TqdmProgress(f"verifying {model.label}")
        try:
            result = model_store.verify_model(model, progress=progress)
        finally:
            progress.close()
        bad += not result.ok
        print(model_store.format_verify(result), file=sys.stdout if result.ok else sys.stderr)
    return ExitCode.CONFIG if bad else ExitCode.OK


def _cmd_gui(args: argparse.Namespace) -> int:
    from desktop_app.app import run  # Qt is imported only for this command

    return run([str(path) for path in args.paths], verbose=args.verbose)


def _cmd_audit_verify(args: argparse.Namespace) -> int:
    from desktop_app.privacy.audit import AuditLog, describe

    result = AuditLog(args.file).verify()
    print(describe(result, args.lang), file=sys.stdout if result.ok else sys.stderr)
    return ExitCode.OK if result.ok else ExitCode.INPUT_FAILED


def _cmd_history(args: argparse.Namespace) -> int:
    from desktop_app.privacy import history

    db_path = args.file or history.default_path()
    audit = CliAudit()
    if args.history_command == "delete-all":
        if not args.yes:
            if not sys.stdin.isatty():
                print("emr-assist: add --yes to delete all history without a prompt", file=sys.stderr)
                return ExitCode.USAGE
            if input("Delete all history, its database and its key? [y/N] ").strip().lower() not in ("y", "yes"):
                print("Nothing deleted.")
                return ExitCode.OK
        history.delete_stored(db_path)
        audit.record("history_delete_all")
        print(f"History deleted ({db_path}).")
        return ExitCode.OK
    problem = history.unavailable()
    if problem is not None:
        print(problem.message(args.lang))
        return ExitCode.OK if args.history_command == "status" else ExitCode.CONFIG
    if not db_path.exists():
        print(f"History can be turned on (Settings in the desktop app); nothing is stored yet ({db_path}).")
        return ExitCode.OK
    # Opened with no retention first, so `purge` can count what it removes.
    with history.History.open(db_path, retention_days=float("inf")) as store:
        store.retention_days = history.RETENTION_DAYS
        if args.history_command == "purge":
            removed = store.purge_expired()
            audit.record("history_purge")
            print(f"{removed} entries older than {history.RETENTION_DAYS} days removed ({db_path}).")
        else:
            count = len(store.entries())
            print(f"History: {count} entries, encrypted, kept {history.RETENTION_DAYS} days ({db_path}).")
    return ExitCode.OK


def _apply_app_settings(args: argparse.Namespace) -> None:
    """Engine options not given on the command line take the desktop app's saved settings
    (QtCore only, imported here: never at module import), unless --no-app-settings."""
    if args.command not in ("summarize", "batch") or args.no_app_settings:
        return  # `evaluate` reads them itself, per config
    try:
        from desktop_app.qt_settings import saved_engine_settings
    except ImportError:  # PySide6 not installed: the built-in defaults
        return
    settings_cli.fill_from_saved(args, args.command, saved_engine_settings())


def _cmd_doctor(args: argparse.Namespace) -> int:
    from desktop_app.doctor import FAIL, format_checks, run_checks

    results = run_checks()
    print(format_checks(results, args.lang))
    return ExitCode.CONFIG if any(r.status == FAIL for r in results) else ExitCode.OK


def gui_main() -> int:
    """`python -m desktop_app` with no arguments: open the desktop app."""
    return main(["gui"])


def main(argv: list[str] | None = None) -> int:
    paths.apply_offline_environment()
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return ExitCode.USAGE
    args.lang = args.lang or _default_ui_language()
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    paths.apply_private_umask()  # every file this run writes is the user's alone (0600, folders 0700)
    paths.remove_crash_leftovers()  # temporary files of a run that was killed mid-write
    from desktop_app.errors import EmrError
    from desktop_app.privacy import deid, network

    deid.install_log_filter()  # no PHI in any log line
    _apply_app_settings(args)  # before the guard: the app's allowed hosts count too
    network.install(_allowed_hosts(args))  # loopback and allow-listed hosts only
    try:
        return args.handler(args)
    except EmrError as exc:  # configuration problems end the run with their own exit code
        print(f"emr-assist: {exc.message(args.lang)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("emr-assist: cancelled", file=sys.stderr)
        return ExitCode.CANCELLED
    except BrokenPipeError:  # the reader (e.g. `| head`) went away: not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return ExitCode.OK
    finally:
        network.uninstall()
        deid.remove_log_filter()


def _allowed_hosts(args: argparse.Namespace) -> tuple[str, ...]:
    """The user's allow-list of non-loopback hosts (e.g. the hospital's OCR server)."""
    return tuple(getattr(args, "allowed_hosts", None) or ())
