"""A store created by an earlier version opens with the columns added since."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import select

from server.b2store.context import StoreContext
from server.b2store.models import FileVersion, Key, Part

ADDED_SINCE_FIRST_RELEASE = [
    ("keys", "max_file_bytes"),
    ("keys", "max_total_bytes"),
    ("keys", "quota_group"),
    ("file_versions", "charged_to"),
    ("parts", "charged_to"),
]


def test_an_older_store_opens_and_answers_queries(tmp_path: Path) -> None:
    StoreContext.open(tmp_path, "http://127.0.0.1:9")
    with sqlite3.connect(tmp_path / "b2store" / "store.sqlite") as old:
        for table, column in ADDED_SINCE_FIRST_RELEASE:
            old.execute(f"DROP INDEX IF EXISTS ix_{table}_{column}")
            old.execute(f"ALTER TABLE {table} DROP COLUMN {column}")

    ctx = StoreContext.open(tmp_path, "http://127.0.0.1:9")

    with ctx.factory() as db:
        master = db.execute(select(Key).where(Key.is_master)).scalars().one_or_none()
        assert db.execute(select(FileVersion)).scalars().all() == []
        assert db.execute(select(Part)).scalars().all() == []
    assert master is None or master.max_total_bytes is None
