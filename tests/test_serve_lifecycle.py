"""Stopping the preview: Ctrl-C, `kill PID` and a closed terminal leave no process, no port and no temporary folder."""

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MARK, survivors
from helpers import ROOT, Server, copy_project, free_port, serve, serve_env, wait_for

STOPS = {"ctrl-c": (signal.SIGINT, True), "kill-group": (signal.SIGTERM, True),
         "kill-pid": (signal.SIGTERM, False), "terminal-closed": (signal.SIGHUP, True)}


def assert_stopped_cleanly(server: Server, number: int, group: bool, tmp: Path, exit_code: int = 0) -> None:
    assert wait_for(server.base + "duties/1/", "第1项"), server.output[-3000:]
    assert len(server.group()) >= 2, "no search worker is running"
    assert list(tmp.glob("mkdocs_*")), "MkDocs' temporary site folder is not where the test expects it"
    assert server.stop(number, group) == exit_code, server.output[-3000:]
    assert "Traceback" not in server.output and "KeyboardInterrupt" not in server.output, server.output[-3000:]
    assert not server.group()
    with socket.socket() as again:   # as the next `mkdocs serve` binds: fails while anything still listens
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", server.port))
        again.listen()
    assert not list(tmp.glob("mkdocs_*"))


@pytest.mark.parametrize("stop", STOPS)
def test_each_signal_stops_mkdocs_serve_and_its_worker(tmp_path, stop):
    server = serve(copy_project(tmp_path / "project"))
    try:
        assert_stopped_cleanly(server, *STOPS[stop], tmp_path / "tmp")
    finally:
        server.kill()


def test_kill_pid_stops_make_serve(tmp_path):
    """README's `make serve`, stopped with `kill PID` of make: make passes SIGTERM on to the preview."""
    project = copy_project(tmp_path / "project")
    for name in ("Makefile", "requirements.txt", "pyproject.toml"):
        (project / name).write_bytes((ROOT / name).read_bytes())
    venv = Path(sys.executable).parent.parent   # this test run's environment; -o: do not reinstall it
    port = free_port()
    server = Server(["make", "-s", "serve", f"VENV={venv}", f"SERVE_ADDR=127.0.0.1:{port}", "-o", f"{venv}/.runtime"],
                    project, port, serve_env(project))
    try:
        # make waits for the preview to finish, then ends itself by the signal, as make does
        assert_stopped_cleanly(server, signal.SIGTERM, False, tmp_path / "tmp", exit_code=-signal.SIGTERM)
    finally:
        server.kill()


def test_a_process_left_running_is_found():
    """The check every test passes through (conftest.py) sees a process that outlived its parent."""
    orphan_maker = subprocess.run(["sh", "-c", "sleep 60 >/dev/null 2>&1 & echo $!"], capture_output=True, text=True,
                                  env=os.environ)
    orphan = int(orphan_maker.stdout)
    try:
        assert orphan in survivors(os.environ[MARK])
    finally:
        os.kill(orphan, signal.SIGKILL)
