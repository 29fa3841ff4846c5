"""MkDocs hook for a portal's own pages (dutylist/portal.py builds them with a configuration of its own that inherits
mkdocs.yml): the home page, the comparison, the combined open data and a search over every list.

What the pages say comes from each list's build (dutylist/portal.py reads it); the templates in overrides/portal/
say it, through a Jinja environment of their own that escapes everything (names in portal.yaml are data). The
theme, its overrides and the search worker's Chinese fixes are the lists' own, so the portal looks and searches
as they do.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import jinja2
import yaml
from markupsafe import escape
from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url

from dutylist import build, licences, opendata, portal, sitemap, status

# page source → (title, template)
PAGES = {"index.md": ("首页", "home.html"), "compare.md": ("各清单对比", "compare.html"), "data.md": ("数据下载", "data.html")}

_state: dict = {}

# The portal's tables as large as the lists' own table text, not Material's small table text (docs/assets/site.css is
# every list's own, unchanged)
CSS = ".md-typeset table[data-portal] { font-size: .75rem; }\n"


def on_config(config):
    settings = config.extra["dl_portal"]
    found = portal.load(Path(settings["root"]))
    reference_date = build.reference_date()
    built = portal.read_built(found, Path(settings["site"]), reference_date)
    _state.update(portal=found, built=built, reference_date=reference_date,
                  files=portal.open_files(found, built, reference_date))
    config.site_name = escape(found.name)
    config.site_description = escape(found.file.description) if found.file.description else None
    if found.file.site_url:
        config.site_url = found.file.site_url.rstrip("/") + "/"
    config.extra["gov"] = {}
    config.extra_css.append("assets/portal.css")
    config.nav = [{title: path} for path, (title, _) in PAGES.items()]
    return config


def on_env(env, config, files):
    """The portal's 404 (overrides/portal/404.html) before the lists' one, which links to a list's pages."""
    env.loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(Path(config.theme.custom_dir) / "portal")), env.loader])
    return env


def on_files(files, config):
    """Only the portal's pages: docs/ lends its assets, never its (a list's) pages."""
    for file in [f for f in files if f.is_documentation_page()]:
        files.remove(file)
    for path, (title, _) in PAGES.items():
        front = yaml.safe_dump({"title": title, "search": {"exclude": True}}, allow_unicode=True)
        files.append(File.generated(config, path, content=f"---\n{front}---\n"))
    files.append(File.generated(config, "assets/portal.css", content=CSS))
    for item in _state["files"]:
        files.append(File.generated(config, item.path, content=item.content))
    files.append(File.generated(config, "feed.xml", content=portal.combined_feed(
        _state["portal"], _state["built"], _state["reference_date"])))
    if config.site_url and (robots := sitemap.robots(config.site_url)):
        files.append(File.generated(config, "robots.txt", content=robots))
    return files


def on_page_content(html, page, config, files):
    """The page's content, rendered from what the lists' builds published."""
    _, template = PAGES[page.file.src_uri]
    return _templates(config).get_template(template).render(
        portal=_state["portal"], lists=_state["built"], reference_date=_state["reference_date"],
        href=lambda target: get_relative_url(target, page.url), files=_state["files"], size=opendata.size,
        licence=licences, Status=status.Status, elsewhere_mark=status.ELSEWHERE_MARK, legend=status.legend,
        generic=SimpleNamespace(document_name="清单", unit="项"))   # legends beside several lists' statuses


def _templates(config) -> jinja2.Environment:
    if "env" not in _state:
        folder = Path(config.theme.custom_dir)
        env = jinja2.Environment(loader=jinja2.FileSystemLoader([str(folder / "portal"), str(folder / "macros")]),
                                 autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
        env.filters["named"] = jinja2.pass_context(
            lambda context, text: status.named(text, context["duty_list"].document_name, context["duty_list"].unit))
        _state["env"] = env
    return _state["env"]


def on_post_build(config):
    """The search index: every list's entries, each page's title led by its list's name (before
    hooks/search_index.py, listed after this hook, fixes the search worker for the characters the index holds)."""
    path = Path(config.site_dir) / "search/search_index.json"
    merged = portal.merged_search_index(json.loads(path.read_text(encoding="utf-8")), _state["built"])
    path.write_text(json.dumps(merged, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
