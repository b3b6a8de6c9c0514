"""The main window's actions, shortcuts and menus, and their texts in the UI language.

A mixin of `MainWindow` (its `tr()` context stays "MainWindow"): the actions are the window's
attributes because tests and the other mixins trigger them by name.
"""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMessageBox

from desktop_app.models import FIELD_NAMES


class WindowMenus:
    def _action(self, shortcut, slot, checkable: bool = False) -> QAction:
        action = QAction(self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setCheckable(checkable)
        (action.toggled if checkable else action.triggered).connect(slot)
        self.addAction(action)  # the shortcut works wherever the focus is in the window
        return action

    def _build_actions(self) -> None:
        self.open_action = self._action(QKeySequence.StandardKey.Open, self.open_files)
        self.paste_action = self._action(QKeySequence.StandardKey.Paste, self.paste)
        self.capture_action = self._action("Ctrl+Shift+R", self.capture_region)
        self.settings_action = self._action("Ctrl+,", self.open_settings)
        self.quit_action = self._action(QKeySequence.StandardKey.Quit, self.close)
        self.copy_all_action = self._action("Ctrl+Shift+C", self.summary_panel.copy_all)
        self.copy_field_actions = {
            name: self._action(f"Ctrl+{number}", lambda _=False, n=name: self.summary_panel.copy_field(n))
            for number, name in enumerate(FIELD_NAMES, start=1)}
        self.cancel_action = self._action("Esc", self._on_escape)
        self.cancel_all_action = self._action(None, lambda: self.cancel_all())
        self.done_next_action = self._action("Ctrl+Down", self.done_and_next)
        self.previous_action = self._action("Ctrl+Up", self.previous_document)
        self.retry_action = self._action(None, lambda: self.retry(self._current))
        self.remove_action = self._action(None, lambda: self.remove(self._current))
        self.clear_finished_action = self._action(None, self.clear_finished)
        self.summarize_action = self._action("Ctrl+Return", self.summarize_again)
        self.boxes_action = self._action(None, self.page_view.set_boxes_visible, checkable=True)
        self.boxes_action.setChecked(self.prefs.show_boxes)
        self.zoom_in_action = self._action(QKeySequence.StandardKey.ZoomIn, self.page_view.zoom_in)
        self.zoom_out_action = self._action(QKeySequence.StandardKey.ZoomOut, self.page_view.zoom_out)
        self.fit_action = self._action("Ctrl+0", self.page_view.fit)
        self.fit_width_action = self._action("Ctrl+9", self.page_view.fit_width)
        self.text_action = self._action("Ctrl+T", self.set_text_pane_visible, checkable=True)
        self.text_action.setChecked(True)
        self.about_action = self._action(None, self._about)
        self.welcome_action = self._action(None, self.show_welcome)

        menu_bar = self.menuBar()
        menus = (
            ("file_menu", (self.open_action, self.paste_action, self.capture_action, None, self.settings_action,
                           None, self.quit_action)),
            ("edit_menu", (self.copy_all_action, *self.copy_field_actions.values(), None, self.summarize_action)),
            ("documents_menu", (self.done_next_action, self.previous_action, None, self.retry_action,
                                self.remove_action, self.clear_finished_action, None, self.cancel_action,
                                self.cancel_all_action)),
            ("view_menu", (self.boxes_action, self.text_action, None, self.zoom_in_action, self.zoom_out_action,
                           self.fit_width_action, self.fit_action)),
            ("help_menu", (self.welcome_action, self.about_action)),
        )
        for name, actions in menus:
            menu = menu_bar.addMenu("")
            setattr(self, name, menu)
            for action in actions:
                menu.addSeparator() if action is None else menu.addAction(action)

    def _retranslate_menus(self) -> None:
        self.file_menu.setTitle(self.tr("&File"))
        self.edit_menu.setTitle(self.tr("&Edit"))
        self.view_menu.setTitle(self.tr("&View"))
        self.help_menu.setTitle(self.tr("&Help"))
        self.documents_menu.setTitle(self.tr("&Documents"))
        texts = {
            self.open_action: self.tr("&Open…"),
            self.paste_action: self.tr("&Paste image or file"),
            self.capture_action: self.tr("&Capture a screen region…"),
            self.settings_action: self.tr("&Settings…"),
            self.quit_action: self.tr("&Quit"),
            self.copy_all_action: self.tr("&Copy all fields"),
            self.done_next_action: self.tr("&Done, next patient"),
            self.previous_action: self.tr("&Previous document"),
            self.retry_action: self.tr("&Retry"),
            self.remove_action: self.tr("Re&move from the list"),
            self.clear_finished_action: self.tr("C&lear finished"),
            self.cancel_all_action: self.tr("Cancel &all…"),
            self.summarize_action: self.tr("Summarize &again"),
            self.cancel_action: self.tr("Cancel the running document"),
            self.boxes_action: self.tr("Show OCR &boxes"),
            self.zoom_in_action: self.tr("Zoom &in"),
            self.zoom_out_action: self.tr("Zoom &out"),
            self.fit_action: self.tr("&Fit page"),
            self.fit_width_action: self.tr("Fit &width"),
            self.text_action: self.tr("Show document &text"),
            self.about_action: self.tr("&About"),
            self.welcome_action: self.tr("&Welcome and health check…"),
        }
        for action, text in texts.items():
            action.setText(text)
        for name, action in self.copy_field_actions.items():
            action.setText(self.tr("Copy %1").replace("%1", self.model.field_title(name)))

    def _about(self) -> None:
        from desktop_app import __version__

        text = self.tr("EMR Summary Assistant %1. Reads clinical documents on this computer and shows the "
                       "chief complaint, diagnosis and plan as written in them. Nothing is sent off this computer, "
                       "and no note text is kept unless encrypted history is turned on in Settings.")
        QMessageBox.about(self, self._app_title(), text.replace("%1", __version__))
