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
    first_item = group_list[0]["items"][0]
    first_item["text"] += "年度报告在合成市门户网站向社会公开。"   # a clause of its own that requires publication
    _dump(folder / "list.yaml", duty_list)   # after the clause above: the obligation quotes it
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


def write_at_limits(folder: Path, items: int = 40, years: int = 5, history_days: int = 20) -> Path:
    """A data folder at every limit of dutylist/limits.py and source.py at once, every file valid: the largest
    data a build must finish within its bound (tests/test_limits.py, `bench/run.py --limits`).

    `items` items (one text at the longest allowed), 20 obligations on each of 25 items (500), 5,000 documents
    (one note at the longest allowed), years of progress of which three are files of nearly 2 MB with 50 entries
    per item and 2,000 per year, a narrative on every item of nearly 50 KB calling each macro three times (as
    much list text as the narratives may show together), 300 "[" in one of them, and a status history with a
    change on each of `history_days` days for every obligation-year."""
    from dutylist import limits, narrative, source

    text = itertools.cycle(sentences())
    folder.mkdir(parents=True, exist_ok=True)
    first_year = 2026 - years + 1
    (folder / "site.yaml").write_text(yaml.safe_dump({"site_name": "极限数据", "official_domains": ["example.gov.cn"]},
                                                     allow_unicode=True), encoding="utf-8")
    owners = 25   # items with obligations
    per_item = limits.MAX_OBLIGATIONS // owners
    assert per_item <= limits.MAX_OBLIGATIONS_PER_ITEM
    entries = [{"number": n, "short": f"条目{n}", "text": next(text) + f"第{n}项材料向社会公开。"}
               for n in range(1, items + 1)]
    entries[-1]["text"] = (entries[-1]["text"] * source.MAX_TEXT_CHARS)[:source.MAX_TEXT_CHARS - 12] + f"第{items}项材料向社会公开。"
    groups = [{"label": f"（{g + 1}）", "heading": next(text), "items": entries[g * 10:(g + 1) * 10]}
              for g in range(-(-items // 10))]
    _dump(folder / "list.yaml", {"title": "极限数据职责清单", "jurisdiction": "合成市", "subject": "人民政府主要负责人",
                                 "published": dt.date(first_year - 1, 6, 1), "source_url": "https://www.example.gov.cn/list.html",
                                 "groups": groups})
    obligations = [{"id": f"ob-{n}-{k}", "kind": "other", "item": str(n), "what": f"第{n}项材料之{k}",
                    "quote": f"第{n}项材料向社会公开", "frequency": "yearly"}
                   for n in range(1, owners + 1) for k in range(per_item)]
    _dump(folder / "obligations.yaml", {"obligations": obligations})
    docs = [{"id": f"doc-{d}", "title": f"文件{d}：" + next(text)[:40], "publisher": "合成市人民政府",
             "published": dt.date(first_year + d % years, 1 + d % 11, 1 + d % 28),
             "url": f"https://www.example.gov.cn/doc/{d}.html", "kind": "other", "year_covered": first_year + d % years,
             "fulfils": [obligations[d % len(obligations)]["id"]] if d % 3 else []} for d in range(limits.MAX_DOCUMENTS)]
    docs[0]["note"] = ("核对说明" * source.MAX_TEXT_CHARS)[:source.MAX_TEXT_CHARS]
    _dump(folder / "documents.yaml", {"documents": docs})
    (folder / "progress").mkdir(exist_ok=True)
    summary = ("".join(next(text) for _ in range(20)) * 2)[:290]
    for year in range(first_year, first_year + years):
        cited = [d["id"] for d in docs if d["published"].year == year][:limits.MAX_EVIDENCE_PER_YEAR]
        full = year >= first_year + years - 3   # three files of nearly 2 MB; the others small (10 MB in all)
        count = limits.MAX_EVIDENCE_PER_ITEM_YEAR if full else 2
        evidence = {str(n): [{"document": cited[(n * count + k) % len(cited)], "mapping": "direct",
                              "summary": f"{k}：{summary}" if full else (("摘要" * 300)[:MAX_SUMMARY] if k == 0 else "摘要")}
                             for k in range(count)]
                    for n in range(1, min(items, limits.MAX_EVIDENCE_PER_YEAR // count) + 1)}
        searches = [{"obligation": o["id"], "searched_on": dt.date(min(year + 1, 2026), 1, 2), "where": "合成市门户网站",
                     "query": o["what"], "result": "not-found"} for o in obligations[:200]]
        _dump(folder / "progress" / f"{year}.yaml", {"year": year, "items": evidence, "searches": searches})
    (folder / "narratives").mkdir(exist_ok=True)
    # each macro MAX_CALLS times in as many narratives as the list text they show together allows
    whole = sum(len(i["text"]) for i in entries) + sum(len(g["heading"]) for g in groups)
    shown = narrative.MAX_CALLS * (whole + len(groups[0]["heading"]) + sum(len(i["text"]) for i in groups[0]["items"])
                                   + len(entries[1]["text"]))
    calls = "".join(f"\n{{{{ {call} }}}}\n" for call in ("render_list()", "render_group(1)", "render_item(2)")
                    * narrative.MAX_CALLS)
    links = "".join(f"[第{n % items + 1}项]({n % items + 1}.md)" for n in range(narrative.MAX_BRACKETS))
    for n in range(1, items + 1):
        body = f"# 第{n}项的补充说明\n{calls if n * shown <= limits.MAX_SHOWN_LIST_CHARS else ''}\n" \
            + "> " * 30 + "引用\n\n" + (links if n == 1 else "")
        while len((body + (sentence := next(text) + "\n\n")).encode()) <= MAX_NARRATIVE:
            body += sentence
        (folder / "narratives" / f"{n}.md").write_text(body, encoding="utf-8")
    _write_history(folder.parent / "data-history", obligations, range(first_year, first_year + years), history_days)
    return folder


MAX_SUMMARY = 500
MAX_NARRATIVE = 50 * 1024


def _write_history(folder: Path, obligations: list[dict], years, days: int) -> None:
    """data-history/statuses.csv with every obligation-year recorded on the first day and changed on each later one."""
    from dutylist import history

    states = [("not-searched", "尚未查找"), ("not-found", "已查未见")]
    rows = []
    for day in range(days):
        date = dt.date(2026, 11, 1) + dt.timedelta(days=day)
        for o in obligations:
            for year in years:
                now, before = states[day % 2], states[(day + 1) % 2] if day else ("", "")
                rows.append(history.Change(date, o["id"], o["item"], year, *now, *before))
    history.append(folder, rows)
