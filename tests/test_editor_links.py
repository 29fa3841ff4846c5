"""Editors' Markdown links into generated pages are checked, anchors included, though those pages are
written as finished HTML that Markdown never parses."""

from helpers import Page, build, copy_project


def _with_narrative(tmp_path, text: str):
    project = copy_project(tmp_path / "project")
    (project / "data/narratives").mkdir(exist_ok=True)
    (project / "data/narratives/3.md").write_text(text, encoding="utf-8")
    return project, build(project, tmp_path / "site")


def test_link_to_a_document_entry_builds_and_works(tmp_path):
    project, result = _with_narrative(tmp_path, "报告原文见[公开文件](../documents.md#doc-rpt-2025)。\n")
    assert result.returncode == 0, result.stderr
    page = Page(tmp_path / "site/duties/3/index.html")
    assert "../../documents/#doc-rpt-2025" in page.links()
    assert 'id="doc-rpt-2025"' in Page(tmp_path / "site/documents/index.html").html


def test_link_to_a_missing_anchor_fails_the_build_and_names_it(tmp_path):
    project, result = _with_narrative(tmp_path, "报告原文见[公开文件](../documents.md#doc-no-such-report)。\n")
    assert result.returncode != 0
    assert "doc-no-such-report" in result.stderr
