"""Statuses of disclosure obligations and evidence coverage, computed as of a reference date, never typed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from collections import Counter
from enum import Enum

from .dataset import Dataset
from .model import Check, Document, Item, Obligation


class Status(Enum):
    # slug, label, meaning, and a mark that tells statuses apart without colour (high contrast, print)
    ON_TIME = ("on-time", "按时公开", "在期限内公开", "✓")
    LATE = ("late", "逾期公开", "超过期限后才公开", "!")
    PUBLISHED = ("published", "已公开", "已公开；该义务没有法定期限", "✓")
    NOT_YET_DUE = ("not-yet-due", "未到期", "期限或年度尚未结束", "…")
    NOT_RECORDED = ("not-recorded", "尚未收录", "本站数据中还没有相应文件；这说的是本站数据，不是断言政府未公开", "?")
    CONFIRMED_MISSING = ("confirmed-missing", "经核查未公开", "编者核查后确认未找到公开文件，并记录了核查日期与范围", "✗")
    NOT_APPLICABLE = ("not-applicable", "不适用", "该年度早于这项要求开始适用的年度（原因见该项公开义务的说明）", "–")

    def __init__(self, slug: str, label: str, meaning: str, mark: str):
        self.slug, self.label, self.meaning, self.mark = slug, label, meaning, mark


@dataclass(frozen=True)
class ObligationStatus:
    obligation: Obligation
    year: int
    status: Status
    documents: list[Document]
    due: dt.date | None
    check: Check | None


def obligation_status(dataset: Dataset, obligation: Obligation, year: int) -> ObligationStatus:
    documents = sorted((d for d in dataset.documents if obligation.id in d.fulfils and d.year_covered == year),
                       key=lambda d: d.published)
    due = obligation.deadline.due(year) if obligation.deadline else None
    progress = dataset.years.get(year)
    check = next((c for c in progress.checks if c.obligation == obligation.id), None) if progress else None
    return ObligationStatus(obligation, year, _status(obligation, documents, due, check, year, dataset.reference_date),
                            documents, due, check)


def _status(obligation, documents, due, check, year, today) -> Status:
    if obligation.applies_from and year < obligation.applies_from:
        return Status.NOT_APPLICABLE
    if len(documents) >= obligation.required_count:
        if due is None:
            return Status.PUBLISHED
        return Status.ON_TIME if documents[obligation.required_count - 1].published <= due else Status.LATE
    if today <= (due or dt.date(year, 12, 31)):
        return Status.NOT_YET_DUE
    return Status.CONFIRMED_MISSING if check else Status.NOT_RECORDED


def year_statuses(dataset: Dataset, year: int) -> list[ObligationStatus]:
    return [obligation_status(dataset, o, year) for o in dataset.obligations]


def item_statuses(dataset: Dataset, item: Item) -> list[tuple[Obligation, list[ObligationStatus]]]:
    return [(o, [obligation_status(dataset, o, y) for y in dataset.years]) for o in dataset.obligations_of(item)]


@dataclass(frozen=True)
class Cell:
    """One item in one year: how much evidence is recorded and how its obligations stand."""

    item: Item
    year: int
    evidence_count: int
    statuses: list[ObligationStatus]



@dataclass(frozen=True)
class Row:
    """One item across the years (no cells at all while there is no year yet)."""

    item: Item
    cells: list[Cell]


def coverage(dataset: Dataset, items: list[Item] | None = None) -> list[Row]:
    """Rows of the items × years matrix (every item, or the ones given)."""
    return [Row(item, [_cell(dataset, item, year) for year in dataset.years])
            for item in (dataset.duty_list.items if items is None else items)]


def _cell(dataset: Dataset, item: Item, year: int) -> Cell:
    entries = dataset.years[year].items.get(item.key, [])
    return Cell(item, year, len(entries), [obligation_status(dataset, o, year) for o in dataset.obligations_of(item)])


def year_column(dataset: Dataset, year: int) -> list[Cell]:
    """One year's cells, item by item."""
    return [_cell(dataset, item, year) for item in dataset.duty_list.items]


def year_counts(dataset: Dataset, year: int) -> dict[str, int]:
    """Headline figures for one year, used by the home page and the year page alike."""
    column = year_column(dataset, year)
    return {
        "items_with_evidence": sum(1 for c in column if c.evidence_count),
        "evidence": sum(c.evidence_count for c in column),
        "item_count": len(column),
    }


def year_verdict(dataset: Dataset, year: int) -> list[tuple[Status, int]]:
    """How the year's disclosure duties stand: each status that occurs, with its count, in the order of Status."""
    found = Counter(s.status for s in year_statuses(dataset, year))
    return [(status, found[status]) for status in Status if found[status]]
