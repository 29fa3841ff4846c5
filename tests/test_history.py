"""Pages say when their data last changed, from the data's git history; never the build day."""

import os
import subprocess

from helpers import Page, build, copy_project


def commit(project, day: str, message: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": f"{day}T10:00:00+08:00", "GIT_COMMITTER_DATE": f"{day}T10:00:00+08:00",
           "GIT_AUTHOR_NAME": "编者", "GIT_AUTHOR_EMAIL": "editor@example.gov.cn",
           "GIT_COMMITTER_NAME": "编者", "GIT_COMMITTER_EMAIL": "editor@example.gov.cn"}
    subprocess.run(["git", "add", "-A"], cwd=project, check=True, env=env)
    subprocess.run(["git", "commit", "-q", "-m", message], cwd=project, check=True, env=env)


def updated(site, url) -> str:
    found = Page(site / url / "index.html").find_all("p", cls="dl-updated")
    return found[0]["text"] if found else ""


def test_updated_dates_follow_the_data_files_history(tmp_path):
    project = copy_project(tmp_path / "project")
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    commit(project, "2025-01-02", "数据初稿")
    progress = project / "data/progress/2025.yaml"
    progress.write_text(progress.read_text(encoding="utf-8").replace("十项重点任务", "十项重点任务（已核对）", 1), encoding="utf-8")
    commit(project, "2026-03-04", "核对2025年进展")
    result = build(project, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    site = tmp_path / "site"
    assert "2026-03-04" in updated(site, "duties/1")    # shows 2025 evidence, changed later
    assert "2025-01-02" in updated(site, "duties/4")    # no evidence: only the list and obligations
    assert "2026-03-04" in updated(site, "years/2025")
    assert "2025-01-02" in updated(site, "years/2024")


def test_without_history_no_date_is_claimed(tmp_path):
    project = copy_project(tmp_path / "project")  # a folder outside any git checkout
    result = build(project, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    assert updated(tmp_path / "site", "duties/1") == ""
