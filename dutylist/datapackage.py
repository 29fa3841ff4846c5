"""datapackage.json: the open data described as a Frictionless Data Package (v1), for the tools researchers and
open-data portals read. Built from what export.py publishes, file by file, so a new file or column is described
without a change here: each CSV is a Tabular Data Resource whose Table Schema takes its columns and types from
the CSV as written and its field descriptions from the JSON Schema published beside it; each JSON file is a
data resource. Every resource carries its size and SHA-256, so a citation can be checked against the file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
from pathlib import Path, PurePosixPath

from . import licences
from .dataset import Dataset
from .export import OpenFile, plain

# The licence of the editors' data is stated once, in licences.py: here as a Data Package `licenses` entry.
DATA_LICENCE = {key: licences.DATA[key] for key in ("name", "path", "title")}
DATA_LICENCE_ZH = licences.DATA["title_zh"] + "：注明出处即可自由使用、转载和改编"
OFFICIAL_TEXTS = licences.OFFICIAL_TEXTS
DIALECT = {"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": "\"", "doubleQuote": True, "header": True}


def data_commit(data_dir: Path) -> str | None:
    """The commit the site is built from (None outside a git checkout): with the reference date, it names the
    version of every file exactly."""
    try:
        out = subprocess.run(["git", "rev-parse", "--verify", "-q", "HEAD"], cwd=data_dir, capture_output=True,
                             text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 and out.stdout.strip() else None


def version(reference_date: dt.date, commit: str | None) -> str:
    """"2026-11-27+a1b2c3d4e5f6": the statuses' reference date and the commit (the date alone outside git)."""
    return reference_date.isoformat() + (f"+{commit[:12]}" if commit else "")


def descriptor(dataset: Dataset, files: list[OpenFile], commit: str | None) -> dict:
    """The Data Package describing `files` (paths under data/, beside datapackage.json)."""
    duty_list = dataset.duty_list
    return package(
        "duty-list-open-data", f"{duty_list.shown_title}：公开数据",
        f"{duty_list.shown_title}全文、本站引用的公开文件、各年度进展记录、清单要求公开事项的状态"
        f"（计算截至 {dataset.reference_date}）及其变化记录。",
        dataset.reference_date, commit, [*([duty_list.jurisdiction] if duty_list.jurisdiction else [])],
        [{"title": duty_list.shown_title, "path": duty_list.source_url}], files, dataset.site.site_url)


def package(name: str, title: str, description: str, reference_date, commit: str | None, keywords: list[str],
            sources: list[dict], files: list[OpenFile], homepage: str | None) -> dict:
    """A Data Package of `files`, one list's or a portal's: the fields both share, in one place."""
    schemas = {f.name: json.loads(f.content) for f in files if f.is_schema}
    found = {
        "profile": "data-package",
        "name": name,
        "title": title,
        "description": description + OFFICIAL_TEXTS,
        "version": version(reference_date, commit),
        "reference_date": reference_date.isoformat(),
        "commit": commit,
        "keywords": ["法治建设", "职责清单", *keywords],
        "licenses": [DATA_LICENCE],
        "sources": sources,
        "resources": [resource(f, schemas) for f in files],
    }
    if homepage:
        found["homepage"] = homepage
    return found


def resource(file: OpenFile, schemas: dict[str, dict]) -> dict:
    raw = file.content.encode("utf-8") if isinstance(file.content, str) else file.content
    name = PurePosixPath(file.path).name
    found = {"name": name, "path": name, "title": file.title}
    if description := ("JSON Schema：说明同名 JSON 文件每个字段的含义和类型。" if file.is_schema else plain(file.name)):
        found["description"] = description
    if name.endswith(".csv"):
        found.update(profile="tabular-data-resource", type="table", format="csv", mediatype="text/csv", encoding="utf-8",
                     dialect=DIALECT, schema=table_schema(file, schemas.get(file.name)))
    else:
        # type "json" (Data Package v2): read as JSON data, not as the Table Schema a "*schema.json" name suggests
        found.update(profile="data-resource", type="json", format="json",
                     mediatype="application/schema+json" if file.is_schema else "application/json", encoding="utf-8")
    found.update(bytes=len(raw), hash="sha256:" + hashlib.sha256(raw).hexdigest())
    return found


def table_schema(file: OpenFile, json_schema: dict | None) -> dict:
    """The CSV's columns with their types, described where the JSON Schema of the same data describes a property
    of that name and type (list.csv's `complete` is 是/否, not the model's true/false: it stays undescribed)."""
    described = _properties(json_schema or {}, [f["name"] for f in file.fields])
    fields = []
    for column in file.fields:
        field = {"name": column["name"]}
        written = column.get("type")                 # None: the column is empty in this build
        known = _column_of(described.get(column["name"], {}))
        if known and written in (None, known[0]):
            field["type"] = known[1]
            if description := described[column["name"]].get("description"):
                field["description"] = description
        else:
            field["type"] = written or "string"
        fields.append(field)
    return {"fields": fields, "missingValues": [""]}


def _column_of(node: dict) -> tuple[str, str] | None:
    """How a JSON Schema property is written in a CSV cell: (the type of the values written, its Table Schema
    type); lists are joined into text."""
    kind = node.get("type")
    if kind == "string":
        return "string", "date" if node.get("format") == "date" else "string"
    if kind == "array":
        return "string", "string"
    if kind in ("integer", "number", "boolean"):
        return kind, kind
    return None


def _properties(schema: dict, columns: list[str]) -> dict[str, dict]:
    """Column name → JSON Schema property, from the object in the schema whose properties are most of the
    columns (a CSV written from that model); a column `deadline_month` is property `month` of `deadline`."""
    definitions = schema.get("$defs", {})

    def resolve(node: dict) -> dict:
        if "$ref" in node:
            return resolve(definitions.get(node["$ref"].rsplit("/", 1)[-1], {}))
        options = [resolve(n) for n in node.get("anyOf", []) if n.get("type") != "null"]
        return {**options[0], **{k: v for k, v in node.items() if k != "anyOf"}} if len(options) == 1 else node

    def flatten(properties: dict, prefix: str = "") -> dict[str, dict]:
        flat = {}
        for name, node in properties.items():
            node = resolve(node)
            flat[prefix + name] = node
            flat.update(flatten(node.get("properties", {}), f"{prefix}{name}_"))
        return flat

    candidates = [flatten(resolve(s).get("properties", {})) for s in [schema, schema.get("items", {}), *definitions.values()]]
    best = max(candidates, key=lambda c: len(c.keys() & set(columns)), default={})
    return best if len(best.keys() & set(columns)) * 2 > len(columns) else {}
