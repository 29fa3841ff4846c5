"""Linked-data metadata (schema.org JSON-LD) in each page's head, for search engines and open-data portals.

Every page is a `WebPage` whose `dateModified` is the date its data last changed (the data files' commit dates,
the archive's captures, the status history), never the build day: a page whose date moved with every build
would misstate when its content changed. The list page's main entity is the list itself, the data page's the
`Dataset` with a `DataDownload` per file.

Why `Legislation` for the list: schema.org defines it as "a legal document such as an act, decree, bill, etc.
(enforceable or not)", and the list is a normative document issued by a public body that sets out an office
holder's duties; its properties fit the facts the data records (the issuing body as `legislationPassedBy`, the
jurisdiction, the date, `legislationType`). `GovernmentService` describes a service citizens use, which the list
is not; `DigitalDocument` would be true of any file and say nothing of what the list is.

Data text goes into a <script> element, which HTML ends at the first "</script" whatever JSON thinks: every
"<", ">" and "&" is written as its JSON escape (\\u003c…), which JSON parsers read back as the same character.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Callable

from markupsafe import Markup

from .dataset import Dataset
from .datapackage import DATA_LICENCE, data_commit, version
from .export import OpenFile
from .history import as_of

MEDIA_TYPES = {"csv": "text/csv", "json": "application/json", "zip": "application/zip"}


def script(graph: dict) -> Markup:
    """A <script type="application/ld+json"> element that no text in the graph can end early."""
    text = json.dumps(graph, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(f'<script type="application/ld+json">{text}</script>')


def data_modified(dataset: Dataset, file_dates: dict[str, dt.date]) -> str:
    """The newest date of the data behind the whole site: data files' commits, archive captures, status changes
    ("" when none is known)."""
    archive = dataset.archive
    dates = [*file_dates.values(), *(c.date for c in as_of(dataset.history, dataset.reference_date)),
             *(c.saved_on for captures in (archive.captures.values() if archive else []) for c in captures)]
    return max(dates).isoformat() if dates else ""


def page_graph(dataset: Dataset, *, title: str, url: str | None, modified: str, kind: str | None,
               files: list[OpenFile], link: Callable[[str], str]) -> dict:
    """The page's JSON-LD: a WebPage, and for the list page and the data page their main entity.

    `url` is the page's canonical address (None without site_url: no address is invented); `link` turns a site
    path into an address, absolute with site_url and otherwise relative to the page, as JSON-LD resolves it."""
    site = dataset.site
    website = {"@type": "WebSite", "name": site.site_name, **({"url": site.site_url} if site.site_url else {})}
    page = {"@type": "WebPage", "name": title, "inLanguage": "zh-CN", "isPartOf": website}
    if url:
        page["@id"] = page["url"] = url
    if modified:
        page["dateModified"] = modified
    graph = [page]
    entity = {"list": legislation, "dataset": lambda d: open_dataset(d, files, link, modified)}.get(kind)
    if entity:
        main = {"@id": f"{url or ''}#{kind}", **entity(dataset)}
        page["mainEntity"] = {"@id": main["@id"]}
        graph.append(main)
    return {"@context": "https://schema.org", "@graph": graph}


def legislation(dataset: Dataset) -> dict:
    """The list as published: only what the data records and has confirmed. Schema.org has no way to say "not
    confirmed", so an unknown fact, or one marked unconfirmed, is left out rather than stated as certain; a list
    read from a repost names the repost as what the description is based on, never as the list's own address."""
    duty_list = dataset.duty_list
    known = {name: getattr(duty_list, name) for name in ("title", "jurisdiction", "issuer", "publisher", "published")
             if name not in duty_list.unconfirmed and getattr(duty_list, name)}
    name = duty_list.shown_title + ("（标题未经原文核实）" if "title" in duty_list.unconfirmed else "")
    found = {"@type": "Legislation", "name": name,
             "legislationType": "职责清单" if duty_list.is_list else duty_list.document_name, "inLanguage": "zh-CN"}
    if "jurisdiction" in known:
        found["legislationJurisdiction"] = known["jurisdiction"]
    if "published" in known:
        found["legislationDate"] = found["datePublished"] = known["published"].isoformat()
    found["isBasedOn" if duty_list.repost_of else "url"] = duty_list.source_url
    if "issuer" in known:
        found["legislationPassedBy"] = {"@type": "Organization", "name": known["issuer"]}
    if "publisher" in known:
        found["publisher"] = {"@type": "Organization", "name": known["publisher"]}
    return found


def open_dataset(dataset: Dataset, files: list[OpenFile], link: Callable[[str], str], modified: str) -> dict:
    duty_list, site = dataset.duty_list, dataset.site
    found = {"@type": "Dataset", "name": f"{duty_list.shown_title}：公开数据",
             "description": (f"{duty_list.shown_title}全文、本站引用的公开文件、各年度进展记录、清单要求公开事项的状态"
                             f"（计算截至 {dataset.reference_date}）及其变化记录，附 JSON Schema、Table Schema 和 "
                             "Frictionless 数据包描述。"),
             "license": DATA_LICENCE["path"], "isAccessibleForFree": True, "inLanguage": "zh-CN",
             "version": version(dataset.reference_date, data_commit(dataset.data_dir)),
             "keywords": ["法治建设", "职责清单", *_confirmed(duty_list, "jurisdiction")], "isBasedOn": duty_list.source_url}
    if place := _confirmed(duty_list, "jurisdiction"):
        found["spatialCoverage"] = place[0]
    if dataset.years:
        found["temporalCoverage"] = f"{min(dataset.years)}/{max(dataset.years)}"
    if modified:
        found["dateModified"] = modified
    if site.sponsor:
        found["publisher"] = {"@type": "Organization", "name": site.sponsor}
    found["distribution"] = [{"@type": "DataDownload", "name": f.title, "contentUrl": link(f.path),
                              "encodingFormat": MEDIA_TYPES[f.path.rsplit(".", 1)[-1]]}
                             for f in files if not f.is_schema]
    return found


def _confirmed(duty_list, name: str) -> list[str]:
    """[the list's value of a field] when known and confirmed, else []."""
    value = getattr(duty_list, name)
    return [value] if value and name not in duty_list.unconfirmed else []
