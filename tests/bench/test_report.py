"""`make bench` rewrites only its own part of PERFORMANCE.md: sections others write (the
installer's bundle sizes, notes written by hand) survive every run."""

from __future__ import annotations

from pathlib import Path

from bench import report

BUNDLE = "## Application bundle (Linux)\n\n| what | result |\n| --- | --- |\n| bundle | 311 MiB |"


def test_a_file_from_before_the_markers_keeps_foreign_sections(tmp_path: Path) -> None:
    doc = tmp_path / "PERFORMANCE.md"
    doc.write_text(
        "# Performance\n\nMeasured by make bench.\n\n| what | result |\n| --- | --- |\n"
        "| upload | 1 s |\n\n" + BUNDLE + "\n",
        encoding="utf-8",
    )
    report.write(doc, ["## Uploads side by side", "", "new table"])
    text = doc.read_text(encoding="utf-8")
    assert "new table" in text
    assert BUNDLE in text
    assert "| upload | 1 s |" not in text, "the old generated table is replaced"


def test_every_later_run_replaces_only_the_generated_part(tmp_path: Path) -> None:
    doc = tmp_path / "PERFORMANCE.md"
    report.write(doc, ["first run"])
    with doc.open("a", encoding="utf-8") as out:
        out.write("\n" + BUNDLE + "\n\n## Before and after\n\nwritten by hand\n")
    report.write(doc, ["second run"])
    report.write(doc, ["third run"])
    text = doc.read_text(encoding="utf-8")
    assert "third run" in text
    assert "first run" not in text and "second run" not in text
    assert text.count(BUNDLE) == 1
    assert text.count("written by hand") == 1
    assert text.index(report.END) < text.index(BUNDLE)
