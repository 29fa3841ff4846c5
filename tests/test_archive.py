"""The archive end to end against a local portal: capture, watch for change, show on the site, survive interruption.

The shipped data's documents are pointed at a local server that serves them in UTF-8 and GBK and as a PDF, then
changes one's text, only another's visit counter, deletes one, sends one to the home page and moves one
permanently. Each step runs the real `dutylist` commands and, at the end, builds the site.
"""

from __future__ import annotations

import http.server
import json
import re
import threading
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from dutylist.cli import main
from helpers import ROOT, Page, build, copy_project

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n" + b"0" * 2000
HOSTILE = '&lt;img src=x onerror=alert(1)&gt;'   # escaped in the original, so it is text there and must stay text
TEMPLATE = "{{ config }}{% for x in range(3) %}重复{% endfor %}"   # archived text and titles are never template source


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


class Portal(http.server.BaseHTTPRequestHandler):
    routes: dict = {}
    hits: list = []
    agents: set = set()
    cut_off = False

    def log_message(self, *args):
        pass

    def do_GET(self):
        Portal.hits.append(self.path)
        Portal.agents.add(self.headers.get("User-Agent"))
        status, headers, body = self.routes.get(self.path, (404, {"Content-Type": "text/html"}, b"<title>404</title>"))
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


def change_originals(paths: dict[str, str]) -> None:
    routes = Portal.routes
    routes[paths["rpt-2022"]] = html(article("2022年报告", paragraphs("二〇二二年")[:2] + ["全年办理行政复议案件一百二十件。"],
                                             charset="gb2312"), "gb2312")
    routes[paths["rpt-2023"]] = html(article("2023年报告", paragraphs("二〇二三年") + [HOSTILE, TEMPLATE], visits=98765))
    del routes[paths["decision-procedure-2023"]]
    routes[paths["decree-35-2024"]] = (302, {"Location": "/"}, b"")
    routes[paths["gov-open-tasks-2023"]] = html(article("页面不存在", ["您访问的页面不存在或已删除。"]))
    routes["/new/consult.html"] = routes[paths["consult-bizenv-2022"]]
    routes[paths["consult-bizenv-2022"]] = (301, {"Location": "/new/consult.html"}, b"")


def run(project: Path, *args) -> int:
    return main(["--data", str(project / "data"), *args])


def links(project: Path, capsys, run_number: int) -> tuple[int, dict, str]:
    """One scheduled link check (a day apart: each with a fresh cache)."""
    Portal.hits = []
    code = run(project, "links", "--cache", str(project / f"cache-{run_number}.json"), "--timeout", "5",
               "--report", str(project / "links-report.md"), "--json", str(project / "links-report.json"))
    capsys.readouterr()
    found = json.loads((project / "links-report.json").read_text(encoding="utf-8"))
    return code, found, (project / "links-report.md").read_text(encoding="utf-8")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def served(tmp_path, portal):
    """A copy of the project whose documents the local portal serves: (project folder, id → path)."""
    project = copy_project(tmp_path / "project")
    paths = point_data_at(project, portal)
    serve_originals(paths)
    return project, paths


def test_archive_watch_and_show(served, portal, tmp_path, capsys):
    project, paths = served
    archive = project / "archive"
    documents = project / "data/documents.yaml"
    documents.write_text(documents.read_text(encoding="utf-8").replace(
        "title: 关于2023年法治政府建设情况的报告", "title: '关于2023年法治政府建设情况的报告{{ config }}<b>粗</b>'"), encoding="utf-8")

    # 1. every document archived: WARC, readable text (UTF-8 and GBK), the PDF itself, fingerprints
    assert run(project, "archive") == 0
    index = json.loads((archive / "index.json").read_text(encoding="utf-8"))["documents"]
    assert set(index) == set(paths)
    gbk = index["rpt-2022"][0]
    text = (archive / next(p for p in gbk["files"] if p.endswith("text.txt"))).read_text(encoding="utf-8")
    assert "二〇二二年：一年来，在市委、市政府的正确领导下" in text
    assert "injected-by-portal" not in text and "display:none" not in text and "首页" not in text
    pdf = index["rpt-2025"][0]
    assert (archive / next(p for p in pdf["files"] if p.endswith(".pdf"))).read_bytes() == PDF
    with (archive / next(p for p in gbk["files"] if p.endswith(".warc.gz"))).open("rb") as stream:
        record = next(iter(ArchiveIterator(stream)))
        assert record.rec_type == "response" and record.rec_headers.get_header("WARC-Target-URI") == portal + paths["rpt-2022"]
        assert record.http_headers.get_statuscode() == "200" and record.rec_headers.get_header("WARC-Date")
        assert "二〇二二年" in record.content_stream().read().decode("gb18030")
    assert run(project, "check") == 0
    before = snapshot(archive)
    assert run(project, "archive") == 0 and snapshot(archive) == before   # nothing new to fetch
    capsys.readouterr()

    # 2. a first link check: all unchanged; each address asked once though the list's source is also a document
    code, found, _ = links(project, capsys, 1)
    assert code == 0 and {d["verdict"] for d in found["documents"]} == {"unchanged"}
    assert sorted(Portal.hits) == sorted(set(paths.values()))

    # 3. the portal changes text, a counter, deletes, sends home, moves; the next check classifies each case and lists what changed since the last run
    change_originals(paths)
    code, found, report = links(project, capsys, 2)
    verdicts = {d["document"]: d for d in found["documents"]}
    assert code == 1   # a cited document is gone: the scheduled job fails loudly
    assert verdicts["rpt-2022"]["verdict"] == "changed" and "全年办理行政复议案件一百二十件" in verdicts["rpt-2022"]["detail"]
    assert verdicts["rpt-2023"]["verdict"] == "unchanged"      # only the visit counter moved
    assert verdicts["rpt-2025"]["verdict"] == "unchanged"
    assert verdicts["decision-procedure-2023"]["verdict"] == "gone" and "404" in verdicts["decision-procedure-2023"]["detail"]
    assert verdicts["decree-35-2024"]["verdict"] == "gone"      # soft 404: sent to the home page
    assert verdicts["gov-open-tasks-2023"]["verdict"] == "gone"  # soft 404: answers 200 with a 页面不存在 page
    assert verdicts["consult-bizenv-2022"]["verdict"] == "moved"
    assert verdicts["consult-bizenv-2022"]["new_url"] == f"{portal}/new/consult.html"
    assert {c["document"] for c in found["changes"]} == {"rpt-2022", "decision-procedure-2023", "decree-35-2024",
                                                         "gov-open-tasks-2023", "consult-bizenv-2022"}
    changes_section = report.split("## 全部文件")[0]
    assert "rpt-2022：未变化 → 文字有改动" in changes_section and "rpt-2023" not in changes_section
    checks = json.loads((archive / "checks.json").read_text(encoding="utf-8"))["documents"]
    assert run(project, "check") == 0

    # 4. the site: gone and changed originals say so and lead to the archived copy; others offer it
    out = tmp_path / "site"
    result = build(project, out)
    assert result.returncode == 0, result.stderr
    item6 = Page(out / "duties/6/index.html")
    gone_day = checks["decision-procedure-2023"]["since"]
    assert "原链接已失效，检测于" in item6.text() and _china_day(gone_day) in item6.text()
    assert "../../archive/decision-procedure-2023/" in item6.links()
    item3 = Page(out / "duties/3/index.html")
    assert f"原文已于{_china_day(checks['rpt-2022']['last_same'])}后修改" in item3.text()
    saved = _china_day(index["rpt-2023"][0]["captured_at"])
    assert f"本站存档副本（{saved} 保存）" in item3.text()
    assert portal + paths["rpt-2023"] in item3.links()            # unchanged: the original stays the primary link
    copy = Page(out / "archive/rpt-2023/index.html")
    assert "二〇二三年：深入学习贯彻习近平法治思想" in copy.text() and portal + paths["rpt-2023"] in copy.text()
    assert "&lt;img src=x onerror=alert(1)&gt;" in copy.html and "<img src=x" not in copy.html
    assert "injected-by-portal" not in copy.html and "display:none" not in copy.html
    assert TEMPLATE in copy.text() and "{{ config }}<b>粗</b>" in copy.text() and "<b>粗</b>" not in copy.html
    assert (out / next(f"archive/{p}" for p in pdf["files"] if p.endswith(".pdf"))).read_bytes() == PDF
    records = json.loads((out / "data/archive.json").read_text(encoding="utf-8"))
    assert {r["document"]: r["text_sha256"] for r in records}["rpt-2022"] == gbk["text_sha256"]

    # 5. a refresh cut off mid-transfer leaves archive/ exactly as it was, and no staging folder behind
    before = snapshot(archive)
    Portal.cut_off = True
    try:
        assert run(project, "archive", "--refresh", "--timeout", "5") == 1
    finally:
        Portal.cut_off = False
    assert snapshot(archive) == before
    assert not list(project.glob(".archive-staging-*"))
    assert "连接失败或传输中断" in capsys.readouterr().out


def _china_day(stamp: str) -> str:
    import datetime as dt
    from zoneinfo import ZoneInfo
    return dt.datetime.fromisoformat(stamp).astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()


def test_documents_over_the_size_limit_are_refused_politely(served, capsys):
    project, paths = served
    Portal.agents = set()
    assert run(project, "archive", "--document-limit", "0.0004") == 1
    said = capsys.readouterr().out
    assert said.count("超过单件大小上限") == len(paths) and f"失败 {len(paths)} 件" in said
    assert not (project / "archive").exists()
    assert len(Portal.agents) == 1 and next(iter(Portal.agents)).startswith("dutylist-archive/")


def test_check_and_build_reject_a_corrupted_archive_naming_the_file(served, capsys, tmp_path):
    project, _ = served
    assert run(project, "archive") == 0
    index = json.loads((project / "archive/index.json").read_text(encoding="utf-8"))["documents"]
    text = next(p for p in index["rpt-2023"][0]["files"] if p.endswith("text.txt"))
    warc = next(p for p in index["rpt-2022"][0]["files"] if p.endswith(".warc.gz"))
    (project / "archive" / text).write_text("改过的文字\n", encoding="utf-8")
    (project / "archive" / warc).unlink()
    capsys.readouterr()
    assert run(project, "check") == 1
    errors = capsys.readouterr().err
    assert f"archive/{text}:1:1: 文件内容与存档索引中的 SHA-256 不符" in errors
    assert f"archive/{warc}:1:1: 存档索引列出的文件不存在" in errors
    assert "Traceback" not in errors
    built = build(project, tmp_path / "site")
    assert built.returncode == 1 and f"archive/{text}:1:1: 文件内容与存档索引中的 SHA-256 不符" in built.stderr


def test_check_rejects_an_archived_id_missing_from_the_documents_and_prune_repairs_it(served, capsys):
    project, _ = served
    assert run(project, "archive") == 0
    for file in (project / "data").rglob("*.yaml"):   # an editor renames the id everywhere it is used
        file.write_text(file.read_text(encoding="utf-8").replace("forestry-catalogue-2025", "forestry-2025"), encoding="utf-8")
    capsys.readouterr()
    assert run(project, "check") == 1
    assert "archive/index.json:1:1: 存档中的文件标识「forestry-catalogue-2025」不在 data/documents.yaml 中" in capsys.readouterr().err
    assert run(project, "archive", "--prune") == 0 and run(project, "check") == 0
    assert not (project / "archive/forestry-catalogue-2025").exists() and (project / "archive/rpt-2022").is_dir()


def test_offline_links_say_so_once_and_remember_nothing(tmp_path, capsys):
    import socket
    with socket.socket() as closed:          # a port nothing listens on: every connection is refused
        closed.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{closed.getsockname()[1]}"
    project = copy_project(tmp_path / "project")
    point_data_at(project, dead)
    cache = tmp_path / "cache.json"
    code = run(project, "links", "--cache", str(cache), "--timeout", "2")
    out = capsys.readouterr()
    assert code == 3
    assert out.err.strip() == "无法连接网络，未检查任何链接" and out.out == ""
    assert json.loads(cache.read_text(encoding="utf-8")) == {}
    assert not (project / "archive").exists()


def test_real_site_offers_no_archived_copy_without_an_archive(site, page):
    assert not (ROOT / "archive" / "index.json").exists() or json.loads(
        (ROOT / "archive" / "index.json").read_text(encoding="utf-8"))["documents"] == {}
    assert "本站存档副本" not in page("duties/3/").text()
    assert not (site / "archive").exists()
    assert json.loads((site / "data/archive.json").read_text(encoding="utf-8")) == []
