"""The link checker against a local server that answers 200, 404, 301, slowly, and by resetting."""

import datetime as dt
import http.server
import json
import socket
import struct
import threading
import time

import pytest

from dutylist.archive import Archive
from dutylist.links import LinkResult, check_links, classify

HITS = []


class Portal(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        HITS.append(self.path)
        if self.path == "/ok":
            self._send(200, b"<html>ok</html>", "text/html; charset=utf-8")
        elif self.path == "/report.pdf":
            self._send(200, b"%PDF" + b"0" * 1000, "application/pdf")
        elif self.path == "/missing":
            self._send(404, b"not found", "text/plain")
        elif self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/ok")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/slow":
            time.sleep(3)
            self._send(200, b"late", "text/plain")
        elif self.path == "/reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()

    def _send(self, status, body, kind):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def portal():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Portal)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_each_kind_of_answer_is_reported(portal, tmp_path):
    urls = [f"{portal}/{p}" for p in ("ok", "report.pdf", "missing", "moved", "slow", "reset")]
    results = {r.url.rsplit("/", 1)[1]: r for r in check_links(urls, tmp_path / "cache.json", timeout=1)}
    assert results["ok"].ok and results["ok"].content_type.startswith("text/html") and results["ok"].size == 15
    assert results["report.pdf"].ok and results["report.pdf"].content_type == "application/pdf"
    assert results["report.pdf"].size == 1004
    assert not results["missing"].ok and results["missing"].status == 404
    assert results["moved"].ok and results["moved"].redirects == 1 and results["moved"].final_url == f"{portal}/ok"
    assert not results["slow"].ok and "超时" in results["slow"].error
    assert not results["reset"].ok and "连接失败" in results["reset"].error


def test_each_address_is_asked_once_and_connection_failures_are_not_remembered(portal, tmp_path):
    cache = tmp_path / "cache.json"
    HITS.clear()
    results = check_links([f"{portal}/ok", f"{portal}/reset", f"{portal}/ok"], cache)
    assert sorted(HITS) == ["/ok", "/reset"] and [r.ok for r in results] == [True, False, True]
    assert list(json.loads(cache.read_text(encoding="utf-8"))) == [f"{portal}/ok"]
    check_links([f"{portal}/reset"], cache)
    assert sorted(HITS) == ["/ok", "/reset", "/reset"]


def test_a_host_that_no_longer_resolves_is_gone_but_a_timeout_is_not(tmp_path):
    archive = Archive(tmp_path)
    unresolved = LinkResult("http://old.example.gov.cn/a.html", "2026-11-27T00:00:00+00:00", error="连接失败：ConnectionError",
                            dns_failed=True)
    slow = LinkResult("http://slow.example.gov.cn/a.html", "2026-11-27T00:00:00+00:00", error="超时（10 秒）")
    assert classify("a", unresolved, archive).verdict == "gone"
    assert classify("b", slow, archive).verdict == "unreachable"


def test_cache_avoids_asking_again_until_it_is_stale(portal, tmp_path):
    cache = tmp_path / "cache.json"
    now = dt.datetime(2026, 11, 27, tzinfo=dt.timezone.utc)
    HITS.clear()
    check_links([f"{portal}/ok"], cache, now=now)
    check_links([f"{portal}/ok"], cache, now=now + dt.timedelta(hours=12))
    assert HITS == ["/ok"]
    check_links([f"{portal}/ok"], cache, now=now + dt.timedelta(days=2))
    assert HITS == ["/ok", "/ok"]


def test_a_home_page_cited_without_a_path_is_not_a_soft_404(tmp_path):
    """Sent as http://host/ (requests adds the path): no redirect, so not "sent to the home page"."""
    page = LinkResult("http://www.example.gov.cn", "2026-11-27T00:00:00+00:00", 200, "http://www.example.gov.cn/",
                      title="营口市人民政府", paragraphs=["营口市人民政府门户网站欢迎您。" * 30], text_sha256="a" * 64)
    assert classify("home", page, Archive(tmp_path)).verdict == "live"
    sent_home = LinkResult("http://www.example.gov.cn/a.html", "2026-11-27T00:00:00+00:00", 200,
                           "http://www.example.gov.cn/", redirects=1, title="营口市人民政府",
                           paragraphs=["营口市人民政府门户网站欢迎您。" * 30])
    assert classify("a", sent_home, Archive(tmp_path)).verdict == "gone"
