"""`emr-assist evaluate DIR [--configs A,B,…] --out REPORT_DIR`.

`add_arguments` runs when the CLI builds its parser, so it imports only light modules (the settings table,
the named configs); `run` imports the evaluation (and through it the pipeline) when the command runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from desktop_app import settings_cli
from desktop_app.settings_table import EVALUATE


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("in_dir", type=Path, metavar="DIR",
                        help="documents plus labels.json or labels.csv (format: README, 'Local validation')")
    from desktop_app.evaluation.configs import DEFAULT_CONFIGS, NAMED_CONFIGS  # light: no engine is imported

    default = ",".join(DEFAULT_CONFIGS)
    named = ", ".join(spec.name for spec in NAMED_CONFIGS)
    parser.add_argument("--configs", default=default, metavar="A,B,…",
                        help=f"engine setups to compare, comma-separated (default: {default}). Named: {named}, "
                             "app (the desktop app's saved engines); or OCR+SUMMARIZER")
    parser.add_argument("--out", type=Path, required=True, metavar="REPORT_DIR",
                        help="report.md, report.html, scores.json and the resumable cache are written here")
    parser.add_argument("--labels", type=Path, metavar="PATH",
                        help="labels file (default: DIR/labels.json or DIR/labels.csv)")
    parser.add_argument("--no-app-settings", action="store_true",
                        help="do not read model folders and server from the desktop app's settings")
    parser.add_argument("--retry-failed", action="store_true",
                        help="run documents that failed as a whole again (default: keep the cached failure)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    models = parser.add_argument_group("model engines (override the desktop app's settings)")
    settings_cli.add_options(models, EVALUATE)  # declared in desktop_app/settings_table.py


def run(args: argparse.Namespace) -> int:
    from desktop_app.errors import ExitCode, OutputWriteError
    from desktop_app.evaluation import configs as eval_configs
    from desktop_app.evaluation.labels import load_labels
    from desktop_app.evaluation.report import overall_markdown, write_report
    from desktop_app.evaluation.runner import run_evaluation
    from desktop_app.privacy import network

    labels = load_labels(args.in_dir, args.labels)  # a bad labels file stops here, before any engine loads
    base = None if args.no_app_settings else eval_configs.app_engine_settings()
    configs = eval_configs.resolve(args.configs.split(","), settings_cli.given(args, EVALUATE), base)
    hosts = tuple(dict.fromkeys(h for c in configs for h in c.settings.allowed_hosts))
    if hosts and network.is_installed():
        network.install(hosts)  # the app's own allow-list (Settings → allowed servers) applies here too
    try:
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputWriteError(path=str(args.out), detail=exc.strerror or type(exc).__name__) from None
    run_ = run_evaluation(labels, configs, args.out, ui_language=args.lang,
                          show_progress=False if args.no_progress else None, retry_failed=args.retry_failed)
    scored, written = write_report(run_, args.out)
    print(overall_markdown(scored))
    print(f"\n{len(labels.documents)} documents × {len(configs)} configs: {run_.ran} run, "
          f"{run_.reused} reused from {args.out / 'cache'}")
    print(f"report: {written['report.html']}  {written['report.md']}")
    for name, message in run_.config_errors.items():
        print(f"emr-assist: {name}: {message}", file=sys.stderr)
    return ExitCode.INPUT_FAILED if run_.config_errors else ExitCode.OK
