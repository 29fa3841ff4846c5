"""Open data and the feed: same facts as the pages, valid against their schemas, dated by the data."""

import csv
import io
import json
import xml.etree.ElementTree as ET

import jsonschema
import pytest
import yaml

from helpers import ROOT, Page, build

ATOM = "{http://www.w3.org/2005/Atom}"
YEARS = [2022, 2023, 2024, 2025, 2026]


def load(site, name):
    return json.loads((site / "data" / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("data, schema", [("list.json", "list.schema.json"), ("documents.json", "documents.schema.json"),
                                          ("statuses.json", "statuses.schema.json"),
                                          *[(f"progress-{y}.json", "progress.schema.json") for y in YEARS]])
def test_json_files_validate_against_their_schemas(site, data, schema):
    jsonschema.validate(load(site, data), load(site, schema))


def test_a_broken_file_fails_its_schema(site):
    broken = load(site, "documents.json")
    broken["documents"][0]["published"] = 20230322
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, load(site, "documents.schema.json"))


def read_csv(site, name):
    raw = (site / "data" / name).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel and WPS then read UTF-8 Chinese correctly
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def test_list_files_hold_the_items_the_pages_show(site, page):
    items = [i for g in (g for p in load(site, "list.json")["parts"] for g in p["groups"]) for i in g["items"]]
    rows = read_csv(site, "list.csv")
    assert len(items) == len(rows) == len(list(site.glob("duties/*/index.html")))
    for row in rows:
        assert row["text"] in page(f"duties/{row['key']}/").text()


def test_documents_files_hold_the_documents_page(site, page):
    listed = [e["attrs"]["id"][4:] for e in page("documents/").find_all("li") if e["attrs"].get("id", "").startswith("doc-")]
    assert sorted(listed) == sorted(d["id"] for d in load(site, "documents.json")["documents"])
    assert sorted(listed) == sorted(r["id"] for r in read_csv(site, "documents.csv"))


@pytest.mark.parametrize("year", YEARS)
def test_progress_files_agree_with_the_year_pages(site, page, year):
    rows = read_csv(site, f"progress-{year}.csv")
    shown = page(f"years/{year}/").find_all("strong", **{"data-count": "evidence"})[0]["text"]
    assert len(rows) == int(shown) == sum(len(v) for v in load(site, f"progress-{year}.json")["items"].values())
    for row in rows:
        assert row["summary"] in page(f"duties/{row['item']}/").text()


def test_statuses_file_agrees_with_item_3(site):
    statuses = {(s["obligation"], s["year"]): s["status_label"] for s in load(site, "statuses.json")}
    assert [statuses[("annual-report", y)] for y in YEARS] == ["清单发布前", "按时公开", "已查未见", "按时公开", "未到期"]


def test_download_page_links_every_file(page, site):
    links = set(page("data/").links())
    assert {p.name for p in (site / "data").iterdir() if p.name != "index.html"} <= links


def test_feed_is_atom_newest_first_and_dated_by_the_data(site):
    root = ET.parse(site / "feed.xml").getroot()
    assert root.tag == f"{ATOM}feed" and root.find(f"{ATOM}id").text.startswith("urn:uuid:")
    entries = root.findall(f"{ATOM}entry")
    dates = [e.find(f"{ATOM}updated").text for e in entries]
    assert dates == sorted(dates, reverse=True)
    assert root.find(f"{ATOM}updated").text == dates[0] == "2026-03-02T00:00:00+08:00"  # 西市区 2025 (date from its URL)
    assert all(e.find(f"{ATOM}id").text and e.find(f"{ATOM}title").text and
               e.find(f"{ATOM}link").get("href").startswith("http") for e in entries)
    documents = load(site, "documents.json")["documents"]
    assert len(entries) == len(documents) + sum(len(read_csv(site, f"progress-{y}.csv")) for y in YEARS)


def test_every_page_links_the_feed(site):
    for path in site.rglob("index.html"):
        alternates = Page(path).find_all("link", rel="alternate", type="application/atom+xml")
        assert alternates and alternates[0]["attrs"]["href"].endswith("feed.xml"), path


def test_builds_of_the_same_data_give_the_same_feed_and_data(site, tmp_path):
    result = build(ROOT, tmp_path)
    assert result.returncode == 0, result.stderr
    for name in ["feed.xml", *[f"data/{p.name}" for p in (site / "data").iterdir()]]:
        assert (tmp_path / name).read_bytes() == (site / name).read_bytes(), name


def test_portal_metadata_comes_from_the_data(page):
    meta = {e["attrs"]["name"]: e["attrs"]["content"] for e in page("duties/3/").find_all("meta") if "name" in e["attrs"]}
    assert meta["SiteName"] == "营口市政府主要负责人法治建设职责履行公示"
    assert meta["ColumnName"] == "职责清单" and meta["ArticleTitle"] == "第3项 法治政府建设情况报告"
    assert meta["PubDate"] == "2026-02-05"  # the newest report cited on the page, not the build day
    assert meta["ContentSource"] == "营口市司法局"
    assert "SiteIDCode" not in meta  # not configured, so not invented


def test_a_date_not_confirmed_from_the_original_is_never_a_pages_pubdate(site):
    """PubDate states a date as a fact: a document's date read only from its address is left out, as the list's is."""
    documents = yaml.safe_load((ROOT / "data/documents.yaml").read_text(encoding="utf-8"))["documents"]
    confirmed = {str(d["published"]) for d in documents if "published" not in d.get("unconfirmed", [])}
    unconfirmed = {str(d["published"]) for d in documents if "published" in d.get("unconfirmed", [])} - confirmed
    assert unconfirmed   # the shipped data has such dates, so this can fail
    dated = {path.relative_to(site): meta["attrs"]["content"] for path in site.rglob("*.html")
             for meta in Page(path).find_all("meta", name="PubDate")}
    assert dated and not {p: d for p, d in dated.items() if d in unconfirmed}
