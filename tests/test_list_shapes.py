"""Lists of other shapes, written as printed, each checked and built from data/ alone: every numbered duty has a page,
labels show as printed, text captured only in part says so, and nothing of another jurisdiction shows anywhere."""

from __future__ import annotations

import datetime as dt
import html
import json
import shutil
import subprocess
import sys
from pathlib import Path

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
}
JURISDICTIONS = {"department-table": "样例县", "party-government": "范例市", "zone-parts": "演示经济开发区",
                 "partial": "虚拟县", "two-parts": "示例县"}
# the shipped list's places and bodies, and words that assume a city government
SHIPPED = ["营口", "西市区", "鲅鱼圈", "盖州", "老边", "辽宁", "yingkou", "市政府本级", "行政复议", "市委法治建设办", "市政府"]
MARKER = "dl-truncated"


def check(data: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dutylist", "--data", str(data), "check"], capture_output=True,
                          text=True, env={"REFERENCE_DATE": REFERENCE_DATE, "PATH": ""}, timeout=60)


def own_words(data: Path) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in data.rglob("*") if p.is_file())


@pytest.fixture(scope="module", params=list(SHAPES))
def shape(request, tmp_path_factory):
    name = request.param
    data = FIXTURES / name / "data"
    checked = check(data)
    project = copy_project(tmp_path_factory.mktemp("project"), data=data)
    out = tmp_path_factory.mktemp(f"site-{name}")
    built = build(project, out)
    return name, data, checked, built, out


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


def test_new_year_writes_a_file_that_check_accepts(shape, tmp_path):
    name, data, _, _, _ = shape
    copy = tmp_path / "data"
    shutil.copytree(data, copy)
    shutil.rmtree(copy / "progress", ignore_errors=True)
    made = subprocess.run([sys.executable, "-m", "dutylist", "--data", str(copy), "new-year", "2026"],
                          capture_output=True, text=True, env={"REFERENCE_DATE": REFERENCE_DATE, "PATH": ""}, timeout=60)
    assert made.returncode == 0, made.stderr
    written = yaml.safe_load((copy / "progress/2026.yaml").read_text(encoding="utf-8"))
    assert sorted(map(str, written["items"])) == sorted(SHAPES[name][0])
    assert check(copy).returncode == 0


# --- what the pages say when facts are unknown, or nothing is registered yet ---------------------------------


@pytest.fixture(scope="module")
def partial_site(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("project"), data=FIXTURES / "partial/data")
    out = tmp_path_factory.mktemp("partial-site")
    assert build(project, out).returncode == 0
    return out


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
