"""Synthetic data in the project's own schema: N items in G groups, Y years, D documents, text from the real list."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def sentences() -> list[str]:
    """Sentences of the shipped list, to give the synthetic one realistic Chinese text."""
    data = yaml.safe_load((ROOT / "data/list.yaml").read_text(encoding="utf-8"))
    texts = [i["text"] for p in data["parts"] for g in p.get("groups", []) for i in g["items"]]
    return [s + "。" for t in texts for s in re.split("。", t) if s]


def write_dataset(folder: Path, items: int, groups: int, years: int, documents: int) -> Path:
    text = itertools.cycle(sentences())
    folder.mkdir(parents=True, exist_ok=True)
    first_year = 2026 - years + 1
    (folder / "site.yaml").write_text(yaml.safe_dump({"site_name": f"合成清单（{items}项）",
                                                      "official_domains": ["example.gov.cn"]}, allow_unicode=True))
    per_group = -(-items // groups)
    group_list = [{"label": f"（{g + 1}）", "heading": next(text), "short": f"第{g + 1}组",
                   "items": [{"number": n + 1, "short": f"合成条目{n + 1}", "text": next(text) + next(text)}
                             for n in range(g * per_group, min(items, (g + 1) * per_group))]}
                  for g in range(groups) if g * per_group < items]
    duty_list = {"title": f"合成职责清单（{items}项）", "jurisdiction": "合成市", "subject": "人民政府主要负责人",
                 "issuer": "合成市委法治建设办",
                 "publisher": "合成市司法局", "published": dt.date(first_year, 1, 10),
                 "source_url": "https://www.example.gov.cn/list.html",
                 "parts": [{"label": "一、", "heading": "基本原则", "clauses": [{"label": "（一）", "text": next(text)}]},
                           {"label": "二、", "heading": "主要职责", "groups": group_list}]}
    _dump(folder / "list.yaml", duty_list)
    first_item = group_list[0]["items"][0]
    first_item["text"] += "年度报告在合成市门户网站向社会公开。"   # a clause of its own that requires publication
    obligations = [{"id": "annual-report", "kind": "annual-report", "item": "1", "what": "年度报告公开",
                    "quote": "年度报告在合成市门户网站向社会公开",
                    "frequency": "yearly",
                    "deadline": {"month": 3, "day": 31, "year_offset": 1, "basis": "合成依据"}}]
    _dump(folder / "obligations.yaml", {"obligations": obligations})
    docs = [{"id": f"doc-{d}", "title": f"合成文件{d}：" + next(text)[:30], "publisher": "合成市人民政府",
             "published": dt.date(first_year + d % years, 1 + d % 11, 1 + d % 28),
             "url": f"https://www.example.gov.cn/doc/{d}.html", "kind": "normative-document",
             "year_covered": first_year + d % years} for d in range(documents)]
    for year in range(first_year, first_year + years - 1):  # the year in progress has no report yet
        docs.append({"id": f"report-{year}", "title": f"{year}年法治政府建设情况报告", "publisher": "合成市司法局",
                     "published": dt.date(year + 1, 3, 1), "url": f"https://www.example.gov.cn/report/{year}.html",
                     "kind": "annual-report", "year_covered": year, "fulfils": ["annual-report"]})
    _dump(folder / "documents.yaml", {"documents": docs})
    (folder / "progress").mkdir(exist_ok=True)
    for year in range(first_year, first_year + years):
        in_year = [d["id"] for d in docs if d["year_covered"] == year] or [docs[0]["id"]]
        evidence = {str(n): [{"document": in_year[n % len(in_year)], "mapping": "direct", "summary": next(text)}]
                    for n in range(1, items + 1) if n % 3 == year % 3}
        _dump(folder / "progress" / f"{year}.yaml", {"year": year, "items": evidence})
    return folder


def _dump(path: Path, data) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")


def write_archive(project: Path, chars: int = 12000) -> int:
    """An archive of every document in project/data, each an HTML page of about `chars` characters of text (an
    annual report's length), written by the archive's own code; returns its size in bytes."""
    import requests
    from requests.structures import CaseInsensitiveDict

    from dutylist import archive
    from dutylist.dataset import load_dataset

    dataset = load_dataset(project / "data", dt.date(2026, 12, 5))   # the bench's reference date (bench/run.py)
    text = itertools.cycle(sentences())
    root = project / "archive"
    captures = {}
    for n, doc in enumerate(dataset.documents):
        paragraphs, length = [], 0
        while length < chars:
            paragraphs.append(next(text) + next(text))
            length += len(paragraphs[-1])
        body = ("<html><head><title>" + doc.title + "</title></head><body><div class=\"nav\">首页</div><div class=\"main\">"
                + "".join(f"<p>{p}</p>" for p in paragraphs) + "</div></body></html>").encode()
        response = requests.Response()
        response.status_code, response.url, response.reason = 200, doc.url, "OK"
        response.headers = CaseInsensitiveDict({"Content-Type": "text/html; charset=utf-8"})
        fetched = archive.Fetched(doc.url, dt.datetime(2026, 11, 27, 1, 0, n, tzinfo=dt.timezone.utc), response, body)
        captures[doc.id] = [archive.capture(fetched, doc.id, root)]
    archive.write_json(root / "index.json", {i: [archive.asdict(c) for c in cs] for i, cs in captures.items()})
    return archive.load(root).size()
