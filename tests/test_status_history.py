"""The history of every status: `dutylist history` appends one dated row per change and nothing on a rerun; check
refuses a hand-edited history; the site shows each change with its date and publishes the history; the build
itself changes nothing in the repository. The project here also has its address (site_url), as a production site
must: its sitemap lists absolute URLs and its deploy goes through."""

import csv
import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
from types import SimpleNamespace

import pytest
import yaml

from dutylist import history, sitemap
from dutylist.cli import main
from helpers import Page, build, copy_project

SITE_URL = "https://fzqd.example.gov.cn/"
HISTORY = "data-history/statuses.csv"
COMMITTED = "2025-01-02"


def dutylist(project, *args, reference_date):
    return subprocess.run([sys.executable, "-m", "dutylist", "--data", str(project / "data"), *args],
                          capture_output=True, text=True, env={**os.environ, "REFERENCE_DATE": reference_date})


def rows(project) -> list[dict]:
    with open(project / HISTORY, encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def snapshot(project) -> dict:
    return {p.relative_to(project).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(project.rglob("*")) if p.is_file() and ".git" not in p.parts}


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """The shipped data with an address, committed on a known day, and two runs of the history."""
    project = copy_project(tmp_path_factory.mktemp("project"))
    site = project / "data/site.yaml"
    settings = yaml.safe_load(site.read_text(encoding="utf-8"))
    settings.update(site_url=SITE_URL, official_domains=[*settings["official_domains"], "example.gov.cn"])
    site.write_text(yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), encoding="utf-8")
    # the runs go back to 2026-03: without the searches recorded later, and without the 2025 report (published
    # 2026-02-05, on time), the 2025 report's deadline of 2026-03-31 is one a reference date can cross
    for year in (project / "data/progress").glob("*.yaml"):
        progress = yaml.safe_load(year.read_text(encoding="utf-8"))
        progress.pop("searches", None)
        year.write_text(yaml.safe_dump(progress, allow_unicode=True, sort_keys=False), encoding="utf-8")
    documents = project / "data/documents.yaml"
    listed = yaml.safe_load(documents.read_text(encoding="utf-8"))
    next(d for d in listed["documents"] if d["id"] == "rpt-2025").pop("fulfils")
    documents.write_text(yaml.safe_dump(listed, allow_unicode=True, sort_keys=False), encoding="utf-8")
    env = {**os.environ, "GIT_AUTHOR_DATE": f"{COMMITTED}T10:00:00+08:00", "GIT_COMMITTER_DATE": f"{COMMITTED}T10:00:00+08:00",
           "GIT_AUTHOR_NAME": "编者", "GIT_AUTHOR_EMAIL": "editor@example.gov.cn",
           "GIT_COMMITTER_NAME": "编者", "GIT_COMMITTER_EMAIL": "editor@example.gov.cn"}
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "数据"]):
        subprocess.run(["git", *command], cwd=project, check=True, env=env)
    runs = SimpleNamespace(first=dutylist(project, "history", reference_date="2026-03-31"))
    runs.first_rows = rows(project)
    runs.across = dutylist(project, "history", reference_date="2026-04-01")   # the 2025 report's deadline passed
    runs.across_rows = rows(project)
    before = (project / HISTORY).read_bytes()
    runs.again = dutylist(project, "history", reference_date="2026-04-01")
    runs.unchanged = (project / HISTORY).read_bytes() == before
    runs.earlier = dutylist(project, "history", reference_date="2026-03-15")
    runs.still_unchanged = (project / HISTORY).read_bytes() == before
    return project, runs


@pytest.fixture(scope="module")
def built(project, tmp_path_factory):
    project, _ = project
    out = tmp_path_factory.mktemp("site")
    before = snapshot(project)
    result = build(project, out, "2026-11-27")
    assert result.returncode == 0, result.stderr
    return out, before == snapshot(project)


def test_the_first_run_records_every_current_status_and_says_so(project):
    _, runs = project
    assert runs.first.returncode == 0, runs.first.stderr
    assert "首次记录" in runs.first.stdout and "起点" in runs.first.stdout
    assert len(runs.first_rows) == 3 * 5   # three obligations, five years
    assert all(r["date"] == "2026-03-31" and r["previous_status"] == "" for r in runs.first_rows)


def test_a_reference_date_across_a_deadline_adds_exactly_one_row_and_a_rerun_none(project):
    _, runs = project
    assert runs.across.returncode == 0, runs.across.stderr
    new = runs.across_rows[len(runs.first_rows):]
    assert new == [{"date": "2026-04-01", "obligation": "annual-report", "item": "3", "year": "2025",
                    "status": "not-searched", "status_label": "尚未查找",
                    "previous_status": "not-yet-due", "previous_label": "未到期"}]
    assert "未到期 → 尚未查找" in runs.across.stdout
    assert runs.again.returncode == 0 and runs.unchanged and "未写入" in runs.again.stdout


def test_an_earlier_reference_date_is_refused(project):
    _, runs = project
    assert runs.earlier.returncode == 1 and runs.still_unchanged
    assert "2026-03-15" in runs.earlier.stderr and "REFERENCE_DATE" in runs.earlier.stderr


def test_history_works_with_any_status_names():
    """Statuses are stored as found: a status renamed or added later is recorded under its own slug and label."""
    recorded = [history.Change(dt.date(2026, 1, 5), "annual-report", "3", 2025, "not-recorded", "尚未收录")]
    now = [SimpleNamespace(obligation="annual-report", item="3", year=2025, status="not-searched", status_label="尚未查找"),
           SimpleNamespace(obligation="annual-report", item="3", year=2026, status="brand-new", status_label="新状态")]
    assert history.changes_since(recorded, now, dt.date(2026, 2, 1)) == [
        history.Change(dt.date(2026, 2, 1), "annual-report", "3", 2025, "not-searched", "尚未查找", "not-recorded", "尚未收录"),
        history.Change(dt.date(2026, 2, 1), "annual-report", "3", 2026, "brand-new", "新状态")]


GOOD = ("date,obligation,item,year,status,status_label,previous_status,previous_label\n"
        "2026-03-31,annual-report,3,2025,not-yet-due,未到期,,\n"
        "2026-04-01,annual-report,3,2025,late,逾期公开,not-yet-due,未到期\n")
BROKEN = {
    "a header changed": (GOOD.replace("status_label", "label", 1), 1),
    "a column missing": (GOOD.replace(",逾期公开,", ",", 1), 3),
    "an impossible date": (GOOD.replace("2026-04-01", "2026-04-31"), 3),
    "rows out of date order": (GOOD.replace("2026-04-01", "2026-03-01"), 3),
    "a change from a status never recorded": (GOOD.replace("late,逾期公开,not-yet-due", "late,逾期公开,on-time"), 3),
    "a change that changes nothing": (GOOD.replace("late,逾期公开", "not-yet-due,未到期"), 3),
    "a first row claiming a previous status": (GOOD.replace("未到期,,", "未到期,late,逾期公开", 1), 2),
    "a status that is not an identifier": (GOOD.replace("late,", "Late!,"), 3),
}


@pytest.mark.parametrize("case", BROKEN)
def test_a_hand_edited_history_is_refused_naming_file_and_line(case):
    text, line = BROKEN[case]
    problems = []
    assert history.parse(GOOD, problems) and problems == []
    history.parse(text, problems)
    assert (problems[0].file, problems[0].line) == (HISTORY, line), case   # the first bad line (later ones may follow)
    assert "dutylist history" in problems[0].fix and "git" in problems[0].fix


def test_check_refuses_a_malformed_history_with_its_line(project, tmp_path):
    project, _ = project
    copy = tmp_path / "copy"
    for folder in ("data", "data-history"):
        shutil.copytree(project / folder, copy / folder)
    lines = (copy / HISTORY).read_text(encoding="utf-8").splitlines(keepends=True)
    lines[16] = lines[16].replace("not-yet-due", "on-time")    # line 17: the change recorded on 2026-04-01
    (copy / HISTORY).write_text("".join(lines), encoding="utf-8")
    result = dutylist(copy, "check", reference_date="2026-11-27")
    assert result.returncode == 1
    assert f"{HISTORY}:17:1:" in result.stderr and "annual-report 2025年此前的状态是 not-yet-due" in result.stderr


def test_the_build_leaves_the_repository_as_it_was(built):
    _, unchanged = built
    assert unchanged


def test_each_item_page_shows_its_status_changes_with_their_dates(built):
    out, _ = built
    shown = [e["text"] for e in Page(out / "duties/3/index.html").find_all("p", cls="dl-history")]
    assert "状态变化：2026-03-31 起：未到期（本站自该日开始记录）；2026-04-01 起：尚未查找" in shown


def test_the_history_is_published_as_open_data(project, built):
    project, _ = project
    out, _ = built
    published = list(csv.DictReader((out / "data/status-history.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert [dict(r) for r in published] == rows(project)
    listed = json.loads((out / "data/status-history.json").read_text(encoding="utf-8"))
    assert listed[-1]["previous_label"] == "未到期" and listed[0]["previous_label"] is None


def test_pages_are_dated_by_their_data_never_by_the_build(built):
    out, _ = built
    item = {n["@type"]: n for n in json.loads(Page(out / "duties/3/index.html").find_all(
        "script", type="application/ld+json")[0]["text"])["@graph"]}
    assert item["WebPage"]["dateModified"] == COMMITTED and item["WebPage"]["url"] == f"{SITE_URL}duties/3/"
    data = {n["@type"]: n for n in json.loads(Page(out / "data/index.html").find_all(
        "script", type="application/ld+json")[0]["text"])["@graph"]}
    assert data["Dataset"]["dateModified"] == "2026-04-01"   # the newest of the data's commits and status changes
    assert data["Dataset"]["distribution"][0]["contentUrl"].startswith(f"{SITE_URL}data/")


def test_with_site_url_the_sitemap_lists_absolute_addresses_and_the_deploy_goes_through(project, built, tmp_path):
    project, _ = project
    out, _ = built
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    locations = [line.strip()[5:-6] for line in sitemap.splitlines() if line.strip().startswith("<loc>")]
    assert f"{SITE_URL}duties/27/" in locations and all(loc.startswith(SITE_URL) for loc in locations)
    assert f"Sitemap: {SITE_URL}sitemap.xml" in (out / "robots.txt").read_text(encoding="utf-8")
    web = tmp_path / "web"
    assert main(["--data", str(project / "data"), "deploy", "--site", str(out), "--target", str(web),
                 "--require-site-url"]) == 0
    assert (web / "current/sitemap.xml").is_file()


def test_a_linked_history_folder_is_refused(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "statuses.csv").write_text(GOOD, encoding="utf-8")
    (tmp_path / "data-history").symlink_to(elsewhere)
    problems = []
    assert history.load(tmp_path / "data-history", problems) == [] and problems[0].file == "data-history/"


def test_robots_txt_only_where_crawlers_read_it():
    assert sitemap.robots("https://fzqd.example.gov.cn/").endswith("Sitemap: https://fzqd.example.gov.cn/sitemap.xml\n")
    assert sitemap.robots("https://www.example.gov.cn/fzqd/") is None   # /fzqd/robots.txt is never read
