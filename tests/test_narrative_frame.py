"""An editor's narrative cannot pass for generated content: no class of the site's survives, the narrative is framed
as 编者说明 (item pages and the 说明 page alike), and raw HTML left open cannot swallow the rest of a page."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from dutylist.dataset import load_dataset
from dutylist.problems import DataError
from helpers import REFERENCE_DATE, ROOT, Page, build, copy_project

FIXTURE = ROOT / "tests/fixtures/party-government/data"
CHIP = '<span class="dl-chip dl-on-time"><span class="dl-mark" aria-hidden="true">✓</span>按时公开</span>'
NARRATIVE = f"编者的补充：本项已经落实。\n\n{CHIP}\n\n{{{{ render_item(\"2-1\") }}}}\n"
NOTICE = """  - id: notice-2024
    title: 范例市关于2024年度法治建设工作情况的通报
    publisher: 范例市人民政府办公室
    published: 2024-06-01
    url: https://www.example.gov.cn/2024/notice.html
    kind: other
    year_covered: 2024
"""


@pytest.fixture(scope="module")
def framed(tmp_path_factory):
    """The fictional 党政 list with a narrative drawing a status chip, and a document of kind other."""
    root = tmp_path_factory.mktemp("framed")
    data = shutil.copytree(FIXTURE, root / "data")
    (data / "narratives").mkdir(exist_ok=True)
    (data / "narratives/2-2.md").write_text(NARRATIVE, encoding="utf-8")
    with (data / "documents.yaml").open("a", encoding="utf-8") as documents:
        documents.write(NOTICE)
    result = build(copy_project(root / "project", data=data), root / "site")
    assert result.returncode == 0, result.stderr
    return root / "site"


def _note(page: Page) -> dict:
    (note,) = page.find_all("section", "dl-editors-note")
    return note


def test_a_narrative_keeps_no_class_and_is_framed_as_the_editors(framed):
    page = Page(framed / "duties/2-2/index.html")
    note = _note(page)
    assert note["attrs"]["aria-label"] == "编者说明" and note["text"].strip().startswith("编者说明")
    assert "本项已经落实" in note["text"] and "按时公开" in note["text"]
    inside = page.html[page.html.index('<section class="dl-editors-note"'):page.html.index("</section>", page.html.index("dl-editors-note"))]
    chip = inside[inside.index("✓") - 60:inside.index("按时公开")]
    assert "dl-chip" not in chip and "dl-on-time" not in chip and "class=" not in chip, chip
    # the list text a narrative shows keeps its own look: it is generated, not the editor's markup
    assert '<p class="dl-item"' in inside and "每年向社会公开法治政府建设年度报告" in inside, inside


def test_the_editors_notes_on_the_about_page_are_framed_too(framed):
    page = Page(framed / "about/index.html")
    assert "与原文逐字核对过" in _note(page)["text"]
    assert page.find_all("h2", id="状态说明")   # the page goes on after the notes


def test_a_document_of_kind_other_is_listed_as_other_public_documents(framed):
    page = Page(framed / "documents/index.html")
    headings = [h["text"].strip("¶ \n") for h in page.find_all("h2")]
    assert "其他公开文件" in headings, headings
    entry = page.find_all("li", id="doc-notice-2024")
    assert entry and "范例市关于2024年度法治建设工作情况的通报" in entry[0]["text"]
    assert page.html.index('id="其他公开文件"') < page.html.index('id="doc-notice-2024"')


def test_in_a_browser_the_narratives_chip_is_plain_text_inside_the_frame(framed):
    from playwright.sync_api import sync_playwright

    from test_browser import CHROMIUM, FLAGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            tab = browser.new_page()
            tab.goto((framed / "duties/2-2/index.html").as_uri())
            frame = tab.locator("section.dl-editors-note")
            assert frame.is_visible() and frame.locator("strong", has_text="编者说明").is_visible()
            assert frame.evaluate("e => getComputedStyle(e).borderLeftWidth") == "4px"
            fake = frame.get_by_text("按时公开")
            looks = fake.evaluate("e => { const s = getComputedStyle(e); return [s.borderTopStyle, s.backgroundColor,"
                                  " s.fontWeight, s.display]; }")
            assert looks == ["none", "rgba(0, 0, 0, 0)", "400", "inline"], looks
            # the real chip's style, for comparison: the same markup outside a narrative does look like a chip
            tab.evaluate(f"document.querySelector('article').insertAdjacentHTML('afterbegin', {CHIP!r})")
            real = tab.locator("article > span.dl-chip").evaluate(
                "e => [getComputedStyle(e).borderTopStyle, getComputedStyle(e).fontWeight]")
            assert real == ["solid", "700"], real
        finally:
            browser.close()


@pytest.mark.parametrize("file", ["about.md", "narratives/3.md"])
def test_an_unclosed_block_is_refused_at_its_line_in_its_file(tmp_path, file):
    data = shutil.copytree(ROOT / "data", tmp_path / "data")
    (data / file).parent.mkdir(exist_ok=True)
    (data / file).write_text("录入说明。\n\n<div>\n\n以下照录。\n", encoding="utf-8")
    with pytest.raises(DataError) as raised:
        load_dataset(data, dt.date.fromisoformat(REFERENCE_DATE))
    (found,) = [str(p) for p in raised.value.problems]
    assert found.startswith(f"data/{file}:3:") and "<div>" in found and "</div>" in found, found


def test_the_build_names_the_file_with_the_unclosed_block(tmp_path):
    """It used to pass check, swallow the rest of 说明 and fail the build naming data.md (whose link into 说明
    lost its anchor)."""
    project = copy_project(tmp_path / "project")
    (project / "data/about.md").write_text("<div>\n\n清单原文来自发布页面。\n", encoding="utf-8")
    result = build(project, tmp_path / "site")
    assert result.returncode != 0
    assert "data/about.md:1:1:" in result.stderr and "data.md" not in result.stderr, result.stderr
