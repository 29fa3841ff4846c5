"""Open data: the same model the pages show, as JSON, CSV (UTF-8 with BOM for Excel and WPS) and JSON Schema."""

from __future__ import annotations

import csv
import io
import json
import re
import typing
from dataclasses import dataclass
from pathlib import PurePosixPath

from pydantic import BaseModel, Field, TypeAdapter

from . import history
from .dataset import Dataset, DocumentsFile, ObligationsFile
from .model import Document, DutyList, Obligation, YearProgress
from .status import obligation_status


@dataclass(frozen=True)
class OpenFile:
    path: str          # under the site root, e.g. "data/list.json"
    title: str         # what a reader is told it holds
    content: str | bytes
    fields: tuple[dict, ...] = ()   # a CSV's columns: name, and type of the values written (None: column empty)

    @property
    def name(self) -> str:
        """The data set the file belongs to: "list" for list.json, list.csv and list.schema.json."""
        return PurePosixPath(self.path).name.split(".")[0]

    @property
    def is_schema(self) -> bool:
        return self.path.endswith(".schema.json")


# One plain sentence per data set, for readers who do not program: the 数据下载 page, datapackage.json and the
# zip's README.txt say it before any technical term. Keyed by the file name before its first dot (a year's
# files by the name without "-YYYY"); a data set missing here is described by its title alone.
PLAIN = {
    "list": "清单原文：每一项职责的原话，一项一行。",
    "documents": "本站引用的每一件公开文件：标题、发布单位、发布日期和原文网址。",
    "obligations": "清单明确要求公开的事项：要公开什么、在哪里公开、有没有期限。",
    "progress": "这一年的履职记录：每条记录对应一项职责和一件公开文件，附本站的摘要。",
    "statuses": "每项公开要求在每一年是否按时公开，按页面注明的日期计算。",
    "archive": "本站为引用的文件保存的副本：何时保存、原网址、原文最近是否还在，以及用来核对内容是否被改过的“指纹”。",
    "status-history": "每项公开要求的状态在哪一天发生了什么变化，一次变化一行。",
}


def plain(name: str) -> str:
    """The plain sentence for a data set ("progress-2024" takes that of "progress"), or ""."""
    return PLAIN.get(name) or PLAIN.get(re.sub(r"-\d{4}$", "", name), "")


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

    document: str = Field(description="文件标识（见 documents）")
    url: str = Field(description="引用的原文链接")
    captured_at: str = Field(description="保存时间（UTC，ISO 8601）")
    final_url: str = Field(description="跳转之后实际取得的地址")
    status: int = Field(description="HTTP 状态码")
    content_type: str = Field(description="文件类型（Content-Type）")
    size: int = Field(description="原始内容的字节数")
    raw_sha256: str = Field(description="原始内容的 SHA-256 指纹")
    text_sha256: str = Field(description="正文的 SHA-256 指纹（去掉空白、标点宽度和访问计数后计算）")
    copy_page: str = Field(description="本站存档副本页面的路径")
    check: str | None = Field(description="最近一次链接检查的结论：live、unchanged、changed、moved 或 gone")
    checked_at: str | None = Field(description="最近一次检查的时间（UTC）")
    check_since: str | None = Field(description="该结论最早出现的时间（UTC）")


# Each row also carries the list's own cautions (as the evidence CSV carries its document's): whoever reads one row
# reads them too
LIST_FIELDS = ["key", "number", "label", "part", "group", "short", "text", "complete", "list_unconfirmed",
               "list_unconfirmed_reason", "list_repost_of"]
EVIDENCE_FIELDS = ["year", "item", "mapping", "scope", "summary", "document", "document_title", "document_published",
                   "document_url", "document_unconfirmed", "document_unconfirmed_reason", "document_repost_of"]
DOCUMENT_FIELDS = list(Document.model_fields)
SEARCH_FIELDS = [f"latest_search_{name}" for name in SearchRecord.model_fields]
STATUS_FIELDS = [name for name in StatusRecord.model_fields if name != "latest_search"] + SEARCH_FIELDS
ARCHIVE_FIELDS = list(ArchiveRecord.model_fields)


def _flat_fields(model: type[BaseModel], prefix: str = "") -> list[str]:
    """A model's fields as CSV columns, a nested model's fields prefixed with its name (deadline_month)."""
    columns = []
    for name, info in model.model_fields.items():
        nested = [a for a in typing.get_args(info.annotation) or [info.annotation]
                  if isinstance(a, type) and issubclass(a, BaseModel)]
        columns += _flat_fields(nested[0], f"{prefix}{name}_") if nested else [prefix + name]
    return columns


def _flat(values: dict, columns: list[str]) -> dict:
    """A model dump as one CSV row: nested values under prefixed columns, absent ones (deadline: null) empty."""
    def walk(value: dict, prefix: str = ""):
        for key, item in value.items():
            if isinstance(item, dict):
                yield from walk(item, f"{prefix}{key}_")
            else:
                yield prefix + key, item
    flat = dict(walk(values))
    return {column: flat.get(column) for column in columns}


OBLIGATION_FIELDS = _flat_fields(Obligation)


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
        _csv("obligations", "公开义务（每行一项，期限拆为 deadline_ 开头的几列）", OBLIGATION_FIELDS,
             [_flat(o.model_dump(mode="json"), OBLIGATION_FIELDS) for o in dataset.obligations]),
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
    files.append(_json("archive", "存档副本与指纹", list[ArchiveRecord], archived))
    files.append(_csv("archive", "存档副本与指纹", ARCHIVE_FIELDS, [r.model_dump() for r in archived]))
    files.extend(_history_files(dataset))
    return files


def _history_files(dataset: Dataset) -> list[OpenFile]:
    """The status history kept in the repository (data-history/), as the other open data: schema, JSON, CSV."""
    records = [history.HistoryRecord.of(change) for change in history.as_of(dataset.history, dataset.reference_date)]
    title = "公开义务状态变化记录"
    return [_schema("status-history", title, list[history.HistoryRecord]),
            _json("status-history", f"{title}（每次变化一条，附日期）", list[history.HistoryRecord], records),
            _csv("status-history", title, list(history.HistoryRecord.model_fields), [r.model_dump() for r in records])]


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
    columns = tuple({"name": f, "type": _column_type([row.get(f) for row in rows])} for f in fields)
    return OpenFile(f"data/{name}.csv", title + "（CSV）", "\ufeff" + out.getvalue(), columns)


def _column_type(values: list) -> str | None:
    """The Table Schema type of a column from the values written into it: numbers and yes/no stay typed for the
    tools that read the CSV; everything else (text, lists joined by "；", dates as written) is a string."""
    present = [v for v in values if v is not None and v != ""]
    if not present:
        return None            # nothing written yet: datapackage.py takes the type from the JSON Schema
    if all(isinstance(v, bool) for v in present):
        return "boolean"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return "integer"
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        return "number"
    return "string"


def _cell(value):
    """Text a spreadsheet would run as a formula (=, +, -, @, tab, return first) gets a leading apostrophe (OWASP)."""
    return "'" + value if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _list_rows(dataset: Dataset) -> list[dict]:
    duty_list = dataset.duty_list
    cautions = {"list_unconfirmed": duty_list.unconfirmed, "list_unconfirmed_reason": duty_list.unconfirmed_reason or "",
                "list_repost_of": duty_list.repost_of or ""}
    return [{"key": i.key, "number": i.number, "label": i.printed_label, "part": i.part.title if i.part else "",
             "group": f"{i.group.label}{i.group.heading}" if i.group else "", "short": i.short or "", "text": i.text,
             "complete": "是" if i.complete else "否（以下原文未收录）", **cautions} for i in duty_list.items]


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
