"""The rest of a real site: a Chinese 404 with ways on, a named search dialog, a skip link, one pager, a sitemap."""

from __future__ import annotations

import re

from helpers import Page, build, copy_project


def test_404_page_is_chinese_and_leads_home_to_search_and_to_the_list(site):
    missing = Page(site / "404.html")
    assert "找不到这个页面" in missing.text() and "Not found" not in missing.html
    links = {e["text"]: e["attrs"]["href"] for e in missing.find_all("a") if e["text"] in
             ("返回首页", "搜索本站", "阅读职责清单全文")}
    assert links == {"返回首页": "/", "搜索本站": "/?q=", "阅读职责清单全文": "/duties/"}


def test_skip_link_and_search_dialog_are_named_in_chinese(page):
    item = page("duties/18/")
    assert [e["text"].strip() for e in item.find_all("a", cls="md-skip")] == ["跳到正文"]
    dialog = item.find_all("div", cls="md-search")[0]
    assert dialog["attrs"]["role"] == "dialog" and dialog["attrs"]["aria-label"]


def test_item_pages_have_one_pager_and_other_pages_keep_the_themes(page):
    item = page("duties/18/")
    assert item.find_all("nav", cls="dl-pager")
    assert all("hidden" in nav["attrs"] for nav in item.find_all("nav", cls="md-footer__inner"))  # not shown, not read
    assert not any("hidden" in nav["attrs"] for nav in page("years/2025/").find_all("nav", cls="md-footer__inner"))


def test_without_a_site_url_no_address_is_invented(site, page):
    assert "<url>" not in (site / "sitemap.xml").read_text(encoding="utf-8")
    assert not page("duties/18/").find_all("link", rel="canonical")


def test_with_a_site_url_the_sitemap_and_canonical_links_use_it(tmp_path):
    project = copy_project(tmp_path / "project")
    site_yaml = project / "data/site.yaml"
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8").replace(
        "# site_url: https://…/", "site_url: https://fzqd.example.gov.cn/gs").replace(
        "official_domains:", "official_domains:\n  - example.gov.cn  # the site's own address must be official", 1),
        encoding="utf-8")
    assert build(project, tmp_path / "site").returncode == 0
    sitemap = (tmp_path / "site/sitemap.xml").read_text(encoding="utf-8")
    locations = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert "https://fzqd.example.gov.cn/gs/duties/18/" in locations and len(locations) > 40
    item = Page(tmp_path / "site/duties/18/index.html")
    assert item.find_all("link", rel="canonical")[0]["attrs"]["href"] == "https://fzqd.example.gov.cn/gs/duties/18/"
    assert "https://fzqd.example.gov.cn/gs/duties/18/" in item.text("div", "dl-print-head")
