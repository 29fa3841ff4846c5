"""The generator serves any list of this kind by changing data/ alone."""

import pytest

from helpers import ROOT, Page, build, copy_project

FIXTURE = ROOT / "tests/fixtures/two-parts/data"


@pytest.fixture(scope="module")
def small_site(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("project"), data=FIXTURE)
    out = tmp_path_factory.mktemp("small-site")
    result = build(project, out)
    assert result.returncode == 0, result.stderr
    return out


def test_pages_follow_the_other_shape(small_site):
    assert sorted(p.parent.name for p in small_site.glob("parts/*/index.html")) == ["1", "2"]
    assert sorted(p.parent.name for p in small_site.glob("groups/*/index.html")) == ["1", "2"]
    assert sorted(p.parent.name for p in small_site.glob("duties/*/index.html")) == ["1-1", "1-2", "2-1"]


def test_per_group_numbers_show_as_published(small_site):
    item = Page(small_site / "duties/2-1/index.html")
    assert "1.支持行政复议工作，带头履行行政复议决定。" in item.text()
    # named as printed, with the part and group that hold it: the number restarts, so 第1项 would name two items
    assert item.text("h1").strip("¶") == "二、（二）1." and "第1项" not in item.html


def test_site_identity_comes_from_the_data(small_site):
    home = Page(small_site / "index.html")
    assert "示例县法治建设职责清单" in home.text("title")
    footer = " ".join(e["text"] for e in home.find_all(cls="dl-identifiers"))
    assert "主办单位：示例县司法局" in footer and "示ICP备12345678号" in footer
    assert "网站标识码" not in footer  # unset identifiers are not shown
    for path in small_site.rglob("index.html"):
        correction = [e for e in Page(path).find_all("a") if e["text"] == "我为政府网站找错"]
        assert correction and correction[0]["attrs"]["href"] == "https://www.example.gov.cn/jiucuo/", path
    assert "营口" not in home.html


def test_editor_narrative_renders_below_generated_content_with_its_call(small_site):
    text = Page(small_site / "duties/2-1/index.html").text()
    assert "本项补充说明引用了清单的第一组：" in text
    assert "重大行政决策经合法性审查。" in text[text.index("编者补充"):]  # {{ render_group(1) }}
    assert text.index("清单原文") < text.index("编者补充")
