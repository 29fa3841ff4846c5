"""Load every data file, validate it, check the references between files, and hold the result."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from pydantic import BaseModel

from . import archive as store
from . import history as status_history
from . import limits, narrative
from .inventory import TOP_FILES, take_inventory
from .model import (CLAUSE_MARKS, UNTITLED_NAMES, DEADLINE_REQUIRED, DOCUMENT_KINDS, GROUP_EMPTY, PUBLICATION_VERBS,
                    STATUTORY_DEADLINES, Document, DutyList, Evidence, Group, Item, Model, Obligation, Search, Site,
                    YearProgress, address_key, host_of, idna_host, public_domain, requires_publication, written_domain)
from .problems import DataError, Problem, did_you_mean
from .source import Sourced, read_text_file, read_yaml
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
    archive: store.Archive | None = field(default=None, compare=False)   # machine-written, beside data/
    about: str = ""   # data/about.md: the editors' notes on their method, shown on the 说明 page
    # data-history/statuses.csv beside data/: each status change, machine-written by `dutylist history`
    history: list[status_history.Change] = field(default_factory=list, compare=False)

    @cached_property
    def items_by_key(self) -> dict[str, Item]:
        return {i.key: i for i in self.duty_list.items}

    @cached_property
    def documents_by_id(self) -> dict[str, Document]:
        return {d.id: d for d in self.documents}

    def linkable_host(self, host: str) -> bool:
        """Whether the site may link to host: an official or an allowed media domain."""
        return bool(self.site) and (_on_domains(host, self.site.official_domains)
                                    or _on_domains(host, self.site.media_domains))

    def newest_date(self, documents: list[Document] | None = None) -> str:
        """The newest of the list's and the documents' dates, as written (a list dated 2024-05 stays 2024-05); the
        list's and a document's date only when known and confirmed (PubDate states a date as a fact). "" when there
        is none."""
        published = self.duty_list.known_published
        dates = [(d.published, d.published.isoformat()) for d in (self.documents if documents is None else documents)
                 if "published" not in d.unconfirmed]
        dates += [(published.first_day, published.isoformat())] if published else []
        return max(dates)[1] if dates else ""

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

    def searches(self, obligation: Obligation, year: int) -> list[Search]:
        """The searches recorded for an obligation in a year, oldest first (file order among searches of one day)."""
        return self._searches.get((obligation.id, year), [])

    @cached_property
    def _searches(self) -> dict[tuple[str, int], list[Search]]:
        found: dict[tuple[str, int], list[Search]] = {}
        for year, progress in self.years.items():
            for search in progress.searches:
                found.setdefault((search.obligation, year), []).append(search)
        return {key: sorted(searches, key=lambda s: s.searched_on) for key, searches in found.items()}

    def fulfilling(self, obligation: Obligation, year: int) -> list[Document]:
        """The documents that fulfil an obligation for a year, oldest first."""
        return self._fulfilling.get((obligation.id, year), [])

    @cached_property
    def _fulfilling(self) -> dict[tuple[str, int], list[Document]]:
        # indexed once: looking through every document for each obligation-year made a large build quadratic
        found: dict[tuple[str, int], list[Document]] = {}
        for document in self.documents:
            for obligation in dict.fromkeys(document.fulfils):
                found.setdefault((obligation, document.year_covered), []).append(document)
        return {key: sorted(documents, key=lambda d: d.published) for key, documents in found.items()}

    @cached_property
    def computed(self) -> dict:
        """Values derived from the data once and shared by every page of a build (statuses, matrix cells): the
        data set never changes once loaded, and a template asks for the same status on many pages."""
        return {}

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


MAX_NARRATIVE_BYTES = 50 * 1024   # Markdown slows down as the square of some hostile texts: keep it small
BARE_NUMBER = re.compile(r"[0-9一二三四五六七八九十百零〇]+")


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
    if not data_dir.is_dir():
        raise DataError([Problem("data/", 1, 1, "", "找不到数据目录", "请在项目根目录运行，或用 --data 指定数据目录")])
    inventory = take_inventory(data_dir)
    problems: list[Problem] = list(inventory.problems)
    if too_much := limits.data_size_problem(data_dir, [*TOP_FILES, *(f"progress/{n}" for n in inventory.progress),
                                                       *(f"narratives/{n}" for n in inventory.narratives)]):
        raise DataError([*problems, too_much])
    sources: dict[str, Sourced] = {}
    failed: set[str] = set()

    def load(relative: str, model: type[BaseModel], required: bool = True) -> BaseModel | None:
        path = data_dir / relative
        if not os.path.lexists(path):
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
    for name in inventory.progress:
        if (progress := load(f"progress/{name}", YearProgress)) is not None:
            years_by_file[name.removesuffix(".yaml")] = progress
    def read_markdown(relative: str) -> str:
        """An editors' Markdown file ("" when absent or unreadable, its problems reported)."""
        if not os.path.lexists(data_dir / relative):
            return ""
        try:
            return read_text_file(data_dir / relative, f"data/{relative}", limit=MAX_NARRATIVE_BYTES)
        except DataError as error:
            problems.extend(error.problems)
            return ""

    narratives = {name.removesuffix(".md"): read_markdown(f"narratives/{name}") for name in inventory.narratives}
    about = read_markdown("about.md")
    if duty_list is None:  # nearly every cross-file check needs the list
        raise DataError(problems)

    document_list = documents.documents if documents else []
    # the archive is checked with the data, so that check and build agree on it
    archive = store.load(store.archive_dir(data_dir), problems)
    if "documents.yaml" not in failed:
        archive = store.shown(archive, document_list, reference_date,
                              (lambda kind, url: address_allowed(site, kind, url)) if site else None, problems)
    dataset = Dataset(site, duty_list, document_list,
                      obligations.obligations if obligations else [],
                      {p.year: p for p in sorted(years_by_file.values(), key=lambda p: p.year)},
                      narratives, reference_date, data_dir, archive, about,
                      status_history.load(status_history.history_dir(data_dir), problems))
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
        self.obligations_by_id: dict[str, Obligation] = {}
        for obligation in dataset.obligations:
            self.obligations_by_id.setdefault(obligation.id, obligation)
        self.suggested: dict[tuple[str, int], str] = {}
        self.compared = 0

    # Names compared for "是否应为…" in one run: difflib compares a typo with every registered name, so thousands of
    # typos among thousands of documents would take hours. Past this, a typo is reported without a suggestion.
    SUGGESTION_BUDGET = 100_000

    def did_you_mean(self, value: str, known: dict) -> str:
        """did_you_mean, once per typo (known is one of the data set's own tables), within the budget."""
        key = (value, id(known))
        if key not in self.suggested:
            self.compared += len(known)
            self.suggested[key] = did_you_mean(value, known) if self.compared <= self.SUGGESTION_BUDGET else ""
        return self.suggested[key]

    def report(self, file: str, path: tuple, message: str, fix: str) -> None:
        self.problems.append(self.sources[file].problem(path, message, fix))

    def all(self, years: dict[str, YearProgress]) -> None:
        self.site_links()
        self.duty_list()
        self.documents()
        self.obligations()
        for stem, progress in years.items():
            self.year(stem, progress)
            limits.year_count_problems(f"progress/{stem}.yaml", progress, self.report)
        limits.count_problems(self.dataset, self.report)
        self.narratives()

    def names_itself(self, duty_list: DutyList) -> None:
        """What the site calls the text is what the text calls itself: a word of its title, or with the title
        unknown, one of the names such texts have. Every generated sentence says it (这份实施办法)."""
        name, title = duty_list.document_name, duty_list.title
        if title and name not in title and name not in _simplified(title):
            self.report("list.yaml", ("document_name",), f"文件名称「{name}」不在标题「{title}」中",
                        "请照标题写原文的文件名称，如标题以“实施办法”结尾的写 实施办法")
        elif not title and name not in UNTITLED_NAMES:
            self.report("list.yaml", ("document_name",), f"标题不详时，文件名称只能是 {'、'.join(UNTITLED_NAMES)} 之一",
                        "请写原文称呼自己的名称；能找到标题的，请补上 title")

    def repost_address(self, duty_list: DutyList) -> None:
        """A repost may be read off the official domains, but on a public web site: never an address, localhost
        or an internal name, which every page and the metadata would link to."""
        host = host_of(duty_list.source_url)
        try:
            written_domain(host)
            public_domain(host)
        except ValueError as error:
            self.report("list.yaml", ("source_url",), f"转载页面的网址不是公开网站：{error}",
                        "请填写转载网站上该页面的公开网址")

    def site_links(self) -> None:
        """The list's source, the site's own address and its correction channel are official pages."""
        site, duty_list = self.dataset.site, self.dataset.duty_list
        # a list known only from a repost (a mirror site) may be read there, when repost_of names whose original it is
        source = None if duty_list.repost_of else duty_list.source_url
        if duty_list.repost_of:
            self.repost_address(duty_list)
        for file, name, url in (("site.yaml", "site_url", site and site.site_url),
                                ("site.yaml", "correction_url", site and site.correction_url),
                                ("list.yaml", "source_url", source)):
            if site and url and not _on_domains(host_of(url), site.official_domains):
                self.report(file, (name,), f"网站 {host_of(url)} 不在允许的官方域名之列（data/site.yaml 的 official_domains）",
                            "请改用官方网站上的地址；确属官方网站的，请把域名加入 official_domains"
                            + ("；清单只能在转载网站上找到的，请在 repost_of 中写明原文由谁发布、原发布页面在哪里（或未找到）"
                               if name == "source_url" else ""))

    def duty_list(self) -> None:
        duty_list = self.dataset.duty_list
        self.names_itself(duty_list)
        shapes = [name for name, found in (("parts", duty_list.parts), ("groups", duty_list.top_groups),
                                           ("items", duty_list.top_items)) if found]
        if not shapes and not duty_list.clauses and not duty_list.closing_clauses:
            self.report("list.yaml", ("parts",), "清单没有内容（parts、groups、items 都为空）",
                        "请按原文写 parts（分部分）、groups（只分组）或 items（只列条目）之一")
        elif len(shapes) > 1:
            self.report("list.yaml", (shapes[1],), f"清单顶层同时写了 {'、'.join(shapes)}",
                        "请按原文只用其中一种：分部分的写 parts，不分部分只分组的写 groups，只列条目的写 items")
        for p, part in enumerate(duty_list.parts):
            if not part.clauses and not part.groups and not part.items:
                self.report("list.yaml", ("parts", p), "该部分既没有条款（clauses）也没有分组（groups）或条目（items）",
                            "请补上该部分的条款、分组或条目")
            if part.groups and part.items:
                self.report("list.yaml", ("parts", p, "items"), "该部分同时写了分组（groups）和直接列出的条目（items）",
                            "请按原文二选一：条目属于某组的，写在该组的 items 下")
        for path, group in [*((("parts", p, "groups", g), group) for p, part in enumerate(duty_list.parts)
                              for g, group in enumerate(part.groups)),
                            *((("groups", g), group) for g, group in enumerate(duty_list.top_groups))]:
            if not group.clauses and not group.items:
                self.report("list.yaml", path, *GROUP_EMPTY.split("："))
        self.numbering()
        self.labels()
        self.columns()
        self.list_facts()

    def list_facts(self) -> None:
        """Unknown facts are left out; facts not confirmed from the original say so and why; a repost says whose."""
        duty_list = self.dataset.duty_list
        if duty_list.published:
            self.not_in_future("list.yaml", ("published",), duty_list.published.first_day)
        elif self.dataset.obligations:
            self.report("list.yaml", (), "登记了公开义务（data/obligations.yaml），但清单没有写发布日期 published：不知道清单何时发布，"
                        "就分不清哪些年度早于清单、不应按清单评判",
                        "请写上发布日期（只知年月写 2024-05，只知年份写 2024）；日期无从得知的，暂不登记公开义务")
        if duty_list.unconfirmed and not duty_list.unconfirmed_reason:
            self.report("list.yaml", ("unconfirmed",), "标明了未经核实的字段，但没有写明原因",
                        "请在 unconfirmed_reason 中写明为何未经核实，如“地区由发布网站推定，原文没有写明”")
        for n, name in enumerate(duty_list.unconfirmed):
            if getattr(duty_list, name) is None:
                self.report("list.yaml", ("unconfirmed", n), f"没有写 {name}，不必标明它未经核实",
                            f"请删除 unconfirmed 中的 {name}；原文没有写明的字段不写，页面显示“不详”")
        if duty_list.repost_date is None:
            return
        if not duty_list.repost_of:
            self.report("list.yaml", ("repost_date",), "写了转载日期 repost_date，但没有写 repost_of",
                        "请在 repost_of 中写明原文由谁发布、原发布页面在哪里；不是转载的，请删除 repost_date")
        if duty_list.published and duty_list.repost_date.last_day < duty_list.published.first_day:
            self.report("list.yaml", ("repost_date",), f"转载日期 {duty_list.repost_date} 早于清单发布日期 {duty_list.published}",
                        "请核对两个日期")
        self.not_in_future("list.yaml", ("repost_date",), duty_list.repost_date.first_day)

    def columns(self) -> None:
        """A list printed as a table (one row per group) records its headings, and has groups to put in the rows."""
        duty_list = self.dataset.duty_list
        if duty_list.columns and not duty_list.groups:
            self.report("list.yaml", ("columns",), "写了表头 columns，但清单没有分组（groups）：表格的每一行是一组",
                        "请按原文表格的行写 groups；原文不是表格的，请删除 columns")

    def numbering(self) -> None:
        """Items are numbered 1, 2, 3… as printed: across the list, or within whatever holds them (a group, or a
        part without groups). Where the list or that holder is captured only in part, numbers may skip."""
        duty_list = self.dataset.duty_list
        if duty_list.item_numbering == "articles":
            return self.article_numbers()
        continuous = duty_list.item_numbering == "continuous"
        scope = "全篇" if continuous else "同一组（或同一部分）内"
        expected = 1
        for holder, path in duty_list.numbering_scopes():
            expected = expected if continuous else 1
            gaps_allowed = not duty_list.complete or not holder.complete
            for i, item in enumerate(duty_list.top_items if holder is duty_list else holder.items):
                item_path = (*path, "items", i, "number")
                if item.number < expected:
                    self.report("list.yaml", item_path, f"条目编号 {item.number} 重复或顺序颠倒（{scope}应依次为 1、2、3…，"
                                f"此处应为 {expected}）", "请按清单原文核对编号")
                elif item.number > expected and not gaps_allowed:
                    self.report("list.yaml", item_path, f"条目编号跳过了 {expected}（{scope}应依次为 1、2、3…）",
                                "请按清单原文核对编号，补上缺少的条目；原文只收录了一部分的，请在 list.yaml 顶层写 complete: false")
                expected = max(expected, item.number) + 1

    def article_numbers(self) -> None:
        """Articles are numbered 第一条, 第二条… in the order printed, clauses included: an item's number is its article's."""
        duty_list = self.dataset.duty_list
        gaps_allowed = not duty_list.all_captured
        expected = 1
        for entry, path in duty_list.articles():
            if isinstance(entry, Item):
                if entry.number < expected:
                    self.report("list.yaml", (*path, "number"), f"条目编号 {entry.number} 重复或顺序颠倒（按条编号时，number 是"
                                f"它在全文中的条序，不编为条目的条也占序号，此处应为 {expected}）", "请按原文核对是第几条")
                elif entry.number > expected and not gaps_allowed:
                    self.report("list.yaml", (*path, "number"), f"条目编号 {entry.number} 与条序不符（按条编号时，number 是它在"
                                f"全文中的条序，前面的条款 clauses 也占序号，此处应为 {expected}）",
                                "请按原文核对是第几条，补上缺少的条；原文只收录了一部分的，请在 list.yaml 顶层写 complete: false")
                expected = max(expected, entry.number) + 1
            else:
                expected += 1

    def labels(self) -> None:
        """Labels are shown exactly as written: a bare 一 or 1 would show as 一总体职责, without the printed 、 or ."""
        duty_list = self.dataset.duty_list
        labelled = [(("parts", p), part) for p, part in enumerate(duty_list.parts)]
        labelled += [(("parts", p, "groups", g), group) for p, part in enumerate(duty_list.parts)
                     for g, group in enumerate(part.groups)]
        labelled += [(("groups", g), group) for g, group in enumerate(duty_list.top_groups)]
        labelled += [(path, entry) for entry, path in duty_list.articles()]
        for path, entry in labelled:
            if entry.label and BARE_NUMBER.fullmatch(entry.label):
                self.report("list.yaml", (*path, "label"), f"编号“{entry.label}”缺少原文编号所带的标点或括号（页面照写照印）",
                            f"请照原文写全，如 {entry.label}、 或 （{entry.label}） 或 {entry.label}.")

    def documents(self) -> None:
        obligations = self.obligations_by_id
        self.duplicates("documents.yaml", "documents", [d.id for d in self.dataset.documents], "文件标识")
        self.same_address()
        for n, doc in enumerate(self.dataset.documents):
            path = ("documents", n)
            self.host_allowed(doc, path)
            self.not_in_future("documents.yaml", (*path, "published"), doc.published)
            self.repost_date(doc, path)
            if doc.year_covered and doc.published.year < doc.year_covered:
                self.report("documents.yaml", (*path, "published"),
                            f"发布日期 {doc.published} 早于其所报告的年度 {doc.year_covered}",
                            "请核对发布日期或 year_covered")
            if doc.unconfirmed and not doc.unconfirmed_reason:
                self.report("documents.yaml", (*path, "unconfirmed"), "标明了未经核实的字段，但没有写明原因",
                            "请在 unconfirmed_reason 中写明为何未经核实，如“发布日期取自网址路径”")
            for k, ob in enumerate(doc.fulfils):
                if not self.obligations_known:
                    break
                if ob not in obligations:
                    self.report("documents.yaml", (*path, "fulfils", k), f"未知的公开义务「{ob}」",
                                self.did_you_mean(ob, obligations) + "请使用 data/obligations.yaml 中已有的义务标识")
                elif obligations[ob].kind != doc.kind:
                    self.report("documents.yaml", (*path, "fulfils", k),
                                f"义务「{ob}」须由“{DOCUMENT_KINDS[obligations[ob].kind]}”类文件履行，本文件是“{doc.kind_label}”",
                                "请核对 kind，或从 fulfils 中删除该义务")
                elif not doc.year_covered:
                    self.report("documents.yaml", (*path, "fulfils", k), f"履行义务「{ob}」，但没有写所属年度 year_covered",
                                "请补上 year_covered（文件所报告或所属的年度），否则它不计入任何年度的公开状态")
                elif (deadline := obligations[ob].deadline) and deadline.year_offset == 1 \
                        and doc.published.year <= doc.year_covered:
                    self.report("documents.yaml", (*path, "published"),
                                f"发布日期 {doc.published} 在其所报告的 {doc.year_covered} 年度结束之前；义务「{ob}」的文件"
                                "报告的是已经结束的年度（期限在次年）", "请核对发布日期或 year_covered")

    def same_address(self) -> None:
        """One document, one entry: two spellings of one address (host case, http/https, default port, trailing
        slash or index.html) would count the same document twice."""
        first: dict[str, int] = {}
        for n, doc in enumerate(self.dataset.documents):
            key = address_key(doc.url)
            if key in first:
                same = "与" if self.dataset.documents[first[key]].url == doc.url else "实为同一网页，与"
                self.report("documents.yaml", ("documents", n, "url"),
                            f"原文链接「{doc.url}」{same}第 {first[key] + 1} 项（{self.dataset.documents[first[key]].id}）"
                            "重复（网址只在大小写、http/https、默认端口、末尾斜杠或 index.html 上不同的，是同一网页）",
                            "同一文件只登记一次：请删除重复的一项，进展证据和 fulfils 都引用保留的那一项")
            else:
                first[key] = n

    def repost_date(self, doc: Document, path: tuple) -> None:
        if doc.repost_date is None:
            return
        if not doc.repost_of:
            self.report("documents.yaml", (*path, "repost_date"), "写了转载日期 repost_date，但没有写 repost_of",
                        "请在 repost_of 中写明原文由谁发布、原发布页面在哪里；不是转载的，请删除 repost_date")
        if doc.repost_date < doc.published:
            self.report("documents.yaml", (*path, "repost_date"),
                        f"转载日期 {doc.repost_date} 早于原文发布日期 {doc.published}", "请核对两个日期")
        self.not_in_future("documents.yaml", (*path, "repost_date"), doc.repost_date)

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
            item = self.dataset.items_by_key.get(ob.item)
            if item is None:
                self.report("obligations.yaml", ("obligations", n, "item"), *self.unknown_item(ob.item))
            elif ob.quote not in item.text:
                self.report("obligations.yaml", ("obligations", n, "quote"), f"引文不是第 {ob.item} 项原文中的原话",
                            f"请从 data/list.yaml 第 {ob.item} 项的 text 中逐字复制提出该公开要求的句子")
            else:
                self.quote_binds(n, ob, item)
            self.obligation_fields(n, ob)
            if ob.frequency == "yearly" and not ob.deadline and ob.kind in DEADLINE_REQUIRED:
                self.report("obligations.yaml", ("obligations", n), f"“{DOCUMENT_KINDS[ob.kind]}”有法定公开期限"
                            f"（{DEADLINE_REQUIRED[ob.kind]}），但没有写 deadline", "请按法律规定补上 deadline")
            if ob.frequency == "per-event" and ob.deadline:
                self.report("obligations.yaml", ("obligations", n, "deadline"), "逐件公开的义务不设年度期限",
                            "请删除 deadline，或把 frequency 改为 yearly")
            if ob.deadline:
                self.deadline(n, ob)

    def deadline(self, n: int, ob: Obligation) -> None:
        """A day every year has, and for a kind whose deadline a law sets, that law's deadline: a later one would
        turn a late disclosure into an on-time one."""
        path, deadline = ("obligations", n, "deadline"), ob.deadline
        try:
            dt.date(2023, deadline.month, deadline.day)  # a common year: 29 February does not come every year
        except ValueError:
            self.report("obligations.yaml", path, "期限日期不是每年都有", "请填写每年都存在的月和日（2月最多28日）")
        statutory = STATUTORY_DEADLINES.get(ob.kind)
        if statutory and (deadline.month, deadline.day, deadline.year_offset) != statutory:
            month, day, offset = statutory
            self.report("obligations.yaml", path, f"期限与法定期限不符：{DEADLINE_REQUIRED[ob.kind]}规定的期限是"
                        f"{'次年' if offset else '当年'}{month}月{day}日（含）", f"请改为 month: {month}、day: {day}、"
                        f"year_offset: {offset}")

    def quote_binds(self, n: int, ob: Obligation, item: Item) -> None:
        """The quote is the list's own requirement: whole clauses of this item only, with a word requiring publication."""
        path = ("obligations", n, "quote")
        if not _whole_clauses(ob.quote, item.text):
            self.report("obligations.yaml", path, f"引文“{ob.quote}”不是第 {ob.item} 项原文中完整的分句（分句指原文两个标点"
                        f"“{'、'.join(CLAUSE_MARKS)}”之间的整段文字，或从条目开头、到条目末尾的整段）",
                        "请从该项原文一个标点之后起、到下一个标点之前止，完整复制提出公开要求的分句（可以连续几个分句）")
        if not requires_publication(ob.quote):
            self.report("obligations.yaml", path, f"引文中没有要求公开的词（{'、'.join(PUBLICATION_VERBS)}；书名号《》中的文字"
                        "和“政务公开”“信息公开”这样的名称不算）",
                        "公开义务只登记清单原文要求公开、公布或发布的事项：请引用提出公开要求的分句；"
                        "原文只要求开展工作、没有要求公开的，请删除这项公开义务")
        others = [other.key for other in self.dataset.duty_list.items if other is not item and ob.quote in other.text]
        if others:
            self.report("obligations.yaml", path, f"引文也出现在第 {'、'.join(others)} 项原文中，不能确定这项要求出自哪一项",
                        f"请把引文扩展为只在第 {ob.item} 项中出现的完整分句")

    def obligation_fields(self, n: int, ob: Obligation) -> None:
        path = ("obligations", n)
        if ob.frequency == "per-event" and not ob.event:
            self.report("obligations.yaml", path, "逐件公开的义务没有写 event（须公开的是什么事件）",
                        "请写 event，如 event: 新制定或修改的政府规章；查找后没有发现时，页面显示“本年未见新制定或修改的政府规章”")
        if ob.frequency == "yearly" and ob.event:
            self.report("obligations.yaml", (*path, "event"), "每年一次的义务不写 event", "请删除 event，或把 frequency 改为 per-event")
        if bool(ob.required_place) != bool(ob.required_hosts):
            self.report("obligations.yaml", path, "required_place（清单指定的场所）和 required_hosts（算作该场所的网站）须同时写",
                        "例如 required_place: 市政府门户网站 和 required_hosts: [www.yingkou.gov.cn]；清单没有指定场所的，两项都不写")
        if ob.required_place and ob.required_place not in ob.quote:
            self.report("obligations.yaml", (*path, "required_place"), f"场所“{ob.required_place}”不在引文中",
                        "请照引文中清单指定场所的原话写，如 市政府门户网站")
        site = self.dataset.site
        for k, host in enumerate(ob.required_hosts):
            if site and not _on_domains(idna_host(host), site.official_domains):
                self.report("obligations.yaml", (*path, "required_hosts", k), f"网站 {host} 不在 data/site.yaml 的官方域名之列",
                            "清单指定的场所只能是官方网站：请改正域名，确属官方网站的请把域名加入 official_domains")

    def year(self, stem: str, progress: YearProgress) -> None:
        file = f"progress/{stem}.yaml"
        if stem != str(progress.year):
            self.report(file, ("year",), f"文件名 {stem}.yaml 与 year: {progress.year} 不一致",
                        f"请把文件改名为 {progress.year}.yaml，或改正 year")
        if problem := year_not_open(progress.year, self.dataset.reference_date):
            self.report(file, ("year",), *problem)
        for key, entries in progress.items.items():
            if key not in self.dataset.items_by_key:
                self.report(file, ("items", key), *self.unknown_item(key))
            first: dict[tuple, int] = {}   # each entry's fields → where it first stands (a scan per entry was quadratic)
            for n, entry in enumerate(entries):
                self.evidence(file, ("items", key, n), entry, progress.year)
                same = first.setdefault(tuple(entry.__dict__.items()), n)
                if same != n:
                    self.report(file, ("items", key, n), f"与本项第 {same + 1} 条证据完全相同", "请删除重复的一条")
        for n, search in enumerate(progress.searches):
            self.search(file, n, search, progress.year)

    def search(self, file: str, n: int, search: Search, year: int) -> None:
        """A recorded search is a fact: made by the reference date, and able to show what it says it shows."""
        path = ("searches", n)
        self.not_in_future(file, (*path, "searched_on"), search.searched_on)
        obligation = self.obligations_by_id.get(search.obligation)
        if obligation is None:
            if self.obligations_known:
                self.report(file, (*path, "obligation"), f"未知的公开义务「{search.obligation}」",
                            self.did_you_mean(search.obligation, self.obligations_by_id)
                            + "请使用 data/obligations.yaml 中已有的义务标识")
            return
        if search.result == "not-found":
            if search.document:
                self.report(file, (*path, "document"), "结果是 not-found（未找到），却写了找到的文件 document",
                            "找到了的，请把 result 改为 found；没有找到的，请删除 document")
            try:
                due = obligation.deadline.due(year) if obligation.deadline else None
            except ValueError:   # a deadline that is not a date every year: reported with the obligation
                return
            if due and search.searched_on <= due:
                self.report(file, (*path, "searched_on"), f"查找日期 {search.searched_on} 不晚于该义务 {year} 年度的期限 {due}："
                            "期限届满之前没有找到，不能说明没有按期公开", "请在期限之后查找并记录；期限之前的查找不必记录")
            elif not due and search.searched_on.year < year:
                self.report(file, (*path, "searched_on"), f"查找日期 {search.searched_on} 早于 {year} 年开始："
                            f"当时 {year} 年度的文件还不可能存在", f"请把这次查找记在它所查找的年度的文件中，或核对日期")
            return
        if not search.document:
            self.report(file, path, "结果是 found（找到），却没有写找到的文件 document",
                        "请先在 data/documents.yaml 登记找到的文件，再在此写上它的标识")
            return
        if not self.documents_known:
            return
        doc = self.dataset.documents_by_id.get(search.document)
        if doc is None:
            self.report(file, (*path, "document"), f"未知的文件「{search.document}」",
                        self.did_you_mean(search.document, self.dataset.documents_by_id)
                        + "请先在 data/documents.yaml 中登记该文件，再引用其标识")
        elif obligation.id not in doc.fulfils or doc.year_covered != year:
            self.report(file, (*path, "document"), f"文件 {doc.id} 不是履行「{obligation.id}」{year} 年度义务的文件"
                        f"（它的 fulfils 没有该义务，或 year_covered 不是 {year}）",
                        f"请核对：找到的文件须在 documents.yaml 中写 fulfils: [{obligation.id}] 和 year_covered: {year}")
        elif search.searched_on < doc.published:
            self.report(file, (*path, "searched_on"), f"查找日期 {search.searched_on} 早于找到的文件的发布日期 {doc.published}",
                        "请核对查找日期或文件的发布日期")

    def evidence(self, file: str, path: tuple, entry: Evidence, year: int) -> None:
        if not self.documents_known:
            return
        doc = self.dataset.documents_by_id.get(entry.document)
        if doc is None:
            self.report(file, (*path, "document"), f"未知的文件「{entry.document}」",
                        self.did_you_mean(entry.document, self.dataset.documents_by_id)
                        + "请先在 data/documents.yaml 中登记该文件，再引用其标识")
        elif doc.published.year < year:
            self.report(file, (*path, "document"), f"文件 {doc.id} 发布于 {doc.published}，早于本年度 {year}",
                        "请把该证据移到文件所报告的年度")

    def narratives(self) -> None:
        keys, groups = set(self.dataset.items_by_key), len(self.dataset.duty_list.groups)
        local = narrative.local_targets(keys, set(self.dataset.documents_by_id))
        for key, source in self.dataset.narratives.items():
            shown = f"data/narratives/{key}.md"
            if key not in keys:
                example = next(iter(self.dataset.items_by_key), "1")
                self.problems.append(Problem(shown, 1, 1, "", *self.unknown_item(key, f"请把文件名改为已有的条目编号，如 {example}.md")))
            self.problems.extend(narrative.problems(shown, source, keys, groups, self.dataset.linkable_host, local))
        if self.dataset.about:  # on the about page: links to official hosts only
            self.problems.extend(narrative.problems("data/about.md", self.dataset.about, keys, groups,
                                                    self.dataset.linkable_host, set()))
        self.problems.extend(limits.shown_list_problems(self.dataset))

    def unknown_item(self, key: str, ask: str = "") -> tuple[str, str]:
        """An item key the list does not have: the nearest keys with the printed item each one is. Where numbering
        starts again in each part or group, a key counts only the parts and groups that hold items (part 二's first
        item is 1-1 when part 一 holds only principles): the message says so, with the first keys as examples."""
        items = self.dataset.items_by_key
        near = did_you_mean(key, items)
        for found in items:
            near = near.replace(f"「{found}」", f"「{found}」（{items[found].name}）")
        duty_list = self.dataset.duty_list
        fix = near + (ask or f"请填写{duty_list.document_name}中已有的条目编号")
        if duty_list.item_numbering != "per_group":
            return f"{duty_list.document_name}中没有第 {key} {duty_list.unit}", fix
        examples = "、".join(f"{k} 是 {i.name}" for k, i in list(items.items())[:3])
        fix += (f"。本{duty_list.document_name}每部分（或每组）重新编号，条目编号写作“第几个列有条目的部分或组-序号”，只数直接列有"
                f"条目的部分和组，不是原文印的编号：{examples}；全部对照见 dutylist new-year 生成的年度文件中的注释")
        return f"{duty_list.document_name}中没有编号为 {key} 的条目", fix

    def duplicates(self, file: str, section: str, ids: list[str], what: str, field: str = "id") -> None:
        first: dict[str, int] = {}
        for n, value in enumerate(ids):
            if (at := first.setdefault(value, n)) != n:
                self.report(file, (section, n, field), f"{what}「{value}」与第 {at + 1} 项重复",
                            "同一文件只登记一次：请删除重复的一项，或改为唯一的值")

    def not_in_future(self, file: str, path: tuple, date: dt.date) -> None:
        if date > self.dataset.reference_date:
            self.report(file, path, f"日期 {date} 晚于参照日期 {self.dataset.reference_date}", "请核对日期")


def address_allowed(site: Site, kind: str, url: str) -> bool:
    """Whether a document of this kind may be linked at url: on an official domain, or a media domain for news."""
    host = host_of(url)
    return _on_domains(host, site.official_domains) or (kind == "news-report" and _on_domains(host, site.media_domains))


def _whole_clauses(quote: str, text: str) -> bool:
    """Whether quote occurs in text as one or more whole clauses: it begins at the text's start or after a clause
    mark, and ends at the text's end, before a clause mark, or with one. "在市政府门户网站" inside "并在市政府门户网站…"
    is not a clause; a lone "，" is not either."""
    if not quote.strip(CLAUSE_MARKS) or quote[0] in CLAUSE_MARKS:
        return False
    start = text.find(quote)
    while start != -1:
        end = start + len(quote)
        if ((start == 0 or text[start - 1] in CLAUSE_MARKS)
                and (end == len(text) or text[end] in CLAUSE_MARKS or quote[-1] in CLAUSE_MARKS)):
            return True
        start = text.find(quote, start + 1)
    return False


def _simplified(text: str) -> str:
    """A title printed in traditional characters (職責清單) as simplified, to find the name written in the data."""
    import opencc   # only for a name not found as written: the converter takes a moment to load

    return opencc.OpenCC("t2s").convert(text)


def _on_domains(host: str, domains: list[str]) -> bool:
    """Whether host is one of the domains or under one; both sides compared in their IDNA form."""
    return any(host == d or host.endswith("." + d) for d in map(idna_host, domains))
