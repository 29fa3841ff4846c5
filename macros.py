"""MkDocs glue, kept thin: the engine (`dutylist`) does the work.

This one file is both the mkdocs-macros module (`define_env`) and a MkDocs hook file (`on_config`,
`on_files`), listed under `hooks:` and as the macros `module_name` in mkdocs.yml.
Hooks decide which pages exist; templates in overrides/macros/ decide what they say.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
from html import unescape
from pathlib import Path

import nh3
import yaml
from markupsafe import Markup, escape
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, InclusionLevel
from mkdocs.utils import get_relative_url

from dutylist import build, export, feed, jsonld, licences, narrative, opendata, pages, sitemap, status
from dutylist import history as status_history
from dutylist.model import DOCUMENT_KINDS
from dutylist.problems import DataError


def data_dir(config) -> Path:
    """data/ beside mkdocs.yml, or the folder DUTYLIST_DATA names: one list of a portal (lists/<slug>/data, see
    dutylist/portal.py), built or previewed with the same mkdocs.yml."""
    return Path(config.config_file_path).parent / os.environ.get("DUTYLIST_DATA", "data")


def _dataset(config):
    data_dir_ = data_dir(config)
    try:
        return build.dataset(data_dir_, build.reference_date())
    except DataError as error:
        raise PluginError("\n" + error.report()) from None
    except build.SettingError as error:
        raise PluginError(str(error)) from None


# --- MkDocs hooks -------------------------------------------------------------------------------------


def on_config(config):
    """Name the site from the data and expand the nav placeholders into the list's structure."""
    dataset = _dataset(config)
    # The theme prints these as markup, some places through `|e` and some not: escaped Markup is right in both
    config.site_name = escape(dataset.site.site_name)
    config.site_description = escape(dataset.site.description) if dataset.site.description else None
    if dataset.site.site_url:  # only a real address: sitemap.xml and canonical links are built from it
        config.site_url = dataset.site.site_url.rstrip("/") + "/"
    config.extra["gov"] = dataset.site.model_dump(include={"sponsor", "site_code", "icp", "psb", "contact", "correction_url"})
    config.extra["latest_date"] = dataset.newest_date()
    config.extra["list_name"] = "职责清单" if dataset.duty_list.is_list else dataset.duty_list.document_name   # 404 page
    sections = {path: _escaped(entries) for path, entries in pages.nav_sections(dataset).items()}
    titles = {path: escape(title) for path, title in pages.nav_titles(dataset).items()}
    config.nav = [{titles.get(path, title): sections.get(path, path)} if isinstance(path, str) else {title: path}
                  for entry in config.nav for title, path in entry.items()]
    return config


def on_serve(server, config, builder):
    """`mkdocs serve` rebuilds when the data changes, even data wrong from the start (no on_config ran): mkdocs.yml
    cannot name the folder, which DUTYLIST_DATA may change and a portal does not have. MkDocs watches config.watch
    after this event."""
    if data_dir(config).is_dir():
        config.watch.append(str(data_dir(config).resolve()))
    return server


def _escaped(nav):
    """Nav titles from data, HTML-escaped: the theme prints nav titles as markup."""
    if isinstance(nav, list):
        return [_escaped(entry) for entry in nav]
    if isinstance(nav, dict):
        return {escape(title): _escaped(value) for title, value in nav.items()}
    return nav


def on_files(files, config):
    """One generated page per part, group, item and year, plus open data and the feed; no hand-written stubs.

    A generated page's Markdown is one include; its front matter holds identifiers and escaped text for the
    theme's meta tags. No data text is ever part of what mkdocs-macros renders as a template.
    """
    dataset = _dataset(config)
    try:
        history = build.data_history(dataset.data_dir)
    except build.FutureDateError as error:
        raise PluginError(str(error)) from None
    # a preview dates what the editor has changed and not committed by the files' own time, and says so
    unsaved = build.uncommitted(dataset.data_dir) if build.preview else {}
    history.update(unsaved)
    for page in pages.plan(dataset):
        if files.get_file_from_path(page.uri):
            raise PluginError(f"docs/{page.uri} 与自动生成的页面重名，请删除该文件（条目补充说明请放在 data/narratives/）")
        meta = {"title": str(escape(page.title)), "description": str(escape(page.description)),
                "pub_date": page.pub_date, "updated": pages.last_changed(page, history),
                "uncommitted": pages.shows_uncommitted(page, unsaved), **page.variables}
        if page.shows_list and dataset.duty_list.publisher:
            meta["content_source"] = dataset.duty_list.publisher
        if not page.searchable:
            meta["search"] = {"exclude": True}
        elif page.search_boost != 1:
            meta["search"] = {"boost": page.search_boost}
        front = yaml.safe_dump(meta,
                               allow_unicode=True, sort_keys=False)
        content = f"---\n{front}---\n{{% include '{page.template}' %}}\n"
        files.append(File.generated(config, page.uri, content=content))
    for item in opendata.site_files(dataset):
        files.append(File.generated(config, item.path, content=item.content))
    _this_build.update(dataset=dataset, modified=jsonld.data_modified(dataset, history))
    if config.site_url and (robots := sitemap.robots(config.site_url)) and not files.get_file_from_path("robots.txt"):
        files.append(File.generated(config, "robots.txt", content=robots))
    modified = _this_build["modified"]
    files.append(File.generated(config, "feed.xml", content=feed.atom(
        dataset, fallback=dt.date.fromisoformat(modified) if modified else None)))
    _archive_pages(dataset, files, config)
    return files


# What on_files found, for the page hooks of the same build (looking the data set up again per page costs a stat
# of every data file per page)
_this_build: dict = {}


def on_page_context(context, page, config, nav):
    """The page's JSON-LD (dutylist/jsonld.py), for main.html's head."""
    dataset = _this_build["dataset"]

    def link(path: str) -> str:
        return config.site_url + path if config.site_url else get_relative_url(path, page.url)
    modified = page.meta["updated"] if "updated" in page.meta else _this_build["modified"]
    context["dl_jsonld"] = jsonld.script(jsonld.page_graph(
        dataset, title=unescape(str(page.title)), url=page.canonical_url, modified=modified,
        kind=page.meta.get("dl_jsonld"), files=opendata.site_files(dataset), link=link))
    return context


def _archive_pages(dataset, files, config):
    """/archive/<doc-id>/ per archived document (its text, shown escaped), with its WARC and PDF files to download.

    Nothing when archive/ is empty or absent. The page's Markdown names only the document id; the template reads
    the archived text through `dataset.archive`, so nothing from an original page is ever template source.
    """
    archive = dataset.archive
    for doc in dataset.documents:
        captures = archive.captures.get(doc.id) if archive else None
        if not captures:
            continue
        meta = {"title": str(escape(f"存档副本：{doc.title}")), "description": str(escape(f"本站保存的{doc.title}文字副本")),
                "pub_date": doc.published.isoformat(), "updated": captures[-1].saved_on.isoformat(),
                "dl_archive": doc.id, "search": {"exclude": True}}
        front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
        files.append(File.generated(config, f"archive/{doc.id}/index.md", inclusion=InclusionLevel.NOT_IN_NAV,
                                    content=f"---\n{front}---\n{{% include 'page_archive.md' %}}\n"))
        for relative in (path for capture in captures for path in capture.files if not path.endswith(".txt")):
            files.append(File.generated(config, f"archive/{relative}", abs_src_path=str(archive.root / relative)))


# --- Generated HTML passes through Markdown untouched ---------------------------------------------------
# Page templates write most of a page as HTML. Python-Markdown would parse that HTML twice more (its raw-HTML
# preprocessors) only to emit it unchanged: a fifth of a build. The `final_html` filter swaps each block for a
# comment, which Markdown passes on verbatim, and on_page_content puts the HTML back.

# mkdocs-macros imports this file as a module of its own, apart from the hook instance: the blocks travel on
# the page object, not in a module variable.
# A placeholder carries the page's secret, so that one written into a narrative is only text.
_ID = re.compile(r'\sid="([^"]*)"')


def page_secret(page) -> str:
    """A secret made once per page, for the markers the page's Markdown carries; no editor can write it."""
    if not hasattr(page, "dl_secret"):
        page.dl_secret = secrets.token_hex(16)
    return page.dl_secret


def _keep_final(page, html: str) -> str:
    if not hasattr(page, "final_html"):
        page.final_html = []
    page.final_html.append(html)
    return f"\n\n<!--dl-html:{page_secret(page)}:{len(page.final_html) - 1}-->\n\n"


@event_priority(100)  # before mkdocs-macros renders the page
def on_page_markdown(markdown, page, **kwargs):
    """Hide the page title from mkdocs-macros, which renders a title containing "{{" as a template: titles come
    from data (escaped in on_config and on_files). on_page_content puts it back."""
    page.dl_title, page.title = page.title, ""
    return markdown


def on_page_content(html, page, config, files):
    page.title = Markup(page.dl_title)  # escaped already: the theme's `|e` must not escape it twice
    # Narratives first: the list text their macros show is finished HTML, put back after they are cleaned
    if f"<!--dl-narrative:{getattr(page, 'dl_secret', None)}-->" in html:
        _safe_toc_ids(page.toc)
        html = clean_narratives(html, page.dl_secret, _dataset(config).linkable_host)
    blocks = getattr(page, "final_html", None)
    if blocks:
        # Markdown links to anchors inside these blocks are still checked: register the blocks' ids
        page.present_anchor_ids |= {unescape(i) for block in blocks for i in _ID.findall(block)}
        html = put_back_final_html(html, blocks, page.dl_secret)
    return html


def put_back_final_html(text: str, blocks: list[str], secret: str) -> str:
    """The text with each block's placeholder replaced by the block."""
    return re.sub(rf"<!--dl-html:{secret}:(\d+)-->", lambda m: blocks[int(m[1])], text)


# --- Editors' narratives: Markdown, cleaned by an allow-list sanitiser -----------------------------------
# A narrative is Markdown, so MkDocs checks its links and puts its headings in the table of contents. Its HTML is
# cleaned once Markdown has run: the narrative travels between two markers that carry the page's secret, which no
# editor can write into a narrative to end the cleaned region early. (The secret travels on the page object:
# mkdocs-macros loads this file as a module apart from the hook's.)

# Headings keep their ids for the table of contents, and links go only to the site itself or to allowed hosts, as
# `check` requires of the narrative's source. No class at all: with the site's own classes a narrative could draw
# status chips or list text that look generated. The list text its macros show (render_item…) is not cleaned: it
# travels as finished HTML (`final_html`) and is put back after cleaning. The cleaned narrative is framed as 编者说明.
_ALLOWED_TAGS = nh3.ALLOWED_TAGS - {"img"}   # an image could be loaded from another host
_ALLOWED_ATTRIBUTES = {**nh3.ALLOWED_ATTRIBUTES, "*": {"id", "title", "lang"}}
EDITORS_NOTE = ('<section class="dl-editors-note" aria-label="编者说明">\n<p class="dl-editors-note-label">'
                '<strong>编者说明</strong>　以下由本站编者撰写，不是清单原文，也不是根据数据生成的记录。</p>\n{}\n</section>')


def safe_id(value: str) -> str:
    """An id made of word characters and hyphens, never one of the theme's own (`__search`)."""
    return re.sub(r"[^\w-]", "", value).lstrip("_") or "section"


def _safe_toc_ids(toc) -> None:
    """Heading ids written by an editor (attr_list `{: id=… }`) reach the theme's table of contents unescaped."""
    for entry in toc:
        entry.id = safe_id(entry.id)
        _safe_toc_ids(entry.children)


def _narrative_attribute(linkable_host):
    def keep(tag: str, attribute: str, value: str) -> str | None:
        if attribute == "id":
            return safe_id(value)
        if attribute in ("href", "src", "cite"):   # links MkDocs checked stay; other hosts go
            return value if narrative.link_problem(value, linkable_host, None) is None else None
        return value
    return keep


def mark_narrative(markdown: str, secret: str) -> str:
    return f"\n\n<!--dl-narrative:{secret}-->\n\n{markdown}\n\n<!--/dl-narrative:{secret}-->\n\n"


def clean_narratives(html: str, secret: str, linkable_host=lambda host: False) -> str:
    """The page's HTML with each narrative region reduced to safe HTML (no script, style, class, event handler,
    javascript:/data: link or link to another host; every tag closed inside it) and framed as 编者说明."""
    region = re.compile(rf"<!--dl-narrative:{secret}-->(.*?)(?:<!--/dl-narrative:{secret}-->|\Z)", re.S)
    block = re.compile(rf"<!--dl-html:{secret}:(\d+)-->")

    def clean(match) -> str:
        # the macros' placeholders cross the cleaner as private-use characters, which no editor can write
        kept = block.sub(lambda m: f"\ue000{m[1]}\ue000", match[1])
        cleaned = nh3.clean(kept, tags=_ALLOWED_TAGS, attributes=_ALLOWED_ATTRIBUTES,
                            url_schemes={"http", "https", "mailto"}, attribute_filter=_narrative_attribute(linkable_host))
        return EDITORS_NOTE.format(re.sub("\ue000(\\d+)\ue000", lambda m: f"<!--dl-html:{secret}:{m[1]}-->", cleaned))
    return region.sub(clean, html)


# --- mkdocs-macros ------------------------------------------------------------------------------------




def define_env(env):
    """Expose the model to every page, and a few render macros editors can call from Markdown."""
    dataset = _dataset(env.conf)
    changes = status_history.by_key(status_history.as_of(dataset.history, dataset.reference_date))
    env.variables.update(dict(
        dataset=dataset,
        duty_list=dataset.duty_list,
        site_info=dataset.site,
        reference_date=dataset.reference_date,
        Status=status.Status,
        statuses_of=lambda item: status.item_statuses(dataset, item),
        year_statuses=lambda year: status.year_statuses(dataset, year),
        coverage=lambda items=None: status.coverage(dataset, items),
        year_verdict=lambda year: status.year_verdict(dataset, year),
        year_column=lambda year: status.year_column(dataset, year),
        year_counts=lambda year: status.year_counts(dataset, year),
        year_uncounted=lambda year: status.year_uncounted(dataset, year),
        latest_search=lambda year: status.latest_search(dataset, year),
        latest_complete_year=status.latest_complete_year(dataset),
        status_legend=status.legend,
        items_without_records=lambda year: status.items_without_records(dataset, year),
        record_kinds=status.RECORD_KINDS,
        elsewhere_mark=status.ELSEWHERE_MARK,
        document_kinds=DOCUMENT_KINDS,
        host_kind=dataset.host_kind,
        licences=licences,
        open_data=lambda: opendata.listing(dataset),
        data_size=opendata.size,
        status_changes=lambda obligation, year: changes.get((obligation.id, year), []),
    ))
    env.filter(md_text)

    @env.filter
    def named(text) -> str:
        """A generated sentence (a status's name or meaning) in the text's own words: 清单 becomes what it calls
        itself (a 实施办法 is never called 清单) and 本项/该项/每项/各项 its unit (本条). Only for the engine's own
        words, never data text."""
        return status.named(text, dataset.duty_list.document_name, dataset.duty_list.unit)

    @env.filter
    def final_html(html) -> str:
        """{% filter final_html %}<p>…</p>{% endfilter %}: finished HTML that Markdown need not parse."""
        return _keep_final(env.page, str(html))

    @env.macro
    def href(target: str) -> str:
        """A site path ("duties/18/") as a link relative to the page being rendered, so the site works in any folder."""
        return get_relative_url(target, env.page.url)

    def render(template: str, **values) -> Markup:
        return Markup(env.env.get_template(template).render(**env.variables, **values))

    @env.macro
    def render_item(key) -> Markup:
        """The text of one duty item with a link to its page, e.g. {{ render_item(18) }}."""
        item = dataset.items_by_key.get(str(key))
        if item is None:   # an editor's page asking for an item the list lacks: say so in the editor's words
            raise ValueError(f"render_item({key!r})：{dataset.duty_list.document_name}中没有编号为 {key} 的条目 — "
                             f"请改为已有的条目编号（共 {len(dataset.items_by_key)} {dataset.duty_list.unit}）")
        return render("_item.html", item=item)

    @env.macro
    def render_group(ordinal: int) -> Markup:
        """A group heading with its items, e.g. {{ render_group(5) }}."""
        groups = dataset.duty_list.groups
        if not (str(ordinal).isdigit() and 1 <= int(ordinal) <= len(groups)):
            raise ValueError(f"render_group({ordinal!r})：没有第 {ordinal} 组 — 请改为 1 至 {len(groups)} 之间的组序号")
        return render("_group.html", group=groups[int(ordinal) - 1])

    @env.macro
    def render_list() -> Markup:
        """The whole duty list."""
        return render("_list.html")

    def editors_markdown(source: str) -> Markup:
        """An editors' narrative as Markdown, marked to be cleaned after rendering."""
        if not source:
            return Markup("")
        calls = {name: (lambda macro: lambda *args: _keep_final(env.page, str(macro(*args))))(macro)
                 for name, macro in (("render_item", render_item), ("render_group", render_group),
                                     ("render_list", render_list))}
        return Markup(mark_narrative(narrative.render(source, calls), page_secret(env.page)))

    @env.macro
    def narrative_of(item) -> Markup:
        """The editors' narrative for an item (data/narratives/N.md)."""
        return editors_markdown(dataset.narratives.get(item.key, ""))

    @env.macro
    def about_notes() -> Markup:
        """The editors' own notes on their method (data/about.md), for the 说明 page."""
        return editors_markdown(dataset.about)


def md_text(value) -> Markup:
    """Data text for a Markdown heading: HTML-escaped, Markdown syntax neutralised."""
    text = re.sub(r"([\\`*_{}\[\]()#+\-.!])", r"\\\1", str(value))
    return escape(text)
