"""`dutylist render OUT`: the whole site as plain Markdown pages, its nav and the open-data files, for any builder
that reads `mkdocs.yml` (plain Material, ProperDocs, Zensical) with no hooks and no macros.

Nothing is rendered a second way, so the folder cannot drift from the site: the real MkDocs build runs, with the
project's hooks and mkdocs-macros, and a recorder plugin keeps each page's Markdown as it is once the macros have
run, the nav the hooks made and every file they added. The HTML is built into a temporary folder and dropped.
The normal build never loads this module: it costs `mkdocs build` nothing.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import yaml
from mkdocs.plugins import event_priority

MARKER = ".dutylist-render"   # names a folder this command wrote, which it may replace
FRONT_MATTER = ("title", "description", "hide", "search", "pub_date", "updated")   # what a plain build can use


class RenderError(Exception):
    """The folder cannot be written or the site cannot be built; the message says what to do."""


def render(config_file: Path, out: Path) -> int:
    """Write the site rendered from config_file's project into out (replaced whole); the number of pages."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    out = out.resolve()
    if not Path(config_file).is_file():
        raise RenderError(f"找不到网站配置文件 {config_file} — 请在项目目录中运行，或用 --config 指定 mkdocs.yml")
    if out.exists() and not out.is_dir():
        raise RenderError(f"{out} 是一个文件，不是目录，未作改动 — 请换一个不存在的或空的目录")
    if out.exists() and any(out.iterdir()) and not (out / MARKER).exists():
        raise RenderError(f"{out} 已存在且不是本命令生成的目录，未作改动 — 请换一个不存在的或空的目录")
    out.parent.mkdir(parents=True, exist_ok=True)
    recorder = Recorder()
    with tempfile.TemporaryDirectory(prefix="dutylist-render-") as site:
        try:
            config = load_config(str(config_file), site_dir=site)
            config.plugins["macros"].config["on_error_fail"] = True   # as in CI: a template error stops the render
            config.plugins["dutylist/render"] = recorder
            config.plugins.on_startup(command="build", dirty=False)
            try:
                build(config)
            finally:
                config.plugins.on_shutdown()
        except MkDocsException as error:
            raise RenderError(f"网站未能生成，未写出任何文件：{error}") from None
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        recorder.write(staging, Path(config_file))
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return len(recorder.pages)


class Recorder:
    """A plugin that records what the project's build makes, without changing it."""

    def __init__(self):
        self.pages: dict[str, tuple[dict, str]] = {}   # src_uri → (front matter, Markdown)
        self.files: dict[str, bytes] = {}              # every other file of docs/ or from the hooks, by src_uri
        self.nav: list = []
        self.glue = None   # macros.py, which MkDocs loaded as a hook
        self.not_in_nav: list[str] = []
        self.site: dict = {}

    @event_priority(-100)   # after the hooks have expanded the nav and named the site
    def on_config(self, config):
        self.glue = next(p for p in config.plugins.values() if hasattr(p, "put_back_final_html"))
        self.nav = _plain(config.nav)
        self.site = {"site_name": str(config.site_name), "site_description": _plain(config.site_description),
                     "site_url": config.site_url or None}
        return config

    @event_priority(-100)   # after the hooks have added the generated pages and files
    def on_files(self, files, config):
        docs = Path(config.docs_dir).resolve()
        for file in files:
            from_project = file.generated_by or (file.abs_src_path and docs in Path(file.abs_src_path).resolve().parents)
            if from_project and not file.is_documentation_page():
                self.files[file.src_uri] = file.content_bytes
            elif from_project and file.inclusion.is_not_in_nav():
                self.not_in_nav.append(file.src_uri)
        return files

    @event_priority(-100)   # after mkdocs-macros has rendered the page
    def on_page_markdown(self, markdown, page, config, files):
        page.dl_rendered = markdown
        return markdown

    @event_priority(50)   # before macros.py cleans the narratives: mark where each cleaned narrative will be
    def on_page_content(self, html, page, config, files):
        secret = getattr(page, "dl_secret", None)
        if secret:
            html = re.sub(rf"(<!--dl-narrative:{secret}-->.*?(?:<!--/dl-narrative:{secret}-->|\Z))",
                          rf"<!--dl-render:{secret}-->\1<!--/dl-render:{secret}-->", html, flags=re.S)
        return html

    @event_priority(-100)   # after macros.py has put the title back and cleaned the narratives
    def on_post_page(self, output, page, config):
        self.pages[page.file.src_uri] = (self._front_matter(page), self._markdown(page, config))
        return output

    def _front_matter(self, page) -> dict:
        meta = {key: _plain(page.meta[key]) for key in FRONT_MATTER if page.meta.get(key)}
        return {**meta, "title": str(page.title)}   # escaped, as the theme receives it

    def _markdown(self, page, config) -> str:
        """The page's Markdown after the macros, with finished HTML put back and narratives as cleaned HTML."""
        markdown = page.dl_rendered
        secret = getattr(page, "dl_secret", None)
        if secret:
            markdown = self.glue.put_back_final_html(markdown, getattr(page, "final_html", []), secret)
            cleaned = iter(re.findall(rf"<!--dl-render:{secret}-->(.*?)<!--/dl-render:{secret}-->", page.content, re.S))
            # An editor's narrative is untrusted: a plain build must get the allow-list's output, never its source
            markdown = re.sub(rf"<!--dl-narrative:{secret}-->.*?(?:<!--/dl-narrative:{secret}-->|\Z)",
                              lambda m: f"\n\n{next(cleaned).strip()}\n\n", markdown, flags=re.S)
        updated = config.theme.get_env().get_template("partials/dl-updated.html").render(page=page).strip()
        return markdown + (f"\n\n{updated}\n" if updated else "")

    def write(self, folder: Path, config_file: Path) -> None:
        """Pages, files, nav.yml and a mkdocs.yml for plain Material into folder."""
        docs = folder / "docs"
        for uri, (meta, markdown) in self.pages.items():
            target = _inside(docs, uri)
            target.parent.mkdir(parents=True, exist_ok=True)
            front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
            target.write_text(f"---\n{front}---\n\n{markdown}", encoding="utf-8")
        for uri, content in self.files.items():
            target = _inside(docs, uri)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        (folder / "nav.yml").write_text(yaml.safe_dump(self.nav, allow_unicode=True, sort_keys=False), encoding="utf-8")
        (folder / "mkdocs.yml").write_text(plain_config(config_file, self), encoding="utf-8")
        (folder / MARKER).write_text("dutylist render 生成；再次运行 dutylist render 会整个替换本目录。\n", encoding="utf-8")


def plain_config(config_file: Path, recorder: Recorder) -> str:
    """The project's mkdocs.yml for plain Material: same theme features, Markdown extensions and nav; no hooks,
    no macros, no overrides. (Its links are written as the built site's URLs, which MkDocs calls unrecognised.)"""
    project = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_KeepTags)
    theme = {key: value for key, value in project["theme"].items() if key != "custom_dir"}
    config = {"site_name": recorder.site["site_name"], "site_description": recorder.site["site_description"],
              "site_url": recorder.site["site_url"], "docs_dir": "docs",
              "use_directory_urls": project.get("use_directory_urls", True), "theme": theme,
              "extra": {key: value for key, value in project.get("extra", {}).items() if key == "generator"},
              "extra_css": project.get("extra_css", []), "extra_javascript": project.get("extra_javascript", []),
              "plugins": ["search"], "markdown_extensions": project.get("markdown_extensions", []),
              "validation": {"links": {"unrecognized_links": "info", "anchors": "info"}},
              "not_in_nav": "\n".join(f"/{uri}" for uri in recorder.not_in_nav) or None,
              "nav": recorder.nav}
    config = {key: value for key, value in config.items() if value is not None}
    return ("# Written by `dutylist render`: the site as plain Markdown, for Material (or ProperDocs, Zensical) with\n"
            "# no hooks and no macros. Build with `mkdocs build` in this folder.\n"
            + yaml.dump(config, Dumper=_TagDumper, allow_unicode=True, sort_keys=False))


def _plain(value):
    """Nav and meta values as plain YAML: escaped Markup titles as the strings they are."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value) if isinstance(value, str) else value


def _inside(folder: Path, uri: str) -> Path:
    target = (folder / uri).resolve()
    if folder.resolve() not in target.parents:
        raise RenderError(f"文件路径 {uri!r} 不在输出目录内")
    return target


class _Tagged:
    """A tagged YAML node of mkdocs.yml (the toc slugify function), written back as it was."""

    def __init__(self, tag: str, node: yaml.Node, loader):
        self.tag = tag
        self.value = loader.construct_mapping(node, deep=True) if isinstance(node, yaml.MappingNode) else \
            loader.construct_sequence(node, deep=True) if isinstance(node, yaml.SequenceNode) else \
            loader.construct_scalar(node)


class _KeepTags(yaml.SafeLoader):
    pass


_KeepTags.add_multi_constructor("", lambda loader, suffix, node: _Tagged(node.tag, node, loader))


class _TagDumper(yaml.SafeDumper):
    pass


def _represent_tagged(dumper, data: _Tagged):
    if isinstance(data.value, dict):
        return dumper.represent_mapping(data.tag, data.value)
    if isinstance(data.value, list):
        return dumper.represent_sequence(data.tag, data.value)
    return dumper.represent_scalar(data.tag, data.value)


_TagDumper.add_representer(_Tagged, _represent_tagged)


# --- What a reader sees of each page, to compare a build of the rendered folder with the site ----------------

THEME_CHROME = ("dl-print-head", "dl-reading")   # the overrides' print header and reading controls, not page text


def page_texts(site: Path) -> dict[str, str]:
    """The visible text of each built page's content (Material's `article.md-content__inner`), whitespace
    collapsed, by page path ("duties/1/index.html"); the theme overrides' own controls are left out."""
    from lxml import html

    texts = {}
    for path in sorted(site.rglob("*.html")):
        tree = html.parse(str(path))
        articles = tree.xpath('//article[contains(concat(" ", normalize-space(@class), " "), " md-content__inner ")]')
        if not articles:
            continue
        for cls in THEME_CHROME:
            for element in articles[0].xpath(f'.//*[contains(concat(" ", normalize-space(@class), " "), " {cls} ")]'):
                element.drop_tree()
        texts[path.relative_to(site).as_posix()] = " ".join(articles[0].text_content().split())
    return texts


def text_differences(site: Path, other: Path) -> dict[str, str]:
    """Pages whose visible text differs between two builds, or that only one has, each with a short reason."""
    ours, theirs = page_texts(site), page_texts(other)
    differences = {}
    for page in sorted(ours.keys() | theirs.keys()):
        if page not in theirs or page not in ours:
            differences[page] = "only in " + (str(site) if page in ours else str(other))
        elif ours[page] != theirs[page]:
            at = next((i for i, (a, b) in enumerate(zip(ours[page], theirs[page])) if a != b),
                      min(len(ours[page]), len(theirs[page])))
            differences[page] = f"at {at}: {ours[page][max(0, at - 30):at + 50]!r} ≠ {theirs[page][max(0, at - 30):at + 50]!r}"
    return differences
