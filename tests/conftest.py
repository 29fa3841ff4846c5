import contextlib
import os
import signal
import time
import uuid
from pathlib import Path

import pytest

import dutylist.model

from helpers import ROOT, Page, build

# A shell that starts the suite in the background (a CI runner may) leaves SIGINT ignored, and children inherit
# that: the tests that stop servers and deploys with Ctrl-C need the default back.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(autouse=True)
def loopback_allowed(monkeypatch):
    """Documents served by the tests' own local portal: let data name 127.0.0.1 and the fetcher reach it, in this
    process only (a test that needs the rule as in production sets it back). Outside the tests, data may name only
    public domains and the fetcher connects only to public addresses, whatever the environment says."""
    monkeypatch.setattr(dutylist.model, "ALLOW_LOOPBACK", True)


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The real site, built once from the shipped data with a fixed reference date."""
    out = tmp_path_factory.mktemp("site")
    result = build(ROOT, out)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="session")
def page(site):
    def open_page(url: str) -> Page:
        return Page(site / url.strip("/") / "index.html" if url.strip("/") else site / "index.html")
    return open_page


# Every process a test starts carries its test's mark in its environment, even after its parent died: a test
# fails when one of its processes outlives it (a module or session fixture's processes: the session's mark).
MARK = "DUTYLIST_TEST_MARK"


def survivors(mark: str) -> list[int]:
    """Processes other than this one whose environment carries the mark."""
    needle = f"{MARK}={mark}\0".encode()
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if needle in Path(entry.path, "environ").read_bytes():
                    found.append(int(entry.name))
            except OSError:   # gone meanwhile, or not ours
                pass
    return found


def assert_none_left(mark: str) -> None:
    deadline = time.time() + 5   # a process just killed, or shutting down after its parent, takes a moment
    while survivors(mark) and time.time() < deadline:
        time.sleep(0.05)
    left = {pid: _command(pid) for pid in survivors(mark)}
    for pid in left:   # do not let one failing test leak into the next
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    assert not left, f"processes left running: {left}"


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "?"


@pytest.fixture(scope="session", autouse=True)
def no_process_outlives_the_session():
    mark = f"session-{uuid.uuid4()}"
    os.environ[MARK] = mark
    yield
    assert_none_left(mark)


@pytest.fixture(autouse=True)
def no_process_outlives_its_test(monkeypatch):
    mark = f"test-{uuid.uuid4()}"
    monkeypatch.setenv(MARK, mark)
    yield
    assert_none_left(mark)
