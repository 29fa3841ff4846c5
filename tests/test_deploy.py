"""Deploys switch atomically, verify before going live, keep releases, roll back; locally and over SSH."""

import os
import shutil
import socket
import subprocess
import time

import pytest

from dutylist import deploy
from dutylist.cli import main
from helpers import ROOT

REQUIRED = ["index.html", "duties/18/index.html"]


def make_site(folder, pages: int, text: str = "v1"):
    (folder / "duties/18").mkdir(parents=True, exist_ok=True)
    (folder / "index.html").write_text(f"<h1>{text}</h1>")
    (folder / "duties/18/index.html").write_text(f"第18项 {text}")
    for n in range(pages):
        (folder / f"p{n}.html").write_text(f"{text} {n}")
    return folder


def live(web) -> str:
    return (web / "current/index.html").read_text()


def test_deploy_twice_switch_and_roll_back(tmp_path):
    web = tmp_path / "web"
    target = deploy.Target.parse(str(web))
    first = deploy.deploy(make_site(tmp_path / "a", 3, "v1"), target, REQUIRED)
    time.sleep(1)
    second = deploy.deploy(make_site(tmp_path / "b", 3, "v2"), target, REQUIRED)
    assert first != second and live(web) == "<h1>v2</h1>"
    assert (web / "current").is_symlink() and os.readlink(web / "current") == f"releases/{second}"
    assert deploy.rollback(target) == first and live(web) == "<h1>v1</h1>"
    with pytest.raises(deploy.DeployError):
        deploy.rollback(target)  # nothing older than the first release


def test_only_the_last_releases_are_kept(tmp_path):
    web = tmp_path / "web"
    target = deploy.Target.parse(str(web))
    for n in range(4):
        deploy.deploy(make_site(tmp_path / f"s{n}", 2, f"v{n}"), target, REQUIRED, keep=2)
        time.sleep(1)
    assert len(list((web / "releases").iterdir())) == 2 and live(web) == "<h1>v3</h1>"


def test_failed_verification_leaves_the_live_release_untouched(tmp_path, monkeypatch):
    web = tmp_path / "web"
    target = deploy.Target.parse(str(web))
    deploy.deploy(make_site(tmp_path / "a", 3, "v1"), target, REQUIRED)
    upload = deploy.Target.upload

    def corrupting_upload(self, site, folder):
        upload(self, site, folder)
        (web / folder / "p0.html").write_text("damaged in transit")

    monkeypatch.setattr(deploy.Target, "upload", corrupting_upload)
    time.sleep(1)
    with pytest.raises(deploy.DeployError, match="校验失败"):
        deploy.deploy(make_site(tmp_path / "b", 3, "v2"), target, REQUIRED)
    assert live(web) == "<h1>v1</h1>"
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
    time.sleep(1)
    with pytest.raises(KeyboardInterrupt):
        deploy.deploy(make_site(tmp_path / "b", 3, "v2"), target, REQUIRED)
    assert live(web) == "<h1>v1</h1>" and len(list((web / "releases").iterdir())) == 1


def test_a_site_that_lost_many_pages_is_refused_unless_forced(tmp_path):
    web = tmp_path / "web"
    target = deploy.Target.parse(str(web))
    deploy.deploy(make_site(tmp_path / "a", 20, "v1"), target, REQUIRED)
    time.sleep(1)
    with pytest.raises(deploy.DeployError, match="--force"):
        deploy.deploy(make_site(tmp_path / "b", 2, "v2"), target, REQUIRED)
    assert live(web) == "<h1>v1</h1>"
    deploy.deploy(tmp_path / "b", target, REQUIRED, force=True)
    assert live(web) == "<h1>v2</h1>"


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
    time.sleep(1)
    deploy.deploy(make_site(tmp_path / "b", 3, "v2"), target, REQUIRED)
    assert live(web) == "<h1>v2</h1>"
    assert deploy.rollback(target) == first and live(web) == "<h1>v1</h1>"
