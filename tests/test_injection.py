"""Data text is shown as text: no markup, no template evaluation, no Markdown links."""

import pytest

from helpers import Page, build, copy_project

HOSTILE = {
    "script": "<script>alert(1)</script>",
    "img": '<img src=x onerror="alert(2)">',
    "entity": "&lt;b&gt;粗体&lt;/b&gt;",
    "link": "[点我](https://evil.example/)",
    "jinja": "{{ config }}",
    "jinja-block": "{% for x in range(3) %}重复{% endfor %}",
    "emphasis": "**加粗** _斜体_ # 标题",
}


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("project"))
    lines = "".join(f"    - document: rpt-2025\n      mapping: direct\n      summary: '摘要{key}：{value}'\n"
                    for key, value in HOSTILE.items())
    progress = project / "data/progress/2025.yaml"
    progress.write_text(progress.read_text(encoding="utf-8").replace("  2:\n", "  2:\n" + lines, 1), encoding="utf-8")
    items = project / "data/list.yaml"
    items.write_text(items.read_text(encoding="utf-8").replace("short: 法治督察", "short: '督察{{ config }}<b>粗</b>'"),
                     encoding="utf-8")
    (project / "data/narratives").mkdir(exist_ok=True)
    (project / "data/narratives/2.md").write_text("编者补充说明中可以引用条目：\n\n{{ render_item(18) }}\n", encoding="utf-8")
    out = tmp_path_factory.mktemp("site")
    result = build(project, out)
    assert result.returncode == 0, result.stderr
    return out


def test_hostile_text_shows_literally(hostile_site):
    page = Page(hostile_site / "duties/2/index.html")
    text = page.text()
    for key, value in HOSTILE.items():
        assert f"摘要{key}：{value}" in text, key


def test_no_markup_or_template_output_leaks_into_the_page(hostile_site):
    page = Page(hostile_site / "duties/2/index.html")
    assert all("alert" not in e["text"] for e in page.find_all("script"))
    assert not [e for e in page.find_all("img") if "onerror" in e["attrs"]]
    assert not page.find_all("a", href="https://evil.example/")
    assert "重复重复重复" not in page.html
    assert "site_name" not in page.text()  # {{ config }} would have printed the configuration
    assert not [e for e in page.find_all("b") if e["text"] == "粗体"]


def test_hostile_short_title_is_text_in_headings_and_navigation(hostile_site):
    page = Page(hostile_site / "duties/5/index.html")
    assert "督察{{ config }}<b>粗</b>" in page.text("h1")
    assert not [e for e in page.find_all("b") if e["text"] == "粗"]


def test_the_three_calls_work_in_a_narrative(hostile_site):
    page = Page(hostile_site / "duties/2/index.html")
    assert "编者补充说明中可以引用条目：" in page.text()
    assert "带头自觉履行行政复议决定" in page.text()  # item 18's text, from {{ render_item(18) }}
