"""What `check` tells an editor: coded values with their Chinese names, the nearest registered id for a typo, and
every problem of a narrative at once."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from dutylist.dataset import load_dataset
from dutylist.model import DOCUMENT_KINDS
from dutylist.problems import DataError
from helpers import REFERENCE_DATE, ROOT, build, copy_project

ON = dt.date.fromisoformat(REFERENCE_DATE)


@pytest.fixture
def data(tmp_path):
    return shutil.copytree(ROOT / "data", tmp_path / "data")


def edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems(data) -> list[str]:
    with pytest.raises(DataError) as raised:
        load_dataset(data, ON)
    return [str(p) for p in raised.value.problems]


def test_a_wrong_kind_is_answered_with_every_kind_and_its_chinese_name(data):
    edit(data / "documents.yaml", "kind: consultation", "kind: notice")
    (found,) = problems(data)
    assert "annual-report（法治政府建设年度报告）" in found and "news-report（新闻报道）" in found, found
    assert "other（其他公开文件）" in found, found


def test_the_editors_guide_names_every_kind_in_chinese():
    guide = (ROOT / "EDITING.md").read_text(encoding="utf-8")
    assert all(f"`{kind}` {name}" in guide for kind, name in DOCUMENT_KINDS.items())
    assert DOCUMENT_KINDS["other"] == "其他公开文件"


def test_a_document_of_no_listed_kind_is_other(data):
    edit(data / "documents.yaml", "kind: consultation", "kind: other")
    dataset = load_dataset(data, ON)
    assert [d.kind_label for d in dataset.documents if d.kind == "other"] == ["其他公开文件"]


@pytest.mark.parametrize("file, old, new, near", [
    ("progress/2024.yaml", "document: decree-35-2024", "document: decree-35-2042", "「decree-35-2024」"),
    ("documents.yaml", "fulfils: [annual-report]", "fulfils: [anual-report]", "「annual-report」"),
    ("progress/2024.yaml", "  22:\n", "  222:\n", "「22」"),
    ("obligations.yaml", 'item: "9"', 'item: "99"', "「9」"),
])
def test_a_mistyped_id_is_answered_with_the_nearest_registered_ones(data, file, old, new, near):
    edit(data / file, old, new)
    (found,) = problems(data)
    assert found.startswith(f"data/{file}:"), found
    assert "是否应为" in found and near in found[found.index("是否应为"):], found


def test_an_id_far_from_any_gets_no_guess(data):
    edit(data / "progress/2024.yaml", "document: decree-35-2024", "document: zzzz")
    (found,) = problems(data)
    assert "是否应为" not in found and "请先在 data/documents.yaml 中登记" in found, found


def test_a_narrative_with_a_template_error_still_has_its_links_checked(data):
    (data / "narratives").mkdir(exist_ok=True)
    (data / "narratives/3.md").write_text("# 补充\n\n见[通知](https://evil.example.com/a.html)。\n\n{{ config }}\n",
                                          encoding="utf-8")
    found = problems(data)
    assert any(p.startswith("data/narratives/3.md:3:") and "evil.example.com" in p for p in found), found
    assert any(p.startswith("data/narratives/3.md:5:") and "只能调用三种宏" in p for p in found), found


@pytest.mark.parametrize("call, gist", [("{{ render_item(999) }}", "没有编号为 999 的条目"),
                                         ("{{ render_group(99) }}", "没有第 99 组")])
def test_an_editors_page_asking_for_an_item_or_group_the_list_lacks_is_told_so_in_chinese(tmp_path, call, gist):
    project = copy_project(tmp_path / "project")
    about = project / "docs/about.md"
    about.write_text(about.read_text(encoding="utf-8") + f"\n{call}\n", encoding="utf-8")
    built = build(project, tmp_path / "site")
    assert built.returncode != 0 and gist in built.stderr, built.stderr[-2000:]
