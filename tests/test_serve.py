"""Editors' live preview: `mkdocs serve` picks up data edits, rebuilds once per save, shows data errors as a page."""

from collections import Counter
import html
import os
import shutil
import socket
import subprocess
import sys
import time

import pytest

from helpers import ROOT, build, copy_project, fetch, serve, serve_env, wait_for


@pytest.fixture
def served(tmp_path):
    server = serve(copy_project(tmp_path / "project"))
    assert wait_for(server.base + "duties/1/", "第1项"), server.output[-3000:]
    yield tmp_path / "project", server
    server.stop()


def test_serve_reloads_data_edits_and_new_items(served):
    project, server = served
    base = server.base
    assert wait_for(base + "duties/1/", "制定年度法治政府建设十项重点任务")
    progress = project / "data/progress/2025.yaml"
    progress.write_text(progress.read_text(encoding="utf-8").replace("制定年度法治政府建设十项重点任务", "编者刚改的摘要：制定年度", 1),
                        encoding="utf-8")
    assert wait_for(base + "duties/1/", "编者刚改的摘要")
    duty_list = project / "data/list.yaml"
    duty_list.write_text(duty_list.read_text(encoding="utf-8") + "    - number: 28\n      short: 新增条目\n"
                         "      text: 这是编者在预览中新增的第二十八项。\n", encoding="utf-8")
    assert wait_for(base + "duties/28/", "这是编者在预览中新增的第二十八项。")
    assert "第28项 新增条目" in fetch(base + "duties/27/")
    about = project / "docs/about.md"
    about.write_text(about.read_text(encoding="utf-8") + "\n编者在说明页新增的一句话。\n", encoding="utf-8")
    assert wait_for(base + "about/", "编者在说明页新增的一句话。")
    footer = project / "overrides/partials/copyright.html"  # a theme template: compiled templates are reused
    footer.write_text(footer.read_text(encoding="utf-8") + "<p>页脚模板的新改动</p>\n", encoding="utf-8")
    assert wait_for(base + "duties/1/", "页脚模板的新改动")


def test_one_save_one_rebuild(served):
    """Saving a file, even with the same content, rebuilds the site once; the build's own reads of the
    watched files do not start another build, and neither does `touch` (it changes no content)."""
    project, server = served
    time.sleep(2)   # the first build's reads are over
    before = server.count("Building documentation")
    site = project / "data/site.yaml"
    site.touch()
    time.sleep(3)
    assert server.count("Building documentation") == before, server.output[-3000:]
    site.write_text(site.read_text(encoding="utf-8"), encoding="utf-8")
    time.sleep(10)
    assert server.count("Building documentation") - before == 1, server.output[-3000:]
    assert server.output.rstrip().endswith("Reloading browsers"), server.output[-3000:]


def check_messages(data) -> list[str]:
    result = subprocess.run([sys.executable, "-m", "dutylist", "--data", str(data), "check"], capture_output=True,
                            text=True)
    assert result.returncode == 1
    return [line for line in result.stderr.splitlines() if line.strip()]


def test_broken_data_shows_the_check_messages_in_the_browser_until_fixed(served):
    project, server = served
    duty_list = project / "data/list.yaml"
    good = duty_list.read_text(encoding="utf-8")
    duty_list.write_text(good.replace("number: 5\n", "number: 五\n", 1), encoding="utf-8")
    messages = check_messages(project / "data")
    assert messages[0].startswith("data/list.yaml:")
    assert wait_for(server.base, "网站未能生成"), server.output[-3000:]
    for page in ("", "duties/1/", "about/"):   # every page, at once
        text = fetch(server.base + page, timeout=1)
        assert text is not None, f"/{page} did not answer within a second"
        text = html.unescape(text)
        assert "网站未能生成" in text and "/livereload/" in text
        assert all(message in text for message in messages), text
    assert server.count(messages[0]) == 1, server.output[-3000:]   # the terminal says it once, not once per request
    assert fetch(server.base + "livereload/0/0", timeout=1).isdigit()   # the page's reload script still polls

    duty_list.write_text(good, encoding="utf-8")
    assert wait_for(server.base + "duties/5/", "第5项"), server.output[-3000:]
    assert "网站未能生成" not in fetch(server.base)


def test_an_open_tab_shows_the_error_page_and_comes_back_by_itself(served):
    """In a real browser, without touching it: a bad save turns the open page into the error page, the fix
    turns it back into the site."""
    from playwright.sync_api import sync_playwright

    from test_browser import CHROMIUM, FLAGS

    project, server = served
    duty_list = project / "data/list.yaml"
    good = duty_list.read_text(encoding="utf-8")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            tab = browser.new_page()
            tab.goto(server.base + "duties/5/")
            tab.wait_for_function("() => document.readyState === 'complete'")
            duty_list.write_text(good.replace("number: 5\n", "number: 五\n", 1), encoding="utf-8")
            tab.get_by_text("data/list.yaml:", exact=False).first.wait_for(timeout=30000)
            assert tab.locator("h1").inner_text() == "网站未能生成"
            duty_list.write_text(good, encoding="utf-8")
            tab.locator("h1", has_text="第5项").wait_for(timeout=30000)
        finally:
            browser.close()


def test_build_output_is_what_an_editor_needs(tmp_path):
    result = build(ROOT, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert not [line for line in lines if "[macros]" in line]
    assert len(lines) <= 3 and "Documentation built" in lines[-1], lines


def test_every_failed_save_shows_its_messages_even_when_repeated(served):
    """A broken save, the same save again, another mistake, the first one again, then the fix: the open tab shows
    each build's own messages, and the terminal prints them once per save (MkDocs prints a message once per
    process unless told otherwise)."""
    from playwright.sync_api import sync_playwright

    from test_browser import CHROMIUM, FLAGS

    project, server = served
    duty_list = project / "data/list.yaml"
    good = duty_list.read_text(encoding="utf-8")
    not_a_number = good.replace("number: 5\n", "number: 五\n", 1)
    full_width_colon = good.replace("jurisdiction: 营口市", "jurisdiction：营口市", 1)
    expected = {}
    checked = shutil.copytree(project / "data", project.parent / "checked")   # outside the watched folder
    for broken in (not_a_number, full_width_colon):
        (checked / "list.yaml").write_text(broken, encoding="utf-8")
        expected[broken] = check_messages(checked)
    saved = Counter()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            tab = browser.new_page()
            tab.goto(server.base + "duties/5/")
            for broken in (not_a_number, not_a_number, full_width_colon, not_a_number):
                tab.evaluate("window.dlBeforeSave = true")   # gone once the page has reloaded
                duty_list.write_text(broken, encoding="utf-8")
                saved[broken] += 1
                tab.wait_for_function("() => !window.dlBeforeSave && document.readyState === 'complete'",
                                      timeout=60000)
                shown = tab.locator("main").inner_text()
                assert tab.locator("h1").inner_text() == "网站未能生成"
                assert all(message in shown for message in expected[broken]), shown
                assert "Abort" not in shown and "BuildError" not in shown, shown
                first = expected[broken][0]
                assert server.count(first) == saved[broken], server.output[-3000:]
            duty_list.write_text(good, encoding="utf-8")
            tab.locator("h1", has_text="第5项").wait_for(timeout=60000)
        finally:
            browser.close()


def test_preview_started_on_broken_data_serves_the_error_page_until_fixed(tmp_path):
    """Data already wrong when the preview starts: the preview starts anyway, on the error page, and the terminal
    shows the Chinese messages, not MkDocs' English abort."""
    project = copy_project(tmp_path / "project")
    duty_list = project / "data/list.yaml"
    good = duty_list.read_text(encoding="utf-8")
    duty_list.write_text(good.replace("number: 5\n", "number: 五\n", 1), encoding="utf-8")
    checked = shutil.copytree(project / "data", tmp_path / "checked")
    messages = check_messages(checked)
    server = serve(project)
    try:
        assert wait_for(server.base + "duties/1/", "网站未能生成"), server.output[-3000:]
        shown = html.unescape(fetch(server.base))
        assert all(message in shown for message in messages), shown
        assert server.process.poll() is None
        assert all(server.count(message) == 1 for message in messages), server.output
        assert "Abort" not in server.output and "Traceback" not in server.output, server.output
        duty_list.write_text(good, encoding="utf-8")
        assert wait_for(server.base + "duties/5/", "第5项"), server.output[-3000:]
    finally:
        server.stop()


def test_a_second_preview_on_a_busy_port_says_so_in_chinese(tmp_path):
    """The port is taken (here by this test's own socket): one Chinese message naming the holder and the way to
    another port, no traceback, no temporary folder left behind."""
    project = copy_project(tmp_path / "project")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"], cwd=project,
                                env=serve_env(project), capture_output=True, text=True, timeout=120)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert f"端口 {port} 已被占用" in output and f"进程 {os.getpid()}" in output, output
    assert f"make serve SERVE_ADDR=127.0.0.1:{port + 1}" in output, output
    assert "Traceback" not in output and "Error" not in output, output
    assert output.rstrip().endswith(f"SERVE_ADDR=127.0.0.1:{port + 1}"), output
    assert not list((tmp_path / "tmp").glob("mkdocs_*"))
