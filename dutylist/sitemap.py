"""A production site needs its address: sitemap.xml lists absolute URLs or nothing.

The sitemaps.org protocol requires each <loc> to be a full URL beginning with the protocol, on the sitemap's own
host; search engines (Google, Bing, Baidu) reject relative entries, and portal checkers crawl the addresses
listed. MkDocs therefore writes an empty sitemap and no canonical link without `site_url`, and relative paths
would make a sitemap no crawler accepts. So a production deploy (`make deploy`, `dutylist deploy
--require-site-url`) refuses a site without `site_url` or whose sitemap does not list its pages under it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

NAMESPACE = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
FIX = ("请在 data/site.yaml 中填写本站的正式网址，如 site_url: https://www.example.gov.cn/fzqd/，"
       "提交后重新构建（make build）再发布")


def robots(site_url: str) -> str | None:
    """robots.txt naming the sitemap, for a site at the root of its host (crawlers read /robots.txt only)."""
    if site_url.split("://", 1)[-1].strip("/").count("/"):
        return None
    return f"User-agent: *\nDisallow:\n\nSitemap: {site_url.rstrip('/')}/sitemap.xml\n"


def problem(site: Path, site_url: str | None) -> str | None:
    """Why the built site cannot go live for search engines, in Chinese, or None."""
    if not site_url:
        return ("data/site.yaml 没有填写 site_url（本站正式网址）：站点地图（sitemap.xml）只能列出完整网址，"
                f"搜索引擎和政府网站检查工具都不接受相对路径，没有网址的站点地图是空的 — {FIX}")
    try:
        locations = [e.text or "" for e in ET.parse(site / "sitemap.xml").getroot().iter(f"{NAMESPACE}loc")]
    except (OSError, ET.ParseError) as error:
        return f"站点中的 sitemap.xml 无法读取（{error}） — 请重新构建（make build）再发布"
    base = site_url.rstrip("/") + "/"
    if not locations:
        return f"sitemap.xml 没有列出任何网址（构建时还没有 site_url？） — {FIX}"
    if outside := [loc for loc in locations if not loc.startswith(base)]:
        return (f"sitemap.xml 中的网址 {outside[0]} 不在 site_url（{base}）之下：站点是用另一个网址构建的 — "
                "请用当前数据重新构建（make build）再发布")
    return None
