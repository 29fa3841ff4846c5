"""What the site presents as fact has a source: obligations quote the list, uncertain facts say so wherever shown."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET

import yaml

from helpers import ROOT

ATOM = "{http://www.w3.org/2005/Atom}"


def load(name: str) -> dict:
    return yaml.safe_load((ROOT / "data" / name).read_text(encoding="utf-8"))


def items() -> dict[str, str]:
    return {str(i["number"]): i["text"] for p in load("list.yaml")["parts"] for g in p.get("groups", [])
            for i in g["items"]}


def flagged_documents() -> list[dict]:
    return [d for d in load("documents.yaml")["documents"] if d.get("unconfirmed") or d.get("repost_of")]


def test_every_obligation_quotes_the_words_of_its_item():
    texts = items()
    for obligation in load("obligations.yaml")["obligations"]:
        assert obligation["quote"] in texts[obligation["item"]], obligation["id"]


def test_holding_events_is_not_a_disclosure_duty(page):
    for key in ("22", "24"):  # the list asks for lectures and 宪法日 activities, not for publishing anything
        item = page(f"duties/{key}/")
        assert not item.find_all("div", cls="dl-obligation")
        assert item.find_all("ul", cls="dl-timeline")  # the evidence stays


def test_a_decree_repealing_rules_does_not_count_as_publishing_one(page):
    item = page("duties/9/")
    statuses = {e["text"] for e in item.find_all("span", cls="dl-status")}
    assert statuses and not statuses & {"✓已公开", "✓按时公开"}
    entry = next(e for e in item.find_all("li") if "政府令第35号" in e["text"])
    assert "编者解读" in entry["text"] and "没有新制定或修改规章" in entry["text"]


def _marks(doc: dict) -> list[str]:
    marks = ["未经原文核实"] if doc.get("unconfirmed") else []
    return marks + (["转载"] if doc.get("repost_of") else [])


def test_unconfirmed_fields_and_reposts_are_marked_on_every_page_that_links_them(site):
    docs = flagged_documents()
    assert {d["id"] for d in docs} >= {"district-gaizhou-2024", "district-xishi-2022", "decree-35-2024"}
    shown = {d["id"]: 0 for d in docs}
    for path in site.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        for doc in docs:
            for link in re.finditer(re.escape(f'href="{doc["url"]}"'), html):
                # the rest of the element the link stands in: up to the end of its list item, paragraph or cell
                rest = re.split(r"</(?:li|p|td)>", html[link.end():], maxsplit=1)[0]
                for mark in _marks(doc):
                    assert mark in rest, (path.relative_to(site), doc["id"], mark)
                shown[doc["id"]] += 1
    assert all(shown.values()), shown  # each flagged document is shown somewhere, so the check above bit


def test_the_feed_and_csv_carry_the_same_marks(site):
    docs = flagged_documents()
    feed = ET.parse(site / "feed.xml").getroot()
    entries = feed.findall(f"{ATOM}entry")
    for doc in docs:
        linked = [e for e in entries if e.find(f"{ATOM}link").get("href") == doc["url"]]
        assert linked
        for entry in linked:
            assert all(m in entry.find(f"{ATOM}summary").text for m in _marks(doc)), doc["id"]
    rows = [row for path in sorted((site / "data").glob("progress-*.csv"))
            for row in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")))]
    for doc in docs:
        cited = [r for r in rows if r["document"] == doc["id"]]
        for row in cited:
            assert row["document_unconfirmed"] == "；".join(doc.get("unconfirmed", [])), doc["id"]
            assert row["document_repost_of"] == doc.get("repost_of", ""), doc["id"]
    register = list(csv.DictReader(io.StringIO((site / "data/documents.csv").read_text(encoding="utf-8-sig"))))
    gaizhou = next(r for r in register if r["id"] == "district-gaizhou-2024")
    assert gaizhou["unconfirmed"] == "title；published" and gaizhou["unconfirmed_reason"]


def test_feed_ids_are_unique_and_interpretations_are_marked(site):
    feed = ET.parse(site / "feed.xml").getroot()
    ids = [feed.find(f"{ATOM}id").text] + [e.find(f"{ATOM}id").text for e in feed.findall(f"{ATOM}entry")]
    assert len(ids) == len(set(ids))
    interpretations = sum(1 for name in ("2022", "2023", "2024", "2025") for entries in
                          load(f"progress/{name}.yaml")["items"].values() for e in entries
                          if e["mapping"] == "interpretation")
    summaries = [e.find(f"{ATOM}summary").text for e in feed.findall(f"{ATOM}entry")]
    assert sum(1 for s in summaries if s.startswith("【编者解读】")) == interpretations > 0


def content_source(page_) -> str | None:
    found = [e["attrs"]["content"] for e in page_.find_all("meta", name="ContentSource")]
    return found[0] if found else None


def test_content_source_is_the_list_publisher_only_where_the_list_is_shown(page):
    for url in ("duties/", "parts/3/", "groups/5/", "duties/18/"):
        assert content_source(page(url)) == "营口市司法局", url
    for url in ("", "about/", "data/", "years/2025/", "documents/"):
        assert content_source(page(url)) is None, url  # no sponsor in data/site.yaml: nothing is claimed
