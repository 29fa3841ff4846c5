"""Building a project into a folder and reading the HTML it produced; serving it as an editor previews it."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import unicodedata
import urllib.error
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "tests" / "fixtures" / "yingkou-list" / "published-page.txt"   # source URL in its README.md
REFERENCE_DATE = "2026-12-05"   # the shipped data holds searches made on 2026-12-05: none may be later
PROJECT_FILES = ["mkdocs.yml", "macros.py", "hooks", "docs", "overrides"]


def copy_project(target: Path, data: Path = ROOT / "data") -> Path:
    """The site's code with another data folder: what a new jurisdiction would do."""
    target.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, target / name)
    shutil.copytree(data, target / "data")
    return target


def build(project: Path, out: Path, reference_date: str = REFERENCE_DATE, **env) -> subprocess.CompletedProcess:
    environ = {**os.environ, "REFERENCE_DATE": reference_date, "CI": "true", "NO_MKDOCS_2_WARNING": "1", **env}
    # no -q: it silences warnings before --strict counts them, and a warning would pass unnoticed
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(project / "mkdocs.yml"),
                           "-d", str(out)], capture_output=True, text=True, env=environ, timeout=600)


class Server:
    """`mkdocs serve` (or `make serve`) in its own process group, with its terminal output collected."""

    def __init__(self, command: list[str], cwd: Path, port: int, env: dict):
        self.base = f"http://127.0.0.1:{port}/"
        self.port = port
        self.lines: list[str] = []
        self.process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        text=True, process_group=0)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def count(self, text: str) -> int:
        return sum(text in line for line in self.lines)

    def group(self) -> list[int]:
        """Processes of the server's process group that are still running."""
        return process_group(self.process.pid)

    def stop(self, number: int = signal.SIGTERM, group: bool = True) -> int:
        """Send a signal to the whole group, as a terminal does (or to the first process only, as `kill PID`
        does) and wait for it to end; whatever is still running after 20 s is killed. Returns the exit code."""
        with contextlib.suppress(ProcessLookupError):
            (os.killpg if group else os.kill)(self.process.pid, number)
        try:
            self.process.wait(timeout=20)
        finally:
            self.kill()
        return self.process.returncode

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            if self.group():
                os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self._reader.join(timeout=5)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve_env(project: Path) -> dict:
    """As an editor runs the preview (not in CI mode), with temporary files kept beside the project."""
    tmp = project.parent / "tmp"
    tmp.mkdir(exist_ok=True)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "REFERENCE_DATE": REFERENCE_DATE, "TMPDIR": str(tmp)}
    env.pop("CI", None)
    return env


def serve(project: Path) -> Server:
    port = free_port()
    return Server([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"], project, port,
                  serve_env(project))


def process_group(pgid: int) -> list[int]:
    """Running (not zombie) processes of a process group, from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def fetch(url: str, timeout: float = 5) -> str | None:
    """The body of a page, error pages included; None when the server does not answer."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.read().decode("utf-8")
    except (urllib.error.URLError, OSError):
        return None


def wait_for(url: str, text: str, seconds: float = 60) -> bool:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if text in (fetch(url) or ""):
            return True
        time.sleep(0.2)
    return False


def normalise(text: str) -> str:
    """Compare texts ignoring only whitespace and punctuation width."""
    return "".join(unicodedata.normalize("NFKC", text).split())


class _Elements(HTMLParser):
    """Text of elements, by tag, class and id; enough to assert on what a reader sees."""

    VOID = {"br", "img", "input", "meta", "link", "hr", "source", "wbr", "area", "base", "col", "embed", "track"}

    def __init__(self):
        super().__init__()
        self.stack: list[dict] = []
        self.elements: list[dict] = []

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, "attrs": dict(attrs), "text": ""}
        self.elements.append(element)
        if tag not in self.VOID:
            self.stack.append(element)

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()["tag"] == tag:
                break

    def handle_data(self, data):
        for element in self.stack:
            element["text"] += data


class Page:
    def __init__(self, path: Path):
        self.path = path
        self.html = path.read_text(encoding="utf-8")
        self.elements = self.parse(self.html)

    @staticmethod
    def parse(html: str) -> list[dict]:
        parser = _Elements()
        parser.feed(html)
        return parser.elements

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs) -> list[dict]:
        return [e for e in self.elements
                if (tag is None or e["tag"] == tag)
                and (cls is None or cls in e["attrs"].get("class", "").split())
                and all(e["attrs"].get(k) == v for k, v in attrs.items())]

    def text(self, tag: str = "article", cls: str | None = None) -> str:
        found = self.find_all(tag, cls)
        return found[0]["text"] if found else ""

    def links(self) -> list[str]:
        return [e["attrs"]["href"] for e in self.find_all("a") if e["attrs"].get("href")]
