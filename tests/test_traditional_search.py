"""Traditional and simplified forms of a query find the same pages: the index keeps the text as published, is
segmented as its simplified form, and the search worker maps every indexed word and every query to that form with
OpenCC's table (dutylist/search.py)."""

import functools
import http.server
import threading
from pathlib import Path

import jieba
import material
import pytest
from playwright.sync_api import sync_playwright

from dutylist.search import (SIMPLIFIED_FIXES, fixed_worker, simplified, simplified_table, simplified_worker,
                             tile_compounds, worker_table)
from helpers import ROOT, build, copy_project

WORKERS = Path(material.__file__).parent / "templates/assets/javascripts/workers"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic"]


def test_traditional_characters_map_one_for_one_and_simplified_text_stays():
    assert simplified("深刻領悟「兩個確立」的決定性意義") == "深刻领悟「两个确立」的决定性意义"
    assert simplified("支持行政复议工作，带头履行行政复议决定。") == "支持行政复议工作，带头履行行政复议决定。"
    table = simplified_table()
    assert len(table) > 4000 and all(len(target) == 1 and ord(target) not in table for target in table.values())


def test_traditional_text_is_segmented_as_its_simplified_form_and_indexed_as_published():
    tile_compounds()
    text = "重大決策事項經合法性審查後作出"
    words = list(jieba.cut(text.encode("utf-8")))   # as the theme's indexer calls it
    assert "".join(words) == text   # the index holds the published characters
    assert "決策" in words and "事項" in words   # word boundaries of 重大决策事项经…, not 事/項經


def test_the_worker_gets_only_the_pairs_the_site_can_use_and_a_second_build_replaces_them():
    assert "錄录" in worker_table("本站收录的文件")   # a simplified site answers a traditional query too
    pairs = worker_table("两个确立")
    assert "兩两" in pairs and "個个" in pairs and "確确" in pairs and "環" not in pairs
    [worker] = WORKERS.glob("search.*.min.js")
    once = simplified_worker(fixed_worker(worker.read_text(encoding="utf-8")), pairs)
    assert once.startswith('"use strict";/*dl-hans*/') and all(after in once for _, after in SIMPLIFIED_FIXES)
    again = simplified_worker(once, "環环")
    assert again.count("/*dl-hans*/") == 1 and '"環环"' in again and "兩两" not in again
    assert simplified_worker("self.lunr=function(){};", pairs) is None   # another theme version: left alone


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        yield browser
        browser.close()


def serve(folder: Path):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def search_in(browser, site, tmp_path_factory):
    """search_in(site, query) -> result links, best first, as a reader gets them in chromium."""
    project = copy_project(tmp_path_factory.mktemp("project"), data=ROOT / "tests/fixtures/traditional/data")
    out = tmp_path_factory.mktemp("traditional-site")
    assert (result := build(project, out)).returncode == 0, result.stderr
    servers = {name: serve(folder) for name, folder in (("traditional", out), ("shipped", site))}
    context = browser.new_context()

    def search(name: str, query: str) -> list[str]:
        tab = context.new_page()
        tab.goto(f"http://127.0.0.1:{servers[name].server_address[1]}/")
        box = tab.locator("input.md-search__input")
        box.click()
        box.fill(query)
        box.press("End")
        tab.locator(".md-search-result__link").first.wait_for(timeout=15000)
        links = tab.locator(".md-search-result__link")
        found = [links.nth(i).get_attribute("href").split("127.0.0.1:")[1].split("/", 1)[1].split("?")[0]
                 for i in range(links.count())]
        marks = tab.locator(".md-search-result mark").all_inner_texts()
        tab.close()
        return found, marks

    yield search
    context.close()
    for server in servers.values():
        server.shutdown()


@pytest.mark.parametrize("query", ["两个确立", "兩個確立"])
def test_a_principle_in_traditional_script_is_found_in_either_form(search_in, query):
    found, marks = search_in("traditional", query)
    assert "parts/1/" in found
    assert {"兩個", "確立"} <= set(marks)   # the published characters are highlighted


@pytest.mark.parametrize("query", ["决策", "決策"])
def test_the_duty_ranks_first_whichever_form_is_typed(search_in, query):
    found, _ = search_in("traditional", query)
    assert found[0] == "duties/2-1/" and "groups/2/" in found[1:]   # the group page ranks below its duty


def test_a_traditional_query_finds_the_simplified_list(search_in):
    found, marks = search_in("shipped", "行政復議")
    assert found[0] == "duties/18/" and {"行政", "复议"} <= set(marks)
