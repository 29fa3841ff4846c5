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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import requests
import urllib3.exceptions

from . import archive as store

SIZE_LIMIT = store.DOCUMENT_LIMIT
OFFLINE = "无法连接网络，未检查任何链接"
VERDICTS = {"gone": "已失效", "moved_off": "已迁出官方网站", "changed": "文字有改动", "moved": "已迁移",
            "unreachable": "暂时无法访问", "unchanged": "未变化", "live": "正常（尚无存档）"}
MAX_DETAIL = 1000


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
    left_to: str | None = None         # a redirect to a host the document may not be linked on: not followed
    pdf: bool = False
    title: str = ""
    raw_sha256: str = ""
    text_sha256: str = ""
    paragraphs: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and self.status < 400


Allowed = Callable[[str, str], bool]   # (address checked, address it redirects to) → may the site link it


def check_links(urls: list[str], cache: Path | None = None, max_age: dt.timedelta = dt.timedelta(days=1),
                timeout: float = 10, now: dt.datetime | None = None, allowed: Allowed | None = None) -> list[LinkResult]:
    """Each address asked once (within `timeout` seconds in all), or taken from a cache younger than max_age.
    Redirects are followed while `allowed` accepts them (all, when None)."""
    now = now or dt.datetime.now(dt.timezone.utc)
    cached = _read_cache(cache)
    fresh = {u: r for u, r in cached.items() if now - dt.datetime.fromisoformat(r.checked_at) < max_age}
    to_check = sorted(set(urls) - fresh.keys())
    with ThreadPoolExecutor(max_workers=8) as pool:
        checked = dict(zip(to_check, pool.map(lambda u: _check(u, timeout, now, allowed), to_check)))
    results = {**cached, **fresh, **checked}
    if cache:
        # a failure says nothing about the page (the network may be down, the transfer broke): never remember it
        answered = {u: asdict(r) for u, r in sorted(results.items()) if r.status is not None and r.error is None}
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps(answered, ensure_ascii=False, indent=1), encoding="utf-8")
    return [results[u] for u in urls]


def offline(results: list[LinkResult]) -> bool:
    """No address answered at all: the network, not the pages, is down."""
    return bool(results) and all(r.status is None for r in results)


def _check(url: str, timeout: float, now: dt.datetime, allowed: Allowed | None) -> LinkResult:
    try:
        return _ask(url, timeout, now, allowed)
    except Exception as error:   # one page no parser can read must never stop the others
        return LinkResult(url, now.isoformat(), error=f"无法处理（{type(error).__name__}）")


def _ask(url: str, timeout: float, now: dt.datetime, allowed: Allowed | None) -> LinkResult:
    stamp = now.isoformat()
    try:
        fetched = store.fetch_response(url, timeout, SIZE_LIMIT, (lambda target: allowed(url, target)) if allowed else None)
    except store.PrivateAddress as error:
        return LinkResult(url, stamp, error=str(error))
    except store.Interrupted as error:   # it answered, so the network is up; but the page did not arrive
        return LinkResult(url, stamp, error.status, error=f"超时（{timeout:g} 秒）" if error.timed_out else "传输中断")
    except requests.Timeout:
        return LinkResult(url, stamp, error=f"超时（{timeout:g} 秒）")
    except requests.RequestException as error:
        return LinkResult(url, stamp, error=f"连接失败：{type(error).__name__}", dns_failed=_dns_failed(error))
    except store.ArchiveError as error:
        return LinkResult(url, stamp, error=str(error))
    answered = fetched.status < 300
    title, paragraphs, text_sha256 = store.page_text(fetched.body, fetched.content_type) if answered else ("", [], "")
    return LinkResult(url, stamp, fetched.status, fetched.final_url, len(fetched.redirects),
                      fetched.response.headers.get("Content-Type"), len(fetched.body), permanent=fetched.permanently_moved,
                      left_to=fetched.left_to, pdf=fetched.is_pdf, title=title, raw_sha256=store.sha256(fetched.body),
                      text_sha256=text_sha256, paragraphs=paragraphs)


def _dns_failed(error: Exception) -> bool:
    reason = getattr(error.args[0], "reason", None) if error.args else None
    return isinstance(reason, urllib3.exceptions.NameResolutionError)


def _read_cache(cache: Path | None) -> dict[str, LinkResult]:
    if not cache or not cache.exists():
        return {}
    try:
        entries = json.loads(cache.read_text(encoding="utf-8")).items()
    except (ValueError, TypeError, AttributeError, RecursionError, OSError):   # damaged: ask again
        return {}
    results = {}
    for url, entry in entries:
        try:
            if not {"left_to", "pdf"} <= entry.keys():   # from a version that followed any redirect: ask again
                continue
            result = LinkResult(**entry)
            dt.datetime.fromisoformat(result.checked_at)
        except (ValueError, TypeError, AttributeError):   # damaged: ask again
            continue
        results[url] = result
    return results


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


def classify(document_id: str, result: LinkResult, archive: store.Archive,
             not_found: store.NotFoundPages | None = None) -> DocumentCheck:
    def verdict(kind: str, detail: str = "", new_url: str | None = None) -> DocumentCheck:
        return DocumentCheck(document_id, result.url, kind, store.visible(detail or "")[:MAX_DETAIL], new_url, result.status)

    if result.status is None:
        return verdict("gone", f"域名无法解析（{result.error}）") if result.dns_failed else verdict("unreachable", result.error)
    if result.error is not None:
        return verdict("unreachable", result.error)
    if result.left_to is not None:   # never linked, never compared: the page there is not the official document
        where = store.host_of(result.left_to) if store._linkable(result.left_to) else "无效地址"
        return verdict("moved_off", f"{'已永久' if result.permanent else '已'}跳转到官方域名之外的网站（{where}），本站不链接该地址")
    if reason := store.gone_reason(result.redirects > 0, result.final_url or result.url, result.status, result.title,
                                   result.paragraphs, not_found, result.pdf):
        return verdict("gone", reason)
    if result.status >= 400:
        return verdict("unreachable", f"HTTP {result.status}")
    capture = archive.latest(document_id, result.url)
    moved_to = result.final_url if result.permanent else None
    if capture is None:
        return verdict("live", "", moved_to)
    if store.same_words(capture.text_sha256, capture.raw_sha256, result.text_sha256, result.raw_sha256):
        return verdict("moved", f"已永久跳转到 {moved_to}", moved_to) if moved_to else verdict("unchanged")
    if store.EMPTY_TEXT in (capture.text_sha256, result.text_sha256):
        summary = "文件的字节不同（未能读出文字，按原始字节比较）"
    else:
        summary = ("PDF 文字：" if result.pdf else "") + diff_summary(archive.paragraphs(capture), result.paragraphs)
    return verdict("changed", summary + (f"；并已永久跳转到 {moved_to}" if moved_to else ""), moved_to)


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
    return store.normalised([paragraph])


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
        before = before if before and before.url == check.url else None   # a verdict on another address says nothing
        capture = archive.latest(check.document, check.url)
        last_same = stamp if check.verdict in ("unchanged", "moved") else (
            before.last_same if before and before.last_same else (capture.captured_at if capture else ""))
        since = before.since if before and before.verdict == check.verdict else stamp
        kept[check.document] = store.Check(verdict=check.verdict, url=check.url, checked_at=stamp, since=since,
                                           last_same=last_same, detail=check.detail, new_url=check.new_url)
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
        allowed: store.Allowed, now: dt.datetime | None = None) -> tuple[int, str, str]:
    """Check, classify, keep the verdicts. Returns (exit code, Markdown report, JSON report): 1 when a cited
    document is gone or moved off the official domains (or archive/ is damaged), 3 when offline.
    `allowed(kind, address)`: whether a document of that kind may be linked there."""
    now = now or dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    problems: list = []
    archive = store.load(archive_root, problems)
    if problems:
        text = "\n".join(map(str, sorted(problems))) + "\n存档文件有问题，本次未检查：请先按上面的提示修复。\n"
        return 1, text, json.dumps({"checked_at": now.isoformat(), "archive_problems": len(problems)}) + "\n"
    kinds: dict[str, set[str]] = {u: {"duty-list"} for u in extra_urls}
    for document in documents:
        kinds.setdefault(document.url, set()).add(document.kind)
    urls = list(kinds)
    results = dict(zip(urls, check_links(urls, cache, timeout=timeout, now=now,
                                         allowed=lambda url, target: any(allowed(k, target) for k in kinds[url]))))
    if offline(list(results.values())):
        return 3, OFFLINE + "\n", json.dumps({"checked_at": now.isoformat(), "offline": True}) + "\n"
    not_found = store.NotFoundPages(timeout)
    found = [classify(d.id, results[d.url], archive, not_found) for d in documents]
    found += [classify("（清单来源）", results[u], archive, not_found) for u in extra_urls
              if u not in {d.url for d in documents}]
    known = [c for c in found if not c.document.startswith("（")]
    since_last = changes(archive.checks, found)
    archive_root.mkdir(parents=True, exist_ok=True)
    store.write_json(archive_root / "checks.json",
                     {i: asdict(c) for i, c in sorted(updated_checks(archive.checks, known, archive, now).items())})
    code = 1 if any(c.verdict in ("gone", "moved_off") for c in found) else 0
    return code, report(found, since_last), report_json(found, since_last, now)
