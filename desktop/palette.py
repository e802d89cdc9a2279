"""Light and dark palettes on the Fusion style, so the window reads well on any desktop."""

from __future__ import annotations

from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

Role = QPalette.ColorRole

LIGHT = {
    Role.Window: "#f4f5f7",
    Role.WindowText: "#1f2328",
    Role.Base: "#ffffff",
    Role.AlternateBase: "#f7f8fa",
    Role.Text: "#1f2328",
    Role.Button: "#ffffff",
    Role.ButtonText: "#1f2328",
    Role.Highlight: "#2f6fde",
    Role.HighlightedText: "#ffffff",
    Role.ToolTipBase: "#1f2328",
    Role.ToolTipText: "#ffffff",
    Role.PlaceholderText: "#8a9099",
    Role.Link: "#2f6fde",
    Role.Mid: "#d0d4da",
}
DARK = {
    Role.Window: "#1d2025",
    Role.WindowText: "#e6e8eb",
    Role.Base: "#25292f",
    Role.AlternateBase: "#2a2f36",
    Role.Text: "#e6e8eb",
    Role.Button: "#2c3138",
    Role.ButtonText: "#e6e8eb",
    Role.Highlight: "#3d7bea",
    Role.HighlightedText: "#ffffff",
    Role.ToolTipBase: "#e6e8eb",
    Role.ToolTipText: "#1d2025",
    Role.PlaceholderText: "#7d848e",
    Role.Link: "#6ea1ff",
    Role.Mid: "#3a4048",
}

STYLE = """
QListWidget#navigation { border: none; padding-top: 8px; background: palette(base);
    outline: 0; show-decoration-selected: 1; }
QListWidget#navigation::item { padding: 4px 10px; border-radius: 6px; margin: 1px 8px; }
QListWidget#navigation::item:selected { background: palette(highlight);
    color: palette(highlighted-text); }
QFrame#banner { background: #fff4d6; border-bottom: 1px solid #e8cf8a; }
QFrame#banner QLabel { color: #5c4400; }
QLabel#errorText { color: #c62828; }
QLabel#emptyHint { color: palette(placeholder-text); }
QPushButton#primaryButton { background: palette(highlight); color: palette(highlighted-text);
    border: none; border-radius: 5px; padding: 6px 14px; font-weight: 600; }
QPushButton#primaryButton:pressed { background: palette(dark); }
QTableView { border: 1px solid palette(mid); border-radius: 4px; }
"""
DARK_EXTRA = """
QFrame#banner { background: #4a3b12; border-bottom: 1px solid #6b5518; }
QFrame#banner QLabel { color: #ffe3a3; }
QLabel#errorText { color: #ff8a80; }
"""


def system_prefers_dark() -> bool:
    hints = QGuiApplication.styleHints()
    scheme = getattr(hints, "colorScheme", None)
    return bool(scheme is not None and scheme() == hints.colorScheme().Dark)


def apply(app: QApplication, dark: bool | None = None) -> None:
    """Fusion + our palette; ``dark=None`` follows the desktop's colour scheme."""
    if dark is None:
        dark = system_prefers_dark()
    app.setStyle("Fusion")
    palette = QPalette()
    for role, color in (DARK if dark else LIGHT).items():
        palette.setColor(role, QColor(color))
    disabled = QColor("#6b7079" if dark else "#a0a5ad")
    for role in (Role.WindowText, Role.Text, Role.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    app.setPalette(palette)
    app.setStyleSheet(STYLE + (DARK_EXTRA if dark else ""))
