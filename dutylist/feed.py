"""An Atom feed of documents and progress entries, dated by the data (never by the build time).

Atom requires every `updated` to be a full date-time (RFC 3339). Documents carry full dates. The list itself may be
dated only to the month or year: it is never turned into a day (2024-06 is not 2024-06-01). It is written, as
known, in the feed's subtitle; and a feed without entries is dated by the last change of its data (`fallback`: the
data files' newest commit, else the build's reference date), the one full date that is true of it.
"""

from __future__ import annotations

import datetime as dt
import uuid
import xml.etree.ElementTree as ET

from .dataset import Dataset

ATOM = "http://www.w3.org/2005/Atom"


def atom(dataset: Dataset, fallback: dt.date | None = None) -> str:
    entries = sorted(_entries(dataset), key=lambda e: (e["date"], e["id"]), reverse=True)
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"xml:lang": "zh-CN"})
    _text(feed, "id", _urn(f"feed|{dataset.duty_list.source_url}"))
    _text(feed, "title", dataset.site.site_name)
    _text(feed, "subtitle", _about_the_list(dataset.duty_list))
    _text(feed, "updated", _stamp(max((e["date"] for e in entries), default=fallback or dataset.reference_date)))
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", dataset.site.sponsor or dataset.site.site_name)
    for entry in entries:
        node = ET.SubElement(feed, f"{{{ATOM}}}entry")
        _text(node, "id", entry["id"])
        _text(node, "title", entry["title"])
        _text(node, "updated", _stamp(entry["date"]))
        ET.SubElement(node, f"{{{ATOM}}}link", {"rel": "alternate", "href": entry["url"]})
        _text(node, "summary", entry["summary"])
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"


def _entries(dataset: Dataset):
    # ids are namespaced by entry type: the duty list is also a document, and must not share the feed's own id
    for doc in dataset.documents:
        yield {"id": _urn(f"document|{doc.id}"), "date": doc.published, "url": doc.url, "title": doc.title,
               "summary": "".join([f"{doc.kind_label}，{doc.publisher}发布", *_marks(doc)])}
    for year, progress in dataset.years.items():
        for key, evidence in progress.items.items():
            item = dataset.items_by_key[key]
            for n, entry in enumerate(evidence):
                doc = dataset.documents_by_id[entry.document]
                reading = "【编者解读】" if entry.mapping == "interpretation" else ""
                scope = f"【{entry.scope}】" if entry.scope else ""
                yield {"id": _urn(f"evidence|{year}|{key}|{n}|{doc.id}"), "date": doc.published, "url": doc.url,
                       "title": f"{year}年 {item.title}", "summary": "".join(
                           [reading, scope, entry.summary, f"（来源：{doc.title}，{doc.published}）", *_marks(doc)])}


def _about_the_list(duty_list) -> str:
    """The list's title and date as far as known (2024年6月 stays a month), with the same marks as its pages."""
    dated = f"{duty_list.published}发布" if duty_list.published else "发布日期不详"
    return "".join([f"{duty_list.shown_title}（{dated}）", *_marks(duty_list)])


def _marks(doc) -> list[str]:
    """The same cautions the pages show beside a document (or the list itself)."""
    marks = []
    if doc.unconfirmed:
        marks.append(f"【{'、'.join(doc.unconfirmed_labels)}未经原文核实：{doc.unconfirmed_reason}】")
    if doc.repost_of:
        dated = f"（转载日期 {doc.repost_date}）" if doc.repost_date else ""
        marks.append(f"【转载{dated}：{doc.repost_of}】")
    return marks


def _text(parent: ET.Element, tag: str, text: str) -> None:
    ET.SubElement(parent, f"{{{ATOM}}}{tag}").text = text


def _urn(name: str) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, name).urn


def _stamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00+08:00"
