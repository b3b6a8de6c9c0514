"""The main window's settings side: the Settings and Welcome dialogs, applying and saving what the
user chose (and auditing which preferences changed), the history's state, and the view options
(text size, "Copy all" template, OCR boxes, the document text pane and the fields' height).

A mixin of `MainWindow` (its `tr()` context stays "MainWindow").
"""

from __future__ import annotations

from dataclasses import fields, replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop_app import qt_settings
from desktop_app.qt_settings import Preferences
from desktop_app.ui.settings_dialog import SettingsDialog


class WindowPreferences:
    def open_settings(self) -> SettingsDialog:
        from desktop_app.ocr import registry as ocr_registry
        from desktop_app.summarize import registry as summary_registry

        dialog = SettingsDialog(self.prefs, ocr_registry.names(), summary_registry.names(), self,
                                ui_language=self.ui_language[:2])
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.apply_preferences(dialog.preferences()))
        dialog.deleteHistoryRequested.connect(self.delete_history)
        self.settings_dialog = dialog
        dialog.open()  # window-modal without a nested event loop
        return dialog

    def show_welcome(self, **options):
        """The welcome dialog (window-modal, no nested loop); marks the first run as done.
        `options` go to `WelcomeDialog` (tests inject a fake doctor and importer)."""
        from desktop_app.ui.welcome_dialog import WelcomeDialog

        if self.welcome_dialog is not None and self.welcome_dialog.isVisible():
            return self.welcome_dialog
        if self.welcome_dialog is not None:
            self.welcome_dialog.stop()
            self.welcome_dialog.deleteLater()
        dialog = WelcomeDialog(self.prefs, self, ui_language=self.ui_language[:2], **options)

        def accepted() -> None:
            if dialog.preferences() != self.prefs:
                self.apply_preferences(dialog.preferences())

        dialog.accepted.connect(accepted)
        self.welcome_dialog = dialog
        qt_settings.mark_welcome_shown(self.store)
        dialog.open()
        return dialog

    def apply_preferences(self, prefs: Preferences) -> None:
        self._audit_settings_change(self.prefs, prefs)
        self.prefs = prefs
        qt_settings.save(self.store, prefs)
        self._apply_view_preferences()
        self.folder_scanner.configure(prefs.engine_settings())
        self.preferencesChanged.emit(prefs)
        session = self._current_session()
        if session is not None:
            self.show_document(session.key)

    def _audit_settings_change(self, old: Preferences, new: Preferences) -> None:
        """Which preferences changed (their names, never their values: paths and hosts stay out)."""
        changed = [f.name for f in fields(Preferences) if getattr(old, f.name) != getattr(new, f.name)]
        if not changed:
            return
        self.model.record("settings_change", engines={"changed": "+".join(changed)[:80]})
        if old.keep_history != new.keep_history:
            self.model.record("history_on" if new.keep_history else "history_off")

    def _apply_view_preferences(self) -> None:
        """The text size of the fields and the document text, and the "Copy all" template."""
        font = QApplication.font()
        if int(self.prefs.font_size or 0) > 0:
            font.setPointSize(int(self.prefs.font_size))
        self.summary_panel.set_editor_font(font)
        self.text_view.editor.setFont(font)
        self.summary_panel.set_copy_template(self.prefs.copy_label_style, self.prefs.copy_separator)

    def _on_boxes_toggled(self, visible: bool) -> None:
        self.boxes_action.setChecked(visible)
        if visible != self.prefs.show_boxes:
            self.prefs = replace(self.prefs, show_boxes=visible)
            qt_settings.save(self.store, self.prefs)

    def delete_history(self) -> None:
        """"Delete all history" (confirmed in Settings): entries, database and key, in the worker."""
        if self.history_path is None:
            return
        self.runner.delete_history(self.history_path)
        self.model.record("history_delete_all")
        self.statusBar().showMessage(self.tr("All history was deleted."), 5000)

    def on_history_changed(self, is_open: bool, reason: str) -> None:
        """The worker opened or closed the history; a reason (in the UI language) means it could not
        be kept."""
        if not is_open and reason:
            self.statusBar().showMessage(reason, 10000)

    def on_audit_failed(self, action: str, reason: str) -> None:
        """An audit entry could not be written: say so, keep working."""
        self.statusBar().showMessage(self.tr("Warning: the audit log could not be written (%1).")
                                     .replace("%1", reason), 10000)

    # --- the right-hand column's layout -------------------------------------------------

    def _fit_summary_pane(self, wanted: int) -> None:
        """The fields' pane as tall as its content needs (the document text below takes the rest,
        keeping at least a few lines), so short fields leave no empty band."""
        if wanted <= 0 or not self.text_action.isChecked():
            return
        total = sum(self.right_splitter.sizes())
        if total <= 0:
            return
        text_min = max(self.text_view.minimumSizeHint().height(), 140)
        if not self.results_panel.isHidden():
            wanted += self.results_panel.sizeHint().height() + 4
        top = max(min(wanted + 8, total - text_min), 160)
        self.right_splitter.setSizes([top, total - top])

    def set_text_pane_visible(self, visible: bool) -> None:
        """The document text pane: hidden, the fields get the whole column."""
        self.text_view.setVisible(visible)
        if self.text_action.isChecked() != visible:
            self.text_action.setChecked(visible)
        if visible:
            self._fit_summary_pane(self.summary_panel.wanted_height())
