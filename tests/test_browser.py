"""What a citizen sees in a real browser: Debian's chromium driven by Playwright against the built site."""

import functools
import http.server
import threading
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="module")
def base_url(site):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None
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


@pytest.mark.parametrize("path", ["", "duties/18/", "years/2025/", "documents/"])
def test_phone_width_does_not_scroll_sideways(visit, path):
    tab = visit(path, width=375)
    assert tab.evaluate("document.documentElement.scrollWidth") <= 375


def test_phone_menu_opens(visit):
    tab = visit("duties/18/", width=375)
    tab.locator("label.md-header__button[for='__drawer']").click()
    tab.locator("nav.md-nav--primary").first.wait_for(state="visible")
    assert tab.locator("nav.md-nav--primary").first.is_visible()
