"""How much data the site accepts, so that `check`, the build and the preview always end, and no page or search
index grows without bound.

A real list has tens of items, a handful of disclosure obligations and a few dozen documents a year: every limit
below is tens of times that. Each is stated in README.md and EDITING.md; `check` refuses data beyond one with
the file and line to change. The limits on one file's size, text length and nesting are in source.py (they
apply while a file is read), the narrative's size in dataset.py, its calls in narrative.py.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

from . import narrative
from .problems import Problem

MAX_DATA_BYTES = 10 * 1024 * 1024   # all of data/ together; the shipped data is about 50 KB
MAX_ITEMS = 1000                    # items of the list (the benchmark builds a synthetic list of 1,000)
MAX_DOCUMENTS = 5000                # documents.yaml
MAX_OBLIGATIONS = 500               # obligations.yaml
MAX_OBLIGATIONS_PER_ITEM = 20       # shown with every year's status on the item's page
MAX_EVIDENCE_PER_YEAR = 2000        # one year file's evidence, all shown on the year's page
MAX_EVIDENCE_PER_ITEM_YEAR = 50     # one item's evidence in one year, all shown on the item's page
# List text that narratives' {{ render_… }} calls show, all narratives and about.md together (besides the
# narrative.MAX_CALLS limit per narrative); every call of the shipped list's render_list() shows about 3,000.
MAX_SHOWN_LIST_CHARS = 1_000_000


def data_size_problem(data_dir: Path, relatives: list[str]) -> Problem | None:
    """A problem when the data files together exceed MAX_DATA_BYTES (the check then stops: reading them all
    would take long, and the site would not be built anyway)."""
    sizes = {}
    for relative in relatives:
        try:
            sizes[relative] = os.lstat(Path(data_dir) / relative).st_size
        except OSError:   # absent: reported where it is read
            pass
    total = sum(sizes.values())
    if total <= MAX_DATA_BYTES:
        return None
    largest = sorted(sizes, key=lambda r: (-sizes[r], r))[:3]
    return Problem("data/", 1, 1, "", f"数据文件合计 {_mb(total)} MB，超过上限 {_mb(MAX_DATA_BYTES)} MB"
                   f"（最大的是 {'、'.join(f'data/{r}（{_mb(sizes[r])} MB）' for r in largest)}）",
                   "真实的清单及其历年进展只需几百 KB：请删去重复或无关的内容")


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}"


def count_problems(dataset, report) -> None:
    """Report (file, path, message, fix) for each count beyond its limit, at the first entry past it."""
    duty_list = dataset.duty_list
    items = [((*path, "items", i) if path else ("items", i))
             for holder, path in duty_list.numbering_scopes()
             for i, _ in enumerate(duty_list.top_items if holder is duty_list else holder.items)]
    if len(items) > MAX_ITEMS:
        report("list.yaml", items[MAX_ITEMS], f"清单共 {len(items)} 项条目，超过上限 {MAX_ITEMS} 项",
               f"本站一个清单最多收录 {MAX_ITEMS} 项；请核对是否重复录入了条目")
    if len(dataset.documents) > MAX_DOCUMENTS:
        report("documents.yaml", ("documents", MAX_DOCUMENTS), f"共登记 {len(dataset.documents)} 件文件，超过上限 "
               f"{MAX_DOCUMENTS} 件", "只登记进展证据和公开义务所引用的文件；请删除重复或没有被引用的文件")
    obligations = dataset.obligations
    if len(obligations) > MAX_OBLIGATIONS:
        report("obligations.yaml", ("obligations", MAX_OBLIGATIONS), f"共登记 {len(obligations)} 项公开义务，超过上限 "
               f"{MAX_OBLIGATIONS} 项", "公开义务只登记清单原文要求公开的事项；请删除重复的义务")
    per_item, seen = Counter(o.item for o in obligations), Counter()
    for n, obligation in enumerate(obligations):
        seen[obligation.item] += 1
        if seen[obligation.item] == MAX_OBLIGATIONS_PER_ITEM + 1:
            report("obligations.yaml", ("obligations", n), f"第 {obligation.item} 项共有 {per_item[obligation.item]} 项公开义务，超过每项上限 "
                   f"{MAX_OBLIGATIONS_PER_ITEM} 项", "一项条目要求公开的事项通常只有一两项；请删除重复的义务")


def year_count_problems(file: str, progress, report) -> None:
    """Report evidence beyond the limits of one year file, at the first entry past each."""
    seen = 0
    for key, entries in progress.items.items():
        if len(entries) > MAX_EVIDENCE_PER_ITEM_YEAR:
            report(file, ("items", key, MAX_EVIDENCE_PER_ITEM_YEAR), f"第 {key} 项本年度有 {len(entries)} 条证据，超过每项"
                   f"每年上限 {MAX_EVIDENCE_PER_ITEM_YEAR} 条", "请只保留能说明履职情况的主要证据，合并内容相同的几条")
        if seen <= MAX_EVIDENCE_PER_YEAR < seen + len(entries):
            total = sum(len(e) for e in progress.items.values())
            report(file, ("items", key, MAX_EVIDENCE_PER_YEAR - seen), f"本年度共有 {total} 条证据，超过每年上限 "
                   f"{MAX_EVIDENCE_PER_YEAR} 条", "请只保留能说明履职情况的主要证据，合并内容相同的几条")
        seen += len(entries)


def shown_list_problems(dataset) -> list[Problem]:
    """A problem at the call with which the narratives' render_… calls, together, show more list text than
    MAX_SHOWN_LIST_CHARS (each call shows its text again on the page, and in the search index)."""
    duty_list = dataset.duty_list
    groups = {str(n): g for n, g in enumerate(duty_list.groups, 1)}
    whole = sum(len(part.heading) + sum(len(c.text) for c in part.clauses) for part in duty_list.parts) \
        + sum(len(g.heading) for g in duty_list.groups) + sum(len(i.text) for i in duty_list.items)
    size = {"render_list": lambda _: whole,
            "render_item": lambda key: len(dataset.items_by_key[key].text) if key in dataset.items_by_key else 0,
            "render_group": lambda n: sum(len(i.text) for i in groups[n].items) + len(groups[n].heading) if n in groups else 0}
    shown = 0
    sources = [(f"data/narratives/{key}.md", source) for key, source in dataset.narratives.items()]
    for file, source in [*sources, ("data/about.md", dataset.about)]:
        for call in narrative.calls(source):
            shown += size[call.name](call.argument)
            if shown > MAX_SHOWN_LIST_CHARS:
                return [Problem(file, call.line, 1, "", f"各篇补充说明中的 {{{{ render_… }}}} 共显示清单原文超过 "
                                f"{MAX_SHOWN_LIST_CHARS:,} 字（到此处为止）", "请删去部分调用，改为链接到相应条目（写成 18.md）")]
    return []
