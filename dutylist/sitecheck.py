"""Is a built site a real site? Checked before a release may go live.

Every HTML page must be complete, have a title and a main content with a heading; the pages the data describes
must contain what the data says (the home page the list's title, each item page its official text); every JSON
file (search index, open data) must parse. Texts are compared after decoding entities and dropping whitespace.
"""

from __future__ import annotations

import html
import json
from html.parser import HTMLParser
from pathlib import Path

MAIN_CLASSES = {"md-content__inner", "md-content"}  # Material's main column


class _PageReader(HTMLParser):
    """The title, the text of the main content and its first heading, and whether the document is complete."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.title, self.main, self.heading = "", "", ""
        self.complete = False
        self._in_title = False
        self._main_depth = self._heading_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        self._in_title = tag == "title"
        classes = set((dict(attrs).get("class") or "").split())
        if self._main_depth:
            self._main_depth += 1
        elif classes & MAIN_CLASSES:
            self._main_depth = 1
        if self._main_depth and tag == "h1" and not self.heading:
            self._heading_depth = self._main_depth  # the depth its end tag will close

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        self._in_title = False
        if tag == "html":
            self.complete = True
        if tag == "h1" and self._main_depth == self._heading_depth:
            self._heading_depth = 0
        if self._main_depth:
            self._main_depth -= 1

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        if self._main_depth:
            self.main += data
        if self._heading_depth:
            self.heading += data


def compact(text: str) -> str:
    """Text without entities or whitespace, so markup layout never decides a comparison."""
    return "".join(html.unescape(text).split())


def check_page(path: Path, must_contain: str = "") -> str | None:
    """The problem of one HTML page, in Chinese, or None."""
    reader = _PageReader()
    try:
        reader.feed(path.read_text(encoding="utf-8"))
        reader.close()
    except (UnicodeDecodeError, OSError) as error:
        return f"无法读取（{error.__class__.__name__}）"
    if not reader.complete:
        return "页面为空或不完整（没有 </html>）"
    if not compact(reader.title):
        return "缺少 <title>"
    if not compact(reader.main) or not compact(reader.heading):
        return "正文为空（没有正文区或正文标题）"
    if must_contain and compact(must_contain) not in compact(reader.main):
        return "正文不含数据中的原文：" + must_contain[:30] + ("…" if len(must_contain) > 30 else "")
    return None


def check_json(path: Path) -> str | None:
    try:
        json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError) as error:
        return f"JSON 无法解析（{error}）"
    return None


def check_site(site: Path, expected: dict[str, str]) -> list[str]:
    """Problems of the site as "path：problem" lines; `expected` maps pages that must exist to text they must contain."""
    problems = [f"{page}：缺少该文件" for page in expected if not (site / page).is_file()]
    for path in sorted(site.rglob("*")):
        page = path.relative_to(site).as_posix()
        if path.suffix == ".html":
            problem = check_page(path, expected.get(page, ""))
        elif path.suffix == ".json":
            problem = check_json(path)
        else:
            continue
        if problem:
            problems.append(f"{page}：{problem}")
    return problems
