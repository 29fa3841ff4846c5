"""Editors' live preview: `mkdocs serve` picks up data edits, including a new item with its own page."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from helpers import copy_project


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, OSError):
        return None


def wait_for(url: str, text: str, seconds: float = 60) -> bool:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if text in (fetch(url) or ""):
            return True
        time.sleep(0.2)
    return False


def start_serve(project, **popen) -> tuple[subprocess.Popen, str]:
    """`mkdocs serve` on a free port, as an editor runs it (not in CI mode); the server and its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "REFERENCE_DATE": "2026-11-27"}
    env.pop("CI", None)
    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"], cwd=project,
                              env=env, **popen)
    return server, f"http://127.0.0.1:{port}/"


@pytest.fixture
def served(tmp_path):
    project = copy_project(tmp_path / "project")
    server, base = start_serve(project, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    yield project, base
    server.terminate()
    server.wait(timeout=10)


def test_serve_reloads_data_edits_and_new_items(served):
    project, base = served
    assert wait_for(base + "duties/1/", "制定年度法治政府建设十项重点任务")
    progress = project / "data/progress/2025.yaml"
    progress.write_text(progress.read_text(encoding="utf-8").replace("制定年度法治政府建设十项重点任务", "编者刚改的摘要：制定年度", 1),
                        encoding="utf-8")
    assert wait_for(base + "duties/1/", "编者刚改的摘要")
    duty_list = project / "data/list.yaml"
    duty_list.write_text(duty_list.read_text(encoding="utf-8") + "    - number: 28\n      short: 新增条目\n"
                         "      text: 这是编者在预览中新增的第二十八项。\n", encoding="utf-8")
    assert wait_for(base + "duties/28/", "这是编者在预览中新增的第二十八项。")
    assert "第28项 新增条目" in fetch(base + "duties/27/")
    about = project / "docs/about.md"
    about.write_text(about.read_text(encoding="utf-8") + "\n编者在说明页新增的一句话。\n", encoding="utf-8")
    assert wait_for(base + "about/", "编者在说明页新增的一句话。")
    footer = project / "overrides/partials/copyright.html"  # a theme template: compiled templates are reused
    footer.write_text(footer.read_text(encoding="utf-8") + "<p>页脚模板的新改动</p>\n", encoding="utf-8")
    assert wait_for(base + "duties/1/", "页脚模板的新改动")


def test_ctrl_c_stops_the_preview_cleanly(tmp_path):
    """Ctrl-C reaches the whole process group, search worker included: no traceback, nothing left running."""
    project = copy_project(tmp_path / "project")
    terminal = lambda: (os.setpgrp(), signal.signal(signal.SIGINT, signal.SIG_DFL))  # noqa: E731 (as in a shell)
    server, base = start_serve(project, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               preexec_fn=terminal)
    try:
        assert wait_for(base + "duties/1/", "第1项")
        workers = subprocess.run(["ps", "--ppid", str(server.pid), "-o", "pid="], capture_output=True, text=True)
        assert workers.stdout.split(), "no search worker is running"
        os.killpg(server.pid, signal.SIGINT)
        output = server.communicate(timeout=20)[0]
    finally:
        if server.poll() is None:
            server.kill()
    assert server.returncode == 0
    assert "Traceback" not in output and "KeyboardInterrupt" not in output, output[-2000:]
    assert not [pid for pid in workers.stdout.split() if os.path.exists(f"/proc/{pid}")]
