"""One look for the app's tables: whole-row selection, thumbnail-high rows, sortable."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from desktop.thumbnails import THUMB_SIZE


def sorted_proxy(model: QAbstractItemModel, sort_role: int) -> QSortFilterProxyModel:
    proxy = QSortFilterProxyModel(model)
    proxy.setSourceModel(model)
    proxy.setSortRole(sort_role)
    proxy.setDynamicSortFilter(True)
    return proxy


def thumbnail_table(
    name: str,
    proxy: QSortFilterProxyModel,
    widths: Mapping[Any, int],
    sort_column: int,
    multi_select: bool,
) -> QTableView:
    table = QTableView()
    table.setAccessibleName(name)
    table.setModel(proxy)
    table.setSortingEnabled(True)
    table.sortByColumn(sort_column, Qt.SortOrder.DescendingOrder)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(
        QAbstractItemView.SelectionMode.ExtendedSelection
        if multi_select
        else QAbstractItemView.SelectionMode.SingleSelection
    )
    table.setIconSize(THUMB_SIZE)
    table.setShowGrid(False)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(THUMB_SIZE.height() + 8)
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    header.setMinimumSectionSize(40)
    header.setStretchLastSection(True)
    for column in range(proxy.columnCount()):
        header.resizeSection(column, widths.get(column, 100))
    table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    return table
