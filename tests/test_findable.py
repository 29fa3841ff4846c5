"""What a citizen should find at once (issue 19 point 8), as the built HTML says it; tests/test_findable_browser.py
measures the same pages in chromium."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest
import yaml

from dutylist.dataset import load_dataset
from dutylist.status import Status, latest_complete_year, year_statuses, year_verdict
from helpers import REFERENCE_DATE, ROOT, Page, build, copy_project

TECHNICAL = re.compile(r"CSV|JSON|Schema|UTF|BOM|zip|SHA|Frictionless|API", re.I)


def dataset():
    return load_dataset(ROOT / "data", dt.date.fromisoformat(REFERENCE_DATE))


# --- 1. the latest complete year leads the home page --------------------------------------------------------


@pytest.mark.parametrize("on, year", [("2026-12-05", 2025),   # 2026's report is due 2027-03-31
                                      ("2026-03-31", 2024),   # 2025's report falls due that very day
                                      ("2026-04-01", 2025),
                                      ("2024-04-01", 2023),   # 2023's per-event duty ran to 2023-12-31
                                      ("2023-03-31", None)])  # not even 2022's report was due yet
def test_the_latest_complete_year_is_the_newest_whose_every_deadline_has_passed(on, year):
    # the same data seen on another day (the shipped searches are dated 2026-12-05, so it is not loaded anew)
    assert latest_complete_year(dataclasses.replace(dataset(), reference_date=dt.date.fromisoformat(on))) == year


def test_the_home_page_opens_with_that_years_verdict_before_anything_else(page):
    home = page("")
    latest = home.find_all("section", cls="dl-latest")[0]
    assert latest["attrs"]["data-year"] == "2025"
    start = home.elements.index(latest)
    words = next(e for e in home.elements[start:] if "dl-verdict-words" in e["attrs"].get("class", ""))["text"]
    entries = year_verdict(dataset(), 2025)
    assert words.startswith(f"2025年：计入评判的 {sum(e.count for e in entries)} 项公开义务中")
    assert all(f"{e.label} {e.count} 项" in words for e in entries)
    # before the other years, the notes about the list and the matrix
    headings = [e["text"].rstrip("¶") for e in home.find_all("h2")]
    assert headings[0] == "清单要求公开的文件公开了吗"
    assert home.elements.index(home.find_all("div", cls="dl-verdict")[0]) > start


# --- 2. a year page names the duties without records -----------------------------------------------------


@pytest.mark.parametrize("year", [2023, 2025, 2026])
def test_each_year_page_lists_and_links_the_duties_it_holds_no_record_for(page, year):
    progress = yaml.safe_load((ROOT / f"data/progress/{year}.yaml").read_text(encoding="utf-8")).get("items") or {}
    recorded = {str(key) for key, entries in progress.items() if entries}
    expected = [str(n) for n in range(1, 28) if str(n) not in recorded]
    year_page = page(f"years/{year}/")
    missing = year_page.find_all("ul", cls="dl-missing")[0]
    start = year_page.elements.index(missing)
    links = [e["attrs"]["href"] for e in year_page.elements[start:start + 1 + 2 * len(expected)] if e["tag"] == "a"]
    assert links == [f"../../duties/{key}/#y{year}" for key in expected]
    intro = year_page.find_all("p", cls="dl-missing-intro")[0]["text"]
    assert (f"全部 {len(expected)} 项" if len(expected) == 27 else f"以下 {len(expected)} 项") in intro
    assert "不等于没有履行" in intro


# --- 3. the meaning of each status beside the statuses ---------------------------------------------------


def legend_statuses(page_: Page, legend: dict) -> set[str]:
    """The status slugs a legend explains, each entry with its label and meaning written out."""
    explained = set()
    for e in page_.elements[page_.elements.index(legend) + 1:]:
        if e["tag"] == "li":
            if e["text"] not in legend["text"]:   # past the legend's last entry
                break
            explained |= {s.slug for s in Status if s.label in e["text"] and s.meaning in e["text"]}
    return explained


def test_the_home_verdict_and_matrix_each_carry_the_meaning_of_their_statuses(page):
    home = page("")
    legends = home.find_all("ul", cls="dl-legend-list")
    latest, everything, matrix = legends[0], legends[1], legends[2]
    shown_2025 = {s.status.slug for s in year_statuses(dataset(), 2025)}
    assert legend_statuses(home, latest) == shown_2025
    shown_all = {s.status.slug for y in range(2022, 2027) for s in year_statuses(dataset(), y)}
    assert legend_statuses(home, everything) == shown_all
    assert legend_statuses(home, matrix) == shown_all
    # the matrix's key comes before the table, not after its 27 rows
    assert home.elements.index(matrix) < home.elements.index(home.find_all("table", cls="dl-matrix")[0])


def test_item_and_year_pages_explain_each_status_where_it_is_shown(page):
    item = page("duties/3/")
    strip = item.find_all("nav", cls="dl-strip")[0]
    legend = item.find_all("div", cls="dl-status-legend")[0]   # between the strip and the obligations' rows
    assert item.elements.index(strip) < item.elements.index(legend) < item.elements.index(item.find_all("div", cls="dl-obligation")[0])
    chips = {s.slug for s in Status if f"dl-{s.slug}" in " ".join(
        e["attrs"].get("class", "") for e in item.elements[item.elements.index(strip):item.elements.index(legend)])}
    assert chips and legend_statuses(item, legend) == chips
    for line in page("years/2024/").find_all("p", cls="dl-report") + page("duties/3/").find_all("p", cls="dl-year-status"):
        status = next(s for s in Status if s.label in line["text"])   # each status line says what it means under it
        assert status.meaning in line["text"] or status in (Status.BEFORE_LIST, Status.NOT_APPLICABLE), line["text"]


# --- 4. the subject's everyday names ---------------------------------------------------------------------


def test_citizens_words_for_the_subject_are_data_shown_on_home_list_and_duty_pages(page):
    aliases = yaml.safe_load((ROOT / "data/list.yaml").read_text(encoding="utf-8"))["subject_aliases"]
    assert aliases == ["市长"]
    assert "营口市人民政府主要负责人（即通常所说的市长）" in page("").text()
    assert "市长" in page("").text().split("清单要求公开的文件公开了吗")[0]
    for path in ("duties/", "duties/1/", "duties/27/"):
        assert "职责主体：营口市人民政府主要负责人（即通常所说的市长）" in page(path).text(), path


def test_another_list_sets_its_own_everyday_names_or_none(tmp_path):
    project = copy_project(tmp_path / "project")
    listing = project / "data/list.yaml"
    listing.write_text(listing.read_text(encoding="utf-8").replace("subject_aliases: [市长]", "subject_aliases: [市长, 一把手]"),
                       encoding="utf-8")
    assert build(project, tmp_path / "site").returncode == 0
    assert "（即通常所说的市长、一把手）" in Page(tmp_path / "site/index.html").text()
    listing.write_text(re.sub(r"subject_aliases:.*\n", "", listing.read_text(encoding="utf-8")), encoding="utf-8")
    assert build(project, tmp_path / "bare").returncode == 0
    home = Page(tmp_path / "bare/index.html").text()
    assert "通常所说" not in home and "营口市人民政府主要负责人作为推进法治建设第一责任人" in home


def test_search_indexes_the_list_page_by_its_subject_and_not_by_the_duties_own_text(site):
    import json
    docs = json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))["docs"]
    listed = [d for d in docs if d["location"] == "duties/"]
    assert listed and "市长" in listed[0]["text"].replace("\u200b", "")
    assert "推动制定营口市法治政府建设中长期规划" not in listed[0]["text"].replace("\u200b", "")  # item 1's page has it


# --- 5. every duty within reach: a number index on the list page --------------------------------------------


def test_the_list_page_opens_with_every_duty_numbered_and_linked(page):
    listing = page("duties/")
    index = listing.find_all("nav", cls="dl-index")[0]
    start = listing.elements.index(index)
    links = [e for e in listing.elements[start:start + 2 + 27 * 2 + 2] if e["tag"] == "a"]
    assert [e["text"] for e in links] == [str(n) for n in range(1, 28)]
    assert [e["attrs"]["href"] for e in links] == [f"{n}/" for n in range(1, 28)]
    assert links[26]["attrs"]["aria-label"] == "第27项 法治政府建设示范创建"
    assert start < listing.elements.index(listing.find_all("div", cls="dl-list")[0])


# --- 8. plain words first on 数据下载; the feed offered on the home page -----------------------------------


def test_the_download_page_opens_in_plain_words_before_any_technical_term(page):
    data_page = page("data/")
    first = data_page.elements[data_page.elements.index(data_page.find_all("h1")[0]) + 1:]
    opening = next(e for e in first if e["tag"] == "p")["text"]
    assert not TECHNICAL.search(opening), opening
    assert "Excel" in opening and "不需要会编程" in opening
    assert "JSON Schema" in data_page.text()   # the technical details are still there, further down


def test_the_home_page_offers_the_feed_in_words(page):
    home = page("")
    feed = [e for e in home.find_all("a") if e["attrs"].get("href") == "feed.xml"]
    assert feed and feed[0]["text"] == "订阅更新"
