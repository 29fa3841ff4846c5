"""Load every data file, validate it, check the references between files, and hold the result."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from pydantic import BaseModel

from .model import DEADLINE_REQUIRED, DOCUMENT_KINDS, Document, DutyList, Evidence, Item, Model, Obligation, Site, YearProgress
from .problems import DataError, Problem
from .source import Sourced, read_yaml
from .validation import validate


class DocumentsFile(Model):
    documents: list[Document]


class ObligationsFile(Model):
    obligations: list[Obligation]


@dataclass(frozen=True)
class Dataset:
    site: Site
    duty_list: DutyList
    documents: list[Document]
    obligations: list[Obligation]
    years: dict[int, YearProgress]
    narratives: dict[str, str]
    reference_date: dt.date
    data_dir: Path = field(compare=False)

    @cached_property
    def items_by_key(self) -> dict[str, Item]:
        return {i.key: i for i in self.duty_list.items}

    @cached_property
    def documents_by_id(self) -> dict[str, Document]:
        return {d.id: d for d in self.documents}

    def host_kind(self, document: Document) -> str:
        """"official" or "media", from the document's host and the site's allow-lists."""
        return "official" if _on_domains(document.host, self.site.official_domains) else "media"

    def evidence(self, item: Item) -> list[tuple[int, Evidence, Document]]:
        """Evidence for one item across years, oldest first."""
        return [(year, e, self.documents_by_id[e.document])
                for year, progress in sorted(self.years.items()) for e in progress.items.get(item.key, [])]

    def obligations_of(self, item: Item) -> list[Obligation]:
        return self._obligations_by_item.get(item.key, [])

    @cached_property
    def _obligations_by_item(self) -> dict[str, list[Obligation]]:
        found: dict[str, list[Obligation]] = {}
        for obligation in self.obligations:
            found.setdefault(obligation.item, []).append(obligation)
        return found

    def neighbours(self, item: Item) -> tuple[Item | None, Item | None]:
        """The items before and after this one in list order (None at either end)."""
        items = self.duty_list.items
        n = self._positions[item.key]
        return (items[n - 1] if n else None), (items[n + 1] if n + 1 < len(items) else None)

    @cached_property
    def _positions(self) -> dict[str, int]:
        return {item.key: n for n, item in enumerate(self.duty_list.items)}

    def items_citing(self, document: Document) -> list[Item]:
        return self._citations.get(document.id, [])

    @cached_property
    def _citations(self) -> dict[str, list[Item]]:
        """Items each document evidences or whose obligation it fulfils, in list order."""
        keys: dict[str, set[str]] = {}
        for progress in self.years.values():
            for key, entries in progress.items.items():
                for entry in entries:
                    keys.setdefault(entry.document, set()).add(key)
        obligations = {o.id: o.item for o in self.obligations}
        for document in self.documents:
            keys.setdefault(document.id, set()).update(obligations[o] for o in document.fulfils if o in obligations)
        items = self.items_by_key
        return {doc: [items[k] for k in sorted(found, key=self._positions.__getitem__)] for doc, found in keys.items()}


def year_not_open(year: int, reference_date: dt.date) -> tuple[str, str] | None:
    """Why a year's progress file cannot exist yet, if so: the coming year may be prepared from December on.
    Both `check` and `new-year` refuse with this message."""
    opens = dt.date(year - 1, 12, 1)
    if reference_date < opens:
        return f"年度 {year} 尚未开始", f"该年度的进展文件可从 {opens} 起创建"
    return None


def load_dataset(data_dir: Path, reference_date: dt.date) -> Dataset:
    """The whole data set, or DataError listing every problem found in one run."""
    data_dir = Path(data_dir)
    problems: list[Problem] = []
    sources: dict[str, Sourced] = {}
    failed: set[str] = set()

    def load(relative: str, model: type[BaseModel], required: bool = True) -> BaseModel | None:
        path = data_dir / relative
        if not path.exists():
            if required:
                problems.append(Problem(f"data/{relative}", 1, 1, "", "缺少数据文件", "请按编者指南创建该文件"))
            return None
        try:
            source = read_yaml(path, f"data/{relative}")
        except DataError as error:
            problems.extend(error.problems)
            failed.add(relative)
            return None
        sources[relative] = source
        if (valid := validate(model, source, problems)) is None:
            failed.add(relative)
        return valid

    site = load("site.yaml", Site)
    duty_list = load("list.yaml", DutyList)
    documents = load("documents.yaml", DocumentsFile, required=False)
    obligations = load("obligations.yaml", ObligationsFile, required=False)
    years_by_file = {}
    for path in sorted((data_dir / "progress").glob("*.yaml")):
        if (progress := load(f"progress/{path.name}", YearProgress)) is not None:
            years_by_file[path.stem] = progress
    narratives = {p.stem: p.read_text(encoding="utf-8") for p in sorted((data_dir / "narratives").glob("*.md"))}
    if duty_list is None:  # nearly every cross-file check needs the list
        raise DataError(problems)

    dataset = Dataset(site, duty_list, documents.documents if documents else [],
                      obligations.obligations if obligations else [],
                      {p.year: p for p in sorted(years_by_file.values(), key=lambda p: p.year)},
                      narratives, reference_date, data_dir)
    References(dataset, sources, problems, failed).all(years_by_file)
    if problems:
        raise DataError(problems)
    return dataset


class References:
    """Checks that need more than one file, or the reference date.

    They run even when some file failed validation, so one run reports everything; a check that would
    need a failed file's content is skipped rather than reported as a false "unknown" reference.
    """

    def __init__(self, dataset: Dataset, sources: dict[str, Sourced], problems: list[Problem], failed: set[str]):
        self.dataset, self.sources, self.problems = dataset, sources, problems
        self.documents_known = "documents.yaml" not in failed
        self.obligations_known = "obligations.yaml" not in failed

    def report(self, file: str, path: tuple, message: str, fix: str) -> None:
        self.problems.append(self.sources[file].problem(path, message, fix))

    def all(self, years: dict[str, YearProgress]) -> None:
        self.duty_list()
        self.documents()
        self.obligations()
        for stem, progress in years.items():
            self.year(stem, progress)
        self.narratives()

    def duty_list(self) -> None:
        scope = "全篇" if self.dataset.duty_list.item_numbering == "continuous" else "同一组内"
        seen: dict[str, tuple] = {}
        for p, part in enumerate(self.dataset.duty_list.parts):
            if not part.clauses and not part.groups:
                self.report("list.yaml", ("parts", p), "该部分既没有条款（clauses）也没有分组（groups）",
                            "请补上该部分的条款或分组")
            for g, group in enumerate(part.groups):
                for i, item in enumerate(group.items):
                    path = ("parts", p, "groups", g, "items", i, "number")
                    if item.key in seen:
                        self.report("list.yaml", path, f"条目编号 {item.number} 重复（{scope}编号须唯一）",
                                    "请改为未使用的编号")
                    seen[item.key] = path
        self.not_in_future("list.yaml", ("published",), self.dataset.duty_list.published)

    def documents(self) -> None:
        obligations = {o.id: o for o in self.dataset.obligations}
        self.duplicates("documents.yaml", "documents", [d.id for d in self.dataset.documents], "文件标识")
        for n, doc in enumerate(self.dataset.documents):
            path = ("documents", n)
            self.host_allowed(doc, path)
            self.not_in_future("documents.yaml", (*path, "published"), doc.published)
            if doc.year_covered and doc.published.year < doc.year_covered:
                self.report("documents.yaml", (*path, "published"),
                            f"发布日期 {doc.published} 早于其所报告的年度 {doc.year_covered}",
                            "请核对发布日期或 year_covered")
            for k, ob in enumerate(doc.fulfils):
                if not self.obligations_known:
                    break
                if ob not in obligations:
                    self.report("documents.yaml", (*path, "fulfils", k), f"未知的公开义务「{ob}」",
                                "请使用 data/obligations.yaml 中已有的义务标识")
                elif obligations[ob].kind != doc.kind:
                    self.report("documents.yaml", (*path, "fulfils", k),
                                f"义务「{ob}」须由“{DOCUMENT_KINDS[obligations[ob].kind]}”类文件履行，本文件是“{doc.kind_label}”",
                                "请核对 kind，或从 fulfils 中删除该义务")

    def host_allowed(self, doc: Document, path: tuple) -> None:
        site = self.dataset.site
        if site is None:  # site.yaml failed validation; its own problems are reported
            return
        if _on_domains(doc.host, site.official_domains):
            return
        if _on_domains(doc.host, site.media_domains):
            if doc.kind != "news-report":
                self.report("documents.yaml", (*path, "url"), f"媒体网站 {doc.host} 的链接只能用于新闻报道",
                            "请将 kind 设为 news-report，或改用官方网站上的原文链接")
            return
        self.report("documents.yaml", (*path, "url"), f"网站 {doc.host} 不在允许的官方或媒体域名之列",
                    "请改用官方网站上的原文链接；确属官方网站的，请把域名加入 data/site.yaml 的 official_domains")

    def obligations(self) -> None:
        self.duplicates("obligations.yaml", "obligations", [o.id for o in self.dataset.obligations], "义务标识")
        for n, ob in enumerate(self.dataset.obligations):
            if ob.item not in self.dataset.items_by_key:
                self.report("obligations.yaml", ("obligations", n, "item"), f"清单中没有第 {ob.item} 项",
                            "请填写清单中已有的条目编号")
            if ob.frequency == "yearly" and not ob.deadline and ob.kind in DEADLINE_REQUIRED:
                self.report("obligations.yaml", ("obligations", n), f"“{DOCUMENT_KINDS[ob.kind]}”有法定公开期限"
                            f"（{DEADLINE_REQUIRED[ob.kind]}），但没有写 deadline", "请按法律规定补上 deadline")
            if ob.frequency == "per-event" and ob.deadline:
                self.report("obligations.yaml", ("obligations", n, "deadline"), "逐件公开的义务不设年度期限",
                            "请删除 deadline，或把 frequency 改为 yearly")
            if ob.deadline:
                try:
                    ob.deadline.due(2024)
                except ValueError:
                    self.report("obligations.yaml", ("obligations", n, "deadline"), "期限日期不存在",
                                "请填写真实存在的月和日")

    def year(self, stem: str, progress: YearProgress) -> None:
        file = f"progress/{stem}.yaml"
        if stem != str(progress.year):
            self.report(file, ("year",), f"文件名 {stem}.yaml 与 year: {progress.year} 不一致",
                        f"请把文件改名为 {progress.year}.yaml，或改正 year")
        if problem := year_not_open(progress.year, self.dataset.reference_date):
            self.report(file, ("year",), *problem)
        for key, entries in progress.items.items():
            if key not in self.dataset.items_by_key:
                self.report(file, ("items", key), f"清单中没有第 {key} 项", "请填写清单中已有的条目编号")
            for n, entry in enumerate(entries):
                self.evidence(file, ("items", key, n), entry, progress.year)
        obligation_ids = {o.id for o in self.dataset.obligations}
        for n, check in enumerate(progress.checks):
            if self.obligations_known and check.obligation not in obligation_ids:
                self.report(file, ("checks", n, "obligation"), f"未知的公开义务「{check.obligation}」",
                            "请使用 data/obligations.yaml 中已有的义务标识")
            self.not_in_future(file, ("checks", n, "checked_on"), check.checked_on)

    def evidence(self, file: str, path: tuple, entry: Evidence, year: int) -> None:
        if not self.documents_known:
            return
        doc = self.dataset.documents_by_id.get(entry.document)
        if doc is None:
            self.report(file, (*path, "document"), f"未知的文件「{entry.document}」",
                        "请先在 data/documents.yaml 中登记该文件，再引用其标识")
        elif doc.published.year < year:
            self.report(file, (*path, "document"), f"文件 {doc.id} 发布于 {doc.published}，早于本年度 {year}",
                        "请把该证据移到文件所报告的年度")

    def narratives(self) -> None:
        for key in self.dataset.narratives:
            if key not in self.dataset.items_by_key:
                self.problems.append(Problem(f"data/narratives/{key}.md", 1, 1, "",
                                             f"清单中没有第 {key} 项", "请把文件名改为已有的条目编号，如 18.md"))

    def duplicates(self, file: str, section: str, ids: list[str], what: str) -> None:
        counts = Counter(ids)
        for n, value in enumerate(ids):
            if counts[value] > 1 and ids.index(value) != n:
                self.report(file, (section, n, "id"), f"{what}「{value}」重复", "请改为唯一的标识")

    def not_in_future(self, file: str, path: tuple, date: dt.date) -> None:
        if date > self.dataset.reference_date:
            self.report(file, path, f"日期 {date} 晚于参照日期 {self.dataset.reference_date}", "请核对日期")


def _on_domains(host: str, domains: list[str]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)
