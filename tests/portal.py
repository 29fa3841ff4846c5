"""A local portal serving the shipped data's documents, for the archive and link-check tests.

The documents of a copy of the project are pointed at a server on 127.0.0.1 that serves each as an article page
(UTF-8, GBK) or a PDF; a test changes `Portal.routes` to change, delete or move them. Builds of such a copy run
with loopback allowed in their own process (`build_local`), as the tests' in-process commands do.
"""

from __future__ import annotations

import datetime as dt
import http.server
import os
import re
import subprocess
import sys
import threading
import zlib
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from dutylist.cli import main
from helpers import copy_project

TODAY = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()   # captures are made now: build as of today
# The build of a project whose documents this machine serves: loopback allowed in the build's own process only.
LOOPBACK_MKDOCS = ("import sys, dutylist.model; dutylist.model.ALLOW_LOOPBACK = True; "
                   "from mkdocs.__main__ import cli; sys.argv[0] = 'mkdocs'; cli()")


def article(title: str, paragraphs: list[str], visits: int = 17, charset: str = "utf-8") -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    html = (f'<html><head><meta charset="{charset}"><title>{title}_营口市人民政府</title>'
            '<style>body{display:none}</style></head><body>'
            '<div class="nav"><a href="/">首页</a> <a href="/news">要闻动态</a> <a href="/notice">通知公告</a></div>'
            f'<div class="article"><h1>{title}</h1><p>发布时间：2024-03-06 浏览次数：{visits}</p>'
            f'<div class="TRS_Editor">{body}</div></div>'
            '<script>document.title = "injected-by-portal"</script>'
            '<div class="footer">版权所有 营口市人民政府</div></body></html>')
    return html.encode("gbk" if charset == "gb2312" else charset)   # portals declare GB2312 but write GBK


def paragraphs(topic: str) -> list[str]:
    return [f"{topic}：一年来，在市委、市政府的正确领导下，全市法治政府建设工作取得新成效，依法行政水平不断提高。",
            f"{topic}：深入学习贯彻习近平法治思想，市政府常务会议专题学习法律法规，领导干部带头尊法学法守法用法。",
            f"{topic}：法治政府建设还存在一些短板弱项，行政执法规范化水平有待进一步提升，下一步将持续改进。"]


def pdf(*lines: str, producer: str = "dutylist tests") -> bytes:
    """A one-page PDF whose text is `lines` (ASCII), written by hand: objects, a content stream, the xref table."""
    text = "".join(f"({line}) Tj 0 -20 Td " for line in lines)
    stream = zlib.compress(f"BT /F1 12 Tf 72 720 Td {text}ET".encode())
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> "
               b"/Contents 4 0 R >>",
               b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
               b"<< /Producer (%s) >>" % producer.encode()]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


PDF = pdf("Yingkou 2025 annual report on law-based government", "Item one: regulations reviewed")


class Portal(http.server.BaseHTTPRequestHandler):
    routes: dict = {}
    fallback = None   # the answer for an address not in routes (None: 404)
    hits: list = []
    agents: set = set()
    cut_off = False

    def log_message(self, *args):
        pass

    def do_GET(self):
        Portal.hits.append(self.path)
        Portal.agents.add(self.headers.get("User-Agent"))
        route = self.routes.get(self.path, self.fallback or (404, {"Content-Type": "text/html"}, b"<title>404</title>"))
        if callable(route):
            return route(self)
        status, headers, body = route
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body) + 5000 if self.cut_off else len(body)))
        self.end_headers()
        self.wfile.write(body[:len(body) // 2] if self.cut_off else body)


@pytest.fixture
def portal():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Portal)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def html(body: bytes, charset: str = "utf-8") -> tuple:
    return 200, {"Content-Type": f"text/html; charset={charset}"}, body


def point_data_at(project: Path, portal: str) -> dict[str, str]:
    """Every document (and the list's source) served by the local portal; returns id → path."""
    data = project / "data"
    paths = {}

    def local(match):
        doc_id = match.group(1)
        paths[doc_id] = f"/doc/{doc_id}.pdf" if doc_id == "rpt-2025" else f"/doc/{doc_id}.html"
        return f"- id: {doc_id}{match.group(2)}url: {portal}{paths[doc_id]}"

    documents = data / "documents.yaml"
    documents.write_text(re.sub(r"- id: (\S+)(\n(?:(?!\s*url:).*\n)*?\s*)url: \S+", local,
                                documents.read_text(encoding="utf-8")), encoding="utf-8")
    listing = data / "list.yaml"
    listing.write_text(re.sub(r"source_url: \S+", f"source_url: {portal}{paths['duty-list-2023']}",
                              listing.read_text(encoding="utf-8")), encoding="utf-8")
    site = data / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace("official_domains:", "official_domains:\n  - 127.0.0.1", 1),
                    encoding="utf-8")
    return paths


HOSTILE = '&lt;img src=x onerror=alert(1)&gt;'   # escaped in the original, so it is text there and must stay text
TEMPLATE = "{{ config }}{% for x in range(3) %}重复{% endfor %}"   # archived text and titles are never template source


def serve_originals(paths: dict[str, str]) -> None:
    Portal.routes = {"/": html(article("营口市人民政府门户网站", ["欢迎访问营口市人民政府门户网站。"] * 3))}
    for doc_id, path in paths.items():
        if path.endswith(".pdf"):
            Portal.routes[path] = (200, {"Content-Type": "application/pdf"}, PDF)
        elif doc_id == "rpt-2022":   # 〇 is GBK, not GB2312: the declared charset must be read as its superset
            Portal.routes[path] = html(article("2022年报告", paragraphs("二〇二二年"), charset="gb2312"), "gb2312")
        elif doc_id == "rpt-2023":
            Portal.routes[path] = html(article("2023年报告", paragraphs("二〇二三年") + [HOSTILE, TEMPLATE]))
        else:
            Portal.routes[path] = html(article(doc_id, paragraphs(doc_id)))


def run(project: Path, *args) -> int:
    return main(["--data", str(project / "data"), *args])


@pytest.fixture
def served(tmp_path, portal):
    """A copy of the project whose documents the local portal serves: (project folder, id → path)."""
    project = copy_project(tmp_path / "project")
    paths = point_data_at(project, portal)
    serve_originals(paths)
    Portal.hits, Portal.fallback = [], None
    return project, paths


def build_local(project: Path, out: Path, reference_date: str = TODAY) -> subprocess.CompletedProcess:
    """`mkdocs build --strict` of a project whose documents the local portal serves."""
    environ = {**os.environ, "REFERENCE_DATE": reference_date, "CI": "true", "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run([sys.executable, "-c", LOOPBACK_MKDOCS, "build", "--strict", "-f", str(project / "mkdocs.yml"),
                           "-d", str(out)], capture_output=True, text=True, env=environ, timeout=600)
