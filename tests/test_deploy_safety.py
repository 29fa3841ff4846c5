"""One deploy at a time, interrupted deploys leave nothing behind, missing tools, and the smoke check."""

import os
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from dutylist import deploy
from dutylist.cli import main
from helpers import ROOT
from test_deploy import REQUIRED, live, make_site, processes_mentioning, sshd  # noqa: F401 (fixture)


def dutylist(*args: str, env: dict | None = None, **popen) -> subprocess.Popen:
    """The deploy command as an operator or a CI job runs it, in a process group of its own."""
    return subprocess.Popen([sys.executable, "-m", "dutylist", "--data", str(ROOT / "data"), *args],
                            cwd=ROOT, env={**os.environ, **(env or {})}, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def wait_until(condition, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def slow_rsync(tmp_path) -> dict:
    """PATH with an rsync limited to 200 KB/s, so a deploy can be caught mid-upload."""
    bin_dir = tmp_path / "slow-bin"
    bin_dir.mkdir()
    (bin_dir / "rsync").write_text(f'#!/bin/sh\nexec {shutil.which("rsync")} --bwlimit=200 "$@"\n')
    (bin_dir / "rsync").chmod(0o755)
    return {"PATH": f"{bin_dir}:{os.environ['PATH']}"}


def padded(site, folder, megabytes: int = 3):
    copy = shutil.copytree(site, folder)
    (copy / "assets/padding.bin").write_bytes(os.urandom(megabytes << 20))
    return copy


def test_a_second_deploy_waits_then_stops_naming_who_holds_the_lock(tmp_path):
    target = deploy.Target.parse(str(tmp_path / "web"))
    with deploy.lock(target, wait=0):
        started = time.monotonic()
        with pytest.raises(deploy.DeployError, match="另一个发布或回退正在进行.*pid") as error:
            deploy.deploy(make_site(tmp_path / "a", 2), target, REQUIRED, lock_wait=0.5)
        assert time.monotonic() - started >= 0.5 and "等待 0 秒" not in str(error.value)
        with pytest.raises(deploy.DeployError, match="另一个发布"):
            deploy.rollback(target, lock_wait=0)
    deploy.deploy(make_site(tmp_path / "a", 2), target, REQUIRED, lock_wait=0)  # released on leaving
    assert live(tmp_path / "web") == "v1"


def test_two_concurrent_deploys_never_corrupt_each_other(tmp_path, site):
    web = tmp_path / "web"
    sites = [shutil.copytree(site, tmp_path / "one"), shutil.copytree(site, tmp_path / "two")]
    (sites[1] / "assets/second.txt").write_text("the second site")
    runs = [dutylist("deploy", "--site", str(s), "--target", str(web)) for s in sites]
    results = [(run.wait(timeout=120), run.communicate()) for run in runs]
    assert [code for code, _ in results] == [0, 0], results
    live_files = deploy.manifest(web / "current")
    live_files.pop(deploy.MANIFEST)
    assert live_files in [deploy.manifest(s) for s in sites]
    for release in (web / "releases").iterdir():  # each release is whole: its files match its manifest
        assert subprocess.run(["sha256sum", "--quiet", "-c", deploy.MANIFEST], cwd=release).returncode == 0
    assert len(list((web / "releases").iterdir())) == 2


@pytest.mark.parametrize("how", ["SIGKILL of the process group", "SIGKILL of the deploy only",
                                 "SIGTERM of the deploy only", "SIGINT of the process group"])
def test_an_interrupted_deploy_leaves_nothing_that_blocks_the_next(tmp_path, site, how):
    web = tmp_path / "web"
    big = padded(site, tmp_path / "big")
    run = dutylist("deploy", "--site", str(big), "--target", str(web), env=slow_rsync(tmp_path))
    assert wait_until(lambda: any(p.name.startswith(".incoming-") and any(p.iterdir())
                                  for p in (web / "releases").glob(".incoming-*")) if (web / "releases").exists()
                      else False), run.communicate()
    signum = getattr(signal, how.split()[0])
    if "group" in how:
        os.killpg(run.pid, signum)
    else:
        os.kill(run.pid, signum)
    run.wait(timeout=30)
    if signum != signal.SIGKILL:  # a catchable signal: one line, cleaned up, no traceback
        error = run.communicate()[1]
        assert run.returncode == 130 and "发布被中断" in error and "Traceback" not in error, error
    assert wait_until(lambda: not processes_mentioning(str(tmp_path)), timeout=10), processes_mentioning(str(tmp_path))
    assert not (web / "current").exists()
    assert main(["--data", str(ROOT / "data"), "deploy", "--site", str(site), "--target", str(web),
                 "--lock-wait", "5"]) == 0
    assert (web / "current/index.html").read_bytes() == (site / "index.html").read_bytes()
    assert [p.name for p in (web / "releases").iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("spec, tools, install", [("{tmp}/web", ["bash"], "apt-get install rsync"),
                                                  ("deployer@127.0.0.1:/srv/web", ["bash", "rsync"],
                                                   "apt-get install openssh-client")])
def test_a_missing_tool_is_one_clear_line(tmp_path, site, spec, tools, install):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in tools:
        (bin_dir / tool).symlink_to(shutil.which(tool))
    run = dutylist("deploy", "--site", str(site), "--target", spec.format(tmp=tmp_path), env={"PATH": str(bin_dir)})
    out, err = run.communicate(timeout=60)
    assert run.returncode == 1 and len(err.strip().splitlines()) == 1 and install in err, err
    assert not (tmp_path / "web").exists()


@pytest.fixture
def web_server(tmp_path):
    """An HTTP server on a free port serving whatever folder `served["root"]` names at request time."""
    served = {"root": tmp_path / "web/current"}

    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(served["root"]), **kwargs)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", served
    server.shutdown()
    server.server_close()
    thread.join()


def test_the_public_site_is_checked_after_the_switch_and_rolled_back_on_mismatch(tmp_path, web_server):
    url, served = web_server
    web = tmp_path / "web"
    target = deploy.Target.parse(str(web))
    first = deploy.deploy(make_site(tmp_path / "a", 3, "v1"), target, REQUIRED, smoke_url=url)
    served["root"] = shutil.copytree(web / "current", tmp_path / "frozen")  # web server left on a copy of v1
    with pytest.raises(deploy.DeployError, match=f"检查失败，已自动回退到 {first}") as error:
        deploy.deploy(make_site(tmp_path / "b", 3, "v2"), target, REQUIRED, smoke_url=url)
    assert "duties/18/" in str(error.value) and live(web) == "v1"
    assert (web / "releases.log").read_text().splitlines()[-1].count('"rollback"') == 1
    served["root"] = web / "current"  # fixed: the next deploy goes through
    deploy.deploy(make_site(tmp_path / "b", 3, "v2"), target, REQUIRED, smoke_url=url)
    assert live(web) == "v2"


def test_over_ssh_a_killed_deploy_leaves_no_process_and_its_lock_goes_stale(tmp_path, site, sshd):
    user, options = sshd
    web = tmp_path / "remote-web"
    spec = f"{user}@127.0.0.1:{web}"
    run = dutylist("deploy", "--site", str(padded(site, tmp_path / "big")), "--target", spec,
                   "--ssh-options", shlex.join(options), env=slow_rsync(tmp_path))
    assert wait_until(lambda: any((web / "releases").glob(".incoming-*/*")) if (web / "releases").exists()
                      else False), run.communicate()
    os.killpg(run.pid, signal.SIGKILL)
    run.wait(timeout=30)
    # the heartbeat and the upload on the server end with their connections: nothing refreshes the lock any more
    assert wait_until(lambda: not processes_mentioning(str(web)), timeout=15), processes_mentioning(str(web))
    assert (web / deploy.LOCK_DIR).exists()
    an_hour_ago = time.time() - 3600
    os.utime(web / deploy.LOCK_DIR / "holder", (an_hour_ago, an_hour_ago))
    assert main(["--data", str(ROOT / "data"), "deploy", "--site", str(site), "--target", spec,
                 "--ssh-options", shlex.join(options), "--lock-wait", "5"]) == 0
    assert (web / "current/index.html").read_bytes() == (site / "index.html").read_bytes()
    assert [p.name for p in (web / "releases").iterdir() if p.name.startswith(".")] == []
