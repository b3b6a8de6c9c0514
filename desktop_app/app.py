"""The desktop app's factory. `create_app()` builds the real application and does not call
`exec()`, so tests and scripts drive the same objects the user gets; `run()` is the entry point.

Start-up imports only Qt and the light modules: the pipeline (PyMuPDF, the OCR runtime, any
model library) is imported in the worker thread, after the window is shown.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QSettings, QTimer, QTranslator
from PySide6.QtWidgets import QApplication

from desktop_app import paths, qt_settings
from desktop_app.errors import ExitCode
from desktop_app.jobs.audit_writer import AuditWriter
from desktop_app.jobs.inbox import InboxWatcher
from desktop_app.jobs.page_images import PageImageLoader
from desktop_app.jobs.runner import JobRunner, PipelineFactory
from desktop_app.privacy import history
from desktop_app.privacy.audit import AuditLog
from desktop_app.qt_binding import qt_binding_problem
from desktop_app.qt_settings import Preferences
from desktop_app.ui.main_window import MainWindow

log = logging.getLogger(__name__)

TRANSLATION_BASENAME = "emr_assist"


def short_language(ui_language: str) -> str:
    """"zh_CN" -> "zh" (the pipeline's and the labels' language codes)."""
    return "zh" if ui_language.startswith("zh") else "en"


# --- translations ------------------------------------------------------------------------


def i18n_dir() -> Path:
    return paths.resources_dir() / "i18n"


def _lrelease() -> str | None:
    beside = Path(sys.executable).with_name("pyside6-lrelease")
    return str(beside) if beside.exists() else shutil.which("pyside6-lrelease")


def translation_file(language: str) -> Path | None:
    """The compiled .qm for a language: resources/i18n (compiled at set-up), or compiled from the
    .ts into the cache folder once if the set-up step was skipped (a source checkout)."""
    source = i18n_dir() / f"{TRANSLATION_BASENAME}_{language}.ts"
    compiled = i18n_dir() / f"{TRANSLATION_BASENAME}_{language}.qm"
    if compiled.exists() and (not source.exists() or compiled.stat().st_mtime >= source.stat().st_mtime):
        return compiled
    if not source.exists():
        return compiled if compiled.exists() else None
    cached = paths.cache_dir() / "i18n" / compiled.name
    if cached.exists() and cached.stat().st_mtime >= source.stat().st_mtime:
        return cached
    tool = _lrelease()
    if tool is None:
        log.warning("translations for %s are not compiled and pyside6-lrelease is missing", language)
        return compiled if compiled.exists() else None
    cached.parent.mkdir(parents=True, exist_ok=True)
    try:
        subprocess.run([tool, str(source), "-qm", str(cached)], check=True, capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        log.warning("could not compile translations for %s", language)
        return compiled if compiled.exists() else None
    return cached


def install_translators(app: QApplication, language: str) -> bool:
    """Replace the app's translators with `language`'s ("en" = the source texts). Installing
    sends LanguageChange to every widget, which re-reads its texts."""
    for translator in getattr(app, "_emr_translators", []):
        app.removeTranslator(translator)
    installed: list[QTranslator] = []
    ok = True
    if language != "en":
        ours = QTranslator(app)
        file = translation_file(language)
        if file is not None and ours.load(str(file)):
            installed.append(ours)
        else:
            ok = False
        qt_base = QTranslator(app)  # Qt's own strings: OK / Cancel, file dialogs
        if qt_base.load(f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
            installed.append(qt_base)
    for translator in installed:
        app.installTranslator(translator)
    app._emr_translators = installed
    return ok


# --- the app -----------------------------------------------------------------------------


def create_app(argv: Sequence[str] | None = None, *, store: QSettings | None = None,
               pipeline_factory: PipelineFactory | None = None, documents: Sequence[str] = (),
               show: bool = True, system_locale: str | None = None,
               warm_up: bool = True, audit_log: AuditLog | None = None,
               history_path: Path | None = None) -> tuple[QApplication, MainWindow]:
    """Build (or reuse) the QApplication and the main window. Does not call `exec()`.

    `audit_log` / `history_path`: where the audit log and the optional encrypted history live
    (default: the data folder).

    `warm_up`: once the window is shown, import the pipeline and start the embedded OCR engine
    in the worker, so the first document is read without that wait.
    """
    paths.apply_offline_environment()
    problem = qt_binding_problem()
    if problem:
        log.error(problem)
    app = QApplication.instance() or QApplication(list(argv) if argv is not None else sys.argv[:1])
    app.setApplicationName(paths.APP_NAME)
    app.setOrganizationName(paths.APP_AUTHOR)
    store = store if store is not None else qt_settings.default_qsettings()
    prefs = qt_settings.load(store)
    ui_language = qt_settings.resolved_ui_language(prefs, system_locale or QLocale.system().name())
    install_translators(app, ui_language)
    engine_settings = prefs.engine_settings()

    runner = JobRunner(engine_settings, short_language(ui_language), pipeline_factory)
    loader = PageImageLoader(engine_settings, short_language(ui_language))
    window = MainWindow(prefs, store, runner, loader, ui_language=ui_language)
    runner.setParent(window)
    loader.setParent(window)
    inbox = InboxWatcher(window)
    inbox.filesArrived.connect(window.add_paths)
    inbox.set_folder(prefs.inbox_folder)
    window.inbox = inbox
    window.audit = AuditWriter(audit_log, window)  # appends off the GUI thread; failures -> status bar
    window.audit.failed.connect(window.on_audit_failed)
    window.history_path = Path(history_path) if history_path is not None else history.default_path()
    runner.historyChanged.connect(window.on_history_changed)
    if prefs.keep_history:  # opening purges entries past the retention period
        runner.set_history(window.history_path)

    def apply(new: Preferences) -> None:
        language = qt_settings.resolved_ui_language(new, system_locale or QLocale.system().name())
        if language != window.ui_language:
            window.ui_language = language
            install_translators(app, language)
        settings = new.engine_settings()
        runner.configure(settings, short_language(language))
        loader.configure(settings, short_language(language))
        inbox.set_folder(new.inbox_folder)
        _allow_hosts(new)
        runner.set_history(window.history_path if new.keep_history else None)

    window.preferencesChanged.connect(apply)
    _allow_hosts(prefs)
    app.aboutToQuit.connect(window.shutdown)
    if show:
        window.show()
        if warm_up:
            QTimer.singleShot(0, runner.warm_up)
    if documents:
        window.add_paths(list(documents))
    return app, window


def _allow_hosts(prefs: Preferences) -> None:
    """With the network guard on (`emr-assist gui` turns it on), the allow-list is the one in
    Settings, and it changes when the Settings change."""
    from desktop_app.privacy import network

    if network.is_installed():
        network.install(prefs.allowed_hosts)


def run(documents: Sequence[str] = (), verbose: bool = False) -> int:
    """Start the GUI and block until the window closes. Returns the exit code."""
    debug = verbose or bool(os.environ.get("EMR_ASSIST_DEBUG"))
    logging.basicConfig(level=logging.INFO if debug else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    problem = qt_binding_problem()
    if problem:
        print(f"emr-assist: {problem}", file=sys.stderr)
        return ExitCode.CONFIG
    app, window = create_app(documents=documents)
    if qt_settings.welcome_pending(window.store):  # first run: what works, models, health check
        QTimer.singleShot(0, window.show_welcome)
    # Ctrl+C in the terminal closes the window the normal way (cancel, stop the worker, wait).
    signal.signal(signal.SIGINT, lambda *_: window.close())
    wake = QTimer(window)  # lets the interpreter run its signal handlers while Qt's loop waits
    wake.start(500)
    wake.timeout.connect(lambda: None)
    return app.exec()
