"""The site never states what its data and the list's words cannot justify (issue 19 points 1–7, issue 25.3/5).

Check's refusals (quotes that do not bind, searches the data cannot support, one page registered twice) are cases
in tests/test_data_errors.py; here: the shipped data, the statuses it yields, and what the pages and open data say.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
import unicodedata
from collections import Counter

import pytest
import yaml

from dutylist.dataset import load_dataset
from dutylist.model import PUBLICATION_VERBS, ListDate, requires_publication
from dutylist.status import Status, obligation_status, year_verdict
from helpers import REFERENCE_DATE, ROOT, SEED, Page, build, copy_project

YEARS = range(2022, 2027)


def dataset(data=ROOT / "data", on: str = REFERENCE_DATE):
    return load_dataset(data, dt.date.fromisoformat(on))


def status_of(data, obligation_id: str, year: int):
    return obligation_status(data, next(o for o in data.obligations if o.id == obligation_id), year)


def load_yaml(name: str) -> dict:
    return yaml.safe_load((ROOT / "data" / name).read_text(encoding="utf-8"))


def statuses_json(site) -> list[dict]:
    return json.loads((site / "data/statuses.json").read_text(encoding="utf-8"))


def verdict_block(page_, year: int) -> dict:
    return next(b for b in page_.find_all("div", cls="dl-verdict-year") if b["attrs"].get("data-year") == str(year))


def within(page_, block) -> list[dict]:
    """The elements of a block: those after it up to the next block of its kind or the next section heading."""
    rest = page_.elements[page_.elements.index(block) + 1:]
    end = next((n for n, e in enumerate(rest) if e["tag"] == "h2" or (
        e["tag"] == block["tag"] and e["attrs"].get("class") == block["attrs"].get("class"))), len(rest))
    return rest[:end]


# --- 1. an obligation exists only where the list's words require publication -----------------------------------


def test_every_obligation_quotes_words_that_require_publication():
    for ob in dataset().obligations:
        outside_titles = re.sub(r"《[^》]*》", "", ob.quote)
        assert any(verb in outside_titles for verb in PUBLICATION_VERBS), ob.id
        assert requires_publication(ob.quote), ob.id
    assert "info-disclosure-report" not in {o.id for o in dataset().obligations}


@pytest.mark.parametrize("words", ["严格落实《政府信息公开条例》", "全面推进政务公开", "完善落实政府信息公开、政府新闻发言人"])
def test_a_title_or_the_name_of_a_field_of_work_requires_nothing(words):
    assert not requires_publication(words)
    assert requires_publication("通过新闻媒体、市政府门户网站予以公布实施") and requires_publication("向社会公开发布")


def test_item_10_shows_no_disclosure_duty_of_its_own(page, site):
    item = page("duties/10/")   # 严格落实《政府信息公开条例》, addressed to 各县区政府、市直各部门: no publication required
    assert not item.find_all("div", cls="dl-obligation") and "编者没有为本项登记公开义务" in item.text()
    assert not any(r["item"] == "10" for r in statuses_json(site))


# --- 2. a per-event duty is judged in a year only with an event or a search ------------------------------------


def test_per_event_duty_counts_only_in_a_year_with_an_event_or_a_search(tmp_path):
    data = dataset()
    assert status_of(data, "regulation-publication", 2024).counted          # searched, none found
    assert not status_of(data, "regulation-publication", 2026).counted      # neither event nor search
    assert sum(e.count for e in year_verdict(data, 2026)) == 2              # the two yearly duties only
    shutil.copytree(ROOT / "data", tmp_path / "data")
    progress = tmp_path / "data/progress/2025.yaml"
    entries = yaml.safe_load(progress.read_text(encoding="utf-8"))
    entries["searches"] = [s for s in entries["searches"] if s["obligation"] != "regulation-publication"]
    progress.write_text(yaml.safe_dump(entries, allow_unicode=True, sort_keys=False), encoding="utf-8")
    unsearched = dataset(tmp_path / "data")
    state = status_of(unsearched, "regulation-publication", 2025)
    assert state.status is Status.NOT_SEARCHED and not state.counted
    assert sum(e.count for e in year_verdict(unsearched, 2025)) == 2


def test_a_year_searched_without_an_event_says_so_in_the_obligations_own_words(page, tmp_path):
    item = page("duties/9/")
    assert "○本年未见新制定或修改的政府规章（截至 2026-12-05）" in [e["text"] for e in item.find_all("span", cls="dl-chip")]
    project = copy_project(tmp_path / "project")
    path = project / "data/obligations.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("event: 新制定或修改的政府规章", "event: 新定或修改的规章（另一份清单的说法）"),
                    encoding="utf-8")
    assert build(project, tmp_path / "site").returncode == 0
    shown = Page(tmp_path / "site/duties/9/index.html").text()
    assert "本年未见新定或修改的规章（另一份清单的说法）" in shown and "本年未见新制定或修改的政府规章" not in shown


# --- 3. where a document appeared ------------------------------------------------------------------------------


def test_the_2023_report_found_only_on_the_justice_bureau_site_is_marked_everywhere_and_counted_apart(page, site):
    item = page("duties/3/")
    strip = [e["text"] for e in item.find_all("span", cls="dl-chip")][:5]   # the strip of years atop the page
    assert strip[1] == "✓按时公开 ◇未见于市政府门户网站" and strip[3] == "✓按时公开"   # 2023 marked, 2025 (portal) plain
    assert "见于 sf.yingkou.gov.cn，未在清单指定的市政府门户网站找到" in page("years/2023/").text()
    assert "见于 sf.yingkou.gov.cn，未在清单指定的市政府门户网站找到" in item.text()
    home = page("")
    block = within(home, verdict_block(home, 2023))
    counts = {e["attrs"]["data-status"]: e["text"] for e in block if "data-status" in e["attrs"]}
    assert counts.get("on-time-elsewhere") == "1" and "on-time" not in counts
    record = next(r for r in statuses_json(site) if r["obligation"] == "annual-report" and r["year"] == 2023)
    assert record["elsewhere"] is True and record["elsewhere_hosts"] == ["sf.yingkou.gov.cn"]
    assert record["verdict_key"] == "on-time-elsewhere"
    portal = next(r for r in statuses_json(site) if r["obligation"] == "annual-report" and r["year"] == 2025)
    assert portal["elsewhere"] is False and portal["verdict_key"] == "on-time"


# --- 4. before the list -----------------------------------------------------------------------------------------


def test_no_status_judges_or_counts_a_year_before_the_list(page, site):
    data = dataset()
    assert data.duty_list.published.isoformat() == "2023-10-13"
    for ob in data.obligations:
        state = obligation_status(data, ob, 2022)
        assert state.status is Status.BEFORE_LIST and not state.counted, ob.id
    assert all(not r["counted"] and r["status"] == "before-list" for r in statuses_json(site) if r["year"] == 2022)
    home = page("")
    assert verdict_block(home, 2022)["text"].strip().startswith("2022年：没有计入评判的公开义务")
    chips = [e["text"] for e in page("duties/3/").find_all("span", cls="dl-chip")]
    assert chips[0] == "◁清单发布前"


def test_a_catalogue_for_the_year_the_list_came_out_applies_from_the_next_year_with_its_reason(page):
    state = status_of(dataset(), "decision-catalogue", 2023)
    assert state.status is Status.NOT_APPLICABLE and not state.counted
    assert "2023年度的目录在清单发布前就应已确定" in page("duties/6/").text()


@pytest.mark.parametrize("published, judged", [("2024-03-15", True), ("2025-03", True), ("2025-04", False),
                                                ("2025", False), ("2024", True)])
def test_a_list_dated_to_the_month_or_year_is_measured_from_its_last_possible_day(tmp_path, published, judged):
    """The fixture's 2024 report is due 2025-03-31: a list that may have come out after that cannot judge it."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "tests/fixtures/department-table/data", data)
    listed = data / "list.yaml"
    listed.write_text(listed.read_text(encoding="utf-8").replace("published: 2024-03-15", f"published: {published}"),
                      encoding="utf-8")
    state = status_of(dataset(data), "yearly-report", 2024)
    assert (state.status is not Status.BEFORE_LIST) is judged
    assert state.counted is judged


def test_list_date_last_day():
    assert ListDate.parse("2024").last_day == dt.date(2024, 12, 31)
    assert ListDate.parse("2024-02").last_day == dt.date(2024, 2, 29)
    assert ListDate.parse("2024-12").last_day == dt.date(2024, 12, 31)
    assert ListDate.parse("2023-10-13").last_day == dt.date(2023, 10, 13)


# --- 5. mappings, scope, unconfirmed facts, what the summaries and notes say ------------------------------------


def _entries(year: int, item: int) -> list[dict]:
    return load_yaml(f"progress/{year}.yaml")["items"][item]


def test_honours_and_inspection_objects_are_interpretations_and_police_honours_are_dashiqiao_s():
    for year in (2022, 2023):
        (honour,) = _entries(year, 12)
        assert honour["scope"] == "大石桥市" and honour["mapping"] == "interpretation"
        assert all(e["mapping"] == "interpretation" for e in _entries(year, 27))     # honours as 示范创建
    for item in (13, 14, 21):   # objects of a special inspection
        assert all(e["mapping"] == "interpretation" for e in _entries(2025, item))


def test_unconfirmed_facts_are_marked_as_such():
    documents = {d["id"]: d for d in load_yaml("documents.yaml")["documents"]}
    assert set(documents["district-xishi-2022"]["unconfirmed"]) == {"title", "publisher", "published"}
    assert set(documents["gov-open-tasks-2023"]["unconfirmed"]) == {"publisher", "published"}
    decree = documents["decree-35-2024"]
    assert decree["repost_date"] == dt.date(2024, 10, 30) and decree["unconfirmed"] == ["repost_date"]
    assert "作者" not in documents["duty-list-2023"]["publisher"]


def test_the_repost_date_and_its_doubt_are_shown_with_the_decree(page):
    entry = page("documents/").find_all("li", id="doc-decree-35-2024")[0]["text"]
    assert "转载日期 2024-10-30" in entry and "转载日期未经原文核实：转载日期取自网址路径" in entry


def test_the_list_page_names_no_issuer_and_shows_the_byline_as_a_byline(page):
    source = page("duties/").find_all("p", cls="dl-source")[0]["text"]
    assert source.startswith("制定机关不详，发布页面署名：市委法治建设办，营口市司法局于")
    assert "这份清单（制定机关不详，发布页面署名：市委法治建设办）" in page("").text()


def test_summaries_say_what_their_sources_say():
    study = _entries(2022, 22)[0]["summary"]
    assert "两级" not in study and "市委理论学习中心组、市政府理论学习中心组" in study
    rules = _entries(2023, 6)[0]["summary"]
    assert "依据" not in rules and "提供" not in rules
    assert "市和县(市)区政府重大行政决策的作出和调整程序适用该规定" in rules and "参照执行" in rules


def test_the_note_on_punctuation_states_each_character_changed_as_computed_from_the_published_text(page):
    """Every list text is compared with the published page's copy: only these characters differ, and 说明 names
    each with its count."""
    lines = [line.strip() for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]
    listed = load_yaml("list.yaml")
    texts = [listed["preamble"]]
    for part in listed["parts"]:
        texts += [part["label"] + part["heading"], part.get("lead", "")]
        texts += [c["label"] + c["text"] for c in part.get("clauses", [])]
        for group in part.get("groups", []):
            texts += [group["label"] + group["heading"]] + [f"{i['number']}.{i['text']}" for i in group["items"]]
    changed: Counter = Counter()
    for text in filter(None, texts):
        published = next(line for line in lines if len(line) == len(text) and unicodedata.normalize("NFKC", text) ==
                         unicodedata.normalize("NFKC", line))
        changed.update((a, b) for a, b in zip(published, text) if a != b)
    assert all(a.isascii() and not b.isascii() for a, b in changed)   # only ASCII punctuation made full-width
    about = page("about/").text()
    assert f"共 {sum(changed.values())} 处" in about and "半角（ASCII）" in about
    for (ascii_mark, full_width), n in changed.items():
        assert f"“{ascii_mark}”改为“{full_width}”{n} 处" in about, (ascii_mark, full_width, n)


# --- 6. record counts are not verdicts ------------------------------------------------------------------------


def test_matrix_cells_strip_and_year_page_say_what_kind_of_records_they_hold(page):
    home = page("")
    cells = home.find_all("td", cls="dl-cell")
    assert not [c for c in cells if re.search(r"\d+ ?条", c["text"])]   # never a bare "N 条"
    by = {(c["attrs"]["data-year"], i // 5 + 1): c for i, c in enumerate(cells)}
    assert "解读 1" in by[("2023", 6)]["text"] and "本级" not in by[("2023", 6)]["text"]
    assert "下辖 1" in by[("2025", 6)]["text"]          # a department's catalogue, not the city's
    assert "下辖 1" in by[("2024", 22)]["text"] and by[("2024", 22)]["attrs"]["data-scoped"] == "1"
    strip = page("duties/6/").find_all("nav", cls="dl-strip")[0]["text"]
    assert "2023年 解读 1" in strip and "2025年 下辖 1" in strip and "条" not in strip
    counts = page("years/2024/").find_all("p", cls="dl-counts")[0]["text"]
    assert "本级直接记录 0 条、下辖地区或部门 3 条、编者解读 1 条" in counts and "不等于履职完成" in counts


# --- 7. searches as data, shown where statuses are ------------------------------------------------------------


def test_statuses_json_and_csv_carry_each_obligation_years_latest_search_or_none(site):
    records = statuses_json(site)
    assert {(r["obligation"], r["year"]) for r in records} == {(o, y) for o in ("annual-report", "decision-catalogue",
                                                                                 "regulation-publication") for y in YEARS}
    assert all("latest_search" in r for r in records)
    report_2024 = next(r for r in records if r["obligation"] == "annual-report" and r["year"] == 2024)
    assert report_2024["status"] == "not-found" and report_2024["searches"] == 3
    assert report_2024["latest_search"]["searched_on"] == "2026-12-05"
    assert report_2024["latest_search"]["query"] == "中共营口市委 营口市人民政府关于2024年法治政府建设情况的报告"
    assert "不是营口市政府门户网站本身" in report_2024["latest_search"]["where"]
    none = next(r for r in records if r["obligation"] == "annual-report" and r["year"] == 2026)
    assert none["latest_search"] is None and none["searches"] == 0
    rows = list(csv.DictReader(io.StringIO((site / "data/statuses.csv").read_text(encoding="utf-8-sig"))))
    row = next(r for r in rows if r["obligation"] == "annual-report" and r["year"] == "2026")
    assert row["latest_search_result"] == "none" and row["latest_search_searched_on"] == ""
    row = next(r for r in rows if r["obligation"] == "annual-report" and r["year"] == "2024")
    assert row["latest_search_result"] == "not-found" and row["latest_search_searched_on"] == "2026-12-05"


def test_home_verdict_counts_are_what_open_data_says(page, site):
    """Computed from statuses.json alone: per year, the counted obligation-years by verdict key; the home page's
    words must give the same numbers, and its total the number counted."""
    home = page("")
    for year in YEARS:
        expected = Counter(r["verdict_key"] for r in statuses_json(site) if r["year"] == year and r["counted"])
        block = within(home, verdict_block(home, year))
        shown = {e["attrs"]["data-status"]: int(e["text"]) for e in block if "data-status" in e["attrs"]}
        assert shown == dict(expected), year
        total = [int(e["text"]) for e in block if e["attrs"].get("data-count") == "judged"]
        assert total == ([sum(expected.values())] if expected else []), year


def test_the_latest_search_is_shown_on_item_year_and_home_pages(page):
    where = "编者检索工具中存储的公开网页副本"
    report = page("years/2024/").find_all("p", cls="dl-report")[0]["text"]
    assert "最近一次查找：2026-12-05，未找到；检索词：中共营口市委 营口市人民政府关于2024年法治政府建设情况的报告" in report
    assert "（本年度共记录 3 次查找）" in report
    assert f"已查未见（截至 2026-12-05，检索范围：{where}" in page("duties/3/").text()
    home = page("")
    assert "最近一次记录的查找：2026-12-05，查找" in verdict_block(home, 2024)["text"]
    assert "本年没有记录查找。" in verdict_block(home, 2026)["text"]


def test_without_a_recorded_search_a_past_duty_is_not_searched_never_missing(tmp_path):
    project = copy_project(tmp_path / "project")
    progress = project / "data/progress/2024.yaml"
    entries = yaml.safe_load(progress.read_text(encoding="utf-8"))
    del entries["searches"]
    progress.write_text(yaml.safe_dump(entries, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert build(project, tmp_path / "site").returncode == 0
    report = Page(tmp_path / "site/years/2024/index.html").find_all("p", cls="dl-report")[0]["text"]
    assert report.startswith("法治政府建设情况报告向社会公开发布：?尚未查找") and "没有记录查找" in report
    assert "已查未见" not in report
