"""Statuses of disclosure obligations and evidence coverage, computed as of a reference date, never typed.

What a status may say is bounded by the data: a year whose deadline came before the list existed is only context;
"not found" needs a recorded search made after the deadline; a per-event duty is judged in a year only when an event
or a search is recorded; a document found elsewhere than where the list says is marked so.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from enum import Enum

from .dataset import Dataset
from .model import Document, Evidence, Item, Obligation, Search


class Status(Enum):
    # slug, label, meaning, and a mark that tells statuses apart without colour (high contrast, print)
    ON_TIME = ("on-time", "按时公开", "在期限内公开", "✓")
    LATE = ("late", "逾期公开", "超过期限后才公开", "!")
    PUBLISHED = ("published", "已公开", "已公开；该义务没有法定期限", "✓")
    NOT_YET_DUE = ("not-yet-due", "未到期", "期限或年度尚未结束", "…")
    NOT_FOUND = ("not-found", "已查未见",
                 "编者记录了一次期限之后的查找（日期、范围、检索词），没有找到相应文件；没有找到不等于政府没有公开", "✗")
    NOT_SEARCHED = ("not-searched", "尚未查找",
                    "期限已过，本站数据中没有相应文件，也还没有人记录过查找；这说的是本站数据，不是断言政府未公开", "?")
    NO_EVENT = ("no-event", "本年未见须公开的事件",
                "逐件公开的义务：编者查找后没有发现本年有须公开的事件（如新制定或修改的规章），不是缺少公开", "○")
    BEFORE_LIST = ("before-list", "清单发布前",
                   "该年度的期限（没有期限的，该年年末）早于清单发布，只作背景，不按清单评判，不计入统计", "◁")
    NOT_APPLICABLE = ("not-applicable", "不适用", "该年度早于这项要求开始适用的年度（原因见该项公开义务的说明）", "–")

    def __init__(self, slug: str, label: str, meaning: str, mark: str):
        self.slug, self.label, self.meaning, self.mark = slug, label, meaning, mark


# The mark beside a status whose document was found only elsewhere than the place the list names.
ELSEWHERE_MARK = "◇"


@dataclass(frozen=True)
class ObligationStatus:
    obligation: Obligation
    year: int
    status: Status
    documents: list[Document]
    due: dt.date | None
    searches: list[Search]      # recorded for this obligation-year, oldest first

    @property
    def search(self) -> Search | None:
        """The latest recorded search, or None."""
        return self.searches[-1] if self.searches else None

    @property
    def label(self) -> str:
        """The status in words, with the obligation's own event for a per-event duty (本年未见新制定或修改的政府规章)."""
        if self.status is Status.NO_EVENT and self.obligation.event:
            return f"本年未见{self.obligation.event}"
        return self.status.label

    @property
    def elsewhere(self) -> list[Document]:
        """The fulfilling documents when none is where the list says it must appear (empty otherwise)."""
        if any(self.obligation.at_required_place(d) for d in self.documents):
            return []
        return self.documents

    @property
    def elsewhere_hosts(self) -> list[str]:
        return sorted({d.host for d in self.elsewhere})

    @property
    def elsewhere_note(self) -> str:
        """"见于 sf.yingkou.gov.cn，未在清单指定的市政府门户网站找到", or ""."""
        return elsewhere_note(self.elsewhere_hosts, self.obligation.required_place) if self.elsewhere else ""

    @property
    def counted(self) -> bool:
        """Whether the year is judged against the list: never before the list or before the duty applies, and a
        per-event duty only in a year with an event (a document) or a recorded search."""
        if self.status in (Status.BEFORE_LIST, Status.NOT_APPLICABLE):
            return False
        return self.obligation.frequency != "per-event" or bool(self.documents or self.searches)

    @property
    def verdict_key(self) -> tuple[Status, bool]:
        return self.status, bool(self.elsewhere)

    @property
    def verdict_name(self) -> str:
        return verdict_name(self.status, bool(self.elsewhere))


def elsewhere_note(hosts: list[str], required_place: str | None) -> str:
    return f"见于 {'、'.join(hosts)}，未在清单指定的{required_place}找到"


def named(text, document_name: str, unit: str) -> str:
    """A generated sentence (a status's name or meaning) in the list's own words: 清单 becomes what it calls itself
    (a 实施办法 is never called 清单) and 本项/该项/每项/各项 its unit (本条). Only for the engine's own words."""
    return re.sub("(?<=[本该每各])项", unit, str(text).replace("清单", document_name))


def verdict_name(status: Status, elsewhere: bool) -> str:
    """How a verdict count is named in pages and open data: the status slug, with -elsewhere for its own count."""
    return status.slug + ("-elsewhere" if elsewhere else "")


def due_point(obligation: Obligation, year: int) -> dt.date:
    """When the year's duty falls due: its deadline, or without one the year's last day."""
    return obligation.deadline.due(year) if obligation.deadline else dt.date(year, 12, 31)


def before_list(dataset: Dataset, obligation: Obligation, year: int) -> bool:
    """Whether the year fell due before the list existed. A list dated only to the month or year counts from the
    last day it may have been published (ListDate.last_day): judging by its first day could call a duty late or
    missing that fell due before the list was issued."""
    return due_point(obligation, year) < dataset.duty_list.published.last_day


def obligation_status(dataset: Dataset, obligation: Obligation, year: int) -> ObligationStatus:
    return _once(dataset, ("status", obligation.id, year), lambda: _obligation_status(dataset, obligation, year))


def _once(dataset: Dataset, key: tuple, compute):
    """compute() the first time key is asked for in this data set, its stored result afterwards: pages ask for one
    status from many templates (item page, matrix cells, year pages, the verdict, open data)."""
    if key not in dataset.computed:
        dataset.computed[key] = compute()
    return dataset.computed[key]


def _obligation_status(dataset: Dataset, obligation: Obligation, year: int) -> ObligationStatus:
    documents = dataset.fulfilling(obligation, year)
    due = obligation.deadline.due(year) if obligation.deadline else None
    searches = dataset.searches(obligation, year)
    return ObligationStatus(obligation, year, _status(dataset, obligation, documents, due, searches, year),
                            documents, due, searches)


def _status(dataset, obligation, documents, due, searches, year) -> Status:
    if before_list(dataset, obligation, year):
        return Status.BEFORE_LIST
    if obligation.applies_from and year < obligation.applies_from:
        return Status.NOT_APPLICABLE
    if len(documents) >= obligation.required_count:
        if due is None:
            return Status.PUBLISHED
        return Status.ON_TIME if documents[obligation.required_count - 1].published <= due else Status.LATE
    if dataset.reference_date <= due_point(obligation, year):
        return Status.NOT_YET_DUE
    if not searches:
        return Status.NOT_SEARCHED
    return Status.NO_EVENT if obligation.frequency == "per-event" else Status.NOT_FOUND


def year_statuses(dataset: Dataset, year: int) -> list[ObligationStatus]:
    return _once(dataset, ("year", year), lambda: [obligation_status(dataset, o, year) for o in dataset.obligations])


def item_statuses(dataset: Dataset, item: Item) -> list[tuple[Obligation, list[ObligationStatus]]]:
    return [(o, [obligation_status(dataset, o, y) for y in dataset.years]) for o in dataset.obligations_of(item)]


# --- evidence records: what kind of record a count is made of ---------------------------------------------

RECORD_KINDS = {  # kind: (short label for cells, full label, meaning)
    "direct": ("本级", "本级直接记录", "直接对应本项、属于清单所指本级的记录"),
    "scoped": ("下辖", "下辖地区或部门", "所述事实属于下辖地区或部门（标明其名称），不是本级的履职情况"),
    "interpretation": ("解读", "编者解读", "与本项的对应关系出于编者判断的记录"),
}


def record_kind(entry: Evidence) -> str:
    """A record of a district or department is that first, whatever its mapping; then interpretation; else direct."""
    if entry.scope:
        return "scoped"
    return "interpretation" if entry.mapping == "interpretation" else "direct"


def kind_counts(entries: list[Evidence]) -> dict[str, int]:
    found = Counter(record_kind(e) for e in entries)
    return {kind: found[kind] for kind in RECORD_KINDS}


@dataclass(frozen=True)
class Cell:
    """One item in one year: what kinds of records are held, and how its obligations stand."""

    item: Item
    year: int
    evidence_count: int
    statuses: list[ObligationStatus]
    kinds: dict[str, int]       # record kind → count, every kind present (zero included)

    @property
    def kinds_shown(self) -> list[tuple[str, str, int]]:
        """(kind, short label, count) for the kinds this cell holds, in a fixed order."""
        return [(kind, RECORD_KINDS[kind][0], n) for kind, n in self.kinds.items() if n]


@dataclass(frozen=True)
class Row:
    """One item across the years (no cells at all while there is no year yet)."""

    item: Item
    cells: list[Cell]

    @property
    def statuses(self) -> list[ObligationStatus]:
        return [s for cell in self.cells for s in cell.statuses]


def coverage(dataset: Dataset, items: list[Item] | None = None) -> list[Row]:
    """Rows of the items × years matrix (every item, or the ones given)."""
    return [Row(item, [_cell(dataset, item, year) for year in dataset.years])
            for item in (dataset.duty_list.items if items is None else items)]


def _cell(dataset: Dataset, item: Item, year: int) -> Cell:
    def compute() -> Cell:
        entries = dataset.years[year].items.get(item.key, [])
        return Cell(item, year, len(entries), [obligation_status(dataset, o, year) for o in dataset.obligations_of(item)],
                    kind_counts(entries))
    return _once(dataset, ("cell", item.key, year), compute)


def year_column(dataset: Dataset, year: int) -> list[Cell]:
    """One year's cells, item by item."""
    return [_cell(dataset, item, year) for item in dataset.duty_list.items]


def items_without_records(dataset: Dataset, year: int) -> list[Item]:
    """The items with no progress record in the year, so a year page can name them."""
    return [c.item for c in year_column(dataset, year) if not c.evidence_count]


def year_counts(dataset: Dataset, year: int) -> dict[str, int]:
    """Headline figures for one year, used by the home page and the year page alike."""
    def compute() -> dict[str, int]:
        column = year_column(dataset, year)
        return {
            "items_with_evidence": sum(1 for c in column if c.evidence_count),
            "evidence": sum(c.evidence_count for c in column),
            "item_count": len(column),
            **{kind: sum(c.kinds[kind] for c in column) for kind in RECORD_KINDS},
        }
    return dict(_once(dataset, ("counts", year), compute))


# --- the verdict: what a year's judged duties come to ----------------------------------------------------


@dataclass(frozen=True)
class VerdictEntry:
    status: Status
    elsewhere: bool             # documents found only elsewhere than the place the list names
    count: int

    @property
    def key(self) -> str:
        return verdict_name(self.status, self.elsewhere)

    @property
    def label(self) -> str:
        return self.status.label + ("（未见于清单指定的网站）" if self.elsewhere else "")


def year_verdict(dataset: Dataset, year: int) -> list[VerdictEntry]:
    """How the year's judged duties stand: each status that occurs among the counted obligation-years, with its
    count, in the order of Status; a document found elsewhere than the list's place is counted on its own."""
    found = _once(dataset, ("verdict", year), lambda: Counter(s.verdict_key for s in year_statuses(dataset, year) if s.counted))
    return verdict_entries(found)


def verdict_entries(found: Counter) -> list[VerdictEntry]:
    """Counts of (status, found elsewhere) as verdict entries, in the order of Status (a portal counts the statuses
    its lists published the same way)."""
    return [VerdictEntry(status, elsewhere, found[(status, elsewhere)])
            for status in Status for elsewhere in (False, True) if found[(status, elsewhere)]]


def year_uncounted(dataset: Dataset, year: int) -> list[ObligationStatus]:
    """The year's obligation-years that are not judged (before the list, not applicable, per-event without event
    or search), so that a page can say what it left out."""
    return [s for s in year_statuses(dataset, year) if not s.counted]


def latest_search(dataset: Dataset, year: int) -> tuple[ObligationStatus, Search] | None:
    """The latest search recorded for any obligation in the year, with its obligation-year's status."""
    found = [(s.search.searched_on, n, s) for n, s in enumerate(year_statuses(dataset, year)) if s.search]
    if not found:
        return None
    status = max(found, key=lambda f: (f[0], f[1]))[2]
    return status, status.search


def latest_complete_year(dataset: Dataset) -> int | None:
    """The newest year whose every obligation has fallen due (its deadline, or without one the year's end, is
    before the reference date): the newest year that can be judged whole, which the home page leads with."""
    complete = [year for year in dataset.years
                if all(due_point(o, year) < dataset.reference_date for o in dataset.obligations)]
    return max(complete, default=None)


def legend(statuses) -> list[tuple[Status, bool]]:
    """The distinct (status, found elsewhere) pairs among obligation statuses or verdict entries, in the order of
    Status: what the legend beside them explains."""
    shown = {(s.status, bool(s.elsewhere)) for s in statuses}
    return [(status, elsewhere) for status in Status for elsewhere in (False, True) if (status, elsewhere) in shown]
