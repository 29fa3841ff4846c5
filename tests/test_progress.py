"""Yearly progress, disclosure statuses and the coverage matrix."""

import datetime as dt
import shutil

import pytest
import yaml

from dutylist.cli import main
from dutylist.dataset import load_dataset
from dutylist.status import Status, obligation_status
from helpers import REFERENCE_DATE, ROOT, Page, build, copy_project

REPORTS = {  # the annual reports in the shared reference facts, as published
    2022: ("中共营口市委营口市人民政府关于2022年法治政府建设情况的报告", "2023-03-22",
           "http://www.yingkou.gov.cn/001/001002/001002001/20230323/a69bbb40-35e7-4021-bbcc-2c9f1f85f737.html"),
    2023: ("关于2023年法治政府建设情况的报告", "2024-03-06",
           "https://sf.yingkou.gov.cn/002/20240306/bb3c4b80-fb49-46b7-a2d4-66611f99c7ca.html"),
    2025: ("营口市关于2025年法治政府建设情况的报告", "2026-02-05",
           "https://www.yingkou.gov.cn/001/001002/20260205/fa5942e1-670c-4546-861a-aeef23e5bc87.html"),
}


def dataset(on: str = REFERENCE_DATE):
    return load_dataset(ROOT / "data", dt.date.fromisoformat(on))


def annual_report_status(on: str, year: int) -> Status:
    data = dataset(on)
    report = next(o for o in data.obligations if o.item == "3")
    return obligation_status(data, report, year).status


def status_cells(item_page: Page, obligation_text: str) -> dict[int, str]:
    """The obligation's status per year, as its line of year links and status chips reads."""
    block = next(e for e in item_page.find_all("div", cls="dl-obligation") if obligation_text in e["text"])
    start = item_page.elements.index(block)
    years = [e for e in item_page.elements[start:] if e["tag"] == "a" and e["attrs"].get("href", "").startswith("#y")][:5]
    chips = [e for e in item_page.elements[start:] if e["tag"] == "span" and "dl-chip" in e["attrs"].get("class", "")][:5]
    marks = "".join(s.mark for s in Status) + " "
    return {int(y["text"].rstrip("年")): c["text"].lstrip(marks) for y, c in zip(years, chips)}


def test_annual_reports_are_on_item_3_with_real_titles_dates_and_links(page):
    item = page("duties/3/")
    for title, date, url in REPORTS.values():
        link = [e for e in item.find_all("a", href=url)]
        assert any(e["text"] == title for e in link) and any(e["text"] == date for e in link)
    assert status_cells(item, "法治政府建设情况报告") == {
        2022: "清单发布前", 2023: "按时公开 ◇未见于市政府门户网站", 2024: "已查未见（截至 2026-12-05）", 2025: "按时公开",
        2026: "未到期"}


@pytest.mark.parametrize("year", sorted(REPORTS))
def test_year_page_shows_its_annual_report(page, year):
    title, date, url = REPORTS[year]
    year_page = page(f"years/{year}/")
    assert any(e["text"] == title for e in year_page.find_all("a", href=url))
    assert ("清单发布前" if year == 2022 else "按时公开") in year_page.find_all("p", cls="dl-report")[0]["text"]


def test_2024_report_shows_the_search_made_not_a_claim_that_it_was_never_published(page):
    report = page("years/2024/").find_all("p", cls="dl-report")[0]["text"]
    assert "已查未见（截至 2026-12-05，检索范围：编者检索工具中存储的公开网页副本" in report
    assert "不是营口市政府门户网站本身" in report and "检索词：" in report
    assert "未公开" not in page("years/2024/").text()


def test_reference_date_alone_moves_2026_report_from_not_yet_due_to_not_searched():
    assert annual_report_status("2027-03-31", 2026) is Status.NOT_YET_DUE
    assert annual_report_status("2027-04-01", 2026) is Status.NOT_SEARCHED


def test_built_pages_state_the_reference_date(tmp_path):
    result = build(ROOT, tmp_path, reference_date="2027-04-01")
    assert result.returncode == 0, result.stderr
    item = Page(tmp_path / "duties/3/index.html")
    assert "状态计算截至 2027-04-01" in item.text()
    assert status_cells(item, "法治政府建设情况报告")[2026] == "尚未查找"


def test_every_evidence_entry_cites_a_registered_document_with_url_and_date():
    data = dataset()
    for progress in data.years.values():
        for entries in progress.items.values():
            for entry in entries:
                document = data.documents_by_id[entry.document]
                assert document.url.startswith(("http://", "https://")) and document.published


def test_every_evidence_entry_on_item_pages_links_to_its_source(page):
    data = dataset()
    for item in data.duty_list.items:
        entries = page(f"duties/{item.key}/").find_all("li")
        timeline = [e for e in entries if "来源：" in e["text"]]
        assert len(timeline) == len(data.evidence(item))
        for (year, evidence, document), shown in zip(data.evidence(item), timeline):
            assert document.title in shown["text"] and document.url in page(f"duties/{item.key}/").html


def test_interpretations_are_labelled(page):
    text = page("duties/26/").text()
    assert "编者解读" in text


def test_coverage_matrix_has_every_item_and_year_and_agrees_with_year_pages(page):
    home = page("")
    matrix = home.find_all("table", cls="dl-matrix")
    assert matrix
    rows = [e for e in home.find_all("th", scope="row") if e["text"].startswith("第")]
    assert len(rows) == 27
    years = sorted(dataset().years)
    for year in years:
        cells = home.find_all("td", cls="dl-cell", **{"data-year": str(year)})
        assert len(cells) == 27
        with_evidence = sum(1 for c in cells if int(c["attrs"]["data-evidence"]) > 0)
        year_page = page(f"years/{year}/")
        assert "27 项中有" in year_page.text()
        shown = year_page.find_all("strong", **{"data-count": "items-with-evidence"})[0]["text"]
        assert int(shown) == with_evidence
        footer = home.find_all("span", **{"data-year": str(year), "data-count": "items-with-evidence"})[0]["text"]
        assert int(footer) == with_evidence


def test_documents_page_lists_every_document_with_the_items_it_evidences(page):
    documents = yaml.safe_load((ROOT / "data/documents.yaml").read_text(encoding="utf-8"))["documents"]
    listing = page("documents/")
    for document in documents:
        entry = listing.find_all("li", id=f"doc-{document['id']}")
        assert entry and document["title"] in entry[0]["text"] and str(document["published"]) in entry[0]["text"]
    assert "第3项" in listing.find_all("li", id="doc-rpt-2023")[0]["text"]


def test_new_year_scaffold_lists_every_item_empty(tmp_path):
    shutil.copytree(ROOT / "data", tmp_path / "data")
    (tmp_path / "data/progress/2026.yaml").unlink()
    assert main(["--data", str(tmp_path / "data"), "new-year", "2026"]) == 0
    scaffold = yaml.safe_load((tmp_path / "data/progress/2026.yaml").read_text(encoding="utf-8"))
    assert scaffold["year"] == 2026 and list(scaffold["items"]) == list(range(1, 28))
    assert all(v == [] for v in scaffold["items"].values())
    assert load_dataset(tmp_path / "data", dt.date.fromisoformat(REFERENCE_DATE)).years[2026].items["18"] == []


def test_not_applicable_years_show_the_reason(tmp_path):
    project = copy_project(tmp_path / "project")
    path = project / "data/obligations.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "    frequency: per-event\n", "    frequency: per-event\n    applies_from: 2024\n"
        "    applies_from_reason: 本项要求由清单提出，自其发布后第一个完整年度起算\n"), encoding="utf-8")
    assert build(project, tmp_path / "site").returncode == 0
    item = Page(tmp_path / "site/duties/9/index.html")
    cells = status_cells(item, "政府规章")
    assert cells[2022] == "清单发布前" and cells[2023] == "不适用" and cells[2024] != "不适用"
    assert "自2024年起适用：本项要求由清单提出" in item.text()
