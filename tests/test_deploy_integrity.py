"""Release ids never collide, a waiting deploy says why, FORCE=1 reaches --force, only what a release's manifest
lists goes live (no link in site/ or in a release), and the log is reconciled with `current` after a killed switch."""

import fcntl
import json
import os
import select
import shutil
import signal
import subprocess
import time

import pytest

from dutylist import deploy
from dutylist.cli import main
from helpers import ROOT
from test_deploy import REQUIRED, live, make_site, sshd  # noqa: F401 (fixture)
from test_deploy_safety import dutylist, wait_until


def log_of(web) -> list[dict]:
    return [json.loads(line) for line in (web / "releases.log").read_text().splitlines()]


# --- unique release ids ----------------------------------------------------------------------------------------

def test_two_deploys_in_the_same_second_get_two_releases_and_two_different_log_lines(tmp_path, monkeypatch):
    frozen = time.time()
    real_gmtime = time.gmtime
    monkeypatch.setattr(time, "time", lambda: frozen)  # both deploys see the same clock, to the microsecond
    monkeypatch.setattr(time, "gmtime", lambda seconds=None: real_gmtime(frozen if seconds is None else seconds))
    web = tmp_path / "web"
    target = deploy.Target.parse(str(web))
    site = make_site(tmp_path / "a", 2, "v1")
    first = deploy.deploy(site, target, REQUIRED)
    second = deploy.deploy(site, target, REQUIRED)
    assert first != second
    assert sorted(p.name for p in (web / "releases").iterdir()) == sorted([first, second])
    lines = (web / "releases.log").read_text().splitlines()
    assert len(lines) == 2 and lines[0] != lines[1]
    assert deploy.rollback(target) == first


def test_an_existing_release_folder_is_never_overwritten(tmp_path, monkeypatch):
    web = tmp_path / "web"
    target = deploy.Target.parse(str(web))
    monkeypatch.setattr(deploy, "_new_release_id", lambda files, taken: "20260101T000000.000000Z-same")
    deploy.deploy(make_site(tmp_path / "a", 2, "v1"), target, REQUIRED)
    with pytest.raises(deploy.DeployError, match="版本 20260101T000000.000000Z-same 已存在"):
        deploy.deploy(make_site(tmp_path / "b", 2, "v2"), target, REQUIRED)
    assert live(web) == "v1" and (web / "releases/20260101T000000.000000Z-same/version.txt").read_text() == "v1"
    assert [p.name for p in (web / "releases").iterdir()] == ["20260101T000000.000000Z-same"]


# --- a waiting deploy says who holds the lock ------------------------------------------------------------------

def test_a_waiting_deploy_says_at_once_who_holds_the_lock_and_since_when(tmp_path, site):
    web = tmp_path / "web"
    target = deploy.Target.parse(str(web))
    with deploy.lock(target, wait=0):
        run = dutylist("deploy", "--site", str(site), "--target", str(web), "--lock-wait", "60")
        ready, _, _ = select.select([run.stderr], [], [], 60)
        assert ready, "the waiting deploy printed nothing"
        first = run.stderr.readline()
        assert run.poll() is None  # still waiting: the line came while the lock was held
    out, rest = run.communicate(timeout=120)
    assert run.returncode == 0, rest
    assert first.startswith("另一个发布或回退正在进行（") and f"pid {os.getpid()} 自 20" in first and "UTC" in first
    assert "等待它结束" in first and "仍在等待" not in rest  # once, then only every 30 s
    assert (web / "current/index.html").exists()


def test_while_waiting_the_holder_is_repeated_every_interval_then_named_when_giving_up(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(deploy, "WAIT_NOTICE", 0.4)
    target = deploy.Target.parse(str(tmp_path / "web"))
    with deploy.lock(target, wait=0):
        with pytest.raises(deploy.DeployError, match=f"另一个发布或回退正在进行（.* pid {os.getpid()} 自 "):
            deploy.deploy(make_site(tmp_path / "a", 2), target, REQUIRED, lock_wait=1.5)
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("另一个发布或回退正在进行（") and f"pid {os.getpid()}" in lines[0]
    repeated = lines[1:]
    assert 2 <= len(repeated) <= 4 and all(line.startswith("仍在等待，已等 ") and f"pid {os.getpid()}" in line
                                           for line in repeated), lines


def test_the_holder_is_shown_as_one_printable_line(tmp_path, capsys):
    """The lock file is read from the target: a control sequence in it never reaches the operator's terminal."""
    web = tmp_path / "web"
    web.mkdir()
    with open(web / deploy.LOCK_FILE, "w", encoding="utf-8") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        held.write("job-9\x1b[2J\nsecond line 自 2026-11-28 10:00:00 UTC\n")
        held.flush()
        with pytest.raises(deploy.DeployError) as error:
            deploy.deploy(make_site(tmp_path / "a", 2), deploy.Target.parse(str(web)), REQUIRED, lock_wait=1.2)
    printed = capsys.readouterr().err
    for text in (str(error.value), printed):
        assert "job-9 [2J second line 自 2026-11-28 10:00:00 UTC" in text and "\x1b" not in text
    assert len(printed.splitlines()) == 1


# --- FORCE=1 --------------------------------------------------------------------------------------------------

def make_dry_run(*arguments: str) -> str:
    return subprocess.run(["make", "-n", "deploy", *arguments], cwd=ROOT, capture_output=True, text=True,
                          timeout=60).stdout


def test_make_deploy_force_1_passes_force_and_nothing_else_does():
    command = [line for line in make_dry_run("FORCE=1").splitlines() if "dutylist deploy" in line]
    assert len(command) == 1 and command[0].split()[-1] == "--force"
    for other in ([], ["FORCE=0"], ["FORCE="]):
        assert "--force" not in make_dry_run(*other)


def test_the_page_loss_guard_names_the_make_command_that_overrides_it(tmp_path, capsys):
    web = tmp_path / "web"
    deploy.deploy(make_site(tmp_path / "a", 20, "v1"), deploy.Target.parse(str(web)), REQUIRED)
    with pytest.raises(deploy.DeployError, match="make deploy FORCE=1"):
        deploy.deploy(make_site(tmp_path / "b", 2, "v2"), deploy.Target.parse(str(web)), REQUIRED)
    assert live(web) == "v1"


# --- no link goes live ----------------------------------------------------------------------------------------

def _file_link(site):
    (site / "leak.txt").symlink_to("/etc/hostname")
    return "leak.txt → /etc/hostname"


def _folder_link(site):
    (site / "assets").mkdir(exist_ok=True)
    (site / "assets/system").symlink_to("/etc")
    return "assets/system → /etc"


def _link_inside_the_site(site):
    (site / "duties/18/copy.html").symlink_to("../../index.html")
    return "duties/18/copy.html → ../../index.html"


def _fifo(site):
    os.mkfifo(site / "pipe")
    return "pipe（不是普通文件）"


@pytest.mark.parametrize("plant", [_file_link, _folder_link, _link_inside_the_site, _fifo],
                         ids=["file-link", "folder-link", "link-inside", "fifo"])
def test_a_link_in_the_site_is_refused_before_anything_is_uploaded(tmp_path, plant):
    web = tmp_path / "web"
    target = deploy.Target.parse(str(web))
    deploy.deploy(make_site(tmp_path / "a", 2, "v1"), target, REQUIRED)
    site = make_site(tmp_path / "b", 2, "v2")
    shown = plant(site)
    with pytest.raises(deploy.DeployError, match="符号链接") as error:
        deploy.deploy(site, target, REQUIRED, force=True)
    assert f"  {shown}" in str(error.value) and "线上版本未改动" in str(error.value)
    assert live(web) == "v1" and len(list((web / "releases").iterdir())) == 1


def test_the_deploy_command_names_a_link_in_one_chinese_message(tmp_path, site, capsys):
    linked = shutil.copytree(site, tmp_path / "site", symlinks=True)
    (linked / "assets/secrets").symlink_to("/etc")
    web = tmp_path / "web"
    assert main(["--data", str(ROOT / "data"), "deploy", "--site", str(linked), "--target", str(web)]) == 1
    error = capsys.readouterr().err
    assert error.startswith("发布失败：") and "assets/secrets → /etc" in error and "Traceback" not in error
    assert not (web / "current").exists() and not list((web / "releases").glob("*"))


# --- a release must match its manifest before it goes live ---------------------------------------------------

def _changed(release):
    (release / "p0.html").write_text("damaged on the server")
    return "p0.html：内容与清单不符"


def _added(release):
    (release / "extra.html").write_text("<html>planted</html>")
    return "extra.html：多出该文件"


def _removed(release):
    (release / "p1.html").unlink()
    return "p1.html：缺少该文件"


def _file_became_a_link(release):
    (release / "p0.html").unlink()
    (release / "p0.html").symlink_to("/etc/hostname")
    return "p0.html：符号链接"


def _folder_link_inside(release):
    (release / "etc").symlink_to("/etc")
    return "etc：符号链接"


def _manifest_gone(release):
    (release / deploy.MANIFEST).unlink()
    return f"没有文件清单 {deploy.MANIFEST}"


def _release_is_a_link(release):
    """A faithful copy, manifest and all, put in place of the release as a link: still not the uploaded folder."""
    copy = shutil.copytree(release, release.parent.parent / "elsewhere")
    shutil.rmtree(release)
    release.symlink_to(copy)
    return "是符号链接"


DAMAGES = [_changed, _added, _removed, _file_became_a_link, _folder_link_inside, _manifest_gone, _release_is_a_link]


@pytest.mark.parametrize("damage", DAMAGES, ids=[d.__name__.strip("_") for d in DAMAGES])
def test_rollback_refuses_a_release_that_does_not_match_its_manifest(tmp_path, damage, capsys):
    web = tmp_path / "web"
    target = deploy.Target.parse(str(web))
    first = deploy.deploy(make_site(tmp_path / "a", 3, "v1"), target, REQUIRED)
    second = deploy.deploy(make_site(tmp_path / "b", 3, "v2"), target, REQUIRED)
    found = damage(web / "releases" / first)
    before = (web / "releases.log").read_text()
    assert main(["rollback", "--target", str(web)]) == 1
    error = capsys.readouterr().err
    assert f"版本 {first} 与它的文件清单不符" in error and found in error and "拒绝切换" in error, error
    assert os.readlink(web / "current") == f"releases/{second}" and (web / "releases.log").read_text() == before
    assert main(["rollback", "--target", str(web), "--to", first]) == 1 and live(web) == "v2"


def test_a_smoke_check_does_not_roll_back_onto_a_damaged_release(tmp_path, monkeypatch):
    web = tmp_path / "web"
    target = deploy.Target.parse(str(web))
    first = deploy.deploy(make_site(tmp_path / "a", 3, "v1"), target, REQUIRED)
    _changed(web / "releases" / first)
    monkeypatch.setattr(deploy, "smoke_check", lambda *args: ["index.html：无法访问"])
    with pytest.raises(deploy.DeployError, match=f"未能自动回退：版本 {first} 与它的文件清单不符"):
        deploy.deploy(make_site(tmp_path / "b", 3, "v2"), target, REQUIRED, smoke_url="http://127.0.0.1:9/")
    assert live(web) == "v2"


# --- the log is reconciled with `current` ---------------------------------------------------------------------

def killed_between_switch_and_log(tmp_path) -> dict:
    """PATH with an `mv` that, once it has switched `current`, waits: the deploy can be killed right there."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "mv").write_text(f'#!/bin/sh\n{shutil.which("mv")} "$@" || exit $?\nfor last; do :; done\n'
                                f'if [ "$last" = current ]; then touch {tmp_path / "switched"}; sleep 60; fi\n')
    (bin_dir / "mv").chmod(0o755)
    return {"PATH": f"{bin_dir}:{os.environ['PATH']}"}


def test_a_deploy_killed_after_the_switch_is_recorded_by_the_next_rollback(tmp_path, site, capsys):
    web = tmp_path / "web"
    data = ["--data", str(ROOT / "data")]
    assert main([*data, "deploy", "--site", str(site), "--target", str(web)]) == 0
    first = os.readlink(web / "current").removeprefix("releases/")
    second_site = shutil.copytree(site, tmp_path / "second")
    (second_site / "assets/second.txt").write_text("second")
    run = dutylist("deploy", "--site", str(second_site), "--target", str(web), env=killed_between_switch_and_log(tmp_path))
    assert wait_until(lambda: (tmp_path / "switched").exists(), timeout=120), run.communicate()
    os.killpg(run.pid, signal.SIGKILL)
    run.wait(timeout=30)
    second = os.readlink(web / "current").removeprefix("releases/")
    assert second != first and [e["release"] for e in log_of(web)] == [first]  # the state the SIGKILL left
    capsys.readouterr()
    assert main(["releases", "--target", str(web)]) == 0
    assert f"current 指向 {second}，但 releases.log 没有记录这次切换" in capsys.readouterr().out
    assert main(["rollback", "--target", str(web)]) == 0
    assert f"已补记一条 reconcile 记录" in capsys.readouterr().err
    entries = log_of(web)
    assert [(e["release"], e["action"]) for e in entries] == [(first, "deploy"), (second, "reconcile"),
                                                              (first, "rollback")]
    assert f"current 指向 {second}" in entries[1]["found"] and entries[1]["commit"] is None
    assert os.readlink(web / "current") == f"releases/{first}"


def test_a_reconciled_switch_back_counts_as_a_rollback(tmp_path):
    """A killed rollback (A, B, switched back to A, no line): B was rolled back from and is not returned to."""
    web = tmp_path / "web"
    target = deploy.Target.parse(str(web))
    first = deploy.deploy(make_site(tmp_path / "a", 2, "v1"), target, REQUIRED)
    deploy.deploy(make_site(tmp_path / "b", 2, "v2"), target, REQUIRED)
    (web / "current.new").symlink_to(f"releases/{first}")
    (web / "current.new").rename(web / "current")
    with pytest.raises(deploy.DeployError, match="没有可以回退"):
        deploy.rollback(target)
    assert [(e["release"], e["action"]) for e in log_of(web)][-1] == (first, "reconcile")
    deploy.deploy(make_site(tmp_path / "c", 2, "v3"), target, REQUIRED)
    assert [e["action"] for e in log_of(web)] == ["deploy", "deploy", "reconcile", "deploy"]  # nothing more to add
    assert deploy.rollback(target) == first and live(web) == "v1"


# --- the same over SSH ----------------------------------------------------------------------------------------

def test_over_ssh_rollback_checks_the_manifest_and_reconciles_the_log(tmp_path, sshd, capsys):
    user, options = sshd
    web = tmp_path / "remote-web"
    target = deploy.Target.parse(f"{user}@127.0.0.1:{web}", options)
    first = deploy.deploy(make_site(tmp_path / "a", 3, "v1"), target, REQUIRED)
    second = deploy.deploy(make_site(tmp_path / "b", 3, "v2"), target, REQUIRED)
    third = deploy.deploy(make_site(tmp_path / "c", 3, "v3"), target, REQUIRED)
    log = web / "releases.log"
    log.write_text("".join(log.read_text().splitlines(keepends=True)[:-1]))  # the switch to `third` went unlogged
    _changed(web / "releases" / second)
    with pytest.raises(deploy.DeployError, match=f"版本 {second} 与它的文件清单不符") as error:
        deploy.rollback(target)
    assert "p0.html：内容与清单不符" in str(error.value) and live(web) == "v3"
    assert [(e["release"], e["action"]) for e in log_of(web)][-1] == (third, "reconcile")
    _release_is_a_link(web / "releases" / first)
    with pytest.raises(deploy.DeployError, match=f"版本 {first} 与它的文件清单不符.*\n.*是符号链接"):
        deploy.rollback(target, to=first)
    assert live(web) == "v3" and [e["action"] for e in log_of(web)] == ["deploy", "deploy", "reconcile"]


def test_over_ssh_a_link_never_goes_live_and_a_waiting_deploy_names_the_holder(tmp_path, sshd, capsys, monkeypatch):
    user, options = sshd
    web = tmp_path / "remote-web"
    target = deploy.Target.parse(f"{user}@127.0.0.1:{web}", options)
    site = make_site(tmp_path / "a", 3, "v1")
    _folder_link(site)
    with pytest.raises(deploy.DeployError, match="assets/system → /etc"):
        deploy.deploy(site, target, REQUIRED)
    assert not web.exists()
    (site / "assets/system").unlink()
    monkeypatch.setattr(deploy, "WAIT_NOTICE", 1)
    (web / deploy.LOCK_DIR).mkdir(parents=True)
    (web / deploy.LOCK_DIR / "holder").write_text("f00d ci-job-41 pid 7 自 2026-11-28 10:00:00 UTC\n")
    capsys.readouterr()
    with pytest.raises(deploy.DeployError, match="另一个发布"):
        deploy.deploy(site, target, REQUIRED, lock_wait=2.5)
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "另一个发布或回退正在进行（ci-job-41 pid 7 自 2026-11-28 10:00:00 UTC），等待它结束（最多 2.5 秒）……"
    assert lines[1:] and all(line.startswith("仍在等待") and "ci-job-41 pid 7 自 2026-11-28" in line for line in lines[1:])
