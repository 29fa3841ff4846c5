"""One portal, many lists: a city, its districts and its departments, each with its own list, in one site.

A portal repository holds `portal.yaml` (the portal's name and its lists, in order) and one folder per list,
`lists/<slug>/`, laid out as a single-list repository's root: `data/` exactly as today, and beside it the list's
own `archive/` and `data-history/` when the scheduled job has written them. A repository with only `data/` is
not a portal, and nothing here runs for it.

Each list is built by the same `mkdocs build` as a single site (mkdocs.yml with DUTYLIST_DATA naming its data)
into `<site>/<slug>/`; the builds run in parallel, a process each. One assembly step then reads what each build
published (its open data: list, obligations, statuses; its search index) and builds the portal's own pages with
MkDocs (hooks/portal_pages.py): the home page, the comparison, the combined open data and a search over every
list. Statuses are never computed here: they are the ones each list computed from its own data, and every list
of one portal is built with the same reference date (the assembly refuses a mixture).

Everything in portal.yaml and lists/ is data: a slug becomes a folder name and a URL, so it is checked against
[a-z0-9-] before it names any path; a name is text, escaped wherever it is shown.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import yaml
from markupsafe import escape
from pydantic import Field, TypeAdapter, ValidationError, create_model

from . import datapackage, export, feed
from .dataset import Dataset, load_dataset
from .export import OpenFile, StatusRecord
from .model import Model, SiteUrl, Text
from .problems import DataError, Problem
from .source import read_yaml
from .opendata import PACKAGE
from .status import Status, VerdictEntry, elsewhere_note, verdict_entries
from .validation import validate

PORTAL_FILE = "portal.yaml"
LISTS = "lists"
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_SLUG = 40
MAX_LISTS = 500
# What the portal's own build writes at the site's root: no list may take one of these names
PORTAL_FOLDERS = {"assets", "search", "data", "compare"}
PORTAL_ROOT_FILES = {"index.html", "404.html", "sitemap.xml", "sitemap.xml.gz", "robots.txt", "feed.xml"}
SLUG_FIX = "请只用小写字母 a-z、数字和连字符“-”（它是该清单子站点的目录名和网址的一部分），如 zhanqian-qu"


class PortalList(Model):
    slug: Text = Field(description="清单标识：该清单的目录 lists/<slug>/ 和子站点网址 <门户网址>/<slug>/ 都用它")
    name: Text = Field(max_length=40, description="清单在门户中的简称，如 站前区、市司法局")


class PortalFile(Model):
    name: Text = Field(max_length=100, description="门户名称")
    description: Text | None = Field(None, max_length=500, description="门户简介（一两句）")
    site_url: SiteUrl | None = Field(None, description="门户正式网址；填写时，每份清单的 site_url 须为 <门户网址>/<slug>/")
    lists: list[PortalList] = Field(min_length=1, description="门户收录的清单，按显示顺序排列")


@dataclass(frozen=True)
class Portal:
    root: Path
    file: PortalFile

    @property
    def name(self) -> str:
        return self.file.name

    @property
    def lists(self) -> list[PortalList]:
        return self.file.lists

    @property
    def slugs(self) -> list[str]:
        return [entry.slug for entry in self.lists]

    def entry(self, slug: str) -> PortalList | None:
        return next((entry for entry in self.lists if entry.slug == slug), None)

    def data_dir(self, slug: str) -> Path:
        return self.root / LISTS / slug / "data"

    def list_url(self, slug: str) -> str | None:
        return f"{self.file.site_url.rstrip('/')}/{slug}/" if self.file.site_url else None


def is_portal(root: Path) -> bool:
    return os.path.lexists(Path(root) / PORTAL_FILE)


def shown(entry: PortalList) -> str:
    """A list as messages name it: 「站前区」（lists/zhanqian-qu/）."""
    return f"「{entry.name}」（{LISTS}/{entry.slug}/）"


# --- the portal file and the lists folder -------------------------------------------------------------------


def load(root: Path) -> Portal:
    """portal.yaml validated, and the lists/ folder checked against it; DataError with every problem otherwise."""
    root = Path(root).resolve()
    source = read_yaml(root / PORTAL_FILE, PORTAL_FILE)
    problems: list[Problem] = []
    portal_file = validate(PortalFile, source, problems)
    if portal_file is None:
        raise DataError(problems)
    if len(portal_file.lists) > MAX_LISTS:
        problems.append(source.problem(("lists",), f"清单过多（上限 {MAX_LISTS} 份）", "请分成几个门户"))
    seen: dict[str, int] = {}
    for n, entry in enumerate(portal_file.lists):
        where = ("lists", n, "slug")
        if not SLUG.fullmatch(entry.slug) or len(entry.slug) > MAX_SLUG:
            problems.append(source.problem(where, f"清单标识“{entry.slug[:MAX_SLUG]}”不能用作目录名和网址"
                                           f"（只能有小写字母、数字和连字符，至多 {MAX_SLUG} 个字符）", SLUG_FIX))
            continue
        if entry.slug in PORTAL_FOLDERS:
            problems.append(source.problem(where, f"清单标识“{entry.slug}”与门户自己的目录重名",
                                           f"请换一个标识（{'、'.join(sorted(PORTAL_FOLDERS))} 由门户使用）"))
        if entry.slug in seen:
            problems.append(source.problem(where, f"清单标识“{entry.slug}”重复（第 {seen[entry.slug] + 1} 份清单已用）",
                                           "每份清单的标识须不同：请改用另一个标识，或删除重复的一项"))
            continue
        seen[entry.slug] = n
        if problem := _folder_problem(root, entry.slug):
            problems.append(source.problem(where, *problem))
    problems += _unlisted(root, set(seen))
    if os.path.lexists(root / "data"):
        problems.append(Problem("data/", 1, 1, "", "本仓库有 portal.yaml（多份清单的门户），data/ 不会被构建",
                                f"请把 data/ 移到 {LISTS}/<标识>/data/ 并在 portal.yaml 的 lists 中登记；"
                                "只发布一份清单的，删除 portal.yaml 即可"))
    if problems:
        raise DataError(problems)
    return Portal(root, portal_file)


def _folder_problem(root: Path, slug: str) -> tuple[str, str] | None:
    folder = root / LISTS / slug
    for path in (folder, folder / "data"):
        shown_as = path.relative_to(root).as_posix() + "/"
        if path.is_symlink():
            return f"{shown_as} 是符号链接", "请把该清单的数据作为普通目录放在这里"
        if not path.is_dir():
            return (f"找不到 {shown_as}", f"请创建 {LISTS}/{slug}/data/ 并放入该清单的 site.yaml、list.yaml 等文件"
                    "（与单份清单的 data/ 相同），或从 portal.yaml 删除这一项")
    return None


def _unlisted(root: Path, slugs: set[str]) -> list[Problem]:
    """Entries of lists/ that portal.yaml does not name: a list nobody registered is refused, not left out silently."""
    folder = root / LISTS
    if folder.is_symlink() or (os.path.lexists(folder) and not folder.is_dir()):
        return [Problem(f"{LISTS}/", 1, 1, "", f"{LISTS} 应为普通目录", f"请把各清单放在普通目录 {LISTS}/<标识>/ 中")]
    problems = []
    for entry in sorted(os.scandir(folder), key=lambda e: e.name) if folder.is_dir() else []:
        if entry.name.startswith(".") or entry.name in slugs:
            continue
        shown_as = f"{LISTS}/{entry.name}" + ("/" if entry.is_dir(follow_symlinks=False) else "")
        if entry.is_dir(follow_symlinks=False):
            problems.append(Problem(shown_as, 1, 1, "", "该目录未在 portal.yaml 中登记，不会被构建或发布",
                                    f"请在 portal.yaml 的 lists 中加上一项（slug: {entry.name}，name: 清单简称），"
                                    "或删除该目录"))
        else:
            problems.append(Problem(shown_as, 1, 1, "", f"{LISTS}/ 中只能放各清单的目录",
                                    f"请删除它，或移到 {LISTS}/<标识>/data/ 中"))
    return problems


# --- each list's data, checked on its own --------------------------------------------------------------------


def in_list(problem: Problem, slug: str) -> Problem:
    """A list's problem named from the repository root: data/list.yaml is lists/<slug>/data/list.yaml."""
    prefix = f"{LISTS}/{slug}/"
    moved = lambda text: re.sub(r"(?<![\w/])(data|archive|data-history)/", prefix + r"\1/", text)  # noqa: E731
    return dataclasses.replace(problem, file=prefix + problem.file, message=moved(problem.message), fix=moved(problem.fix))


class ListsError(DataError):
    """Problems of one or more lists, each named by its folder, with the lists that failed."""

    def __init__(self, problems: list[Problem], failed: list[PortalList]):
        self.failed = failed
        super().__init__(problems)

    def report(self) -> str:
        return super().report() + "\n未通过检查的清单：" + "、".join(shown(entry) for entry in self.failed) + "。"


def check(portal: Portal, reference_date: dt.date, slugs: list[str] | None = None) -> dict[str, Dataset]:
    """Every list's data (or the ones named) checked on its own, as `dutylist check` checks data/, and each list's
    site_url against the portal's. ListsError naming the lists that fail."""
    problems: list[Problem] = []
    failed: list[PortalList] = []
    datasets: dict[str, Dataset] = {}
    for entry in portal.lists:
        if slugs is not None and entry.slug not in slugs:
            continue
        try:
            datasets[entry.slug] = dataset = load_dataset(portal.data_dir(entry.slug), reference_date)
        except DataError as error:
            problems += [in_list(p, entry.slug) for p in error.problems]
            failed.append(entry)
            continue
        if problem := _address_problem(portal, entry, dataset):
            problems.append(problem)
            failed.append(entry)
    if problems:
        raise ListsError(problems, failed)
    return datasets


def _address_problem(portal: Portal, entry: PortalList, dataset: Dataset) -> Problem | None:
    """A list's pages are served at <portal>/<slug>/: its site_url must say so (sitemaps and canonical links)."""
    expected, written = portal.list_url(entry.slug), dataset.site.site_url
    if expected is None and written is None:
        return None
    site_file = portal.data_dir(entry.slug) / "site.yaml"
    if expected is None:
        return Problem(PORTAL_FILE, 1, 1, "site_url", f"清单{shown(entry)}写有 site_url，门户却没有",
                       f"请在 portal.yaml 中填写门户的正式网址（site_url），该清单的网址应为 <门户网址>/{entry.slug}/")
    if written is None or written.rstrip("/") + "/" != expected:
        line, column = read_yaml(site_file, "").mark(("site_url",))
        return Problem(f"{LISTS}/{entry.slug}/data/site.yaml", line, column, "site_url",
                       f"该清单在门户中的网址是 {expected}，site_url 却{'没有填写' if written is None else '是 ' + written}",
                       f"请写成 site_url: {expected}")
    return None


# --- building the lists, a process each ----------------------------------------------------------------------


def build_env(reference_date: dt.date) -> dict[str, str]:
    """One environment for every build of a portal: strict (CI), and one reference date for all."""
    return {**os.environ, "CI": "true", "REFERENCE_DATE": reference_date.isoformat(), "NO_MKDOCS_2_WARNING": "1"}


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class BuildError(Exception):
    """A build that failed; the message names the list (or the portal's pages) and what the build said."""


def build_list(portal: Portal, slug: str, out: Path, env: dict[str, str]) -> None:
    """One list, built by the same command as a single site (`mkdocs build --strict`), its data named by
    DUTYLIST_DATA: its pages, search, feed and open data, into `out`. BuildError naming the list when it fails."""
    entry = portal.entry(slug)
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(portal.root / "mkdocs.yml"),
                             "-d", str(out)], cwd=portal.root, capture_output=True, text=True,
                            env={**env, "DUTYLIST_DATA": str(portal.data_dir(slug))})
    if result.returncode:
        said = "\n".join(line for line in result.stderr.splitlines() if not line.startswith("INFO"))
        raise BuildError(f"清单{shown(entry)}构建失败：\n{said.strip()[-4000:]}")


def build_lists(portal: Portal, out: Path, env: dict[str, str], workers: int, slugs: list[str]) -> list[str]:
    """The lists built side by side, `workers` at a time, each into out/<slug>/. Every list is built even when one
    fails, so one run reports them all; the failures' messages, in portal order (empty: all built)."""
    def one(slug: str) -> str | None:
        try:
            build_list(portal, slug, out / slug, env)
        except BuildError as error:
            return str(error)
        return None
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:   # each task waits on its own build process
        return [message for message in pool.map(one, slugs) if message]


def build(portal: Portal, out: Path, reference_date: dt.date, workers: int) -> str:
    """The whole portal into `out` (which must not exist): every list, then the assembly. BuildError otherwise."""
    started, out = time.perf_counter(), out.resolve()
    env = build_env(reference_date)
    out.mkdir(parents=True)
    if failures := build_lists(portal, out, env, workers, portal.slugs):
        raise BuildError("\n".join(failures) + f"\n{len(failures)} 份清单构建失败，门户没有生成，已发布的版本不受影响。")
    built = time.perf_counter()
    assemble(portal, out, reference_date)
    return (f"已构建门户：{len(portal.lists)} 份清单（{workers} 个进程并行，{built - started:.1f} 秒），"
            f"汇总 {time.perf_counter() - built:.1f} 秒")


# --- what each list's build published ----------------------------------------------------------------------------

_STATUSES = TypeAdapter(list[StatusRecord])
_BY_SLUG = {status.slug: status for status in Status}


@dataclass(frozen=True)
class Obligation:
    what: str                    # in the list's own words
    required_place: str | None


@dataclass(frozen=True)
class Shown:
    """One obligation-year of a list, as its build computed it, shaped as the list's own pages show a status
    (overrides/macros/_chip.html)."""

    record: StatusRecord
    obligation: Obligation

    @property
    def status(self) -> Status:
        return _BY_SLUG[self.record.status]

    @property
    def elsewhere(self) -> bool:
        return self.record.elsewhere

    @property
    def label(self) -> str:
        return self.record.status_label

    @property
    def counted(self) -> bool:
        return self.record.counted

    @property
    def search(self):
        return self.record.latest_search

    @property
    def elsewhere_note(self) -> str:
        return elsewhere_note(self.record.elsewhere_hosts, self.record.required_place) if self.elsewhere else ""


@dataclass(frozen=True)
class BuiltList:
    """One list as its build published it: the portal shows nothing about a list that is not in these files."""

    entry: PortalList
    title: str | None            # the list's title, None when the source does not give it
    document_name: str           # 清单, 实施办法…: what the list calls itself
    unit: str                    # 项, 条
    source_url: str
    obligations: list[dict]
    statuses: list[StatusRecord]
    reference_date: dt.date
    search: dict
    feed: str                    # its Atom feed

    @property
    def slug(self) -> str:
        return self.entry.slug

    @property
    def name(self) -> str:
        return self.entry.name

    @property
    def years(self) -> list[int]:
        return sorted({r.year for r in self.statuses})

    def year(self, year: int) -> list[Shown]:
        what = {o["id"]: o["what"] for o in self.obligations}
        return [Shown(r, Obligation(what.get(r.obligation, r.obligation), r.required_place))
                for r in self.statuses if r.year == year]

    def verdict(self, year: int) -> list[VerdictEntry]:
        """The year's judged obligations by status, counted as the list's own pages count them."""
        return verdict_entries(Counter((s.status, s.elsewhere) for s in self.year(year) if s.counted))

    def judged(self, year: int) -> int:
        return sum(e.count for e in self.verdict(year))

    @property
    def latest_complete_year(self) -> int | None:
        """The newest year whose every obligation had fallen due before the reference date (the list's home page
        leads with it: status.latest_complete_year), from the due dates its build published."""
        complete = [year for year in self.years
                    if all((r.due and dt.date.fromisoformat(r.due) or dt.date(year, 12, 31)) < self.reference_date
                           for r in self.statuses if r.year == year)]
        return max(complete, default=None)


class AssemblyError(Exception):
    """Lists missing or built apart from the others; the message names them and what to do."""


def read_built(portal: Portal, site: Path, reference_date: dt.date) -> list[BuiltList]:
    """Each list's published files under site/<slug>/, in portal order. AssemblyError naming every list that was
    not built, or was built on another reference date, and any folder of site/ the portal does not name."""
    problems = [f"site/{name}：门户没有登记这个目录（旧的构建结果？）— 请删除 site/ 后重新构建"
                for name in unexpected(portal, site)]
    built = []
    for entry in portal.lists:
        folder = site / entry.slug
        try:
            found = _read_list(entry, folder)
        except (OSError, ValueError, KeyError, TypeError, ValidationError) as error:
            problems.append(f"清单{shown(entry)}没有完整的构建结果（{folder.name}/ 中{_reason(error)}）— 请先构建该清单："
                            f"make build-list LIST={entry.slug}；在 CI 中，请确认该清单的构建任务已成功，并已列入任务矩阵")
            continue
        if found.reference_date != reference_date:
            problems.append(f"清单{shown(entry)}的状态计算截至 {found.reference_date}，本次汇总截至 {reference_date} — "
                            "同一门户的清单须用同一参照日期构建：请设置同一个 REFERENCE_DATE 重新构建（CI 中由 plan 任务统一设置）")
            continue
        built.append(found)
    if problems:
        raise AssemblyError("\n".join(problems))
    return built


def _reason(error: Exception) -> str:
    if isinstance(error, OSError):
        return f"缺少 {Path(error.filename).name if error.filename else '文件'}"
    return "数据文件无法读取"


def _read_list(entry: PortalList, folder: Path) -> BuiltList:
    def read(relative: str):
        return json.loads((folder / relative).read_text(encoding="utf-8"))
    if not (folder / "index.html").is_file():
        raise FileNotFoundError(2, "missing", str(folder / "index.html"))
    duty_list, package = read("data/list.json"), read("data/datapackage.json")
    return BuiltList(entry, duty_list.get("title"), duty_list["document_name"], duty_list["unit"], duty_list["source_url"],
                     read("data/obligations.json")["obligations"],
                     _STATUSES.validate_json((folder / "data/statuses.json").read_bytes()),
                     dt.date.fromisoformat(package["reference_date"]), read("search/search_index.json"),
                     (folder / "feed.xml").read_text(encoding="utf-8"))


def unexpected(portal: Portal, site: Path) -> list[str]:
    """Entries at the site's root that are neither a list of the portal nor the portal's own pages."""
    known = set(portal.slugs) | PORTAL_FOLDERS | PORTAL_ROOT_FILES
    return sorted(p.name for p in site.iterdir() if p.name not in known) if site.is_dir() else []


# --- the assembly: the portal's own pages, built with MkDocs -------------------------------------------------------


def assemble(portal: Portal, site: Path, reference_date: dt.date) -> None:
    """The portal's pages (home, comparison, open data, combined search) built from the lists under `site` and
    written beside them; what an earlier assembly wrote is replaced. AssemblyError or BuildError otherwise."""
    site = site.resolve()
    read_built(portal, site, reference_date)   # before anything is built: every list there, on this date
    with tempfile.TemporaryDirectory(prefix=".portal-", dir=site.parent) as tmp:
        config = Path(tmp) / "mkdocs.yml"
        config.write_text(yaml.safe_dump({
            "INHERIT": str(portal.root / "mkdocs.yml"),
            "docs_dir": str(portal.root / "docs"),        # for its assets; its pages are the list's, left out
            "theme": {"custom_dir": str(portal.root / "overrides")},
            "hooks": [str(portal.root / "hooks/portal_pages.py"), str(portal.root / "hooks/search_index.py")],
            "plugins": ["search"],
            "watch": [],
            "extra": {"dl_portal": {"root": str(portal.root), "site": str(site)}},
        }, allow_unicode=True), encoding="utf-8")
        out = Path(tmp) / "site"
        result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(out)],
                                cwd=portal.root, capture_output=True, text=True, env=build_env(reference_date))
        if result.returncode:
            said = "\n".join(line for line in result.stderr.splitlines() if not line.startswith("INFO"))
            raise BuildError(f"门户页面构建失败：\n{said.strip()[-4000:]}")
        for path in out.iterdir():
            if path.name not in PORTAL_FOLDERS | PORTAL_ROOT_FILES:
                raise BuildError(f"门户页面构建写出了意外的 {path.name}（程序问题，请报告维护者）")
        for path in out.iterdir():
            target = site / path.name
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            elif os.path.lexists(target):
                target.unlink()
            path.rename(target)


# --- combined search -----------------------------------------------------------------------------------------------


def merged_search_index(portal_index: dict, built: list[BuiltList]) -> dict:
    """One search index over every list: each list's own entries (as its build segmented and indexed them), their
    addresses under the list's folder, each page's title led by the list's name, escaped (the theme shows titles
    as markup): every result says which list it is from. The theme's search settings are the portal's own."""
    docs = []
    for found in built:
        lead = f"【\u200b{escape(found.name)}\u200b】\u200b"   # its own words to the search (\u200b: a separator)
        for entry in found.search.get("docs", []):
            page = "#" not in entry["location"]
            docs.append({**entry, "location": f"{found.slug}/{entry['location']}",
                         "title": lead + entry["title"] if page else entry["title"]})
    return {**portal_index, "docs": docs}


# --- combined feed --------------------------------------------------------------------------------------------------


def combined_feed(portal: Portal, built: list[BuiltList], reference_date: dt.date) -> str:
    """One Atom feed of every list's entries (each list's own feed.xml), newest first, each title led by its list's
    name; entry ids made unique per list (two lists may register a document under the same id)."""
    ET.register_namespace("", feed.ATOM)
    entries = []
    for found in built:
        for entry in ET.fromstring(found.feed).iter(f"{{{feed.ATOM}}}entry"):
            entry.find(f"{{{feed.ATOM}}}id").text = feed._urn(f"{found.slug}|{entry.find(f'{{{feed.ATOM}}}id').text}")
            title = entry.find(f"{{{feed.ATOM}}}title")
            title.text = f"【{found.name}】{title.text}"
            entries.append(entry)
    entries.sort(key=lambda e: (e.find(f"{{{feed.ATOM}}}updated").text, e.find(f"{{{feed.ATOM}}}id").text), reverse=True)
    root = ET.Element(f"{{{feed.ATOM}}}feed", {"xml:lang": "zh-CN"})
    feed._text(root, "id", feed._urn(f"portal|{portal.file.site_url or portal.name}"))
    feed._text(root, "title", portal.name)
    feed._text(root, "subtitle", f"全部 {len(built)} 份清单新收录的文件和进展记录：" + "、".join(f.name for f in built))
    newest = max((e.find(f"{{{feed.ATOM}}}updated").text for e in entries), default=None)
    feed._text(root, "updated", newest or feed._stamp(reference_date))
    feed._text(ET.SubElement(root, f"{{{feed.ATOM}}}author"), "name", portal.name)
    root.extend(entries)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# --- combined open data --------------------------------------------------------------------------------------------

LIST_COLUMNS = {"list": (str, Field(description="清单标识：该清单子站点的目录名（portal.yaml 中的 slug）")),
                "list_name": (str, Field(description="清单在门户中的简称（portal.yaml 中的 name）"))}
ListStatusRecord = create_model("ListStatusRecord", __doc__="One obligation of one list in one year, as that list's "
                                "build computed it on the reference date.", **LIST_COLUMNS,
                                **{name: (info.annotation, info) for name, info in StatusRecord.model_fields.items()})
STATUS_FILES = "statuses"


def open_files(portal: Portal, built: list[BuiltList], reference_date: dt.date) -> list[OpenFile]:
    """Every list's statuses in one table with a `list` column, as JSON Schema, JSON and CSV, and a Data Package
    describing them; the rows are the lists' own statuses.json rows, unchanged."""
    records = [ListStatusRecord(list=found.slug, list_name=found.name, **r.model_dump())
               for found in built for r in found.statuses]
    title = f"全部清单的公开义务状态（计算截至 {reference_date}）"
    rows = [{"list": r.list, "list_name": r.list_name,
             **export._status_row(StatusRecord(**r.model_dump(exclude=set(LIST_COLUMNS))))} for r in records]
    files = [export._schema(STATUS_FILES, "全部清单的公开义务状态", list[ListStatusRecord]),
             export._json(STATUS_FILES, title, list[ListStatusRecord], records),
             export._csv(STATUS_FILES, title, [*LIST_COLUMNS, *export.STATUS_FIELDS], rows)]
    commit = datapackage.data_commit(portal.root)
    package = datapackage.package(
        "duty-list-portal-statuses", f"{portal.name}：全部清单的公开义务状态",
        f"{portal.name}收录的 {len(built)} 份清单各自要求公开的事项在各年度的状态（计算截至 {reference_date}），"
        "每行是一份清单的一项公开义务在一个年度的状态，由该清单根据自己的数据计算；各清单的全文、文件和进展记录"
        "见各清单子站点的数据下载页。", reference_date, commit, [found.name for found in built],
        [{"title": found.title or f"{found.name}{found.document_name}", "path": found.source_url} for found in built],
        files, portal.file.site_url)
    described = json.dumps(package, ensure_ascii=False, indent=2) + "\n"
    return [*files, OpenFile(PACKAGE, "数据目录", described)]


# --- what a release must hold ----------------------------------------------------------------------------------


def expected_pages(portal: Portal, datasets: dict[str, Dataset]) -> dict[str, str]:
    """Pages a deploy requires, with text each must contain: the portal's home its name, the comparison page, and for
    every list what a single site's deploy requires of it (home: the list's title; item pages: their text)."""
    expected = {"index.html": portal.name, "compare/index.html": "", "search/search_index.json": ""}
    for slug, dataset in datasets.items():
        expected |= {f"{slug}/index.html": dataset.duty_list.shown_title, f"{slug}/search/search_index.json": "",
                     **{f"{slug}/duties/{item.key}/index.html": item.text for item in dataset.duty_list.items}}
    return expected
