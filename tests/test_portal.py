"""One portal, many lists: three fictional lists (tests/fixtures) built by `make build` as one portal, once for the
module; each list is the site a single build makes, and the portal's own pages show what each list computed."""

import csv
import datetime as dt
import functools
import http.server
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

import frictionless
import pytest
import yaml
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

from dutylist import portal
from dutylist.cli import main
from helpers import REFERENCE_DATE, ROOT, Server, build, copy_project, free_port, serve_env, wait_for
from test_cli_messages import assert_chinese_only
from test_pipelines import TARGETS

VENV = Path(sys.executable).parent.parent   # this test run's environment; make -o: do not reinstall it
EPOCH = "1795000000"                         # file dates (sitemap) the same for every build here
LISTS = {"nizhi": ("articles", "拟制市"), "water": ("department-table", "样例县水务局"),
         "fanli": ("party-government", "范例市")}   # fanli registers no obligation
PORTAL_NAME = "虚构省法治建设第一责任人职责清单公示平台"
ON = dt.date.fromisoformat(REFERENCE_DATE)


def write_portal(project: Path, lists: dict, name: str = PORTAL_NAME, extra: str = "") -> None:
    entries = "".join(f"  - slug: {json.dumps(slug)}\n    name: {json.dumps(label, ensure_ascii=False)}\n"
                      for slug, (_, label) in lists.items())
    (project / "portal.yaml").write_text(f"name: {json.dumps(name, ensure_ascii=False)}\n{extra}lists:\n{entries}",
                                         encoding="utf-8")


def portal_project(target: Path, lists: dict = LISTS) -> Path:
    """The project's code, its Makefile, and lists/<slug>/data/ from the fixtures instead of data/."""
    project = copy_project(target)
    shutil.rmtree(project / "data")
    for name in ("Makefile", "requirements.txt", "pyproject.toml"):
        shutil.copy(ROOT / name, project / name)
    for slug, (fixture, _) in lists.items():
        shutil.copytree(ROOT / "tests/fixtures" / fixture / "data", project / "lists" / slug / "data")
    write_portal(project, lists)
    return project


def make(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "-s", "-o", f"{VENV}/.runtime", f"VENV={VENV}", f"REFERENCE_DATE={REFERENCE_DATE}", *args],
                          cwd=project, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": EPOCH})


@pytest.fixture(scope="module")
def portal_site(tmp_path_factory):
    project = portal_project(tmp_path_factory.mktemp("portal") / "project")
    result = make(project, "build", "WORKERS=2")
    assert result.returncode == 0, result.stdout + result.stderr
    return project / "site"


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_same_files(a: Path, b: Path) -> None:
    left, right = files(a), files(b)
    assert left.keys() == right.keys()
    assert [path for path in left if left[path] != right[path]] == []


def element(html: str, tag: str, attribute: str) -> str:
    """The outer HTML of the first `tag` element whose start tag holds `attribute` (nested same tags counted)."""
    start = re.search(rf"<{tag}\b[^>]*{re.escape(attribute)}[^>]*>", html)
    assert start, f"no <{tag} {attribute}>"
    depth, position = 0, start.start()
    for found in re.finditer(rf"<(/?){tag}\b[^>]*>", html[position:]):
        depth += -1 if found[1] else 1
        if depth == 0:
            return html[position:position + found.end()]
    raise AssertionError(f"<{tag} {attribute}> is not closed")


def text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html))


def counts(html: str) -> dict[str, str]:
    """A verdict's figures, status by status, as the pages mark them."""
    return dict(re.findall(r'data-status="([a-z-]+)">(\d+)<', html))


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


# --- each list is its own site ------------------------------------------------------------------------------


def test_each_list_is_exactly_the_site_a_single_build_makes_of_its_data(portal_site, tmp_path):
    single = copy_project(tmp_path / "single", data=ROOT / "tests/fixtures/department-table/data")
    result = build(single, tmp_path / "out", SOURCE_DATE_EPOCH=EPOCH)
    assert result.returncode == 0, result.stderr
    assert_same_files(tmp_path / "out", portal_site / "water")


def test_a_repository_with_only_data_builds_byte_identically_to_a_plain_build(tmp_path):
    """No portal.yaml: `make build` is the plain strict build it always was, file for file."""
    project = copy_project(tmp_path / "project", data=ROOT / "tests/fixtures/zone-parts/data")
    for name in ("Makefile", "requirements.txt", "pyproject.toml"):
        shutil.copy(ROOT / name, project / name)
    made = make(project, "build")
    assert made.returncode == 0, made.stdout + made.stderr
    plain = build(project, tmp_path / "plain", SOURCE_DATE_EPOCH=EPOCH)
    assert plain.returncode == 0, plain.stderr
    assert_same_files(project / "site", tmp_path / "plain")


# --- the portal's pages show what each list computed -------------------------------------------------------------


def test_home_gives_each_list_the_verdict_its_own_home_leads_with(portal_site):
    home = read(portal_site / "index.html")
    assert PORTAL_NAME in text(element(home, "article", "md-content__inner"))
    for slug in ("nizhi", "water"):
        row = element(home, "tr", f'data-list="{slug}"')
        own = element(read(portal_site / slug / "index.html"), "section", 'class="dl-latest"')
        assert re.search(r'data-year="(\d+)"', row)[1] == re.search(r'data-year="(\d+)"', own)[1]
        assert counts(row) and counts(row) == counts(own)
    row = element(home, "tr", 'data-list="fanli"')   # no obligation registered: says so, no figure at all
    assert "尚未登记该清单要求公开的事项" in text(row) and not counts(row) and "data-year" not in row
    assert 'class="dl-latest"' not in read(portal_site / "fanli/index.html")


def test_comparison_sets_each_lists_statuses_side_by_side_year_by_year(portal_site):
    compare = read(portal_site / "compare/index.html")
    assert re.findall(r'<table data-portal="compare" data-year="(\d+)"', compare) == ["2025", "2024", "2023"]
    for year in (2025, 2024, 2023):
        table = element(compare, "table", f'data-year="{year}"')
        for slug in ("nizhi", "water"):
            row = element(table, "tr", f'data-list="{slug}"')
            own = portal_site / slug / f"years/{year}/index.html"
            if own.exists():   # the figures of the list's own year page
                assert counts(row) == counts(element(read(own), "p", 'class="dl-verdict-words"'))
            else:              # a year the list has no record of: said, not judged
                assert "本站未收录该清单 2023 年度的进展记录" in text(row) and not counts(row)
        assert "尚未登记" in text(element(table, "tr", 'data-list="fanli"'))
    water_2024 = text(element(element(compare, "table", 'data-year="2024"'), "tr", 'data-list="water"'))
    assert "上一年度法治建设情况报告：✓按时公开" in water_2024
    nizhi_2023 = text(element(element(compare, "table", 'data-year="2023"'), "tr", 'data-list="nizhi"'))
    assert "实施办法发布前" in nizhi_2023 and "（未计入评判）" in nizhi_2023   # the list's own word for itself


def test_combined_statuses_are_every_lists_own_rows_with_a_list_column(portal_site):
    def rows(path):
        with path.open(encoding="utf-8-sig", newline="") as table:
            return list(csv.DictReader(table))
    expected = [{"list": slug, "list_name": name, **row}
                for slug, (_, name) in LISTS.items() for row in rows(portal_site / slug / "data/statuses.csv")]
    assert rows(portal_site / "data/statuses.csv") == expected and {r["list"] for r in expected} == {"nizhi", "water"}
    report = frictionless.validate(str(portal_site / "data/datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    package = json.loads(read(portal_site / "data/datapackage.json"))
    assert package["reference_date"] == REFERENCE_DATE and len(package["sources"]) == 3


def test_names_from_portal_yaml_are_shown_as_text(portal_site, tmp_path, monkeypatch, capsys):
    hostile = '<img src=x onerror=alert(1)>"区'
    project = tmp_path / "project"
    shutil.copytree(portal_site.parent, project, symlinks=True)
    write_portal(project, {**LISTS, "water": ("department-table", hostile)}, name="门户<script>alert(1)</script>")
    monkeypatch.chdir(project)
    monkeypatch.setenv("REFERENCE_DATE", REFERENCE_DATE)
    assert main(["assemble", "--site", "site"]) == 0, capsys.readouterr().err
    for page in ("index.html", "compare/index.html", "data/index.html", "404.html"):
        html = read(project / "site" / page)
        assert "<img src=x" not in html and "<script>alert(1)" not in html, page
    assert "&lt;img src=x onerror=alert(1)&gt;&#34;区" in read(project / "site/index.html")
    index = json.loads(read(project / "site/search/search_index.json"))
    titles = [d["title"] for d in index["docs"] if d["location"].startswith("water/") and "#" not in d["location"]]
    assert titles and all(t.startswith("【\u200b&lt;img src=x onerror=alert(1)&gt;&#34;区\u200b】") for t in titles)


# --- check across lists: every problem named, nothing half-built ------------------------------------------------


@pytest.fixture
def small_portal(tmp_path):
    """Two small lists: enough for every cross-list check, cheap to check."""
    return portal_project(tmp_path / "project", {"water": LISTS["water"], "fanli": LISTS["fanli"]})


def check(project: Path, monkeypatch, capsys) -> tuple[int, str]:
    monkeypatch.chdir(project)
    monkeypatch.setenv("REFERENCE_DATE", REFERENCE_DATE)
    code = main(["check"])
    return code, capsys.readouterr().err


def test_check_passes_a_good_portal(small_portal, monkeypatch, capsys):
    monkeypatch.chdir(small_portal)
    monkeypatch.setenv("REFERENCE_DATE", REFERENCE_DATE)
    assert main(["check"]) == 0 and "门户检查通过：2 份清单（样例县水务局、范例市）" in capsys.readouterr().out


def test_the_editors_guide_example_portal_file_passes_check(small_portal):
    guide = read(ROOT / "EDITING.md")
    examples = [block.split("```")[0] for block in guide.split("```yaml\n")[1:]]
    example = next(e for e in examples if "lists" in yaml.safe_load(e))
    (small_portal / "portal.yaml").write_text(example, encoding="utf-8")
    shutil.rmtree(small_portal / "lists")
    for slug in ("city", "zhanqian-qu"):
        shutil.copytree(ROOT / "tests/fixtures/partial/data", small_portal / "lists" / slug / "data")
    assert portal.load(small_portal).slugs == ["city", "zhanqian-qu"]


@pytest.mark.parametrize("slug, message", [
    ("../etc", "portal.yaml:3:5: 字段 lists[0].slug：清单标识“../etc”不能用作目录名和网址"),
    ("Water", "portal.yaml:3:5: 字段 lists[0].slug：清单标识“Water”不能用作目录名和网址"),
    ("data", "portal.yaml:3:5: 字段 lists[0].slug：清单标识“data”与门户自己的目录重名"),
    ("fanli", "portal.yaml:5:5: 字段 lists[1].slug：清单标识“fanli”重复（第 1 份清单已用）"),
])
def test_a_slug_is_a_folder_name_checked_before_it_names_any_path(small_portal, monkeypatch, capsys, slug, message):
    text = (small_portal / "portal.yaml").read_text(encoding="utf-8")
    (small_portal / "portal.yaml").write_text(text.replace('slug: "water"', f'slug: "{slug}"'), encoding="utf-8")
    code, err = check(small_portal, monkeypatch, capsys)
    assert code == 1 and message in err, err
    assert "小写字母" in err or "换一个标识" in err or "删除重复的一项" in err


def test_the_portal_file_and_the_lists_folder_must_agree(small_portal, monkeypatch, capsys):
    shutil.move(small_portal / "lists/fanli", small_portal / "lists/orphan")   # registered fanli has no folder now
    (small_portal / "data").mkdir()
    code, err = check(small_portal, monkeypatch, capsys)
    assert code == 1
    assert "portal.yaml:5:5: 字段 lists[1].slug：找不到 lists/fanli/ — 请创建 lists/fanli/data/" in err, err
    assert "lists/orphan/:1:1: 该目录未在 portal.yaml 中登记，不会被构建或发布 — 请在 portal.yaml 的 lists 中加上一项" in err
    assert "data/:1:1: 本仓库有 portal.yaml" in err


def test_a_lists_data_error_names_the_list_and_its_file_and_stops_the_build(small_portal, monkeypatch, capsys):
    list_file = small_portal / "lists/water/data/list.yaml"
    list_file.write_text(read(list_file).replace("published: 2024-03-15", "published: 2024-13-15"), encoding="utf-8")
    code, err = check(small_portal, monkeypatch, capsys)
    assert code == 1 and re.search(r"lists/water/data/list\.yaml:\d+:\d+: 字段 published：", err), err
    assert "未通过检查的清单：「样例县水务局」（lists/water/）" in err
    (small_portal / "site").mkdir()
    (small_portal / "site/live.txt").write_text("the site built before")
    made = make(small_portal, "build")
    assert made.returncode != 0 and "未通过检查的清单：「样例县水务局」（lists/water/）" in made.stderr
    assert os.listdir(small_portal / "site") == ["live.txt"] and not (small_portal / "site.new/index.html").exists()
    assert_chinese_only(made.stderr)


@pytest.mark.parametrize("args", [["build-list"], ["build-list", "LIST=../x"], ["build-list", "LIST=nowhere"],
                                  ["serve", "LIST=nowhere"]], ids=" ".join)
def test_one_list_is_named_by_its_slug_and_nothing_else(small_portal, args):
    result = make(small_portal, *args)
    assert result.returncode != 0 and not (small_portal / "site").exists()
    assert_chinese_only(result.stderr)


def test_a_list_whose_build_fails_stops_the_portal_after_every_list_was_tried(small_portal, tmp_path, monkeypatch):
    tried = []

    def build_list(found, slug, out, env):
        tried.append(slug)
        if slug == "water":
            raise portal.BuildError(f"清单{portal.shown(found.entry(slug))}构建失败：……")
        out.mkdir(parents=True)
    monkeypatch.setattr(portal, "build_list", build_list)
    with pytest.raises(portal.BuildError) as failed:
        portal.build(portal.load(small_portal), tmp_path / "out", ON, workers=2)
    assert "清单「样例县水务局」（lists/water/）构建失败" in str(failed.value) and "门户没有生成" in str(failed.value)
    assert sorted(tried) == ["fanli", "water"] and not (tmp_path / "out/index.html").exists()


def test_assembly_refuses_a_list_not_built_or_built_on_another_day(portal_site, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(portal_site, site, ignore=shutil.ignore_patterns("water"))
    package = site / "nizhi/data/datapackage.json"
    package.write_text(read(package).replace(f'"reference_date": "{REFERENCE_DATE}"', '"reference_date": "2026-12-04"'))
    (site / "stale").mkdir()
    with pytest.raises(portal.AssemblyError) as refused:
        portal.read_built(portal.load(portal_site.parent), site, ON)
    message = str(refused.value)
    assert "清单「样例县水务局」（lists/water/）没有完整的构建结果" in message and "make build-list LIST=water" in message
    assert "清单「拟制市」（lists/nizhi/）的状态计算截至 2026-12-04，本次汇总截至 2026-12-05" in message
    assert "site/stale：门户没有登记这个目录" in message


# --- one release ---------------------------------------------------------------------------------------------------


def test_the_portal_deploys_as_one_release_and_never_half_built(portal_site, tmp_path, monkeypatch, capsys):
    web = tmp_path / "web"
    monkeypatch.chdir(portal_site.parent)
    monkeypatch.setenv("REFERENCE_DATE", REFERENCE_DATE)
    assert main(["deploy", "--site", str(portal_site), "--target", str(web)]) == 0, capsys.readouterr().err
    manifest = read(web / "current/.release-manifest")
    assert all(f"{slug}/index.html" in manifest for slug in LISTS) and "compare/index.html" in manifest
    assert "water/duties/5/index.html" in manifest and (web / "current/water/duties/5/index.html").is_file()
    live = os.readlink(web / "current")
    partial = tmp_path / "partial"
    shutil.copytree(portal_site, partial, ignore=shutil.ignore_patterns("fanli"))
    capsys.readouterr()
    assert main(["deploy", "--site", str(partial), "--target", str(web)]) == 1
    assert "fanli/index.html：缺少该文件" in capsys.readouterr().err and os.readlink(web / "current") == live
    assert main(["deploy", "--site", str(portal_site), "--target", str(web), "--require-site-url"]) == 1
    assert "portal.yaml 没有填写 site_url" in capsys.readouterr().err and os.readlink(web / "current") == live


# --- the editor's preview of one list --------------------------------------------------------------------------------


def test_make_serve_previews_one_list_of_the_portal(portal_site):
    project = portal_site.parent
    asked = make(project, "serve")
    assert asked.returncode == 2 and "请指定要预览的清单，如 make serve LIST=" in asked.stderr
    port = free_port()
    server = Server(["make", "-s", "serve", f"VENV={VENV}", f"SERVE_ADDR=127.0.0.1:{port}", "LIST=water",
                     "-o", f"{VENV}/.runtime"], project, port, serve_env(project))
    list_file = project / "lists/water/data/list.yaml"
    good = read(list_file)
    try:
        assert wait_for(server.base + "duties/5/", "落实行政执法公示制度"), server.output[-3000:]
        list_file.write_text(good.replace("落实行政执法公示制度。", "落实行政执法公示制度（预览中的修改）。"), encoding="utf-8")
        assert wait_for(server.base + "duties/5/", "预览中的修改"), server.output[-3000:]   # saved: rebuilt
    finally:
        list_file.write_text(good, encoding="utf-8")
        server.stop(signal.SIGTERM)
        server.kill()


# --- in chromium ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def visit(portal_site):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(portal_site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    hosts = set()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": 1280, "height": 900})

        def open_page(path: str = ""):
            tab = context.new_page()
            tab.on("request", lambda request: hosts.add(urlsplit(request.url).hostname))
            tab.goto(base + path)
            return tab
        open_page.base = base
        yield open_page
        browser.close()
    server.shutdown()
    assert hosts <= {"127.0.0.1"}, hosts


def test_browser_comparison_page_shows_every_list_per_year(visit):
    tab = visit("compare/")
    assert tab.locator("h1").first.inner_text().startswith("各清单对比")
    rows = tab.locator("table[data-year='2024'] tbody tr")
    assert rows.count() == 3
    water = tab.locator("table[data-year='2024'] tr[data-list='water']")
    assert water.is_visible() and "按时公开" in water.inner_text()
    water.locator("a").first.click()
    tab.wait_for_url("**/water/")
    assert "样例县水务局主要负责人履行推进法治建设第一责任人职责清单" in tab.locator("h1").first.inner_text()


def test_browser_combined_search_finds_an_item_of_each_list_and_names_the_list(visit):
    tab = visit()
    box = tab.locator("input.md-search__input")
    box.click()
    box.fill("发展总体规划")   # in an item of every one of the three lists
    box.press("End")
    tab.locator(".md-search-result__item").first.wait_for(timeout=15000)
    found = {}
    for item in tab.locator(".md-search-result__item").all():
        href = item.locator("a").first.get_attribute("href")
        heading = item.locator("h1").inner_text().replace("\u200b", "")
        found.setdefault(urlsplit(href).path.strip("/").split("/")[0], []).append((urlsplit(href).path, heading))
    for slug, (_, name) in LISTS.items():
        items = [(path, heading) for path, heading in found.get(slug, []) if "/duties/" in path]
        assert items and all(heading.startswith(f"【{name}】") for _, heading in items), found
    tab.locator(".md-search-result__item a[href*='/water/duties/1/']").first.click()
    tab.wait_for_url("**/water/duties/1/**")
    assert "把法治建设纳入本局发展总体规划和年度工作计划" in tab.locator("article").inner_text()


def test_browser_each_list_keeps_its_own_pages_and_search(visit):
    for slug, (_, name) in LISTS.items():
        tab = visit(f"{slug}/")
        assert tab.locator("h1").first.is_visible()
        tab.locator(".md-tabs__link, .md-nav__link").filter(has_text="年度进展").first.wait_for(state="attached")
    tab = visit("nizhi/")
    box = tab.locator("input.md-search__input")
    box.click()
    box.fill("发展总体规划")
    box.press("End")
    tab.locator(".md-search-result__item").first.wait_for(timeout=15000)
    hrefs = [a.get_attribute("href") for a in tab.locator(".md-search-result__item a").all()]
    assert hrefs and all("/nizhi/" in h for h in hrefs), hrefs   # a list's own search stays in the list
    tab.goto(visit.base + "nizhi/duties/")
    assert "党政主要负责人应当把法治建设纳入本地区发展总体规划" in tab.locator("article").inner_text()


# --- CI: one job per list, one assembly ------------------------------------------------------------------------------


def test_the_matrix_form_one_job_per_list_then_one_assembly_makes_the_same_portal(portal_site, tmp_path):
    """What the CI examples do: `make portal-plan`, `make build-list` in a job of its own per list (here one list;
    the other jobs' artifacts are copied), then `make assemble` on everything gathered."""
    project = tmp_path / "project"
    shutil.copytree(portal_site.parent, project, ignore=shutil.ignore_patterns("site"))
    planned = make(project, "portal-plan")
    assert planned.returncode == 0 and read(project / "portal-plan.env") == f"REFERENCE_DATE={REFERENCE_DATE}\n"
    assert 'lists=["nizhi", "water", "fanli"]' in planned.stdout
    built = make(project, "build-list", "LIST=water")
    assert built.returncode == 0, built.stderr
    assert os.listdir(project / "site") == ["water"] and not (project / "site.new").exists()
    for slug in ("nizhi", "fanli"):   # the other jobs' artifacts
        shutil.copytree(portal_site / slug, project / "site" / slug)
    assembled = make(project, "assemble")
    assert assembled.returncode == 0, assembled.stderr
    assert_same_files(project / "site", portal_site)


def test_ci_examples_build_each_list_in_its_own_job_and_assemble_once():
    gitlab = yaml.safe_load(read(ROOT / "ci/portal.gitlab-ci.yml"))
    github = yaml.safe_load(read(ROOT / "ci/portal-github.yml"))
    runs = [line for job in gitlab.values() if isinstance(job, dict) for line in job.get("script", [])]
    runs += [step["run"] for job in github["jobs"].values() for step in job["steps"] if "run" in step]
    assert all(re.fullmatch(r"make ([a-z-]+)", line)[1] in TARGETS for line in runs), runs
    assert gitlab["build-list"]["parallel"]["matrix"][0]["LIST"] and gitlab["build-list"]["script"] == ["make build-list"]
    assert gitlab["assemble"]["needs"] == ["plan", "build-list"] and gitlab["assemble"]["script"] == ["make assemble"]
    assert gitlab["plan"]["artifacts"]["reports"]["dotenv"] == "portal-plan.env"
    assert gitlab["deploy"]["needs"] == ["plan", "assemble"] and gitlab["deploy"]["script"] == ["make deploy"]
    assert [name for name, job in gitlab.items() if isinstance(job, dict) and "environment" in job] == ["deploy"]
    jobs = github["jobs"]
    assert jobs["build-list"]["strategy"]["matrix"]["list"] == "${{ fromJSON(needs.plan.outputs.lists) }}"
    assert any(s.get("with", {}).get("pattern") == "list-*" for s in jobs["assemble"]["steps"])
    assert [name for name, job in jobs.items() if "secrets." in yaml.safe_dump(job)] == ["deploy"]


def test_combined_feed_holds_every_lists_entries_each_named_by_its_list(portal_site):
    atom = {"a": "http://www.w3.org/2005/Atom"}

    def entries(path):
        return ET.parse(path).getroot().findall("a:entry", atom)
    combined = entries(portal_site / "feed.xml")
    own = {slug: entries(portal_site / slug / "feed.xml") for slug in LISTS}
    assert len(combined) == sum(map(len, own.values())) and all(own.values())
    names = "|".join(name for _, name in LISTS.values())
    assert all(re.match(f"【({names})】", e.find("a:title", atom).text) for e in combined)
    assert len({e.find("a:id", atom).text for e in combined}) == len(combined)
    updated = [e.find("a:updated", atom).text for e in combined]
    assert updated == sorted(updated, reverse=True)


@pytest.mark.parametrize("path", ["", "compare/", "data/"])
def test_browser_portal_pages_pass_axe_wcag_21_aa(visit, path):
    tab = visit(path)
    result = Axe().run(tab, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
    assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in result.response["violations"]] == []
