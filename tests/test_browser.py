"""What a citizen sees in a real browser: Debian's chromium driven by Playwright against the built site."""

import functools
import gzip
import http.server
import threading
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="module")
def base_url(site):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def visit(browser, base_url):
    """Open pages in a fresh context, recording every request's host."""
    hosts = set()
    contexts = []

    def open_page(path="", width=1280):
        context = browser.new_context(viewport={"width": width, "height": 900})
        contexts.append(context)
        tab = context.new_page()
        tab.on("request", lambda request: hosts.add(urlsplit(request.url).hostname))
        tab.goto(base_url + path)
        return tab

    yield open_page
    for context in contexts:
        context.close()
    assert hosts <= {"127.0.0.1"}, hosts


def test_navigation_reaches_item_18(visit):
    tab = visit()
    tab.get_by_role("link", name="职责清单").first.click()
    tab.get_by_role("link", name="（四）监督依法行政").first.click()
    tab.get_by_role("link", name="第18项 行政复议").first.click()
    assert tab.url.endswith("/duties/18/")
    assert "支持行政复议工作" in tab.locator("article").inner_text()


def search(tab, query: str) -> list[str]:
    """Type a query; the theme searches on key release, so finish with one key press as a reader would."""
    box = tab.locator("input.md-search__input")
    box.click()
    box.fill(query)
    box.press("End")
    tab.locator(".md-search-result__link").first.wait_for(timeout=15000)
    links = tab.locator(".md-search-result__link")
    return [links.nth(i).get_attribute("href") for i in range(links.count())]


@pytest.mark.parametrize("query, item, within", [("行政复议", 18, 1), ("宪法日", 24, 1), ("出庭应诉", 20, 1),
                                                 ("法治督察", 5, 3)])
def test_search_ranks_the_duty_first(visit, query, item, within):
    hrefs = search(visit(), query)
    assert any(f"duties/{item}/" in h for h in hrefs[:within]), hrefs


def test_search_highlights_every_word_and_quotes_the_duty(visit):
    tab = visit()
    search(tab, "行政复议")
    first = tab.locator(".md-search-result__item").first
    assert {m.inner_text() for m in first.locator("mark").all()} >= {"行政", "复议"}
    assert "支持" in first.inner_text() and "属于" not in first.inner_text()  # the duty's words, not a breadcrumb
    first.locator("a").first.click()
    tab.locator("article mark").first.wait_for(timeout=15000)
    assert {m.inner_text() for m in tab.locator("article mark").all()} >= {"行政", "复议"}


def _first_visit(browser, url: str):
    """A fresh browser context on one page, recording every response from the first one on."""
    context = browser.new_context()
    tab = context.new_page()
    responses = []
    tab.on("response", lambda response: responses.append(response))
    tab.goto(url)
    tab.wait_for_load_state("networkidle")
    return context, tab, responses


def test_search_index_is_fetched_only_when_the_reader_searches(browser, base_url):
    context, tab, responses = _first_visit(browser, base_url + "duties/18/")
    try:
        assert not [r for r in responses if "search_index" in r.url], "a page view fetched the whole search index"
        assert any("duties/18/" in h for h in search(tab, "行政复议"))
        assert [r for r in responses if r.url.endswith("search/search_index.json")]
    finally:
        context.close()


def test_first_visit_to_an_item_page_stays_within_150_kb_compressed(browser, base_url):
    """The page weight budget, as a phone on mobile data pays it: every response, gzipped."""
    context, _, responses = _first_visit(browser, base_url + "duties/18/")
    try:
        sizes = {r.url: len(gzip.compress(r.body(), compresslevel=6)) for r in responses if r.status == 200}
    finally:
        context.close()
    assert any(url.endswith(".js") for url in sizes) and any(url.endswith(".css") for url in sizes)
    assert sum(sizes.values()) <= 150_000, sizes


def test_arriving_from_a_search_result_highlights_the_query(browser, base_url):
    context, tab, _ = _first_visit(browser, base_url + "duties/18/?h=%E5%A4%8D%E8%AE%AE")  # ?h=复议
    try:
        tab.locator("article mark").first.wait_for(timeout=15000)
        assert "复议" in tab.locator("article mark").first.inner_text()
    finally:
        context.close()


@pytest.mark.parametrize("path", ["", "duties/18/", "years/2025/", "documents/", "groups/1/", "data/", "404.html"])
def test_axe_finds_no_wcag_21_aa_violation(visit, path):
    tab = visit(path)
    result = Axe().run(tab, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
    assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in result.response["violations"]] == []


def tab_until(tab, predicate: str, limit: int = 150) -> bool:
    """Press Tab until the focused element matches a JavaScript predicate on `e`."""
    for _ in range(limit):
        tab.keyboard.press("Tab")
        if tab.evaluate(f"(e => Boolean({predicate}))(document.activeElement)"):
            return True
    return False


def test_keyboard_alone_reaches_search_and_item_links(visit):
    tab = visit("groups/4/")
    assert tab_until(tab, "e.matches('input.md-search__input')")
    tab = visit("groups/4/")
    assert tab_until(tab, "(e.getAttribute('href') || '').endsWith('duties/18/')")
    tab.keyboard.press("Enter")
    tab.wait_for_url("**/duties/18/")


def test_reading_settings_apply_and_persist_across_pages(visit):
    tab = visit("duties/18/")
    size = tab.evaluate("parseFloat(getComputedStyle(document.querySelector('.md-typeset')).fontSize)")
    tab.get_by_role("button", name="特大").click()
    tab.get_by_role("button", name="高对比度").click()
    bigger = tab.evaluate("parseFloat(getComputedStyle(document.querySelector('.md-typeset')).fontSize)")
    assert bigger > size * 1.3
    tab.goto(tab.url.replace("duties/18/", "years/2025/"))
    assert tab.evaluate("document.documentElement.dataset.fontsize") == "xlarge"
    assert tab.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(0, 0, 0)"
    assert tab.get_by_role("button", name="高对比度").get_attribute("aria-pressed") == "true"


def test_print_hides_navigation_and_shows_link_urls(visit):
    tab = visit("duties/3/")
    tab.emulate_media(media="print")
    assert not tab.locator("nav.md-nav--primary").first.is_visible()
    assert not tab.locator(".dl-reading").is_visible()
    after = tab.evaluate("getComputedStyle(document.querySelector('.dl-timeline a[rel=noopener]'), '::after').content")
    assert "http" in after
    head = tab.locator(".dl-print-head")
    assert head.is_visible()
    assert "营口市政府主要负责人法治建设职责履行公示" in head.inner_text()  # the site's name, from data/site.yaml
    assert tab.url.split("?")[0] in head.inner_text() and "打印日期：20" in head.inner_text()
    tab.emulate_media(media="screen")
    assert not head.is_visible()


def test_404_page_speaks_chinese_and_its_search_link_opens_search(visit):
    tab = visit("404.html")
    assert "找不到这个页面" in tab.locator("article").inner_text()
    tab.get_by_role("link", name="搜索本站").click()
    tab.locator("input.md-search__input").wait_for(state="visible")
    assert tab.evaluate("document.activeElement.matches('input.md-search__input')")


@pytest.mark.parametrize("path", ["", "duties/18/", "years/2025/", "documents/", "groups/1/", "data/", "404.html"])
def test_phone_width_does_not_scroll_sideways(visit, path):
    tab = visit(path, width=375)
    assert tab.evaluate("document.documentElement.scrollWidth") <= 375


def test_phone_menu_opens(visit):
    tab = visit("duties/18/", width=375)
    tab.locator("label.md-header__button[for='__drawer']").click()
    tab.locator("nav.md-nav--primary").first.wait_for(state="visible")
    assert tab.locator("nav.md-nav--primary").first.is_visible()


def test_phone_matrix_shows_every_year_of_a_row_inside_the_screen(visit):
    tab = visit("", width=375)
    boxes = tab.evaluate("""[...document.querySelectorAll('.dl-matrix tbody tr')].map(row =>
        [...row.querySelectorAll('td.dl-cell')].map(td => { const r = td.getBoundingClientRect();
                                                           return [r.left, r.right, r.width]; }))""")
    assert len(boxes) == 27 and all(len(row) == 5 for row in boxes)
    assert all(left >= 0 and right <= 375 and width > 30 for row in boxes for left, right, width in row)
    assert tab.locator(".dl-matrix td.dl-cell").first.inner_text().startswith("2022年")  # each chip names its year
    assert tab.evaluate("document.documentElement.scrollWidth") <= 375


def test_high_contrast_keeps_statuses_apart_in_words_and_marks(visit):
    tab = visit("duties/3/")
    tab.get_by_role("button", name="高对比度").click()
    chips = tab.locator(".dl-strip .dl-chip")
    texts = [chips.nth(i).inner_text() for i in range(chips.count())]
    assert texts[2] == "✗已查未见（截至 2026-12-05）" and texts[3] == "✓按时公开"   # 2024 searched, 2025 on time
    styles = tab.evaluate("""[...document.querySelectorAll('.dl-strip .dl-chip')].map(c => {
        const s = getComputedStyle(c); return [s.color, s.backgroundColor, s.borderTopStyle]; })""")
    assert styles[3][:2] == styles[2][:2] == ["rgb(255, 255, 255)", "rgb(0, 0, 0)"]  # colour carries nothing here
    assert styles[3][2] != styles[2][2]  # the border's shape still does
