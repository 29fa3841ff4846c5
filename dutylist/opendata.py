"""Every open-data file the site publishes (export's files, datapackage.json, the zip of all), and how the
数据下载 page lists them: one row per data set, its plain sentence before any file format is named."""

from __future__ import annotations

import json
from dataclasses import dataclass

from . import bundle, datapackage, export
from .dataset import Dataset
from .export import OpenFile

PACKAGE = "data/datapackage.json"
ZIP = "data/open-data.zip"

_last: tuple[Dataset, list[OpenFile]] | None = None


def site_files(dataset: Dataset) -> list[OpenFile]:
    """The files under data/: computed once per data set (the build and the 数据下载 page both ask)."""
    global _last
    if _last is None or _last[0] is not dataset:
        files = export.open_files(dataset)
        commit = datapackage.data_commit(dataset.data_dir)
        described = json.dumps(datapackage.descriptor(dataset, files, commit), ensure_ascii=False, indent=2) + "\n"
        package = OpenFile(PACKAGE, "数据目录", described)
        contents = {f.path.rsplit("/", 1)[-1]: f.content for f in [*files, package]}
        contents[bundle.README] = bundle.readme(dataset, [*files, package], commit)
        everything = OpenFile(ZIP, "全部数据", bundle.zip_bytes(contents, dataset.reference_date))
        _last = dataset, [*files, package, everything]
    return _last[1]


@dataclass(frozen=True)
class Row:
    """One data set on the 数据下载 page: what it is in plain words, then its files."""

    title: str
    plain: str
    table: OpenFile | None       # CSV
    data: OpenFile | None        # JSON
    schema: OpenFile | None      # its JSON Schema, where one is published for this data set alone


@dataclass(frozen=True)
class Listing:
    everything: OpenFile         # the zip
    package: OpenFile            # datapackage.json
    rows: list[Row]
    schemas: list[OpenFile]      # every JSON Schema
    version: str                 # reference date + commit, as datapackage.json states it
    licence: str = datapackage.DATA_LICENCE_ZH
    licence_url: str = datapackage.DATA_LICENCE["path"]
    official_texts: str = datapackage.OFFICIAL_TEXTS


def listing(dataset: Dataset) -> Listing:
    files = site_files(dataset)
    by_path = {f.path: f for f in files}
    names = list(dict.fromkeys(f.name for f in files if not f.is_schema and f.path not in (PACKAGE, ZIP)))
    rows = []
    for name in names:
        table, data = by_path.get(f"data/{name}.csv"), by_path.get(f"data/{name}.json")
        title = data.title if data else table.title.removesuffix("（CSV）")
        rows.append(Row(title, export.plain(name), table, data, by_path.get(f"data/{name}.schema.json")))
    version = json.loads(by_path[PACKAGE].content)["version"]
    return Listing(by_path[ZIP], by_path[PACKAGE], rows, [f for f in files if f.is_schema], version)


def size(file: OpenFile) -> str:
    """The file's size as a reader reads it: "38 KB"."""
    length = len(file.content.encode("utf-8") if isinstance(file.content, str) else file.content)
    return f"{max(1, round(length / 1024))} KB"
