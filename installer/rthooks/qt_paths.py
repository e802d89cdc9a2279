"""Where the bundled Qt finds its plugins, set before any ReelDrop code runs.

This stands in for PyInstaller's own PySide6 run-time hook, which imports ``PySide6.QtCore``
in every start of the executable only to write a ``qt.conf`` that PySide6's wheels already
embed. Every ``reeldrop`` command (``upload``, ``status``, the daemon at login) would pay
that import, though only the window and the tray use Qt; setting the paths is all that is
left to do before Qt is imported."""

import os
import sys

_bundle = getattr(sys, "_MEIPASS", os.path.dirname(sys.executable))
_qt = os.path.join(_bundle, "PySide6", *(() if sys.platform.startswith("win") else ("Qt",)))
os.environ["QT_PLUGIN_PATH"] = os.path.join(_qt, "plugins")
os.environ["QML2_IMPORT_PATH"] = os.path.join(_qt, "qml")
del _bundle, _qt
