"""Open data: the same model the pages show, as JSON, CSV (UTF-8 with BOM for Excel and WPS) and JSON Schema."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from pydantic import BaseModel, Field, TypeAdapter

from .dataset import Dataset, DocumentsFile, ObligationsFile
from .model import Document, DutyList, YearProgress
from .status import obligation_status


@dataclass(frozen=True)
class OpenFile:
    path: str          # under the site root, e.g. "data/list.json"
    title: str         # what a reader is told it holds
    content: str


class SearchRecord(BaseModel):
    """A search an editor recorded for an obligation in a year."""

    searched_on: str
    where: str = Field(description="查找的网站和栏目（或检索工具），照实际查找的写")
    query: str
    result: str = Field(description="found：找到；not-found：未找到")
    document: str | None
    note: str | None


class StatusRecord(BaseModel):
    """One obligation in one year, as computed on the reference date."""

    obligation: str
    item: str
    year: int
    status: str
    status_label: str
    counted: bool = Field(description="是否计入该年的评判（清单发布前、不适用，以及没有记录事件或查找的逐件公开义务不计入）")
    due: str | None
    documents: list[str]
    required_place: str | None = Field(description="清单指定的公开场所（如 政府门户网站），没有指定时为 null")
    elsewhere: bool = Field(description="true：找到的文件都不在清单指定的场所（单独计数）")
    elsewhere_hosts: list[str] = Field(description="elsewhere 为 true 时，文件所在的网站")
    verdict_key: str = Field(description="首页计数所用的键：status，文件不在指定场所的加 -elsewhere")
    searches: int = Field(description="本年度记录的查找次数")
    latest_search: SearchRecord | None = Field(description="最近一次记录的查找；null 表示没有记录任何查找")
    reference_date: str


class ArchiveRecord(BaseModel):
    """One archived copy of a cited document, with its fingerprints and the last link check's verdict."""

    document: str
    url: str
    captured_at: str
    final_url: str
    status: int
    content_type: str
    size: int
    raw_sha256: str
    text_sha256: str
    copy_page: str               # the archived copy's page on this site
    check: str | None            # last link check: live, unchanged, changed, moved or gone
    checked_at: str | None
    check_since: str | None


LIST_FIELDS = ["key", "number", "label", "part", "group", "short", "text", "complete"]
EVIDENCE_FIELDS = ["year", "item", "mapping", "scope", "summary", "document", "document_title", "document_published",
                   "document_url", "document_unconfirmed", "document_unconfirmed_reason", "document_repost_of"]
DOCUMENT_FIELDS = list(Document.model_fields)
SEARCH_FIELDS = [f"latest_search_{name}" for name in SearchRecord.model_fields]
STATUS_FIELDS = [name for name in StatusRecord.model_fields if name != "latest_search"] + SEARCH_FIELDS
ARCHIVE_FIELDS = list(ArchiveRecord.model_fields)


def open_files(dataset: Dataset) -> list[OpenFile]:
    statuses = status_records(dataset)
    files = [
        _schema("list", "职责清单", DutyList),
        _json("list", "职责清单全文", DutyList, dataset.duty_list),
        _csv("list", "职责清单全文（每行一个条目）", LIST_FIELDS, _list_rows(dataset)),
        _schema("documents", "公开文件登记表", DocumentsFile),
        _json("documents", "公开文件登记表", DocumentsFile, DocumentsFile(documents=dataset.documents)),
        _csv("documents", "公开文件登记表", DOCUMENT_FIELDS, [d.model_dump(mode="json") for d in dataset.documents]),
        _schema("obligations", "公开义务", ObligationsFile),
        _json("obligations", "公开义务（清单要求公开的事项）", ObligationsFile, ObligationsFile(obligations=dataset.obligations)),
        _schema("progress", "年度进展", YearProgress),
    ]
    for year, progress in dataset.years.items():
        files.append(_json(f"progress-{year}", f"{year}年进展记录", YearProgress, progress))
        files.append(_csv(f"progress-{year}", f"{year}年进展记录（每行一条证据）", EVIDENCE_FIELDS,
                          _evidence_rows(dataset, year)))
    files.append(_schema("statuses", "公开义务状态", list[StatusRecord]))
    files.append(_json("statuses", f"公开义务状态（计算截至 {dataset.reference_date}）", list[StatusRecord], statuses))
    files.append(_csv("statuses", f"公开义务状态（计算截至 {dataset.reference_date}）", STATUS_FIELDS,
                      [_status_row(r) for r in statuses]))
    archived = archive_records(dataset)
    files.append(_schema("archive", "存档副本与指纹", list[ArchiveRecord]))
    files.append(_json("archive", "存档副本与指纹（SHA-256、保存时间、最近一次链接检查）", list[ArchiveRecord], archived))
    files.append(_csv("archive", "存档副本与指纹", ARCHIVE_FIELDS, [r.model_dump() for r in archived]))
    return files


def archive_records(dataset: Dataset) -> list[ArchiveRecord]:
    archive = dataset.archive
    records = []
    for doc in dataset.documents if archive else []:
        check = archive.check(doc.id)
        for c in archive.captures.get(doc.id, []):
            records.append(ArchiveRecord(document=doc.id, url=c.url, captured_at=c.captured_at, final_url=c.final_url,
                                         status=c.status, content_type=c.content_type, size=c.size,
                                         raw_sha256=c.raw_sha256, text_sha256=c.text_sha256,
                                         copy_page=f"archive/{doc.id}/", check=check.verdict if check else None,
                                         checked_at=check.checked_at if check else None,
                                         check_since=check.since if check else None))
    return records


def status_records(dataset: Dataset) -> list[StatusRecord]:
    return [_status_record(dataset, obligation_status(dataset, o, y)) for o in dataset.obligations for y in dataset.years]


def _status_record(dataset: Dataset, s) -> StatusRecord:
    search = s.search
    latest = SearchRecord(searched_on=search.searched_on.isoformat(), where=search.where, query=search.query,
                          result=search.result, document=search.document, note=search.note) if search else None
    return StatusRecord(obligation=s.obligation.id, item=s.obligation.item, year=s.year, status=s.status.slug,
                        status_label=s.label, counted=s.counted, due=s.due.isoformat() if s.due else None,
                        documents=[d.id for d in s.documents], required_place=s.obligation.required_place,
                        elsewhere=bool(s.elsewhere), elsewhere_hosts=s.elsewhere_hosts,
                        verdict_key=s.verdict_name, searches=len(s.searches),
                        latest_search=latest, reference_date=dataset.reference_date.isoformat())


def _status_row(record: StatusRecord) -> dict:
    """A status as one CSV row: the latest search flattened into columns, its result "none" when there is none."""
    row = record.model_dump(exclude={"latest_search"})
    search = record.latest_search.model_dump() if record.latest_search else {"result": "none"}
    return {**row, **{f"latest_search_{name}": search.get(name) for name in SearchRecord.model_fields}}


def _schema(name: str, title: str, model) -> OpenFile:
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema",
              **TypeAdapter(model).json_schema(mode="serialization")}
    return OpenFile(f"data/{name}.schema.json", f"{title}的 JSON Schema", json.dumps(schema, ensure_ascii=False, indent=2) + "\n")


def _json(name: str, title: str, model, value) -> OpenFile:
    return OpenFile(f"data/{name}.json", title, TypeAdapter(model).dump_json(value, indent=2).decode() + "\n")


def _csv(name: str, title: str, fields: list[str], rows: list[dict]) -> OpenFile:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({k: _cell("；".join(v) if isinstance(v, list) else v) for k, v in row.items()} for row in rows)
    return OpenFile(f"data/{name}.csv", title + "（CSV）", "\ufeff" + out.getvalue())


def _cell(value):
    """Text a spreadsheet would run as a formula (=, +, -, @, tab, return first) gets a leading apostrophe (OWASP)."""
    return "'" + value if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _list_rows(dataset: Dataset) -> list[dict]:
    return [{"key": i.key, "number": i.number, "label": i.printed_label, "part": i.part.title if i.part else "",
             "group": f"{i.group.label}{i.group.heading}" if i.group else "", "short": i.short or "", "text": i.text,
             "complete": "是" if i.complete else "否（以下原文未收录）"} for i in dataset.duty_list.items]


def _evidence_rows(dataset: Dataset, year: int) -> list[dict]:
    rows = []
    for key, entries in dataset.years[year].items.items():
        for entry in entries:
            doc = dataset.documents_by_id[entry.document]
            rows.append({"year": year, "item": key, "mapping": entry.mapping, "scope": entry.scope or "",
                         "summary": entry.summary, "document": doc.id, "document_title": doc.title,
                         "document_published": doc.published.isoformat(), "document_url": doc.url,
                         "document_unconfirmed": doc.unconfirmed, "document_unconfirmed_reason": doc.unconfirmed_reason or "",
                         "document_repost_of": doc.repost_of or ""})
    return rows
