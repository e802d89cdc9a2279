"""Where the bundled Qt finds its plugins, set before any ReelDrop code runs.

This stands in for PyInstaller's own PySide6 run-time hook, which imports ``PySide6.QtCore``
in every start of the executable, to write a ``qt.conf`` that PySide6's wheels already
embed (their ``qt.conf`` puts Qt's prefix beside ``PySide6/__init__``, which is right in
the bundle too). Every ``reeldrop`` command (``upload``, ``status``, the daemon at login)
would pay that import, though only the window and the tray use Qt. What else that hook did
is kept where it matters here: the plugin path, and on Windows the bundle's folder on
``PATH`` so that QtNetwork finds the OpenSSL libraries collected there (the library page
fetches thumbnails over HTTPS). Its QML paths are left out (the bundle has no QML), as is
its check for a second Qt binding (none is bundled) and its ``DYLD_LIBRARY_PATH`` for
macOS builds outside an ``.app`` (the macOS build is an ``.app``)."""


def _set_qt_paths() -> None:
    import os
    import sys

    bundle = getattr(sys, "_MEIPASS", os.path.dirname(sys.executable))
    windows = sys.platform.startswith("win")
    qt = os.path.join(bundle, "PySide6", *(() if windows else ("Qt",)))
    os.environ["QT_PLUGIN_PATH"] = os.path.join(qt, "plugins")
    if windows:
        os.environ["PATH"] = os.pathsep.join(filter(None, (bundle, os.environ.get("PATH"))))


_set_qt_paths()
del _set_qt_paths
