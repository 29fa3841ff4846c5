""""本页数据最近修改于" comes from git: a preview dates uncommitted edits by the file's own time and says 未提交, a
build for publishing keeps the commit dates, and no date later than the build is ever shown."""

from __future__ import annotations

import datetime as dt
import os
import subprocess

import pytest

from dutylist import build as builds
from helpers import Page, build, copy_project, fetch, serve, wait_for

COMMITTED = "2025-01-02"
TODAY = dt.datetime.now(builds.CHINA).date().isoformat()


def commit(project, when: str, message: str = "数据") -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when, "GIT_AUTHOR_NAME": "编者",
           "GIT_AUTHOR_EMAIL": "editor@example.gov.cn", "GIT_COMMITTER_NAME": "编者",
           "GIT_COMMITTER_EMAIL": "editor@example.gov.cn"}
    if not (project / ".git").exists():
        subprocess.run(["git", "init", "-q"], cwd=project, check=True, env=env)
    for command in (["add", "-A"], ["commit", "-q", "-m", message]):
        subprocess.run(["git", *command], cwd=project, check=True, env=env)


def updated(html: str) -> str:
    found = Page.parse(html)
    return next(e["text"] for e in found if "dl-updated" in e["attrs"].get("class", "").split())


@pytest.fixture
def committed(tmp_path):
    project = copy_project(tmp_path / "project")
    commit(project, f"{COMMITTED}T10:00:00+08:00")
    return project


def test_a_preview_dates_uncommitted_edits_by_the_file_and_says_so(committed, tmp_path):
    server = serve(committed)
    try:
        assert wait_for(server.base + "duties/1/", f"本页数据最近修改于 {COMMITTED}（据数据文件的修改记录）"), \
            server.output[-3000:]
        progress = committed / "data/progress/2025.yaml"
        progress.write_text(progress.read_text(encoding="utf-8").replace("制定年度法治政府建设十项重点任务", "编者未提交的改动", 1),
                            encoding="utf-8")
        assert wait_for(server.base + "duties/1/", "编者未提交的改动"), server.output[-3000:]
        assert updated(fetch(server.base + "duties/1/")) == f"本页数据最近修改于 {TODAY}（未提交：含尚未提交的修改，按文件的修改时间）"
        # a page whose data is all committed keeps its commit date
        assert updated(fetch(server.base + "documents/")) == f"本页数据最近修改于 {COMMITTED}（据数据文件的修改记录）"
    finally:
        server.stop()
    # the build for publishing keeps the commit dates, edits or not
    result = build(committed, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    shown = updated((tmp_path / "site/duties/1/index.html").read_text(encoding="utf-8"))
    assert shown == f"本页数据最近修改于 {COMMITTED}（据数据文件的修改记录）"


def test_a_commit_dated_in_the_future_is_refused_with_its_file_and_date(committed, tmp_path):
    site = committed / "data/site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    commit(committed, "2099-12-31T10:00:00+08:00", "时钟有误的提交")
    result = build(committed, tmp_path / "site")
    assert result.returncode != 0
    assert "data/site.yaml" in result.stderr and "2099-12-31" in result.stderr and "时钟" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr

    site.write_text(site.read_text(encoding="utf-8").rstrip("\n") + "\n", encoding="utf-8")
    commit(committed, f"{TODAY}T00:00:00+08:00", "改正")   # the file committed again, on a true date
    result = build(committed, tmp_path / "again")
    assert result.returncode == 0, result.stderr
    pages = [p.read_text(encoding="utf-8") for p in (tmp_path / "again").rglob("index.html")]
    assert pages and not [p for p in pages if "2099" in p]


def test_dates_are_bounded_by_the_builds_own_clock(committed):
    history = builds.data_history(committed / "data", now=dt.datetime(2026, 1, 1, tzinfo=builds.CHINA))
    assert history["list.yaml"] == dt.date.fromisoformat(COMMITTED)
    with pytest.raises(builds.FutureDateError):
        builds.data_history(committed / "data", now=dt.datetime(2024, 1, 1, tzinfo=builds.CHINA))
