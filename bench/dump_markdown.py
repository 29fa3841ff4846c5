"""Benchmark-only MkDocs hook: writes every page's final Markdown and the expanded nav, to rebuild them statically."""

import os
from pathlib import Path

import yaml
from macros import put_back_final_html
from mkdocs.plugins import event_priority

OUT = Path(os.environ["BENCH_STATIC_DIR"])


@event_priority(-100)  # after mkdocs-macros has rendered the page
def on_page_markdown(markdown, page, config, files):
    target = OUT / "docs" / page.file.src_uri
    target.parent.mkdir(parents=True, exist_ok=True)
    markdown = put_back_final_html(markdown, getattr(page, "final_html", []), getattr(page, "dl_secret", ""))  # static pages need the HTML itself
    meta = {"title": page.title, **({"search": page.meta["search"]} if "search" in page.meta else {})}
    target.write_text(f"---\n{yaml.safe_dump(meta, allow_unicode=True)}---\n{markdown}", encoding="utf-8")
    return None  # leave the page as it was


def on_post_build(config):
    (OUT / "nav.yaml").write_text(yaml.safe_dump(config.nav, allow_unicode=True), encoding="utf-8")
