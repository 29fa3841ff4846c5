"""Deploys check the site, switch atomically, verify before going live, keep releases, log every switch and roll
back to what was live before; locally and over SSH."""

import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from dutylist import deploy
from dutylist.dataset import load_dataset
from dutylist.sitecheck import check_site
from dutylist.cli import main
from helpers import REFERENCE_DATE, ROOT

ITEM_TEXT = "严格执行行政复议决定"
REQUIRED = {"index.html": "清单", "duties/18/index.html": ITEM_TEXT}


def html_page(title: str, body: str) -> str:
    return (f"<!doctype html><html><head><title>{title}</title></head><body><div class=\"md-content\">"
            f"<article class=\"md-content__inner\"><h1>{title}</h1>{body}</article></div></body></html>")


def make_site(folder, pages: int, text: str = "v1"):
    """A small site that passes the release checks; `text` tells its versions apart."""
    (folder / "duties/18").mkdir(parents=True, exist_ok=True)
    (folder / "index.html").write_text(html_page("首页", f"清单 {text}"))
    (folder / "duties/18/index.html").write_text(html_page("第18项", f"{ITEM_TEXT} {text}"))
    (folder / "version.txt").write_text(text)
    for n in range(pages):
        (folder / f"p{n}.html").write_text(html_page(f"页 {n}", f"{text} {n}"))
    return folder


def live(web) -> str:
    return (web / "current/version.txt").read_text()


def test_deploy_twice_switch_and_roll_back(tmp_path):
    web = tmp_path / "web"
    target = deploy.Target.parse(str(web))
    first = deploy.deploy(make_site(tmp_path / "a", 3, "v1"), target, REQUIRED)
    second = deploy.deploy(make_site(tmp_path / "b", 3, "v2"), target, REQUIRED)
    assert first != second and live(web) == "v2"
    assert (web / "current").is_symlink() and os.readlink(web / "current") == f"releases/{second}"
    assert deploy.rollback(target) == first and live(web) == "v1"
    with pytest.raises(deploy.DeployError):
        deploy.rollback(target)  # nothing older than the first release


def test_rollback_returns_to_what_was_live_before_not_to_the_previous_name(tmp_path):
    target = deploy.Target.parse(str(tmp_path / "web"))
    a, b, c = (make_site(tmp_path / v, 2, v) for v in ("A", "B", "C"))
    deploy.deploy(a, target, REQUIRED)
    time.sleep(1)  # names by time: A < B < C, so "previous by name" of C would be B
    deploy.deploy(b, target, REQUIRED)
    deploy.rollback(target)
    assert live(tmp_path / "web") == "A"
    time.sleep(1)
    deploy.deploy(c, target, REQUIRED)
    deploy.rollback(target)
    assert live(tmp_path / "web") == "A"  # B was rolled back from: never live again by rollback
    with pytest.raises(deploy.DeployError, match="没有可以回退"):
        deploy.rollback(target)


def test_releases_lists_the_log_and_rollback_to_picks_one(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("GITLAB_USER_LOGIN", "editor-wang")
    web = tmp_path / "web"
    first = deploy.deploy(make_site(tmp_path / "a", 2, "v1"), deploy.Target.parse(str(web)), REQUIRED)
    second = deploy.deploy(make_site(tmp_path / "b", 2, "v2"), deploy.Target.parse(str(web)), REQUIRED)
    assert main(["releases", "--target", str(web)]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0].startswith(f"* {second}") and "线上" in listed[0] and "editor-wang" in listed[0]
    assert listed[1].startswith(f"  {first}") and "线上" not in listed[1]
    assert main(["rollback", "--target", str(web), "--to", first]) == 0 and live(web) == "v1"
    assert main(["rollback", "--target", str(web), "--to", "no-such-release"]) == 1
    assert "没有版本 no-such-release" in capsys.readouterr().err and live(web) == "v1"
    log = [json.loads(line) for line in (web / "releases.log").read_text().splitlines()]
    assert [(e["release"], e["action"]) for e in log] == [(first, "deploy"), (second, "deploy"), (first, "rollback")]
    commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, cwd=ROOT).stdout.strip()
    assert all(e["commit"] == commit and e["by"].startswith("editor-wang") and e["time"] for e in log)


def test_a_target_deployed_before_the_log_existed_can_still_roll_back(tmp_path):
    web = tmp_path / "web"
    target = deploy.Target.parse(str(web))
    first = deploy.deploy(make_site(tmp_path / "a", 2, "v1"), target, REQUIRED)
    (web / "releases.log").unlink()
    deploy.deploy(make_site(tmp_path / "b", 2, "v2"), target, REQUIRED)
    assert deploy.rollback(target) == first and live(web) == "v1"


def test_pruning_keeps_the_release_rollback_returns_to(tmp_path):
    web = tmp_path / "web"
    target = deploy.Target.parse(str(web))
    a = deploy.deploy(make_site(tmp_path / "a", 2, "A"), target, REQUIRED)
    for v in ("B", "C"):  # newer names than A
        deploy.deploy(make_site(tmp_path / v, 2, v), target, REQUIRED)
    deploy.rollback(target, to=a)
    deploy.deploy(make_site(tmp_path / "d", 2, "D"), target, REQUIRED, keep=2)
    assert len(list((web / "releases").iterdir())) == 2
    assert deploy.rollback(target) == a and live(web) == "A"


def test_only_the_last_releases_are_kept(tmp_path):
    web = tmp_path / "web"
    target = deploy.Target.parse(str(web))
    for n in range(4):
        deploy.deploy(make_site(tmp_path / f"s{n}", 2, f"v{n}"), target, REQUIRED, keep=2)
    assert len(list((web / "releases").iterdir())) == 2 and live(web) == "v3"


def test_failed_verification_leaves_the_live_release_untouched(tmp_path, monkeypatch):
    web = tmp_path / "web"
    target = deploy.Target.parse(str(web))
    deploy.deploy(make_site(tmp_path / "a", 3, "v1"), target, REQUIRED)
    upload = deploy.Target.upload

    def corrupting_upload(self, site, folder):
        upload(self, site, folder)
        (web / folder / "p0.html").write_text("damaged in transit")

    monkeypatch.setattr(deploy.Target, "upload", corrupting_upload)
    with pytest.raises(deploy.DeployError, match="校验失败"):
        deploy.deploy(make_site(tmp_path / "b", 3, "v2"), target, REQUIRED)
    assert live(web) == "v1"
    assert not [p for p in (web / "releases").iterdir() if p.name.startswith(".incoming")]


def test_an_interrupted_upload_never_becomes_current(tmp_path, monkeypatch):
    web = tmp_path / "web"
    target = deploy.Target.parse(str(web))
    deploy.deploy(make_site(tmp_path / "a", 3, "v1"), target, REQUIRED)

    def interrupted_upload(self, site, folder):
        (web / folder).mkdir(parents=True)
        shutil.copy(site / "index.html", web / folder / "index.html")
        raise KeyboardInterrupt  # the connection or the job dies half way

    monkeypatch.setattr(deploy.Target, "upload", interrupted_upload)
    with pytest.raises(KeyboardInterrupt):
        deploy.deploy(make_site(tmp_path / "b", 3, "v2"), target, REQUIRED)
    assert live(web) == "v1" and len(list((web / "releases").iterdir())) == 1


def test_a_site_that_lost_many_pages_is_refused_unless_forced(tmp_path):
    web = tmp_path / "web"
    target = deploy.Target.parse(str(web))
    deploy.deploy(make_site(tmp_path / "a", 20, "v1"), target, REQUIRED)
    with pytest.raises(deploy.DeployError, match="--force"):
        deploy.deploy(make_site(tmp_path / "b", 2, "v2"), target, REQUIRED)
    assert live(web) == "v1"
    deploy.deploy(tmp_path / "b", target, REQUIRED, force=True)
    assert live(web) == "v2"


def test_a_site_without_its_item_pages_is_refused(tmp_path):
    site = make_site(tmp_path / "a", 2)
    (site / "duties/18/index.html").unlink()
    with pytest.raises(deploy.DeployError, match="duties/18/index.html"):
        deploy.deploy(site, deploy.Target.parse(str(tmp_path / "web")), REQUIRED)
    assert not (tmp_path / "web/current").exists()


def test_deploy_command_refuses_data_that_fails_check(tmp_path, site, capsys):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    (data / "list.yaml").write_text((data / "list.yaml").read_text(encoding="utf-8").replace("number: 18", "number: 0"),
                                    encoding="utf-8")
    web = tmp_path / "web"
    assert main(["--data", str(data), "deploy", "--site", str(site), "--target", str(web)]) == 1
    assert not web.exists()
    assert main(["--data", str(ROOT / "data"), "deploy", "--site", str(site), "--target", str(web)]) == 0
    assert (web / "current/duties/27/index.html").exists()


def real_expected() -> dict[str, str]:
    """What the CLI expects of the real site: the list's title on the home page, each item's official text."""
    dataset = load_dataset(ROOT / "data", dt.date.fromisoformat(REFERENCE_DATE))
    return {"index.html": dataset.duty_list.title, "search/search_index.json": "",
            **{f"duties/{item.key}/index.html": item.text for item in dataset.duty_list.items}}


def test_the_real_site_passes_the_release_checks(site):
    assert check_site(site, real_expected()) == []


PLACEHOLDER = html_page("第3项", "内容待补充")
BREAKAGES = {  # page → what a broken build or template left in it
    "index.html": "",
    "duties/3/index.html": PLACEHOLDER,
    "about/index.html": "<html><head></head><body><article class='md-content__inner'><h1>说明</h1>正文</article>",
    "years/2024/index.html": "<html><head><title>2024年</title></head><body><p>正文</p></body></html>",
    "search/search_index.json": '{"docs": [',
    "data/list.json": "",
}


@pytest.mark.parametrize("page", BREAKAGES)
def test_a_broken_page_or_data_file_is_found(tmp_path, site, page):
    broken = shutil.copytree(site, tmp_path / "site")
    (broken / page).write_text(BREAKAGES[page], encoding="utf-8")
    assert [p.split("：")[0] for p in check_site(broken, real_expected())] == [page]


def test_an_empty_home_page_and_a_placeholder_item_page_are_refused_even_with_force(tmp_path, site, capsys):
    web = tmp_path / "web"
    assert main(["--data", str(ROOT / "data"), "deploy", "--site", str(site), "--target", str(web)]) == 0
    live_release = os.readlink(web / "current")
    broken = shutil.copytree(site, tmp_path / "broken")
    (broken / "index.html").write_text("")
    (broken / "duties/3/index.html").write_text(PLACEHOLDER, encoding="utf-8")
    capsys.readouterr()
    assert main(["--data", str(ROOT / "data"), "deploy", "--site", str(broken), "--target", str(web), "--force"]) == 1
    error = capsys.readouterr().err
    assert "上线前检查" in error and "  index.html：" in error and "  duties/3/index.html：正文不含数据中的原文" in error
    assert os.readlink(web / "current") == live_release and len(list((web / "releases").iterdir())) == 1


def processes_mentioning(text: str) -> list[str]:
    """Command lines of live processes that mention `text`."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in cmdline:
            found.append(cmdline)
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def sshd(tmp_path):
    """An sshd of the test's own on 127.0.0.1, accepting one key generated for the test."""
    keys = tmp_path / "keys"
    keys.mkdir()
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", keys / "host"], check=True)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", keys / "client"], check=True)
    shutil.copy(keys / "client.pub", keys / "authorized_keys")
    port = free_port()
    config = tmp_path / "sshd_config"
    config.write_text(f"Port {port}\nListenAddress 127.0.0.1\nHostKey {keys / 'host'}\n"
                      f"AuthorizedKeysFile {keys / 'authorized_keys'}\nPidFile {tmp_path / 'sshd.pid'}\n"
                      "StrictModes no\nUsePAM no\nPasswordAuthentication no\nPermitRootLogin prohibit-password\n")
    os.makedirs("/run/sshd", exist_ok=True)  # sshd's privilege-separation folder
    server = subprocess.Popen(["/usr/sbin/sshd", "-D", "-e", "-f", str(config)], stderr=subprocess.PIPE)
    options = ["-p", str(port), "-i", str(keys / "client"), "-o", "StrictHostKeyChecking=no",
               "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR"]
    user = subprocess.run(["id", "-un"], capture_output=True, text=True).stdout.strip()
    for _ in range(50):
        if subprocess.run(["ssh", *options, f"{user}@127.0.0.1", "true"], capture_output=True).returncode == 0:
            break
        time.sleep(0.2)
    yield user, options
    server.terminate()
    server.wait(timeout=10)


def test_deploy_over_ssh_and_roll_back(tmp_path, sshd):
    user, options = sshd
    web = tmp_path / "remote-web"
    target = deploy.Target.parse(f"{user}@127.0.0.1:{web}", options)
    first = deploy.deploy(make_site(tmp_path / "a", 3, "v1"), target, REQUIRED)
    deploy.deploy(make_site(tmp_path / "b", 3, "v2"), target, REQUIRED)
    assert live(web) == "v2"
    assert deploy.rollback(target) == first and live(web) == "v1"
    assert [json.loads(line)["action"] for line in (web / "releases.log").read_text().splitlines()] == \
        ["deploy", "deploy", "rollback"]
    assert not (web / deploy.LOCK_DIR).exists()


def test_over_ssh_a_held_lock_stops_the_next_deploy_and_a_stale_one_is_broken(tmp_path, sshd):
    user, options = sshd
    web = tmp_path / "remote-web"
    target = deploy.Target.parse(f"{user}@127.0.0.1:{web}", options)
    (web / deploy.LOCK_DIR).mkdir(parents=True)
    (web / deploy.LOCK_DIR / "holder").write_text("f00d ci-job-41 pid 7 自 2026-11-28 10:00:00 UTC\n")
    with pytest.raises(deploy.DeployError, match="另一个发布或回退正在进行（ci-job-41 pid 7"):
        deploy.deploy(make_site(tmp_path / "a", 3, "v1"), target, REQUIRED, lock_wait=1)
    assert not (web / "current").exists()
    an_hour_ago = time.time() - 3600  # its deploy was killed: nobody refreshes the lock any more
    os.utime(web / deploy.LOCK_DIR / "holder", (an_hour_ago, an_hour_ago))
    deploy.deploy(make_site(tmp_path / "a", 3, "v1"), target, REQUIRED, lock_wait=1)
    assert live(web) == "v1" and not (web / deploy.LOCK_DIR).exists()
    assert processes_mentioning(str(web)) == []  # the heartbeat ended with the deploy


def test_over_ssh_a_running_deploy_keeps_its_lock_fresh(tmp_path, sshd):
    """Holding the lock longer than the stale age never lets another deploy break it while the holder lives."""
    user, options = sshd
    target = deploy.Target.parse(f"{user}@127.0.0.1:{tmp_path / 'remote-web'}", options)
    with deploy.lock(target, wait=0, stale=4):
        with pytest.raises(deploy.DeployError, match="另一个发布"):
            with deploy.lock(target, wait=7, stale=4):
                pass
    with deploy.lock(target, wait=0, stale=4):
        pass
