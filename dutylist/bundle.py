"""One download: a zip of every open-data file, datapackage.json and a README.txt in Chinese.

Byte-identical for the same commit and reference date: entries sorted by name, every entry dated the reference
date (00:00), the same permissions (rw-r--r--, Unix), the same compression level and no extra fields or comment,
so nothing of the machine or the moment of the build gets in.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from .dataset import Dataset
from .export import OpenFile, plain
from .datapackage import DATA_LICENCE, DATA_LICENCE_ZH, OFFICIAL_TEXTS, version

README = "README.txt"


def zip_bytes(files: dict[str, str | bytes], on: dt.date) -> bytes:
    """A zip of name → content, reproducible: sorted, dated `on`, fixed permissions."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in sorted(files):
            entry = zipfile.ZipInfo(name, date_time=(on.year, on.month, on.day, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 3                  # Unix, whatever system builds it
            entry.external_attr = 0o100644 << 16     # a regular file, rw-r--r--
            content = files[name]
            archive.writestr(entry, content.encode("utf-8") if isinstance(content, str) else content, compresslevel=9)
    return out.getvalue()


def readme(dataset: Dataset, files: list[OpenFile], commit: str | None) -> str:
    """What the zip holds, for a reader who does not program: each file in one sentence, then the technical notes."""
    duty_list, site = dataset.duty_list, dataset.site
    lines = [f"{site.site_name}：全部公开数据", "",
             f"内容：{duty_list.shown_title}全文、本站引用的公开文件、各年度进展记录、公开义务的状态（计算截至 "
             f"{dataset.reference_date}）及其变化记录。", ""]
    if site.site_url:
        lines += [f"来源网站：{site.site_url}"]
    lines += [f"清单原文：{duty_list.source_url}",
              f"版本：{version(dataset.reference_date, commit)}（状态的计算日期" + ("及生成本数据的提交编号）" if commit else "）"),
              f"许可：{DATA_LICENCE_ZH}，{DATA_LICENCE['path']}", OFFICIAL_TEXTS, "", "各文件内容：", ""]
    for file in files:
        name = file.path.rsplit("/", 1)[-1]
        sentence = "数据目录：列出本包每个文件的内容、大小、校验码和表格各列的含义，供数据工具读取。" \
            if name == "datapackage.json" else "结构说明：写明同名 JSON 文件每个字段的含义和类型。" \
            if file.is_schema else plain(file.name)
        lines.append(f"{name}　{file.title}" + (f"：{sentence}" if sentence else ""))
    lines += ["", "技术说明：CSV 文件是带 BOM 的 UTF-8 编码，可直接用 Excel 或 WPS 打开；以 = + - @ 开头的文字前加了一个“'”，"
              "以免被表格软件当作公式。JSON 文件附有 JSON Schema（.schema.json）。datapackage.json 遵循 Frictionless "
              "Data Package 规范，记有每个文件的 SHA-256 校验码。"]
    return "\ufeff" + "\r\n".join(lines) + "\r\n"   # BOM and CRLF: any Notepad reads it as UTF-8 and keeps the lines
