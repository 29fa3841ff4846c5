"""Lists of other shapes, written as printed, each checked and built from data/ alone: every numbered duty has a page,
labels show as printed, text captured only in part says so, and nothing of another jurisdiction shows anywhere."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import xml.etree.ElementTree as ET

import pytest
import yaml

from dutylist.dataset import load_dataset
from dutylist.model import Search
from dutylist.problems import DataError
from helpers import REFERENCE_DATE, ROOT, Page, build, copy_project

FIXTURES = ROOT / "tests/fixtures"
# fixture -> (item keys in list order, printed labels in list order, pages with the "not captured" marker and how many)
SHAPES = {
    "department-table": ([str(n) for n in range(1, 8)], [f"{n}." for n in range(1, 8)], {}),
    "party-government": (["1-1", "1-2", "1-3", "2-1", "2-2"], ["（一）", "（二）", "（三）", "（一）", "（二）"], {}),
    "zone-parts": (["1", "2", "3", "4"], ["1.", "2.", "3.", "4."],
                   {"duties/index.html": 2, "parts/1/index.html": 1, "parts/3/index.html": 1}),
    "two-parts": (["1-1", "1-2", "2-1"], ["1.", "2.", "1."], {}),
    "partial": (["1", "2", "5"], ["1、", "2、", "5、"],
                {"duties/index.html": 2, "duties/2/index.html": 1}),
    "undated-table": ([str(n) for n in range(1, 6)], [f"{n}." for n in range(1, 6)], {}),
    # the copy breaks off inside item 3, the last of part 二: one mark where the text ends, not three in a row
    "repost": (["1", "2", "3"], ["（一）", "（二）", "（三）"],
               {"duties/index.html": 1, "parts/2/index.html": 1, "duties/3/index.html": 1}),
    "articles": (["3", "4", "5", "6"], ["第三条", "第四条", "第五条", "第六条"], {}),
    "traditional": (["1-1", "1-2", "2-1"], ["1.", "2.", "1."], {}),
}
JURISDICTIONS = {"department-table": "样例县", "party-government": "范例市", "zone-parts": "演示经济开发区",
                 "partial": "虚拟县", "two-parts": "示例县", "undated-table": "假设镇", "repost": "模拟县",
                 "articles": "拟制市", "traditional": "樣本鄉"}
# fixture -> {item key: (its name in titles, nav, matrix and pager; the part and group names the breadcrumb ends with)}
PRINTED_NAMES = {
    "department-table": {"3": ("第3项", ["一、组织领导"])},
    "party-government": {"1-1": ("二、（一）", ["二、市委主要负责人职责"]), "2-2": ("三、（二）", ["三、市政府主要负责人职责"])},
    "zone-parts": {"3": ("第3项 规范性文件审核", ["三、主要职责"])},
    "two-parts": {"2-1": ("二、（二）1.", ["二、主要职责", "（二）行政复议"])},
    "partial": {"5": ("第5项", [])},
    "undated-table": {"4": ("第4项", ["二、依法办事"])},
    "repost": {"3": ("二、（三）", ["二、具体职责"])},
    "articles": {"3": ("第三条", []), "6": ("第六条 述法", [])},
    "traditional": {"1-1": ("二、（一）1.", ["二、主要職責", "（一）組織領導"]),
                    "2-1": ("二、（二）1.", ["二、主要職責", "（二）依法決策"])},
}
# the shipped list's places and bodies, and words that assume a city government
SHIPPED = ["营口", "西市区", "鲅鱼圈", "盖州", "老边", "辽宁", "yingkou", "市政府本级", "行政复议", "市委法治建设办", "市政府"]
MARKER = "dl-truncated"
ATOM = "{http://www.w3.org/2005/Atom}"


def check(data: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dutylist", "--data", str(data), "check"], capture_output=True,
                          text=True, env={"REFERENCE_DATE": REFERENCE_DATE, "PATH": ""}, timeout=60)


def own_words(data: Path) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in data.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """Each fixture checked and built once for the module: name -> (check's result, the build's, the site)."""
    made = {}

    def made_for(name: str):
        if name not in made:
            data = FIXTURES / name / "data"
            project = copy_project(tmp_path_factory.mktemp("project"), data=data)
            out = tmp_path_factory.mktemp(f"site-{name}")
            made[name] = check(data), build(project, out), out
        return made[name]
    return made_for


@pytest.fixture(scope="module", params=list(SHAPES))
def shape(request, sites):
    name = request.param
    checked, built, out = sites(name)
    return name, FIXTURES / name / "data", checked, built, out


def site_of(sites, name: str) -> Path:
    checked, built, out = sites(name)
    assert checked.returncode == 0 and built.returncode == 0, checked.stderr + built.stderr
    return out


def test_check_and_build_agree_on_every_shape(shape):
    name, _, checked, built, _ = shape
    assert checked.returncode == 0, checked.stderr
    assert built.returncode == 0, built.stderr


def test_every_numbered_duty_has_its_page(shape):
    name, _, _, _, out = shape
    keys = SHAPES[name][0]
    assert sorted(p.parent.name for p in out.glob("duties/*/index.html")) == sorted(keys)
    listed = [e["attrs"]["href"].strip("/").split("/")[-1] for e in Page(out / "duties/index.html").find_all(cls="dl-number")]
    assert listed == keys
    titles = [Page(out / f"duties/{key}/index.html").text("h1") for key in keys]
    assert len(set(titles)) == len(keys), titles  # items numbered again in each group or part keep distinct names


def test_labels_show_exactly_as_printed(shape):
    name, data, _, _, out = shape
    keys, labels, _ = SHAPES[name]
    source = yaml.safe_load((data / "list.yaml").read_text(encoding="utf-8"))
    texts = [i["text"] for i in _items(source)]
    assert [e["text"] for e in Page(out / "duties/index.html").find_all(cls="dl-number")] == labels
    for key, label, text in zip(keys, labels, texts):
        quoted = Page(out / f"duties/{key}/index.html").text("blockquote")
        assert quoted.strip().startswith(label + text), key
    for part in source.get("parts", []):
        headings = [e["text"] for e in Page(out / "duties/index.html").find_all(cls="dl-part-heading")]
        assert part["label"] + part["heading"] in headings  # 一、 stays 一、, never 一、、


def test_text_captured_only_in_part_is_marked_where_it_ends(shape):
    name, _, _, _, out = shape
    found = {str(p.relative_to(out)): len(Page(p).find_all(cls=MARKER)) for p in out.rglob("*.html")}
    assert {page: n for page, n in found.items() if n} == SHAPES[name][2]
    for page in SHAPES[name][2]:
        assert "〔以下原文未收录〕" in Page(out / page).text()


def test_no_word_of_another_jurisdiction_anywhere(shape):
    name, data, _, _, out = shape
    own = own_words(data)
    foreign = [w for w in [*SHIPPED, *(j for n, j in JURISDICTIONS.items() if n != name)] if w not in own]
    assert JURISDICTIONS[name] in own and "市政府" in foreign or name == "party-government"
    files = [p for p in out.rglob("*") if p.suffix in (".html", ".json", ".xml", ".csv")]
    assert {"search/search_index.json", "feed.xml", "data/list.json", "data/list.csv", "data/list.schema.json"} <= {
        str(p.relative_to(out)) for p in files}
    for path in files:
        text = path.read_text(encoding="utf-8")
        # JSON may escape non-ASCII characters, HTML may use entities: compare what a reader gets
        text = json.dumps(json.loads(text), ensure_ascii=False) if path.suffix == ".json" else html.unescape(text)
        leaked = [w for w in foreign if w in text]
        assert not leaked, f"{path.relative_to(out)}: {leaked}"


def test_titles_and_breadcrumbs_name_each_item_as_printed(shape):
    name, _, _, _, out = shape
    for key, (title, holders) in PRINTED_NAMES[name].items():
        page = Page(out / f"duties/{key}/index.html")
        assert page.text("h1").strip("¶ \n") == title, key
        assert page.text("title").startswith(f"{title} - "), key
        crumbs = [" ".join(e["text"].split()) for e in page.find_all("li", cls="md-path__item")]
        assert crumbs[0] == "首页" and crumbs[2:] == holders, (key, crumbs)   # crumbs[1]: the list's own tab
        if holders:   # the line under the heading names the same holders
            assert page.text("p", cls="dl-context").replace(" › ", "") == "属于" + "".join(holders)
    item = SHAPES[name][0]
    names = {k: t for k, (t, _) in PRINTED_NAMES[name].items()}
    for key, title in names.items():   # the pager of the items either side, and the matrix of the home page
        position = item.index(key)
        for neighbour in item[max(position - 1, 0):position] + item[position + 1:position + 2]:
            assert title in Page(out / f"duties/{neighbour}/index.html").text("nav", cls="dl-pager")
        rows = Page(out / "index.html").find_all("th", scope="row")
        assert not rows or title in [r["text"] for r in rows], name


def test_no_number_is_made_up_for_an_item_printed_otherwise(shape):
    name, data, _, _, out = shape
    for key, label in zip(*SHAPES[name][:2]):
        page = Page(out / f"duties/{key}/index.html")
        number = int(key.split("-")[-1])
        if not label.rstrip(".、").isdigit() or "-" in key:   # （一）, 第三条, or a 1. that restarts in each group
            assert f"第{number}项" not in page.html and f"第{number}条" not in page.html, (name, key)


def test_new_year_writes_a_file_that_check_accepts(shape, tmp_path):
    name, data, _, _, _ = shape
    copy = tmp_path / "data"
    shutil.copytree(data, copy)
    shutil.rmtree(copy / "progress", ignore_errors=True)
    made = subprocess.run([sys.executable, "-m", "dutylist", "--data", str(copy), "new-year", "2026"],
                          capture_output=True, text=True, env={"REFERENCE_DATE": REFERENCE_DATE, "PATH": ""}, timeout=60)
    assert made.returncode == 0, made.stderr
    text = (copy / "progress/2026.yaml").read_text(encoding="utf-8")
    written = yaml.safe_load(text)
    assert sorted(map(str, written["items"])) == sorted(SHAPES[name][0])
    assert check(copy).returncode == 0
    for key, (title, _) in PRINTED_NAMES[name].items():   # each key says which printed item it is
        assert re.search(rf"^  {re.escape(key)}: \[\]   # {re.escape(title)}$", text, re.M), text
    # where numbering restarts, the file says what a key counts before an editor meets one
    assert ("每部分（或每组）重新编号" in text) == ("-" in SHAPES[name][0][0])


# --- what the pages say when facts are unknown, or nothing is registered yet ---------------------------------


@pytest.fixture(scope="module")
def partial_site(sites):
    return site_of(sites, "partial")


def test_unknown_facts_are_shown_as_unknown_never_filled_in(partial_site):
    home, listed = Page(partial_site / "index.html").text(), Page(partial_site / "duties/index.html").text()
    assert "虚拟县人民政府主要负责人职责清单（标题不详）" in Page(partial_site / "index.html").text("h1")
    assert "制定机关不详" in home and "发布单位不详" in home and "于 2024年6月 公布" in home
    assert "制定机关不详，发布单位不详，于 2024年6月 发布。" in listed
    assert "只收录了清单原文的一部分" in home
    assert json.loads((partial_site / "data/list.json").read_text(encoding="utf-8"))["published"] == "2024-06"


def test_with_no_year_and_no_obligation_the_sentences_say_so(partial_site):
    home = Page(partial_site / "index.html").text()
    assert "编者尚未登记清单要求公开的事项" in home and "本站尚未收录任何年度的进展记录" in home
    assert "0 项公开义务" not in home
    item = Page(partial_site / "duties/1/index.html").text()
    assert "编者没有为本项登记公开义务" in item and "本站尚未收录任何年度的进展记录" in item
    assert "基准年" not in Page(partial_site / "years/index.html").text()


def test_obligations_before_any_year_is_recorded_are_checked_and_built(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "department-table/data", data)
    shutil.rmtree(data / "progress")
    assert check(data).returncode == 0
    project = copy_project(tmp_path / "project", data=data)
    assert (result := build(project, tmp_path / "site")).returncode == 0, result.stderr
    assert "本站尚未收录任何年度的进展记录，没有可计算的公开状态" in Page(tmp_path / "site/index.html").text()
    item = Page(tmp_path / "site/duties/3/index.html").text()
    assert "在县政府门户网站向社会公开" in item and "各年度状态" not in item


def test_a_list_without_numbered_items_is_checked_built_and_given_a_new_year(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "partial/data", data)
    source = yaml.safe_load((data / "list.yaml").read_text(encoding="utf-8"))
    del source["items"]
    source["parts"] = [{"label": "一、", "heading": "基本原则", "clauses": [{"label": "（一）", "text": "坚持依法行政。"}]}]
    (data / "list.yaml").write_text(yaml.safe_dump(source, allow_unicode=True), encoding="utf-8")
    made = subprocess.run([sys.executable, "-m", "dutylist", "--data", str(data), "new-year", "2026"],
                          capture_output=True, text=True, env={"REFERENCE_DATE": REFERENCE_DATE, "PATH": ""}, timeout=60)
    assert made.returncode == 0, made.stderr
    assert check(data).returncode == 0
    project = copy_project(tmp_path / "project", data=data)
    assert (result := build(project, tmp_path / "site")).returncode == 0, result.stderr
    home = Page(tmp_path / "site/index.html").text()
    assert "本站把清单原文逐段列出" in home and "清单没有编号的条目" in home
    assert "清单没有编号的条目" in Page(tmp_path / "site/years/2026/index.html").text()


# --- numbering and shape checks ---------------------------------------------------------------------------


def problems_with(tmp_path: Path, edit) -> list[str]:
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "department-table/data", data)
    source = yaml.safe_load((data / "list.yaml").read_text(encoding="utf-8"))
    edit(source)
    (data / "list.yaml").write_text(yaml.safe_dump(source, allow_unicode=True, sort_keys=False), encoding="utf-8")
    try:
        load_dataset(data, dt.date(2026, 11, 27))
    except DataError as error:
        return [f"{p.file}:{p.line} {p.message} — {p.fix}" for p in error.problems]
    return []


def test_a_skipped_number_is_refused_unless_the_list_is_captured_only_in_part(tmp_path):
    def skip(source):
        source["groups"][1]["items"][0]["number"] = 5   # 4 is missing
        source["groups"][1]["items"][1]["number"] = 6
        source["groups"][2]["items"] = [{"number": 7, "text": "某项。"}]
    problems = problems_with(tmp_path / "a", skip)
    assert len(problems) == 1 and "跳过了 4" in problems[0] and "complete: false" in problems[0]
    assert problems_with(tmp_path / "b", lambda s: (skip(s), s.update(complete=False))) == []
    reversed_ = problems_with(tmp_path / "c", lambda s: (skip(s), s.update(complete=False),
                                                         s["groups"][2]["items"][0].update(number=6)))
    assert len(reversed_) == 1 and "重复或顺序颠倒" in reversed_[0]  # a partial list still may not repeat a number


def test_shapes_that_cannot_be_the_printed_list_are_refused(tmp_path):
    empty = problems_with(tmp_path / "a", lambda s: s.pop("groups"))
    assert any("清单没有内容" in p for p in empty)
    mixed = problems_with(tmp_path / "b", lambda s: s.update(items=[{"number": 8, "text": "某项。"}]))
    assert any("同时写了 groups、items" in p for p in mixed)
    bare = problems_with(tmp_path / "d", lambda s: s["groups"][0].update(label="一"))
    assert len(bare) == 1 and "缺少原文编号所带的标点" in bare[0]  # it would print 一组织领导
    month = problems_with(tmp_path / "c", lambda s: s.update(published="2024-13"))
    line = (tmp_path / "c/data/list.yaml").read_text(encoding="utf-8").splitlines().index("published: 2024-13") + 1
    assert any(p.startswith(f"data/list.yaml:{line} ") and "只知年月时写 2024-05" in p for p in month), month


def _items(source: dict) -> list[dict]:
    """Numbered items of a list.yaml in list order, whatever its shape."""
    found = []
    for part in source.get("parts", []):
        found += part.get("items", []) + [i for g in part.get("groups", []) for i in g["items"]]
    return found + [i for g in source.get("groups", []) for i in g["items"]] + source.get("items", [])


def test_every_shape_shown_in_the_editors_guide_passes_check(tmp_path):
    guide = (ROOT / "EDITING.md").read_text(encoding="utf-8")
    examples = [block.split("```")[0] for block in guide.split("```yaml\n")[1:]]
    searches = [yaml.safe_load(e)["searches"] for e in examples if "searches" in yaml.safe_load(e)]
    assert searches and all(Search.model_validate(entry) for found in searches for entry in found)  # 记录查找
    examples = [e for e in examples if "searches" not in yaml.safe_load(e)]
    examples = [e for e in examples if "lists" not in yaml.safe_load(e)]   # portal.yaml: tests/test_portal.py
    assert len(examples) >= 4
    for n, example in enumerate(examples):
        data = tmp_path / str(n)
        data.mkdir()
        shutil.copy(FIXTURES / "partial/data/site.yaml", data / "site.yaml")
        source = {"jurisdiction": "某县", "published": "2024-06", "source_url": "https://www.example.gov.cn/qingdan.html",
                  **yaml.safe_load(example)}
        (data / "list.yaml").write_text(yaml.safe_dump(source, allow_unicode=True), encoding="utf-8")
        load_dataset(data, dt.date(2026, 11, 27))  # raises DataError, naming the problem, if the example is wrong


def test_the_editors_notes_on_method_come_from_data_and_are_held_to_the_narrative_rules(shape, tmp_path):
    name, data, _, _, out = shape
    notes = (data / "about.md").read_text(encoding="utf-8").strip() if (data / "about.md").exists() else None
    about = Page(out / "about/index.html").text()
    assert (notes in about) if notes else "逐字" not in about  # no claim about how the text was copied unless made
    if name != "party-government":
        return
    copy = tmp_path / "data"
    shutil.copytree(data, copy)
    (copy / "about.md").write_text("说明。\n\n{{ config.site_name }}\n", encoding="utf-8")
    refused = check(copy)
    assert refused.returncode == 1 and "data/about.md:3:" in refused.stderr


def test_the_editors_notes_are_cleaned_like_a_narrative(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "party-government/data", data)
    (data / "about.md").write_text('录入说明。<script>alert(1)</script><p onclick="alert(2)">核对过。</p>\n', encoding="utf-8")
    project = copy_project(tmp_path / "project", data=data)
    assert build(project, tmp_path / "site").returncode == 0
    about = Page(tmp_path / "site/about/index.html")
    assert "录入说明。" in about.text() and "核对过。" in about.text()
    assert "alert(" not in about.html


# --- facts the source does not give, or gives only from a copy ---------------------------------------------------


def json_ld(page: Page) -> dict:
    [script] = page.find_all("script", type="application/ld+json")
    return {node["@type"]: node for node in json.loads(script["text"])["@graph"]}


def feed_subtitle(out: Path) -> tuple[str, str]:
    root = ET.parse(out / "feed.xml").getroot()
    return root.find(f"{ATOM}subtitle").text, root.find(f"{ATOM}updated").text


def test_an_undated_list_with_an_inferred_place_says_so_wherever_its_facts_show(sites):
    out = site_of(sites, "undated-table")
    home, listed = Page(out / "index.html").text(), Page(out / "duties/index.html")
    mark = "地区或机关未经原文核实：原文只写“本镇”，镇名由发布网站推定"
    assert "由假设镇人民政府公布，发布日期不详" in home and mark in home
    assert "假设镇人民政府发布，发布日期不详。" in listed.text() and mark in listed.text()
    for path in ["duties/index.html", "groups/1/index.html", "duties/1/index.html"]:   # no date is guessed for them
        assert not Page(out / path).find_all("meta", name="PubDate"), path
    law = json_ld(listed)["Legislation"]
    assert "legislationJurisdiction" not in law and "legislationDate" not in law and "datePublished" not in law
    subtitle, updated = feed_subtitle(out)
    assert "（发布日期不详）" in subtitle and f"【{mark}】" in subtitle
    assert json.loads((out / "data/list.json").read_text(encoding="utf-8"))["unconfirmed"] == ["jurisdiction"]
    rows = list(csv.DictReader(io.StringIO((out / "data/list.csv").read_text(encoding="utf-8-sig"))))
    assert {r["list_unconfirmed"] for r in rows} == {"jurisdiction"} and "镇名由发布网站推定" in rows[0]["list_unconfirmed_reason"]


def test_a_list_read_from_a_repost_says_plainly_it_is_a_copy(sites):
    out = site_of(sites, "repost")
    home, listed = Page(out / "index.html"), Page(out / "duties/index.html")
    for page in (home, listed):
        text = page.text()
        assert "本站所据的清单文本是转载，不是原发布页面" in text
        assert "转载（转载日期 2024-09-02）：原文由模拟县司法局发布于其网站，原发布页面已无法打开" in text
        assert "发布日期未经原文核实：发布年月取自转载页面的说明" in text
        assert "https://mirror.example.com/mnx/qingdan.html" in page.links()
    assert "职责主体不详" in home.text() and "职责主体不详" in listed.text()
    assert not listed.find_all("meta", name="PubDate")   # a date not confirmed is not stated as the page's date
    law = json_ld(listed)["Legislation"]
    assert "datePublished" not in law and "url" not in law and law["isBasedOn"] == "https://mirror.example.com/mnx/qingdan.html"
    subtitle, _ = feed_subtitle(out)
    assert "（2024年8月发布）" in subtitle and "【转载（转载日期 2024-09-02）" in subtitle
    rows = list(csv.DictReader(io.StringIO((out / "data/list.csv").read_text(encoding="utf-8-sig"))))
    assert rows and all(r["list_repost_of"].startswith("原文由模拟县司法局发布") for r in rows)


def test_a_date_known_to_the_month_is_never_given_a_day(sites):
    out = site_of(sites, "partial")   # published: 2024-06, no document: the feed has no entry to date it by
    subtitle, updated = feed_subtitle(out)
    assert "（2024年6月发布）" in subtitle
    assert not updated.startswith("2024-06") and "2024-06-01" not in (out / "feed.xml").read_text(encoding="utf-8")
    assert updated == f"{REFERENCE_DATE}T00:00:00+08:00"   # outside git: the build's reference date, a true full date


def list_problems(tmp_path: Path, fixture: str, edit, obligations: bool = False) -> list[str]:
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / fixture / "data", data)
    source = yaml.safe_load((data / "list.yaml").read_text(encoding="utf-8"))
    edit(source)
    (data / "list.yaml").write_text(yaml.safe_dump(source, allow_unicode=True, sort_keys=False), encoding="utf-8")
    if obligations:
        shutil.copy(FIXTURES / "articles/data/obligations.yaml", data / "obligations.yaml")
    result = check(data)
    return [line for line in result.stderr.splitlines() if line.startswith("data/")]


def test_list_facts_check_refuses_what_would_misstate_them(tmp_path):
    copy_without_source = list_problems(tmp_path / "a", "repost", lambda s: s.pop("repost_of"))
    assert any("mirror.example.com 不在允许的官方域名之列" in p and "repost_of" in p for p in copy_without_source)
    reasonless = list_problems(tmp_path / "b", "repost", lambda s: s.pop("unconfirmed_reason"))
    assert any("字段 unconfirmed：标明了未经核实的字段，但没有写明原因" in p for p in reasonless)
    absent = list_problems(tmp_path / "c", "undated-table", lambda s: s["unconfirmed"].append("published"))
    assert any("没有写 published，不必标明它未经核实" in p for p in absent)
    # no date, no judging: which years came before the list cannot be told
    undated = list_problems(tmp_path / "d", "articles", lambda s: s.pop("published"), obligations=True)
    assert any("没有写发布日期 published" in p for p in undated)


# --- partial lists, lists without obligations, article-style texts, tables -----------------------------------


def test_a_partial_list_counts_what_it_holds_as_captured_not_as_the_whole(sites):
    out = site_of(sites, "repost")
    home = Page(out / "index.html").text()
    assert "已收录 3 项（原文未全部收录）" in home and "已收录 3 项职责（原文未全部收录）" in home
    assert "共 3 项" not in home and "的3项职责" not in home
    complete = Page(site_of(sites, "department-table") / "index.html").text()
    assert "本站把清单的7项职责逐项列出" in complete and "共 7 项职责" in complete and "已收录" not in complete


def test_without_obligations_no_status_legend_and_no_grid_of_empty_cells(sites, tmp_path):
    out = site_of(sites, "undated-table")   # a year with one record, no obligation registered
    for path in ["index.html", "groups/1/index.html", "duties/4/index.html", "years/2025/index.html"]:
        page = Page(out / path)
        assert not page.find_all(cls="dl-chip") and not page.find_all(cls="dl-status"), path
        assert "按时公开" not in page.text() and "状态计算截至" not in page.text(), path
    home = Page(out / "index.html")
    assert home.text().count("编者尚未登记清单要求公开的事项（公开义务），本站因此不计算公开状态。") == 1
    assert home.find_all("table", cls="dl-matrix")   # the record is shown
    about = Page(out / "about/index.html")
    assert not about.find_all("table", cls="dl-legend") and "编者尚未为这份清单登记公开义务" in about.text()
    # a year without a record: one sentence, not a grid of 无记录
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "traditional/data", data)
    (data / "progress").mkdir()
    (data / "progress/2025.yaml").write_text("year: 2025\nitems: {}\n", encoding="utf-8")
    project = copy_project(tmp_path / "project", data=data)
    assert (result := build(project, tmp_path / "site")).returncode == 0, result.stderr
    for path in ["index.html", "years/index.html", "parts/2/index.html"]:
        page = Page(tmp_path / "site" / path)
        assert not page.find_all("table", cls="dl-matrix") and "无记录" not in page.text(), path
        assert "编者也没有登记公开义务" in page.text(), path


def test_an_article_style_text_keeps_its_articles_in_order_and_its_own_name(sites):
    out = site_of(sites, "articles")
    listed = Page(out / "duties/index.html").text()
    order = [listed.index(label) for label in ["第一条", "第二条", "第三条", "第六条", "第七条"]]
    assert order == sorted(order)   # purpose and scope first, the date it takes effect last
    assert sorted(p.parent.name for p in out.glob("duties/*/index.html")) == ["3", "4", "5", "6"]   # articles 1, 2, 7 are not duties
    assert "本办法自印发之日起施行。" in listed and "党政主要负责人" in listed
    home = Page(out / "index.html")
    assert "这份实施办法" in home.text() and "本站把实施办法的4条职责逐条列出" in home.text() and "共 4 条职责" in home.text()
    assert [e["text"].strip() for e in home.find_all("a", cls="md-tabs__link")][1] == "实施办法"
    assert "实施办法发布前" in Page(out / "years/2023/index.html").text()   # the status names it too
    for path in out.rglob("*.html"):   # never "这份清单", nor any other 清单, for a text that is not one
        page = Page(path)
        assert "清单" not in page.text("title") + page.text("body"), path.relative_to(out)


def test_article_numbers_count_the_unnumbered_articles_too(tmp_path):
    def renumber(source):
        source["items"][0]["number"] = 1   # 第三条 written as the first duty
    problems = list_problems(tmp_path / "a", "articles", renumber)
    assert len(problems) == 1 and "条序" in problems[0] and "此处应为 3" in problems[0]
    unit = list_problems(tmp_path / "b", "articles", lambda s: s.update(unit="条目", document_name="实施 办法"))
    assert any("字段 unit：条目的量词只能是 项、条、款、点 之一" in p for p in unit)
    assert any("字段 document_name：应为 1 至 12 个汉字 — 请写原文的文件名称" in p for p in unit)


def test_a_list_printed_as_a_table_shows_its_groups_under_its_headings(sites, tmp_path):
    out = site_of(sites, "undated-table")
    [table] = Page(out / "duties/index.html").find_all("table", cls="dl-list-table")
    page = Page(out / "duties/index.html")
    assert [e["text"] for e in page.find_all("th", scope="col")] == ["职责", "具体内容"]
    rows = [" ".join(e["text"].split()) for e in page.find_all("tr", cls="dl-group")]
    assert rows[0].startswith("一、组织领导 说明：本栏所列事项由镇党委书记和镇长共同负责。 1.把法治建设列入全镇年度工作要点。")
    assert rows[1].startswith("二、依法办事 3.镇重大事项决策前听取法律顾问意见。")
    refused = list_problems(tmp_path, "articles", lambda s: s.update(columns={"group": "职责", "items": "具体内容"}))
    assert any("写了表头 columns，但清单没有分组" in p for p in refused)


def test_principles_are_found_by_search_below_the_duties(sites):
    out = site_of(sites, "traditional")
    docs = json.loads((out / "search/search_index.json").read_text(encoding="utf-8"))["docs"]
    found = {d["location"]: d for d in docs}
    principles = found["parts/1/"]
    assert "兩個\u200b確立" in principles["text"]   # segmented as its simplified form is, shown as published
    assert "把法治建設納入" not in found["duties/"]["text"]   # an item's words are found on the item's own page
    pages_of_the_list = [d for loc, d in found.items() if loc == "duties/" or loc.startswith(("parts/", "groups/"))]
    assert len(pages_of_the_list) == 5 and all(d["boost"] < 1 for d in pages_of_the_list)
    assert all(d["boost"] == 3 for loc, d in found.items() if re.match(r"duties/\d", loc))


def test_a_list_naming_neither_place_nor_holder_says_both_are_unknown(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "partial/data", data)
    source = yaml.safe_load((data / "list.yaml").read_text(encoding="utf-8"))
    for name in ("jurisdiction", "subject", "published"):
        source.pop(name)
    (data / "list.yaml").write_text(yaml.safe_dump(source, allow_unicode=True), encoding="utf-8")
    assert check(data).returncode == 0
    project = copy_project(tmp_path / "project", data=data)
    assert (result := build(project, tmp_path / "site")).returncode == 0, result.stderr
    home = Page(tmp_path / "site/index.html")
    assert home.text("h1").strip("¶") == "职责清单（标题不详）"
    assert "列明了推进法治建设第一责任人应当履行的职责（地区或机关、职责主体不详），发布单位和发布日期不详" in home.text()
    listed = Page(tmp_path / "site/duties/index.html").text()
    assert "发布单位和发布日期不详。地区或机关不详。职责主体不详。" in listed
    assert "None" not in home.text() + listed


def test_a_key_that_is_not_the_printed_number_is_explained_where_an_editor_meets_it(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "party-government/data", data)
    (data / "progress/2024.yaml").write_text("year: 2024\nitems:\n  2-3: []\n", encoding="utf-8")   # 三、（三）?
    refused = check(data)
    [line] = [line for line in refused.stderr.splitlines() if line.startswith("data/progress/2024.yaml:3:")]
    assert "清单中没有编号为 2-3 的条目" in line and "「2-2」（三、（二））" in line and "「2-1」（三、（一））" in line
    assert "只数直接列有条目的部分和组，不是原文印的编号：1-1 是 二、（一）" in line
