"""Check every cited document against the web and against its archived copy.

Run by the scheduled pipeline (never on an editor's push). Each address is asked once per run however many
documents cite it; answers (not connection failures) are cached so a slow portal is asked at most once a day.
Each document is then classified against `archive/` and the verdicts are kept in `archive/checks.json`, which
the site reads to say when an original is gone or changed.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import requests
import urllib3.exceptions

from . import archive as store

SIZE_LIMIT = store.DOCUMENT_LIMIT
OFFLINE = "无法连接网络，未检查任何链接"
VERDICTS = {"gone": "已失效", "changed": "文字有改动", "moved": "已迁移", "unreachable": "暂时无法访问",
            "unchanged": "未变化", "live": "正常（尚无存档）"}


@dataclass(frozen=True)
class LinkResult:
    url: str
    checked_at: str
    status: int | None = None
    final_url: str | None = None
    redirects: int = 0
    content_type: str | None = None
    size: int | None = None
    error: str | None = None
    dns_failed: bool = False           # the host name no longer resolves: gone, unless nothing resolves
    permanent: bool = False            # every redirect was permanent (301/308)
    title: str = ""
    raw_sha256: str = ""
    text_sha256: str = ""
    paragraphs: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and self.status < 400


def check_links(urls: list[str], cache: Path | None = None, max_age: dt.timedelta = dt.timedelta(days=1),
                timeout: float = 10, now: dt.datetime | None = None) -> list[LinkResult]:
    now = now or dt.datetime.now(dt.timezone.utc)
    cached = _read_cache(cache)
    fresh = {u: r for u, r in cached.items() if now - dt.datetime.fromisoformat(r.checked_at) < max_age}
    to_check = sorted(set(urls) - fresh.keys())
    with ThreadPoolExecutor(max_workers=8) as pool:
        checked = dict(zip(to_check, pool.map(lambda u: _check(u, timeout, now), to_check)))
    results = {**cached, **fresh, **checked}
    if cache:
        # a connection failure says nothing about the page (the network may be down): never remember it
        answered = {u: asdict(r) for u, r in sorted(results.items()) if r.status is not None}
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps(answered, ensure_ascii=False, indent=1), encoding="utf-8")
    return [results[u] for u in urls]


def offline(results: list[LinkResult]) -> bool:
    """No address answered at all: the network, not the pages, is down."""
    return bool(results) and all(r.status is None for r in results)


def _check(url: str, timeout: float, now: dt.datetime) -> LinkResult:
    stamp = now.isoformat()
    try:
        fetched = store.fetch_response(url, timeout, SIZE_LIMIT)
    except store.PrivateAddress as error:
        return LinkResult(url, stamp, error=str(error))
    except requests.Timeout:
        return LinkResult(url, stamp, error=f"超时（{timeout:g} 秒）")
    except requests.RequestException as error:
        return LinkResult(url, stamp, error=f"连接失败：{type(error).__name__}", dns_failed=_dns_failed(error))
    except store.ArchiveError as error:
        return LinkResult(url, stamp, error=str(error))
    response = fetched.response
    title, paragraphs, text_sha256 = store.readable_copy(fetched) if response.status_code < 400 else ("", [], "")
    return LinkResult(url, stamp, response.status_code, response.url, len(response.history),
                      response.headers.get("Content-Type"), len(fetched.body), permanent=fetched.permanently_moved,
                      title=title or "", raw_sha256=store.sha256(fetched.body), text_sha256=text_sha256,
                      paragraphs=paragraphs or [])


def _dns_failed(error: Exception) -> bool:
    reason = getattr(error.args[0], "reason", None) if error.args else None
    return isinstance(reason, urllib3.exceptions.NameResolutionError)


def _read_cache(cache: Path | None) -> dict[str, LinkResult]:
    if not cache or not cache.exists():
        return {}
    try:
        return {u: LinkResult(**r) for u, r in json.loads(cache.read_text(encoding="utf-8")).items()}
    except (ValueError, TypeError):   # a cache from an older version: ask again
        return {}


# --- each document against its archived copy -------------------------------------------------------------


@dataclass(frozen=True)
class DocumentCheck:
    document: str
    url: str
    verdict: str
    detail: str = ""
    new_url: str | None = None
    status: int | None = None

    @property
    def label(self) -> str:
        return VERDICTS[self.verdict]


def classify(document_id: str, result: LinkResult, archive: store.Archive) -> DocumentCheck:
    def verdict(kind: str, detail: str = "", new_url: str | None = None) -> DocumentCheck:
        return DocumentCheck(document_id, result.url, kind, detail, new_url, result.status)

    if result.status is None:
        return verdict("gone", f"域名无法解析（{result.error}）") if result.dns_failed else verdict("unreachable", result.error)
    fetched = _Answer(result)
    if reason := store.gone_reason(fetched, result.title):
        return verdict("gone", reason)
    if result.status >= 400:
        return verdict("unreachable", f"HTTP {result.status}")
    capture = archive.latest(document_id)
    moved_to = result.final_url if result.permanent else None
    if capture is None:
        return verdict("live", "", moved_to)
    same = result.raw_sha256 == capture.raw_sha256 if capture.is_pdf else result.text_sha256 == capture.text_sha256
    if same:
        return verdict("moved", f"已永久跳转到 {moved_to}", moved_to) if moved_to else verdict("unchanged")
    summary = "PDF 文件内容不同" if capture.is_pdf else diff_summary(archive.paragraphs(capture), result.paragraphs)
    return verdict("changed", summary + (f"；并已永久跳转到 {moved_to}" if moved_to else ""), moved_to)


class _Answer:
    """The few fields of a live fetch that the soft-404 test reads, rebuilt from a (possibly cached) result."""

    def __init__(self, result: LinkResult):
        self.url, self.final_url, self.status = result.url, result.final_url or result.url, result.status


def diff_summary(before: list[str], after: list[str]) -> str:
    """How many paragraphs were added and removed, and the first change, ignoring counters and spacing."""
    old, new = [_norm(p) for p in before], [_norm(p) for p in after]
    removed = added = 0
    first = ""
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        removed, added = removed + i2 - i1, added + j2 - j1
        first = first or (after[j1] if j2 > j1 else "删去：" + before[i1])
    return f"删去 {removed} 段、新增或改写 {added} 段；首处：「{first[:60]}{'…' if len(first) > 60 else ''}」"


def _norm(paragraph: str) -> str:
    return "".join(store.COUNTERS.sub("", unicodedata.normalize("NFKC", paragraph)).split())


# --- what is kept for the site, and the report -----------------------------------------------------------


def updated_checks(previous: dict[str, store.Check], found: list[DocumentCheck], archive: store.Archive,
                   now: dt.datetime) -> dict[str, store.Check]:
    """The verdicts to keep: a temporary failure keeps the previous verdict; a repeated verdict keeps its date."""
    stamp = now.isoformat()
    kept = dict(previous)
    for check in found:
        if check.verdict == "unreachable":
            continue
        before = previous.get(check.document)
        capture = archive.latest(check.document)
        last_same = stamp if check.verdict in ("unchanged", "moved") else (
            before.last_same if before and before.last_same else (capture.captured_at if capture else ""))
        since = before.since if before and before.verdict == check.verdict else stamp
        kept[check.document] = store.Check(check.verdict, stamp, since, last_same, check.detail, check.new_url)
    return kept


def changes(previous: dict[str, store.Check], found: list[DocumentCheck]) -> list[tuple[DocumentCheck, str]]:
    """Documents whose verdict differs from the last run, with the previous verdict's label."""
    out = []
    for check in found:
        before = previous.get(check.document)
        if before is None or before.verdict != check.verdict:
            out.append((check, VERDICTS.get(before.verdict, before.verdict) if before else "（首次检查）"))
    return out


def report(found: list[DocumentCheck], since_last: list[tuple[DocumentCheck, str]]) -> str:
    """Markdown: what changed since the last run, then every document, worst first."""
    lines = ["## 自上次检查以来的变化", ""]
    lines += [f"- {c.document}：{before} → {c.label}{'：' + c.detail if c.detail else ''}" for c, before in since_last] or ["无。"]
    lines += ["", "## 全部文件", "", "| 结果 | 文件 | 状态 | 说明 | 链接 |", "|---|---|---|---|---|"]
    order = list(VERDICTS)
    for c in sorted(found, key=lambda c: (order.index(c.verdict), c.document)):
        detail = re.sub(r"[|\n]", " ", c.detail or "")
        lines.append(f"| {c.label} | {c.document} | {c.status or ''} | {detail} | {c.url} |")
    counts = "，".join(f"{label} {n} 件" for kind, label in VERDICTS.items()
                      if (n := sum(c.verdict == kind for c in found)))
    lines.append(f"\n共 {len(found)} 件：{counts}。")
    return "\n".join(lines) + "\n"


def report_json(found: list[DocumentCheck], since_last: list[tuple[DocumentCheck, str]], now: dt.datetime) -> str:
    value = {"checked_at": now.isoformat(),
             "documents": [{**asdict(c), "label": c.label} for c in found],
             "changes": [{"document": c.document, "before": before, "now": c.label} for c, before in since_last]}
    return json.dumps(value, ensure_ascii=False, indent=1) + "\n"


def run(documents, extra_urls: list[str], archive_root: Path, cache: Path | None, timeout: float,
        now: dt.datetime | None = None) -> tuple[int, str, str]:
    """Check, classify, keep the verdicts. Returns (exit code, Markdown report, JSON report); 3 when offline."""
    now = now or dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    urls = list(dict.fromkeys([*extra_urls, *(d.url for d in documents)]))
    results = dict(zip(urls, check_links(urls, cache, timeout=timeout, now=now)))
    if offline(list(results.values())):
        return 3, OFFLINE + "\n", json.dumps({"checked_at": now.isoformat(), "offline": True}) + "\n"
    archive = store.load(archive_root)
    found = [classify(d.id, results[d.url], archive) for d in documents]
    found += [classify("（清单来源）", results[u], archive) for u in extra_urls if u not in {d.url for d in documents}]
    known = [c for c in found if not c.document.startswith("（")]
    since_last = changes(archive.checks, found)
    archive_root.mkdir(parents=True, exist_ok=True)
    store.write_json(archive_root / "checks.json",
                     {i: asdict(c) for i, c in sorted(updated_checks(archive.checks, known, archive, now).items())})
    code = 1 if any(c.verdict == "gone" for c in found) else 0
    return code, report(found, since_last), report_json(found, since_last, now)
