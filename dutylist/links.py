"""Check that every document link in the data still answers: status, redirects, content type, size.

Run by the scheduled pipeline (never on an editor's push): results are cached so a slow portal is asked
at most once a day per link.
"""

from __future__ import annotations

import datetime as dt
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import requests

SIZE_LIMIT = 20 * 1024 * 1024  # read at most this much of a body whose length the server does not state


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
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps({u: asdict(r) for u, r in sorted(results.items())}, ensure_ascii=False, indent=1),
                         encoding="utf-8")
    return [results[u] for u in urls]


def _check(url: str, timeout: float, now: dt.datetime) -> LinkResult:
    stamp = now.isoformat()
    try:
        with requests.get(url, timeout=timeout, allow_redirects=True, stream=True,
                          headers={"User-Agent": "dutylist-linkcheck"}) as response:
            size = response.headers.get("Content-Length")
            if size is None:
                size = sum(len(chunk) for chunk in _limited(response))
            return LinkResult(url, stamp, response.status_code, response.url, len(response.history),
                              response.headers.get("Content-Type"), int(size))
    except requests.Timeout:
        return LinkResult(url, stamp, error=f"超时（{timeout:g} 秒）")
    except requests.RequestException as error:
        return LinkResult(url, stamp, error=f"连接失败：{type(error).__name__}")


def _limited(response):
    read = 0
    for chunk in response.iter_content(65536):
        read += len(chunk)
        yield chunk
        if read >= SIZE_LIMIT:
            return


def _read_cache(cache: Path | None) -> dict[str, LinkResult]:
    if not cache or not cache.exists():
        return {}
    return {u: LinkResult(**r) for u, r in json.loads(cache.read_text(encoding="utf-8")).items()}


def report(results: list[LinkResult]) -> str:
    """A Markdown table, broken links first."""
    lines = ["| 结果 | 状态 | 跳转 | 类型 | 大小 | 链接 |", "|---|---|---|---|---|---|"]
    for r in sorted(results, key=lambda r: (r.ok, r.url)):
        verdict = "正常" if r.ok else f"失效：{r.error or r.status}"
        lines.append(f"| {verdict} | {r.status or ''} | {r.redirects or ''} | {r.content_type or ''} | "
                     f"{r.size if r.size is not None else ''} | {r.url} |")
    broken = sum(not r.ok for r in results)
    lines.append(f"\n共 {len(results)} 个链接，失效 {broken} 个。")
    return "\n".join(lines) + "\n"
