"""CI refuses a merge request that changes archive/, unless the change is the scheduled job's own commit.

Each case is a temporary git repository: a default branch, and a merge request's branch made as an editor (or an
attacker) would make it; scripts/guard-archive.sh then judges the branch as the CI job does.
"""

import os
import subprocess

import pytest
import yaml

from helpers import ROOT

GUARD = ROOT / "scripts/guard-archive.sh"
COMMIT = ROOT / "scripts/commit-archive.sh"
CLEAN_ENV = {k: v for k, v in os.environ.items()
             if not k.startswith(("GIT_", "CI_", "GITHUB_", "ARCHIVE_", "GUARD_"))}


def git(repo, *args, author="编辑 <editor@example.gov.cn>"):
    name, email = author[:-1].split(" <")
    env = {**CLEAN_ENV, "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_NAME": name,
           "GIT_COMMITTER_EMAIL": email}
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def repo(tmp_path):
    """A default branch `main` with data/ and an archive the job wrote, and a branch `mr` for the merge request."""
    repo = tmp_path / "repo"
    (repo / "archive/rpt-2022").mkdir(parents=True)
    (repo / "data").mkdir()
    (repo / "archive/index.json").write_text('{"format": 1, "documents": {}}\n', encoding="utf-8")
    (repo / "archive/rpt-2022/text.txt").write_text("原文\n", encoding="utf-8")
    (repo / "data/documents.yaml").write_text("documents: []\n", encoding="utf-8")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "初始")
    git(repo, "checkout", "-qb", "mr")
    return repo


def guard(repo, base="main"):
    return subprocess.run(["bash", str(GUARD)], cwd=repo, env={**CLEAN_ENV, "GUARD_BASE": base},
                          capture_output=True, text=True)


def job_commit(repo):
    """What the scheduled job does after `dutylist archive`: scripts/commit-archive.sh, not pushing anywhere."""
    result = subprocess.run(["bash", str(COMMIT)], cwd=repo, env=CLEAN_ENV, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_an_editors_change_to_the_archive_is_refused_in_chinese(repo):
    (repo / "archive/rpt-2022/text.txt").write_text("改过的原文\n", encoding="utf-8")
    git(repo, "commit", "-qam", "修正存档文字")
    result = guard(repo)
    assert result.returncode == 1
    assert "合并请求改动了 archive/，但下列提交不是定时存档任务（make watch）自己的提交" in result.stderr
    assert "修正存档文字" in result.stderr and "git restore --source=" in result.stderr


def test_a_new_file_or_a_deletion_in_the_archive_is_refused(repo):
    (repo / "archive/checks.json").write_text('{"format": 1, "documents": {}}\n', encoding="utf-8")
    (repo / "archive/rpt-2022/text.txt").unlink()
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "整理存档")
    assert guard(repo).returncode == 1


def test_the_scheduled_jobs_own_commit_passes(repo):
    (repo / "data/documents.yaml").write_text("documents: [x]\n", encoding="utf-8")
    git(repo, "commit", "-qam", "登记文件")
    (repo / "archive/rpt-2022/text.txt").write_text("新的存档\n", encoding="utf-8")
    (repo / "archive/checks.json").write_text('{"format": 1, "documents": {}}\n', encoding="utf-8")
    (repo / "data/documents.yaml").write_text("documents: [y]\n", encoding="utf-8")   # not the job's: left alone
    job_commit(repo)
    assert git(repo, "status", "--porcelain") == "M data/documents.yaml"
    result = guard(repo)
    assert result.returncode == 0, result.stderr
    assert "archive/ 的改动都来自定时存档任务的提交" in result.stdout


def test_a_branch_without_archive_changes_passes(repo):
    (repo / "data/documents.yaml").write_text("documents: [x]\n", encoding="utf-8")
    git(repo, "commit", "-qam", "登记文件")
    result = guard(repo)
    assert result.returncode == 0 and "没有改动 archive/" in result.stdout


def test_the_jobs_name_alone_does_not_pass(repo):
    """A commit in the job's name and with its trailer that also changes data/ is not the job's."""
    (repo / "archive/rpt-2022/text.txt").write_text("改过的原文\n", encoding="utf-8")
    (repo / "data/documents.yaml").write_text("documents: [x]\n", encoding="utf-8")
    git(repo, "commit", "-qam", "存档：定时任务更新 archive/", "-m", "Archive-Job: make watch",
        author="dutylist archive <archive@invalid>")
    assert guard(repo).returncode == 1


def test_the_jobs_author_without_its_trailer_does_not_pass(repo):
    (repo / "archive/rpt-2022/text.txt").write_text("改过的原文\n", encoding="utf-8")
    git(repo, "commit", "-qam", "存档：定时任务更新 archive/", author="dutylist archive <archive@invalid>")
    assert guard(repo).returncode == 1


def test_merging_the_default_branch_in_passes_but_a_change_made_in_the_merge_does_not(repo):
    git(repo, "checkout", "-q", "main")
    (repo / "archive/rpt-2022/text.txt").write_text("定时任务的新存档\n", encoding="utf-8")
    job_commit(repo)
    git(repo, "checkout", "-q", "mr")
    (repo / "data/documents.yaml").write_text("documents: [x]\n", encoding="utf-8")
    git(repo, "commit", "-qam", "登记文件")
    base = git(repo, "merge-base", "main", "mr")
    git(repo, "merge", "-q", "--no-edit", "main")
    assert guard(repo, base).returncode == 0   # the job's commit came in with main: allowed
    git(repo, "reset", "-q", "--hard", "HEAD~1")
    git(repo, "merge", "-q", "--no-commit", "main")
    (repo / "archive/rpt-2022/text.txt").write_text("合并时顺手改的\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "合并 main")
    result = guard(repo, base)
    assert result.returncode == 1 and "合并 main" in result.stderr


def test_outside_a_merge_request_it_does_nothing(repo):
    result = subprocess.run(["bash", str(GUARD)], cwd=repo, env=CLEAN_ENV, capture_output=True, text=True)
    assert result.returncode == 0 and "不是合并请求" in result.stdout


def test_both_pipelines_run_the_guard_for_merge_requests():
    gitlab = yaml.safe_load((ROOT / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    job = gitlab["archive-guard"]
    assert job["script"] == ["make guard-archive"] and job["stage"] == "check"
    assert {"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'} in job["rules"]
    github = yaml.safe_load((ROOT / ".github/workflows/site.yml").read_text(encoding="utf-8"))
    step = next(s for s in github["jobs"]["check-test-build"]["steps"] if s.get("run") == "make guard-archive")
    assert step["if"] == "github.event_name == 'pull_request'"
    assert step["env"]["GUARD_BASE"] == "${{ github.event.pull_request.base.sha }}"


def test_the_status_history_is_guarded_like_the_archive(repo):
    """data-history/ is machine-written too: an editor's row is refused, the history job's own commit passes."""
    (repo / "data-history").mkdir()
    (repo / "data-history/statuses.csv").write_text("since,obligation\n2026-01-01,annual-report\n", encoding="utf-8")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "补一行状态")
    result = guard(repo)
    assert result.returncode == 1
    assert "合并请求改动了 data-history/，但下列提交不是定时状态记录任务（make watch）自己的提交" in result.stderr
    git(repo, "reset", "-q", "--hard", "main")
    (repo / "data-history").mkdir()
    (repo / "data-history/statuses.csv").write_text("since,obligation\n2026-01-01,annual-report\n", encoding="utf-8")
    commit = subprocess.run(["bash", str(ROOT / "scripts/commit-history.sh")], cwd=repo, env=CLEAN_ENV,
                            capture_output=True, text=True)
    assert commit.returncode == 0, commit.stderr
    result = guard(repo)
    assert result.returncode == 0, result.stderr
    assert "data-history/ 的改动都来自定时状态记录任务的提交" in result.stdout
