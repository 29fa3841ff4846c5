"""`dutylist new-year` prepares exactly the years `check` accepts: the coming one from December on."""

import re
import shutil

import pytest

from dutylist.cli import main
from helpers import ROOT, Page, build, copy_project


@pytest.fixture
def data(tmp_path):
    shutil.copytree(ROOT / "data", tmp_path / "data")
    return tmp_path / "data"


def run(capsys, *argv) -> tuple[int, str]:
    code = main(["--data", *map(str, argv)])
    return code, capsys.readouterr().err


def test_the_coming_year_prepared_in_december_builds_and_is_not_yet_due(tmp_path, monkeypatch, capsys):
    project = copy_project(tmp_path / "project")
    # December 2026, after the searches the shipped data records (made on 2026-12-05: none may be later)
    monkeypatch.setenv("REFERENCE_DATE", "2026-12-31")
    assert run(capsys, project / "data", "new-year", 2027)[0] == 0
    assert run(capsys, project / "data", "check")[0] == 0
    result = build(project, tmp_path / "site", reference_date="2026-12-31")
    assert result.returncode == 0, result.stderr
    statuses = {e["text"].lstrip("✓!?…✗–") for e in Page(tmp_path / "site/years/2027/index.html").find_all("span", cls="dl-status")}
    assert "未到期" in statuses and statuses <= {"未到期", "不适用"}


def test_a_year_check_refuses_is_refused_with_checks_message(data, monkeypatch, capsys):
    # a year on: on 2026-11-30 the shipped data's searches (made 2026-12-05) would be refused first
    monkeypatch.setenv("REFERENCE_DATE", "2027-11-30")
    code, refused = run(capsys, data, "new-year", 2028)
    assert code == 1 and not (data / "progress/2028.yaml").exists()
    (data / "progress/2028.yaml").write_text("year: 2028\nitems: {}\n", encoding="utf-8")
    code, report = run(capsys, data, "check")
    assert code == 1
    assert f"progress/2028.yaml:1:1: 字段 year：{refused.strip()}" in report
    assert "2027-12-01" in refused


def test_a_year_after_the_coming_one_is_refused_even_in_december(data, monkeypatch, capsys):
    monkeypatch.setenv("REFERENCE_DATE", "2026-12-31")
    assert run(capsys, data, "new-year", 2028)[0] == 1
    assert not (data / "progress/2028.yaml").exists()


@pytest.mark.parametrize("guide", ["README.md", "EDITING.md"])
def test_the_guides_example_year_works_when_they_say_it_does(data, monkeypatch, capsys, guide):
    text = (ROOT / guide).read_text(encoding="utf-8")
    year = int(re.search(r"new-year (\d{4})", text)[1])
    assert re.search(rf"{year - 1} ?年 ?12 ?月|December {year - 1}", text), "the guide says from when"
    monkeypatch.setenv("REFERENCE_DATE", f"{year - 1}-12-31")   # December, after the shipped data's searches
    assert run(capsys, data, "new-year", year)[0] == 0 and (data / f"progress/{year}.yaml").exists()
    assert run(capsys, data, "check")[0] == 0
