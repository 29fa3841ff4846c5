"""The archived-copy pages in chromium: nothing an original page or a hostile archive file holds runs as script or
leads to a foreign host. Every link on /archive/<id>/ is clicked with every request off the site blocked."""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import threading

import pytest
from playwright.sync_api import sync_playwright

import dutylist.model
from helpers import Page, copy_project
from portal import Portal, article, build_local, html, paragraphs, point_data_at, run, serve_originals

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic"]
HOSTILE_ORIGINAL = ['<a href="javascript:alert(1)">点此查看附件</a>', '<img src=x onerror="alert(2)">',
                    '<script>alert(3)</script>javascript:alert(4)', '<a href="https://evil-example.com/">外链</a>',
                    '<iframe src="javascript:alert(5)"></iframe><svg onload="alert(6)"></svg>']


def start(handler) -> http.server.ThreadingHTTPServer:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def archived(tmp_path_factory):
    """A project archived from a portal whose pages carry script and foreign links; one page since moved on the
    official domain, one moved off it. Returns (project, portal address, id → path)."""
    server = start(Portal)
    dutylist.model.ALLOW_LOOPBACK = True   # the module's own fixture: the function-scoped switch is not on yet
    try:
        project = copy_project(tmp_path_factory.mktemp("hostile") / "project")
        portal = f"http://127.0.0.1:{server.server_address[1]}"
        paths = point_data_at(project, portal)
        serve_originals(paths)
        for document in ("rpt-2022", "rpt-2023", "consult-bizenv-2022"):
            Portal.routes[paths[document]] = html(article(document, paragraphs(document) + HOSTILE_ORIGINAL))
        assert run(project, "archive") == 0
        Portal.routes["/new/consult.html"] = Portal.routes[paths["consult-bizenv-2022"]]
        Portal.routes[paths["consult-bizenv-2022"]] = (301, {"Location": "/new/consult.html"}, b"")
        Portal.routes[paths["rpt-2023"]] = (301, {"Location": "https://evil-example.com/rpt-2023.html"}, b"")
        assert run(project, "links", "--cache", str(project / "cache.json")) == 1   # moved off: the job fails
    finally:
        dutylist.model.ALLOW_LOOPBACK = False
        server.shutdown()
        server.server_close()
    return project, portal, paths


@pytest.fixture(scope="module")
def site(archived, tmp_path_factory):
    project, _, _ = archived
    out = tmp_path_factory.mktemp("site")
    built = build_local(project, out)
    assert built.returncode == 0, built.stderr
    server = start(functools.partial(Quiet, directory=str(out)))
    yield out, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


def click_every_link(browser, base: str, path: str) -> tuple[list[str], list[str], int]:
    """Open the page, click each of its article's links in turn (the page opened afresh each time), with every
    request off the site blocked. Returns (dialogs that opened, requests off the site, links clicked)."""
    dialogs, foreign = [], []
    context = browser.new_context(accept_downloads=True)

    def guard(route):
        if route.request.url.startswith(base):
            route.continue_()
        else:
            foreign.append(route.request.url)
            route.abort()

    context.route("**/*", guard)

    def open_page():
        # A fresh tab for every click: a blocked navigation ends on Chromium's error page some time after the
        # click, and would otherwise interrupt the next goto in the same tab.
        tab = context.new_page()
        tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        tab.goto(base + path)
        return tab

    tab = open_page()
    count = tab.locator("article a[href]").count()
    tab.close()
    for n in range(count):
        tab = open_page()
        link = tab.locator("article a[href]").nth(n)
        href = link.get_attribute("href")
        assert not href.lower().lstrip().startswith(("javascript:", "data:", "vbscript:")), href
        link.click(no_wait_after=True, timeout=5000)
        tab.wait_for_timeout(150)
        tab.close()
    tab = open_page()
    ran = tab.evaluate("() => [...document.querySelectorAll('article script, article iframe, article svg, article img')]"
                       ".map(e => e.outerHTML)")
    context.close()
    assert not ran, ran
    return dialogs, foreign, count


def test_clicking_every_link_of_every_archived_copy_runs_nothing_and_leaves_only_for_official_pages(
        archived, site, browser):
    project, portal, paths = archived
    out, base = site
    official = {portal + p for p in paths.values()} | {portal + "/new/consult.html"}
    pages = sorted(p.parent.name for p in (out / "archive").glob("*/index.html"))
    assert len(pages) == len(paths)
    clicked = 0
    for document in pages:
        dialogs, foreign, count = click_every_link(browser, base, f"archive/{document}/")
        assert dialogs == [], (document, dialogs)
        assert set(foreign) <= official, (document, foreign)
        clicked += count
    assert clicked >= 3 * len(pages)   # the original, the WARC, and the item pages at least
    moved = Page(out / "archive/consult-bizenv-2022/index.html")
    assert portal + "/new/consult.html" in moved.links()          # moved on the official domain: linked
    off = Page(out / "archive/rpt-2023/index.html")
    assert "原链接已跳转到官方网站以外" in off.text() and not [h for h in off.links() if "evil-example" in h]
    assert portal + paths["rpt-2023"] not in off.links()          # the original now leads off-site: not linked
    copy = Page(out / "archive/rpt-2022/index.html")
    assert "javascript:alert(4)" in copy.text() and "点此查看附件" in copy.text()   # text, not links


@pytest.mark.parametrize("name, document, field, value", [
    ("checks.json", "consult-bizenv-2022", "new_url", "javascript:alert(document.domain)"),
    ("checks.json", "consult-bizenv-2022", "new_url", "https://evil-example.com/"),
    ("index.json", "rpt-2022", "final_url", "javascript:alert(document.domain)"),
    ("index.json", "rpt-2022", "final_url", "https://evil-example.com/rpt-2022.html"),
    ("index.json", "rpt-2022", "url", "javascript:alert(document.domain)"),
])
def test_a_hostile_archive_file_cannot_put_a_script_or_foreign_link_on_the_copy_page(
        archived, tmp_path, name, document, field, value):
    """Nothing is built: the build refuses with a Chinese message naming the file and its line."""
    project = copy_project(tmp_path / "project", archived[0] / "data")
    shutil.copytree(archived[0] / "archive", project / "archive")
    path = project / "archive" / name
    content = json.loads(path.read_text(encoding="utf-8"))
    entry = content["documents"][document]
    (entry[0] if isinstance(entry, list) else entry)[field] = value
    text = json.dumps(content, ensure_ascii=False, indent=1)
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "site"
    built = build_local(project, out)
    block = text.index(f'"{document}"')
    line = text[:block].count("\n") + next(n for n, l in enumerate(text[block:].splitlines(), 1) if f'"{field}"' in l)
    assert built.returncode == 1 and f"archive/{name}:{line}:" in built.stderr and "Traceback" not in built.stderr
    assert not (out / "archive").exists()
