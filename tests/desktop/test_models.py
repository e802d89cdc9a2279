"""The uploads model without a window: rows appear, change and leave one at a time."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt
from pytestqt.qtbot import QtBot

from desktop.jobs_model import JOB_ROLE, PROGRESS_ROLE, SORT_ROLE, Column, JobsModel
from shared.control.schemas import JobView

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def job(n: int, **changes: object) -> JobView:
    fields: dict[str, object] = {
        "id": f"job-{n}",
        "path": f"/videos/lecture-{n}.mp4",
        "filename": f"lecture-{n}.mp4",
        "state": "queued",
        "total_bytes": 1_000_000 * (n + 1),
        "created_at": NOW,
        "updated_at": NOW,
    }
    fields.update(changes)
    return JobView.model_validate(fields)


def text(model: JobsModel, row: int, column: Column) -> str:
    return str(model.data(model.index(row, column)))


def test_insert_update_remove_touch_one_row(qtbot: QtBot) -> None:
    model = JobsModel()
    inserted: list[tuple[int, int]] = []
    changed: list[tuple[int, int]] = []
    removed: list[tuple[int, int]] = []
    resets: list[bool] = []
    model.rowsInserted.connect(lambda _p, first, last: inserted.append((first, last)))
    model.dataChanged.connect(lambda tl, br, _r=None: changed.append((tl.row(), br.row())))
    model.rowsRemoved.connect(lambda _p, first, last: removed.append((first, last)))
    model.modelReset.connect(lambda: resets.append(True))

    for n in range(3):
        model.upsert(job(n))
    assert inserted == [(0, 0), (1, 1), (2, 2)]
    assert text(model, 1, Column.NAME) == "lecture-1.mp4"
    assert text(model, 1, Column.SIZE) == "2.0 MB"
    assert text(model, 1, Column.STATE) == "Queued"

    model.upsert(
        job(1, state="uploading", bytes_sent=500_000, speed_bps=12_300_000, eta_seconds=75)
    )
    assert changed == [(1, 1)]
    assert model.rowCount() == 3
    assert text(model, 1, Column.STATE) == "Uploading"
    assert text(model, 1, Column.PROGRESS) == "25%"
    assert model.data(model.index(1, Column.PROGRESS), PROGRESS_ROLE) == 0.25
    assert text(model, 1, Column.SPEED) == "12.3 MB/s"
    assert text(model, 1, Column.ETA) == "1 min"

    model.remove("job-0")
    assert removed == [(0, 0)]
    assert [model.job_at(r).id for r in range(model.rowCount())] == ["job-1", "job-2"]
    assert model.row_of("job-2") == 1
    model.upsert(job(2, state="done"))
    assert changed[-1] == (1, 1)
    assert not resets


def test_rejected_job_shows_its_reason(qtbot: QtBot) -> None:
    model = JobsModel()
    model.upsert(
        job(
            0,
            state="rejected",
            error={"code": "too_short", "message": "video is 5 s long; the minimum is 10 s"},
        )
    )
    assert text(model, 0, Column.STATE) == "Rejected"
    assert text(model, 0, Column.REASON) == "video is 5 s long; the minimum is 10 s"
    model.upsert(job(1, state="duplicate"))
    assert text(model, 1, Column.REASON) == "You already uploaded this video."


def test_ten_thousand_rows_update_by_row(qtbot: QtBot) -> None:
    model = JobsModel()
    model.reset_jobs([job(n) for n in range(10_000)])
    assert model.rowCount() == 10_000
    changed: list[int] = []
    model.dataChanged.connect(lambda tl, _br, _r=None: changed.append(tl.row()))
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    for n in range(0, 10_000, 97):
        model.upsert(job(n, state="uploading", bytes_sent=n))
    assert changed == list(range(0, 10_000, 97))
    model.remove("job-5000")
    assert model.rowCount() == 9_999
    assert model.row_of("job-9999") == 9_998
    assert model.job_at(model.row_of("job-5001") or 0).id == "job-5001"
    assert not resets


def test_sorting_through_a_proxy_uses_raw_values(qtbot: QtBot) -> None:
    model = JobsModel()
    sizes = [3_000_000, 200_000, 1_500_000_000]
    for n, size in enumerate(sizes):
        model.upsert(job(n, total_bytes=size, filename=["b.mp4", "C.mp4", "a.mp4"][n]))
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    proxy.sort(Column.SIZE, Qt.SortOrder.AscendingOrder)
    order = [proxy.data(proxy.index(r, Column.SIZE)) for r in range(3)]
    assert order == ["200.0 kB", "3.0 MB", "1.5 GB"]
    proxy.sort(Column.NAME, Qt.SortOrder.AscendingOrder)
    assert [proxy.data(proxy.index(r, Column.NAME)) for r in range(3)] == [
        "a.mp4",
        "b.mp4",
        "C.mp4",
    ]
    proxy.setDynamicSortFilter(True)
    model.upsert(job(0, filename="z.mp4", total_bytes=3_000_000))
    assert proxy.data(proxy.index(2, Column.NAME)) == "z.mp4"
    assert proxy.index(0, 0).data(JOB_ROLE).filename == "a.mp4"


def test_course_names_replace_ids(qtbot: QtBot) -> None:
    model = JobsModel()
    model.upsert(job(0, course_id="c1"))
    model.set_course_names({"c1": "Physics 101"})
    assert text(model, 0, Column.COURSE) == "Physics 101"
    assert model.rowCount(model.index(0, 0)) == 0
    assert model.columnCount(QModelIndex()) == len(Column)


def media(n: int, **changes: object) -> dict[str, object]:
    item: dict[str, object] = {
        "id": f"m{n}",
        "filename": f"talk-{n}.mp4",
        "fileSize": 10_000_000 * (n + 1),
        "durationSeconds": 60.0 * (n + 1) + 5,
        "width": 1920,
        "height": 1080,
        "videoQuality": "1080p",
        "status": "ready",
        "cdnUrl": f"http://cdn.example/{n}.mp4",
        "createdAt": f"2026-01-0{n + 1}T10:00:00Z",
    }
    item.update(changes)
    return item


def test_library_model_shows_and_sorts_media(qtbot: QtBot) -> None:
    from desktop.library_model import ITEM_ROLE, LibraryColumn, LibraryModel
    from desktop.library_model import SORT_ROLE as LIBRARY_SORT

    model = LibraryModel()
    model.set_items([media(0), media(2, status="processing", videoQuality=None), media(1)])
    assert model.rowCount() == 3
    assert model.data(model.index(0, LibraryColumn.DURATION)) == "1:05"
    assert model.data(model.index(0, LibraryColumn.RESOLUTION)) == "1920×1080"  # noqa: RUF001
    assert model.data(model.index(0, LibraryColumn.QUALITY)) == "1080p"
    assert model.data(model.index(0, LibraryColumn.SIZE)) == "10.0 MB"
    assert model.data(model.index(1, LibraryColumn.STATUS)) == "Processing"
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.setSortRole(LIBRARY_SORT)
    proxy.sort(LibraryColumn.DURATION, Qt.SortOrder.DescendingOrder)
    assert [proxy.index(r, 0).data(ITEM_ROLE)["id"] for r in range(3)] == ["m2", "m1", "m0"]
    removed: list[int] = []
    model.rowsRemoved.connect(lambda _p, first, _last: removed.append(first))
    model.remove_item("m2")
    assert removed == [1] and model.row_of("m1") == 1
    model.update_item(media(1, status="failed", processingError="no video stream"))
    assert model.data(model.index(1, LibraryColumn.STATUS)) == "Failed"
    assert model.data(model.index(1, LibraryColumn.STATUS), Qt.ItemDataRole.ToolTipRole) == (
        "no video stream"
    )
