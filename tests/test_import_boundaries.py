"""Imports go one way (DESIGN.md): shared imports no other part; daemon never imports Qt
or desktop; desktop and server import shared only."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

FORBIDDEN: dict[str, set[str]] = {
    "shared": {"server", "daemon", "desktop", "reeldrop", "PySide6"},
    "daemon": {"server", "desktop", "reeldrop", "PySide6"},
    "desktop": {"server", "daemon", "reeldrop"},
    "server": {"daemon", "desktop", "reeldrop", "PySide6"},
}


def imported_top_levels(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("part", sorted(FORBIDDEN))
def test_part_imports_only_what_it_may(part: str) -> None:
    offenders = []
    for path in sorted((ROOT / part).rglob("*.py")):
        bad = imported_top_levels(path) & FORBIDDEN[part]
        if bad:
            offenders.append(f"{path.relative_to(ROOT)} imports {sorted(bad)}")
    assert not offenders, "\n".join(offenders)


def test_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import PySide6.QtCore\nfrom server.app import create_app\n")
    assert imported_top_levels(sample) == {"PySide6", "server"}
