"""The generated pages, their navigation and what they load."""

import json
import re
from urllib.parse import urljoin, urlsplit

import pytest

from helpers import Page


def test_one_page_per_part_group_and_item(site):
    assert len(list(site.glob("parts/*/index.html"))) == 3
    assert len(list(site.glob("groups/*/index.html"))) == 7
    assert sorted(int(p.parent.name) for p in site.glob("duties/*/index.html")) == list(range(1, 28))


def test_item_page_has_breadcrumbs_and_previous_next_item(page):
    item = page("duties/18/")
    crumbs = " ".join(e["text"] for e in item.find_all("nav", cls="md-path"))
    assert "职责清单" in crumbs and "三、严格对标对表" in crumbs and "（四）" in crumbs
    pager = {e["attrs"]["rel"]: e["attrs"]["href"] for e in item.find_all("a") if e["attrs"].get("rel") in ("prev", "next")}
    assert pager == {"prev": "../17/", "next": "../19/"}


def in_order(text: str, titles: list[str]) -> bool:
    positions = [text.find(title) for title in titles]
    return -1 not in positions and positions == sorted(positions)


def test_navigation_mirrors_the_list(page):
    """Parts, then groups in list order; the open group shows its items (the rest is pruned to keep pages small)."""
    structure = ["一、严格遵循基本原则", "二、严抓责任落实", "三、严格对标对表", "（一）组织领导与工作报告", "（二）依法决策",
                 "（三）依法履职", "（四）监督依法行政", "（五）维护司法权威", "（六）学法用法", "（七）组织推进机制"]
    for first, last in [(1, 5), (16, 18), (26, 27)]:
        nav = page(f"duties/{first}/").find_all("nav", cls="md-nav--primary")[0]["text"]
        assert in_order(nav, structure)
        assert in_order(nav, [f"第{n}项" for n in range(first, last + 1)])


def test_every_internal_link_resolves(site):
    for path in site.rglob("*.html"):
        for href in Page(path).links():
            parts = urlsplit(href)
            if parts.scheme or href.startswith(("#", "mailto:")):
                continue
            target = urljoin("/" + path.relative_to(site).as_posix(), parts.path).lstrip("/")
            resolved = site / target
            assert resolved.exists() or (resolved / "index.html").exists(), f"{path}: {href}"


def test_no_file_references_another_host_except_document_links(site):
    """The site must work offline and inside mainland China: only the data's document links leave it."""
    data_links = {e["attrs"]["href"] for p in site.rglob("*.html") for e in Page(p).find_all("a")
                  if e["attrs"].get("rel") == "noopener"}
    offenders = []
    for path in site.rglob("*"):
        if path.suffix not in (".html", ".css", ".js"):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for attr, url in re.findall(r"""(src|href|url)\s*[=(]\s*["']?(https?://[^"')\s>]+)""", text):
            if url not in data_links and not url.startswith("https://beian.miit.gov.cn"):
                offenders.append(f"{path.relative_to(site)}: {url}")
    assert offenders == []


def search(site, query: str) -> list[str]:
    """Pages matching every query word as a prefix, best first.

    Like Material's search worker, Chinese runs of the query are split into words the index knows, and each
    word matches indexed words that start with it.
    """
    index = json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))
    separator = re.compile(index["config"]["separator"])
    docs = [(d["location"], [w for w in separator.split(re.sub("<[^>]+>", " ", d["title"] + " " + d["text"])) if w])
            for d in index["docs"]]
    vocabulary = {w for _, words in docs for w in words}
    terms = [t for run in separator.split(query) for t in _segment(run, vocabulary)]
    scores: dict[str, int] = {}
    for location, words in docs:
        hits = [sum(w.startswith(t) for w in words) for t in terms]
        if all(hits):
            scores[location.split("#")[0]] = scores.get(location.split("#")[0], 0) + sum(hits)
    return sorted(scores, key=scores.get, reverse=True)


def _segment(run: str, vocabulary: set[str]) -> list[str]:
    """Longest known word first, left to right; unknown characters stay as they are."""
    words, start = [], 0
    while start < len(run):
        end = next((e for e in range(len(run), start, -1) if run[start:e] in vocabulary), start + 1)
        words.append(run[start:end])
        start = end
    return words


@pytest.mark.parametrize("query, item", [("行政复议", 18), ("出庭应诉", 20), ("宪法日", 24), ("法律顾问", 8)])
def test_search_index_finds_items_by_their_words(site, query, item):
    assert f"duties/{item}/" in search(site, query)[:3]


def test_every_page_has_its_generated_html_put_back(site):
    """Generated HTML is held out of Markdown as placeholders; none may reach a reader."""
    pages = list(site.rglob("*.html"))
    assert len(pages) > 40
    assert not [p for p in pages if "<!--dl-html:" in p.read_text(encoding="utf-8")]
