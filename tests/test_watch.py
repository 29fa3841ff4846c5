"""`make watch` end to end, as the scheduled job runs it, against the local portal: archive, check the links,
commit archive/ in the job's name; and a merge request carrying that commit passes the archive guard."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from helpers import ROOT
from portal import Portal, portal, served  # noqa: F401

CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "CI_", "GITHUB_", "ARCHIVE_", "GUARD_"))}


def test_make_watch_archives_checks_and_commits_in_the_jobs_name(served, tmp_path):
    project, paths = served
    for name in ("Makefile", "scripts"):
        (shutil.copytree if (ROOT / name).is_dir() else shutil.copy)(ROOT / name, project / name)
    # the job's dutylist, with the tests' loopback permission given in its own process (never by the environment)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "dutylist").write_text(
        f"#!{sys.executable}\nimport sys, dutylist.model\ndutylist.model.ALLOW_LOOPBACK = True\n"
        "from dutylist.cli import main\nsys.exit(main())\n", encoding="utf-8")
    (bin_dir / "dutylist").chmod(0o755)
    git = ["git", "-c", "user.name=编辑", "-c", "user.email=editor@example.gov.cn"]
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=project, check=True, env=CLEAN_ENV)
    subprocess.run(["git", "add", "."], cwd=project, check=True, env=CLEAN_ENV)
    subprocess.run([*git, "commit", "-qm", "编辑的数据"], cwd=project, check=True, env=CLEAN_ENV)
    venv = ROOT / ".venv"
    watch = subprocess.run(["make", "-s", "watch", f"VENV={venv}", f"BIN={bin_dir}", "-o", f"{venv}/.runtime"],
                           cwd=project, capture_output=True, text=True, env=CLEAN_ENV, timeout=300)
    assert watch.returncode == 0, watch.stdout + watch.stderr
    assert "存档结束：新存 15 件，失败 0 件" in watch.stdout and "共 15 件：未变化 15 件" in watch.stdout
    assert "存档已在本地提交，未推送" in watch.stdout
    # the watch commits archive/ and then data-history/ (the first status history), each in its job's name
    log = subprocess.run(["git", "log", "-1", "--format=%an <%ae>%n%(trailers:key=Archive-Job,valueonly)", "--stat",
                          "--", "archive"],
                         cwd=project, capture_output=True, text=True, env=CLEAN_ENV).stdout
    assert log.startswith("dutylist archive <archive@invalid>\nmake watch") and "archive/index.json" in log
    assert "links-report" not in log and "data/" not in log
    guard = subprocess.run(["bash", "scripts/guard-archive.sh"], cwd=project, capture_output=True, text=True,
                           env={**CLEAN_ENV, "GUARD_BASE": "HEAD~2"})
    assert guard.returncode == 0, guard.stderr
    again = subprocess.run(["make", "-s", "watch", f"VENV={venv}", f"BIN={bin_dir}", "-o", f"{venv}/.runtime"],
                           cwd=project, capture_output=True, text=True, env=CLEAN_ENV, timeout=300)
    assert again.returncode == 0 and "所有文件都已存档" in again.stdout, again.stdout + again.stderr
    assert Portal.hits
