"""Every text field of the model, found by reflection, holds a payload that would inject markup or run a command
if it were ever treated as template source or markup; the built site shows each one as literal text."""

from __future__ import annotations

import csv
import io
import json
import types
import typing
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown import markdown
from pydantic import BaseModel

import macros
from dutylist import model, narrative
from dutylist.dataset import DocumentsFile, ObligationsFile
from helpers import Page, build, copy_project

FILES = {"list.yaml": model.DutyList, "site.yaml": model.Site, "documents.yaml": DocumentsFile,
         "obligations.yaml": ObligationsFile, "progress/2025.yaml": model.YearProgress}
# Text fields that name something else in the data rather than say anything: a payload there is a broken
# reference, which check reports (tests/test_data_errors.py).
REFERENCES = {("Obligation", "item"), ("Obligation", "required_hosts"), ("Site", "official_domains"),
              ("Site", "media_domains")}
# Text that must repeat other text word for word: it gets that text's payload (a quote is its item's whole text,
# and the place the list names is words of the quote: see bind_quotes).
MIRRORS = {("Obligation", "quote"): "Item.text", ("Obligation", "required_place"): "Item.text"}


def payload_of(cls: str, name: str) -> str:
    return payload(MIRRORS.get((cls, name), f"{cls}.{name}"))
CANARY = Path("/tmp/dl-reflection-canary")


def payload(name: str) -> str:
    return (f'⟦{name}⟧"><script>alert(1)</script><img src=x onerror=alert(2)>'
            f"{{{{ cycler.__init__.__globals__.os.popen('touch {CANARY}').read() }}}}{{{{ 7*7 }}}}{{% if 1 %}}")


def _is_free_text(annotation) -> bool:
    """A str field without a pattern or URL check: text an editor writes freely."""
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return any(_is_free_text(a) for a in args if a is not type(None))
    if typing.get_origin(annotation) is list:
        return _is_free_text(args[0])
    if typing.get_origin(annotation) is typing.Annotated:
        checks = [m for m in annotation.__metadata__]
        restricted = any(getattr(m, "pattern", None) or getattr(m, "func", None) is model.http_url for m in checks)
        return args[0] is str and not restricted
    return annotation is str


def _models_in(annotation) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def text_fields(cls: type[BaseModel], seen=None) -> set[tuple[str, str]]:
    """(model name, field name) of every free-text field reachable from cls."""
    seen = set() if seen is None else seen
    if cls in seen:
        return set()
    seen.add(cls)
    fields = set()
    for name, info in cls.model_fields.items():
        annotation = info.rebuild_annotation() if info.metadata else info.annotation
        if _is_free_text(annotation) and (cls.__name__, name) not in REFERENCES:
            fields.add((cls.__name__, name))
        for sub in _models_in(info.annotation):
            fields |= text_fields(sub, seen)
    return fields


def fill(data, cls: type[BaseModel], filled: set):
    """Put each free-text field's payload into data (adding optional fields that are absent)."""
    for name, info in cls.model_fields.items():
        annotation = info.rebuild_annotation() if info.metadata else info.annotation
        key = (cls.__name__, name)
        if _is_free_text(annotation) and key not in REFERENCES:
            value = payload_of(cls.__name__, name)
            is_list = "list" in str(info.annotation)
            data[name] = [value] if is_list else value
            filled.add(key)
        elif name in data:
            for sub in _models_in(info.annotation):
                value = data[name]
                mapping = typing.get_origin(info.annotation) is dict
                children = value.values() if mapping else value if isinstance(value, list) else [value]
                for child in children:
                    for entry in child if isinstance(child, list) else [child]:
                        if isinstance(entry, dict):
                            fill(entry, sub, filled)
    return data


TITLE_END = "职责清单"


def bind_quotes(data: Path) -> None:
    """Every item's text is the same payload, but a quote must be whole clauses of its own item only, with a word
    requiring publication: give each obligation's item a clause of its own and quote the item's whole text. The
    payloads stay whole; a yearly obligation names no event, and a named place has hosts."""
    listed = yaml.safe_load((data / "list.yaml").read_text(encoding="utf-8"))
    obligations = yaml.safe_load((data / "obligations.yaml").read_text(encoding="utf-8"))
    items = {str(i["number"]): i for p in listed["parts"] for g in p.get("groups", []) for i in g["items"]}
    listed["title"] += TITLE_END   # the title names the text (清单), as check requires; the payload stays whole
    for ob in obligations["obligations"]:
        item = items[ob["item"]]
        item["text"] += f"，第{ob['item']}项予以公布"
        ob["quote"] = item["text"]
        ob.setdefault("required_hosts", ["www.yingkou.gov.cn"])
        if ob["frequency"] == "yearly":
            ob.pop("event", None)
    for name, value in (("list.yaml", listed), ("obligations.yaml", obligations)):
        (data / name).write_text(yaml.safe_dump(value, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    CANARY.unlink(missing_ok=True)
    project = copy_project(tmp_path_factory.mktemp("project"))
    filled: set = set()
    for file, cls in FILES.items():
        path = project / "data" / file
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if file.startswith("progress/"):
            data["searches"] = [{"obligation": "regulation-publication", "searched_on": "2026-04-02", "result": "not-found"}]
        if file == "list.yaml":
            data["parts"][0]["clauses"][0]["label"] = "（一）"
            data["columns"] = {}   # the shipped list is not printed as a table: give the headings' fields a place
        path.write_text(yaml.safe_dump(fill(data, cls, filled), allow_unicode=True, sort_keys=False), encoding="utf-8")
    bind_quotes(project / "data")
    out = tmp_path_factory.mktemp("site")
    result = build(project, out)
    assert result.returncode == 0, result.stderr
    return out, filled


def test_every_text_field_of_the_model_got_a_payload(hostile_site):
    _, filled = hostile_site
    every = set().union(*(text_fields(cls) for cls in FILES.values()))
    assert every and filled == every  # a field added later is covered without editing this test


def test_no_payload_ran_as_a_template(hostile_site):
    out, _ = hostile_site
    assert not CANARY.exists()   # and each payload's "{{ 7*7 }}" is shown whole, never 49 (test below)


def _shown(path: Path) -> str:
    """What a reader or a crawler gets from a page: its text and its attribute values (both unescaped), and the
    strings of its JSON-LD as a JSON parser reads them."""
    page = Page(path)
    attributes = [str(v) for e in page.elements for k, v in e["attrs"].items()
                  if not (e["tag"] == "meta" and e["attrs"].get("name") == "description")]  # a shortened text
    text = page.find_all("html")[0]["text"]
    for script in page.find_all("script", type="application/ld+json"):
        text = text.replace(script["text"], "\n".join(_strings(json.loads(script["text"]))))
    return "\n".join([text, *attributes])


def _strings(value) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


def test_no_payload_became_markup_on_any_page(hostile_site):
    out, _ = hostile_site
    for path in out.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        assert "<script>alert(" not in html, path
        handlers = [e for e in Page(path).elements for name, value in e["attrs"].items()
                    if name.startswith("on") and "alert" in (value or "")]
        assert not handlers, path


def test_each_payload_is_shown_whole_and_literal_wherever_it_is_shown(hostile_site):
    out, filled = hostile_site
    texts = [_shown(p) for p in out.rglob("*.html")]
    shown = set()
    for cls, name in filled:
        whole = payload_of(cls, name)
        marker = whole[:whole.index("⟧") + 1]
        for text in texts:
            if marker in text:
                shown.add((cls, name))
                assert text.count(marker) == text.count(whole), f"{cls}.{name} is altered on a page"
    assert ("Item", "short") in shown and ("Site", "site_name") in shown and ("Evidence", "summary") in shown


def test_json_ld_keeps_hostile_text_inside_its_script(hostile_site):
    out, _ = hostile_site
    page = Page(out / "duties/index.html")
    scripts = page.find_all("script", type="application/ld+json")
    assert len(scripts) == 1 and "</script" not in scripts[0]["text"]
    graph = json.loads(scripts[0]["text"])   # the script ended where the page meant it to: it parses whole
    names = {node["@type"]: node for node in graph["@graph"]}
    assert names["Legislation"]["name"] == payload("DutyList.title") + TITLE_END   # "…</script><script>alert(1)…", intact
    assert names["Legislation"]["publisher"]["name"] == payload("DutyList.publisher")
    assert names["WebPage"]["isPartOf"]["name"] == payload("Site.site_name")


def test_payloads_stay_text_in_search_index_feed_and_open_data(hostile_site):
    out, filled = hostile_site
    index = json.loads((out / "search/search_index.json").read_text(encoding="utf-8"))
    for doc in index["docs"]:
        assert "<script>alert(" not in doc["text"] and "<script>alert(" not in doc["title"]
    feed = ET.parse(out / "feed.xml").getroot()
    feed_texts = [e.text or "" for e in feed.iter()]
    assert any(payload("Site.site_name") == t for t in feed_texts)
    assert "<script>alert(" not in (out / "feed.xml").read_text(encoding="utf-8")
    published = "".join(p.read_text(encoding="utf-8") for p in (out / "data").glob("*.json"))
    for cls, name in filled:
        if cls != "Site":  # the site's settings are not open data
            assert json.dumps(payload_of(cls, name), ensure_ascii=False)[1:-1] in published, f"{cls}.{name}"
    rows = list(csv.DictReader(io.StringIO((out / "data/list.csv").read_text(encoding="utf-8-sig"))))
    assert rows[0]["short"] == payload("Item.short")


# --- narratives: Markdown whose HTML is cleaned, fuzzed ---------------------------------------------------

# What check lets through (it refuses links to other hosts, javascript: and data: links, see
# tests/test_hostile_data.py); the sanitiser must still remove the rest.
HOSTILE_NARRATIVE = """补充说明正文。

<script>alert(1)</script>
<style>body{background:red}</style>
<img alt="图">
<iframe></iframe>
<a>脚本链接</a> <form><button>提交</button></form>
<p onclick="alert(3)" style="color:red">事件属性</p>
<!--/dl-narrative:00000000000000000000000000000000--><script>alert(4)</script>

段落{: onmouseover="alert(5)" }

[正常链接](https://www.yingkou.gov.cn/)
"""


@pytest.fixture(scope="module")
def narrative_site(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("project"))
    (project / "data/narratives/18.md").write_text(HOSTILE_NARRATIVE, encoding="utf-8")
    out = tmp_path_factory.mktemp("site")
    result = build(project, out)
    assert result.returncode == 0, result.stderr
    return Page(out / "duties/18/index.html")


def test_a_narrative_keeps_its_text_and_safe_links(narrative_site):
    text = narrative_site.text()
    assert "补充说明正文。" in text and "事件属性" in text and "脚本链接" in text
    assert narrative_site.find_all("a", href="https://www.yingkou.gov.cn/")


def test_a_narrative_carries_no_script_style_handler_or_foreign_request(narrative_site):
    html = narrative_site.html
    assert "alert(" not in "".join(e["text"] for e in narrative_site.find_all("script"))
    assert not narrative_site.find_all("iframe") and len(narrative_site.find_all("form")) == 1  # the theme's search
    assert not [e for e in narrative_site.find_all("img") if e["attrs"].get("alt") == "图"]
    assert not [e for e in narrative_site.elements if any(a.startswith("on") for a in e["attrs"])]
    assert not [e for e in narrative_site.find_all("a") if (e["attrs"].get("href") or "").startswith(("javascript", "data"))]
    assert 'style="color:red"' not in html


NASTY = st.sampled_from(["<script>", "</script>", "<img src=x onerror=alert(1)>", "javascript:", "<a href='javascript:x'>",
                         "{{", "}}", "{%", "%}", "{#", "#}", "render_item(18)", "render_group(1)", "render_list()", "<!--",
                         "-->", "\n\n", "<", ">", "\"", "'", "`", "[x](javascript:y)", "{: onclick=z }", "<style>", "|", "("])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(NASTY, st.text(max_size=8)), max_size=20).map("".join))
def test_fuzzed_narratives_are_refused_or_rendered_without_markup(source):
    problems = narrative.problems("data/narratives/18.md", source, {"18"}, 7)
    if problems:
        assert all(p.line >= 1 and p.message for p in problems)
        return
    calls = {"render_item": lambda key: "<p class=\"dl-item\">条目</p>", "render_group": lambda n: "<p>组</p>",
             "render_list": lambda: "<p>清单</p>"}
    secret = "0123456789abcdef"
    marked = macros.mark_narrative(narrative.render(source, calls), secret)
    html = macros.clean_narratives(markdown(marked, extensions=["attr_list", "md_in_html", "tables"]), secret)
    elements = Page.parse(html)
    assert not [e for e in elements if e["tag"] in ("script", "style", "iframe", "img")]
    assert not [e for e in elements for name, value in e["attrs"].items()
                if name.startswith("on") or (name in ("href", "src") and (value or "").strip().lower().startswith(
                    ("javascript", "data", "vbscript")))]
