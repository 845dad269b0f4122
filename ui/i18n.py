"""Runtime language switching for the window.

Qt's ``tr()`` asks the installed translators; ours answers from the station's own ``.po``
catalogue (``station.i18n``), so the window and the services' messages always agree. Qt's
own catalogue (``qtbase``: the buttons of standard dialogs) is installed beneath it.

Switching sends every widget a ``LanguageChange`` event; widgets that derive from
:class:`Retranslatable` then set their texts again from ``retranslate()``. Texts that come from
view-model state (a message, the finalize hint) are re-rendered by their owners.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QLibraryInfo,
    QLocale,
    QObject,
    QTranslator,
    Signal,
)

from station.i18n import current_language, lookup, set_language

log = logging.getLogger(__name__)


class CatalogueTranslator(QTranslator):
    """A QTranslator that reads the station catalogue instead of a compiled ``.qm`` file."""

    def translate(
        self, context: str, source_text: str, disambiguation: str | None = None, n: int = -1
    ) -> str | None:
        # None (not "") lets Qt fall through to the next translator, then the source text.
        return lookup(source_text)

    def isEmpty(self) -> bool:
        return False


class LanguageSwitcher(QObject):
    """Owns the installed translators; ``switch()`` changes the language of the running app."""

    languageChanged = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._catalogue = CatalogueTranslator(self)
        self._qt_base: QTranslator | None = None
        self._installed = False

    @property
    def language(self) -> str:
        return current_language()

    def install(self, language: str) -> str:
        """Install the translators for ``language`` (at start, before widgets are built)."""
        return self.switch(language, announce=False)

    def switch(self, language: str, *, announce: bool = True) -> str:
        app = QCoreApplication.instance()
        code = set_language(language)
        if app is None:
            return code
        if self._qt_base is not None:
            app.removeTranslator(self._qt_base)
            self._qt_base = None
        if self._installed:
            # Re-installing posts the LanguageChange event every widget retranslates on.
            app.removeTranslator(self._catalogue)
        qt_base = QTranslator(self)
        folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        if code != "en" and qt_base.load(QLocale(code.replace("-", "_")), "qtbase", "_", folder):
            app.installTranslator(qt_base)
            self._qt_base = qt_base
        app.installTranslator(self._catalogue)
        self._installed = True
        log.info("language switched to %s", code)
        if announce:
            self.languageChanged.emit(code)
        return code


class Retranslatable:
    """Mixin for widgets: ``retranslate()`` sets every translatable text and is called again
    on each language switch. Put it first in the bases: ``class X(Retranslatable, QWidget)``.

    Widgets with themed icons also get ``restyle()`` on a palette change (a theme switch), so
    an icon drawn in the text colour follows a light-to-dark switch.
    """

    def retranslate(self) -> None:
        """Set the widget's texts with ``self.tr()``; called from ``__init__`` and on switch."""

    def restyle(self) -> None:
        """Set what follows the palette (themed icons); called on a palette change."""

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        elif event.type() == QEvent.Type.PaletteChange:
            self.restyle()
        super().changeEvent(event)  # type: ignore[misc]
