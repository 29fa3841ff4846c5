"""Building a project into a folder and reading the HTML it produced."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "tests" / "fixtures" / "yingkou-list" / "published-page.txt"   # source URL in its README.md
REFERENCE_DATE = "2026-11-27"
PROJECT_FILES = ["mkdocs.yml", "macros.py", "hooks", "docs", "overrides"]


def copy_project(target: Path, data: Path = ROOT / "data") -> Path:
    """The site's code with another data folder: what a new jurisdiction would do."""
    target.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, target / name)
    shutil.copytree(data, target / "data")
    return target


def build(project: Path, out: Path, reference_date: str = REFERENCE_DATE, **env) -> subprocess.CompletedProcess:
    environ = {**os.environ, "REFERENCE_DATE": reference_date, "CI": "true", "NO_MKDOCS_2_WARNING": "1", **env}
    # no -q: it silences warnings before --strict counts them, and a warning would pass unnoticed
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(project / "mkdocs.yml"),
                           "-d", str(out)], capture_output=True, text=True, env=environ, timeout=600)


def normalise(text: str) -> str:
    """Compare texts ignoring only whitespace and punctuation width."""
    return "".join(unicodedata.normalize("NFKC", text).split())


class _Elements(HTMLParser):
    """Text of elements, by tag, class and id; enough to assert on what a reader sees."""

    VOID = {"br", "img", "input", "meta", "link", "hr", "source", "wbr", "area", "base", "col", "embed", "track"}

    def __init__(self):
        super().__init__()
        self.stack: list[dict] = []
        self.elements: list[dict] = []

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, "attrs": dict(attrs), "text": ""}
        self.elements.append(element)
        if tag not in self.VOID:
            self.stack.append(element)

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()["tag"] == tag:
                break

    def handle_data(self, data):
        for element in self.stack:
            element["text"] += data


class Page:
    def __init__(self, path: Path):
        self.path = path
        self.html = path.read_text(encoding="utf-8")
        parser = _Elements()
        parser.feed(self.html)
        self.elements = parser.elements

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs) -> list[dict]:
        return [e for e in self.elements
                if (tag is None or e["tag"] == tag)
                and (cls is None or cls in e["attrs"].get("class", "").split())
                and all(e["attrs"].get(k) == v for k, v in attrs.items())]

    def text(self, tag: str = "article", cls: str | None = None) -> str:
        found = self.find_all(tag, cls)
        return found[0]["text"] if found else ""

    def links(self) -> list[str]:
        return [e["attrs"]["href"] for e in self.find_all("a") if e["attrs"].get("href")]
