"""A citizen's question answered at a glance: how the disclosure duties stand, per year, item, group and part."""

from __future__ import annotations

import datetime as dt

from dutylist.dataset import load_dataset
from dutylist.status import Status, year_verdict
from helpers import REFERENCE_DATE, ROOT, Page, build, copy_project


def verdict(year: int):
    return year_verdict(load_dataset(ROOT / "data", dt.date.fromisoformat(REFERENCE_DATE)), year)


def test_home_page_counts_each_years_duties_by_status_in_words_and_bars(page):
    home = page("")
    blocks = home.find_all("div", cls="dl-verdict-year")
    assert len(blocks) == 5
    for block, year in zip(blocks, range(2022, 2027)):
        counts = verdict(year)
        words = block["text"].strip()
        total = sum(e.count for e in counts)
        assert words.startswith(f"{year}年：计入评判的 {total} 项公开义务中" if total else f"{year}年：没有计入评判的公开义务")
        for entry in counts:
            assert f"{entry.label} {entry.count} 项" in words
    start = home.elements.index(blocks[2])  # 2024: searched, nothing found, and the bar says so in its own mark
    segments = [e for e in home.elements[start:] if "dl-seg" in e["attrs"].get("class", "")]
    assert "dl-not-found" in segments[0]["attrs"]["class"] and segments[0]["text"] == "✗2"


def chips(page_: Page) -> list[str]:
    return [e["text"] for e in page_.find_all("span", cls="dl-chip")]


def test_item_page_opens_with_a_strip_of_years_linking_to_each_years_entry(page):
    item = page("duties/3/")
    strip = item.find_all("nav", cls="dl-strip")[0]
    assert strip["text"].strip().startswith("2022年 本级 1◁清单发布前")
    links = [e["attrs"]["href"] for e in item.find_all("a") if e["attrs"].get("href", "").startswith("#y")]
    assert links[:5] == ["#y2022", "#y2023", "#y2024", "#y2025", "#y2026"]
    assert all(item.find_all("h3", id=f"y{year}") for year in range(2022, 2027))


def test_group_and_part_pages_show_their_items_statuses(page):
    group = page("groups/1/")  # （一）: items 1–5, item 3 with the annual report
    assert "✓按时公开" in chips(group) and "◁清单发布前" in chips(group)
    rows = [e["text"] for e in group.find_all("th", scope="row")]
    assert rows[0].startswith("第1项") and not any(r.startswith("第6项") for r in rows)
    part = page("parts/3/")
    assert any(r.startswith("第27项") for r in (e["text"] for e in part.find_all("th", scope="row")))


def test_matrix_cells_link_to_the_items_entry_for_that_year(page):
    home = page("")
    cells = home.find_all("td", cls="dl-cell")
    assert len(cells) == 27 * 5
    links = {e["attrs"]["href"] for e in home.find_all("a") if "#y" in e["attrs"].get("href", "")}
    assert "duties/18/#y2024" in links and "duties/3/#y2026" in links
    legend = home.find_all("ul", cls="dl-legend-list", **{"aria-label": "图例"})[0]["text"]   # the matrix's key
    shown = {s for s in Status if any(f"dl-{s.slug}" in c["attrs"]["class"].split() for c in home.find_all("span", cls="dl-chip"))}
    assert shown and all(status.label in legend and status.meaning in legend for status in shown)


def test_late_and_not_searched_never_share_a_mark(tmp_path):
    told_apart = (Status.LATE, Status.NOT_SEARCHED, Status.NOT_FOUND, Status.NO_EVENT, Status.BEFORE_LIST)
    assert len({s.mark for s in told_apart}) == len(told_apart)
    project = copy_project(tmp_path / "project")
    documents = project / "data/documents.yaml"  # the 2023 report, as if published after its deadline
    documents.write_text(documents.read_text(encoding="utf-8").replace("published: 2024-03-06", "published: 2024-04-06"),
                         encoding="utf-8")
    assert build(project, tmp_path / "site").returncode == 0
    item = Page(tmp_path / "site/duties/3/index.html")
    strip = [e for e in item.find_all("span", cls="dl-chip")][:5]
    assert [c["text"] for c in strip[1:3]] == ["!逾期公开 ◇未见于市政府门户网站", "✗已查未见（截至 2026-12-05）"]
    assert "dl-late" in strip[1]["attrs"]["class"] and "dl-not-found" in strip[2]["attrs"]["class"]
