"""MkDocs glue, kept thin: the engine (`dutylist`) does the work.

This one file is both the mkdocs-macros module (`define_env`) and a MkDocs hook file (`on_config`,
`on_files`), listed under `hooks:` and as the macros `module_name` in mkdocs.yml.
Hooks decide which pages exist; templates in overrides/macros/ decide what they say.
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import yaml
from markupsafe import Markup, escape
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url

from dutylist import build, export, feed, pages, status
from dutylist.model import DOCUMENT_KINDS
from dutylist.problems import DataError


def _dataset(config):
    data_dir = Path(config.config_file_path).parent / "data"
    try:
        return build.dataset(data_dir, build.reference_date())
    except DataError as error:
        raise PluginError("\n" + error.report()) from None


# --- MkDocs hooks -------------------------------------------------------------------------------------


def on_config(config):
    """Name the site from the data and expand the nav placeholders into the list's structure."""
    dataset = _dataset(config)
    config.site_name = dataset.site.site_name
    config.site_description = dataset.site.description
    if dataset.site.site_url:  # only a real address: sitemap.xml and canonical links are built from it
        config.site_url = dataset.site.site_url.rstrip("/") + "/"
    config.extra["gov"] = dataset.site.model_dump(include={"sponsor", "site_code", "icp", "psb", "contact", "correction_url"})
    config.extra["latest_date"] = max([d.published for d in dataset.documents] + [dataset.duty_list.published]).isoformat()
    sections = {path: _escaped(entries) for path, entries in pages.nav_sections(dataset).items()}
    config.nav = [{title: sections.get(path, path)} if isinstance(path, str) else {title: path}
                  for entry in config.nav for title, path in entry.items()]
    return config


def _escaped(nav):
    """Nav titles from data, HTML-escaped: the theme prints nav titles as markup."""
    if isinstance(nav, list):
        return [_escaped(entry) for entry in nav]
    if isinstance(nav, dict):
        return {str(escape(title)): _escaped(value) for title, value in nav.items()}
    return nav


def on_files(files, config):
    """One generated page per part, group, item and year, plus open data and the feed; no hand-written stubs."""
    dataset = _dataset(config)
    history = build.data_history(dataset.data_dir)
    for page in pages.plan(dataset):
        if files.get_file_from_path(page.uri):
            raise PluginError(f"docs/{page.uri} 与自动生成的页面重名，请删除该文件（条目补充说明请放在 data/narratives/）")
        meta = {"title": str(escape(page.title)), "description": str(escape(page.description)),
                "pub_date": page.pub_date, "updated": pages.last_changed(page, history), **page.variables}
        if page.shows_list:
            meta["content_source"] = dataset.duty_list.publisher
        if not page.searchable:
            meta["search"] = {"exclude": True}
        elif page.search_boost != 1:
            meta["search"] = {"boost": page.search_boost}
        front = yaml.safe_dump(meta,
                               allow_unicode=True, sort_keys=False)
        content = f"---\n{front}---\n{{% include '{page.template}' %}}\n\n{page.body}"
        files.append(File.generated(config, page.uri, content=content))
    for item in export.open_files(dataset):
        files.append(File.generated(config, item.path, content=item.content))
    files.append(File.generated(config, "feed.xml", content=feed.atom(dataset)))
    return files


# --- Generated HTML passes through Markdown untouched ---------------------------------------------------
# Page templates write most of a page as HTML. Python-Markdown would parse that HTML twice more (its raw-HTML
# preprocessors) only to emit it unchanged: a fifth of a build. The `final_html` filter swaps each block for a
# comment, which Markdown passes on verbatim, and on_page_content puts the HTML back.

# mkdocs-macros imports this file as a module of its own, apart from the hook instance: the blocks travel on
# the page object, not in a module variable.
_MARKER = re.compile(r"<!--dl-html:(\d+)-->")
_ID = re.compile(r'\sid="([^"]*)"')


def _keep_final(page, html: str) -> str:
    if not hasattr(page, "final_html"):
        page.final_html = []
    page.final_html.append(html)
    return f"\n\n<!--dl-html:{len(page.final_html) - 1}-->\n\n"


def on_page_content(html, page, config, files):
    blocks = getattr(page, "final_html", None)
    if not blocks:
        return html
    # Markdown links to anchors inside these blocks are still checked: register the blocks' ids
    page.present_anchor_ids |= {unescape(i) for block in blocks for i in _ID.findall(block)}
    return put_back_final_html(html, blocks)


def put_back_final_html(text: str, blocks: list[str]) -> str:
    """The text with each block's placeholder replaced by the block."""
    return _MARKER.sub(lambda m: blocks[int(m[1])], text)


# --- mkdocs-macros ------------------------------------------------------------------------------------


def define_env(env):
    """Expose the model to every page, and a few render macros editors can call from Markdown."""
    dataset = _dataset(env.conf)
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
        document_kinds=DOCUMENT_KINDS,
        host_kind=dataset.host_kind,
        open_files=lambda: export.open_files(dataset),
    ))
    env.filter(md_text)

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
        return render("_item.html", item=dataset.items_by_key[str(key)])

    @env.macro
    def render_group(ordinal: int) -> Markup:
        """A group heading with its items, e.g. {{ render_group(5) }}."""
        return render("_group.html", group=dataset.duty_list.groups[int(ordinal) - 1])

    @env.macro
    def render_list() -> Markup:
        """The whole duty list."""
        return render("_list.html")


def md_text(value) -> Markup:
    """Data text for a Markdown heading: HTML-escaped, Markdown syntax neutralised."""
    text = re.sub(r"([\\`*_{}\[\]()#+\-.!])", r"\\\1", str(value))
    return escape(text)
