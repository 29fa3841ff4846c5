"""The scheduled job against a portal that misbehaves: trickles, sends empty or unreadable pages, moves a page off
the official domains, answers missing pages with 200, publishes short notices and PDFs, or is not there at all."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from dutylist import archive as store
from helpers import Page, copy_project
from portal import Portal, article, build_local, html, paragraphs, pdf, point_data_at, portal, run, served  # noqa: F401


def links(project: Path, capsys, run_number: int, timeout: str = "5") -> tuple[int, dict]:
    """One scheduled link check, with a fresh cache (a day apart). Returns (exit code, verdicts by document)."""
    code = run(project, "links", "--cache", str(project / f"cache-{run_number}.json"), "--timeout", timeout,
               "--json", str(project / "links-report.json"))
    capsys.readouterr()
    found = json.loads((project / "links-report.json").read_text(encoding="utf-8"))
    return code, {d["document"]: d for d in found.get("documents", [])}


def index(project: Path) -> dict:
    return json.loads((project / "archive/index.json").read_text(encoding="utf-8"))["documents"]


def trickle(handler, headers_too: bool = False):
    """An answer that never ends: a byte every 0.2 s (of the headers, or of a body it says is 100 KB)."""
    handler.wfile.write(b"HTTP/1.1 200 OK\r\n")
    if not headers_too:
        handler.wfile.write(b"Content-Type: text/html; charset=utf-8\r\nContent-Length: 100000\r\n\r\n")
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            handler.wfile.write(b"X" if headers_too else b"<")
            handler.wfile.flush()
            time.sleep(0.2)
    except OSError:   # the client hung up: what a deadline does
        pass


# --- 25.8: a deadline on the whole fetch; one bad page never stops the others ------------------------------


@pytest.mark.parametrize("headers_too", [False, True], ids=["body", "headers"])
def test_a_trickling_server_is_cut_off_at_the_deadline(portal, headers_too):
    Portal.routes = {"/slow": lambda handler: trickle(handler, headers_too)}
    started = time.monotonic()
    with pytest.raises(store.ArchiveError, match="超时"):
        store.fetch(f"{portal}/slow", timeout=1.5)
    assert time.monotonic() - started < 5   # each read came in time: only a deadline on the whole fetch ends it


def test_a_trickling_page_an_empty_page_and_unreadable_pages_never_stop_the_others(served, capsys, monkeypatch):
    project, paths = served
    routes = Portal.routes
    routes[paths["rpt-2022"]] = lambda handler: trickle(handler)
    routes[paths["rpt-2023"]] = (200, {"Content-Type": "text/html; charset=utf-8"}, b"")
    routes[paths["district-xishi-2022"]] = (200, {"Content-Type": "text/html"}, b"\x00\xff<\x00" * 300)
    routes[paths["rpt-2025"]] = (200, {"Content-Type": "application/pdf"}, b"%PDF-1.7\n" + b"\xff" * 500)
    routes[paths["decree-35-2024"]] = html(article("会让解析程序出错的页面", paragraphs("PARSER-BOMB")))
    real = store.page_text

    def failing(body, content_type):
        if b"PARSER-BOMB" in body:
            raise RuntimeError("a parser's own bug")
        return real(body, content_type)

    monkeypatch.setattr(store, "page_text", failing)
    started = time.monotonic()
    assert run(project, "archive", "--timeout", "2") == 1
    said = capsys.readouterr().out
    assert time.monotonic() - started < 30
    assert "rpt-2022：" in said and "超时" in said and "decree-35-2024：" in said and "无法处理（RuntimeError）" in said
    kept = index(project)
    assert set(paths) - set(kept) == {"rpt-2022", "decree-35-2024"}   # the empty and unreadable pages are kept as answered
    assert "rpt-2023：已存档（0.0 KB）；注意：未找到正文文字" in said
    code, verdicts = links(project, capsys, 1, timeout="2")
    assert verdicts["rpt-2022"]["verdict"] == "unreachable" and "超时" in verdicts["rpt-2022"]["detail"]
    assert verdicts["decree-35-2024"]["verdict"] == "unreachable" and "无法处理" in verdicts["decree-35-2024"]["detail"]
    assert {verdicts[d]["verdict"] for d in ("rpt-2023", "district-xishi-2022", "rpt-2025")} == {"unchanged"}
    assert verdicts["forestry-catalogue-2025"]["verdict"] == "unchanged"


# --- 25.8: a soft 404 needs more than a title word -----------------------------------------------------


NOT_FOUND = article("营口市人民政府", ["抱歉，您访问的页面不存在或已被删除。", "您可以返回首页继续浏览。"])


def test_a_live_page_titled_page_not_found_is_not_gone(served, capsys):
    project, paths = served
    long_text = paragraphs("关于“页面不存在”问题的整改报告") * 3
    Portal.routes[paths["district-xishi-2022"]] = html(article("关于政府网站“页面不存在”问题的整改情况", long_text))
    assert run(project, "archive") == 0
    assert "district-xishi-2022：已存档" in capsys.readouterr().out
    code, verdicts = links(project, capsys, 1)
    assert code == 0 and verdicts["district-xishi-2022"]["verdict"] == "unchanged"


def test_a_page_like_the_hosts_not_found_page_is_gone_and_a_short_notice_is_not(served, capsys):
    """The portal answers every missing address with 200 and its not-found page, under an ordinary title."""
    project, paths = served
    short = article("营口市人民政府", ["各县（市）区人民政府：", "定于12月4日开展国家宪法日宣传活动。"], charset="gb2312")
    Portal.routes[paths["district-xishi-2022"]] = html(short, "gb2312")
    Portal.fallback = html(NOT_FOUND)   # any address not served answers 200 with the not-found page
    assert run(project, "archive") == 0
    code, verdicts = links(project, capsys, 1)
    assert verdicts["district-xishi-2022"]["verdict"] == "unchanged"   # short, but not the not-found page
    Portal.hits = []
    Portal.routes[paths["district-xishi-2022"]] = html(NOT_FOUND)
    Portal.routes[paths["rpt-2023"]] = html(article("营口市人民政府", ["抱歉，您访问的页面不存在或已被删除！",
                                                                       "您可以返回首页继续浏览。"]))
    code, verdicts = links(project, capsys, 2)
    assert code == 1
    assert verdicts["district-xishi-2022"]["verdict"] == "gone" and "页面不存在" in verdicts["district-xishi-2022"]["detail"]
    assert verdicts["rpt-2023"]["verdict"] == "gone"
    assert len([h for h in Portal.hits if "dutylist-missing-" in h]) == 1   # once per host per run


# --- 25.2: a redirect off the official domains ------------------------------------------------------------


@pytest.mark.parametrize("target, shown", [("http://www.evil-example.com/copy.html", "www.evil-example.com"),
                                           ("http://www.lnfz.cn/a.html", "www.lnfz.cn"),   # media: news only
                                           ("javascript:alert(document.domain)", "无效地址")])
def test_a_redirect_off_the_official_domains_is_reported_never_followed_stored_or_linked(
        served, capsys, tmp_path, monkeypatch, target, shown):
    project, paths = served
    asked = []
    real = store._public_address
    monkeypatch.setattr(store, "_public_address", lambda host, port: asked.append(host) or real(host, port))
    assert run(project, "archive") == 0
    Portal.routes[paths["rpt-2022"]] = (301, {"Location": target}, b"")
    Portal.routes[paths["district-xishi-2022"]] = (301, {"Location": target}, b"")
    capsys.readouterr()
    assert run(project, "archive", "--refresh") == 1
    said = capsys.readouterr().out
    assert f"永久跳转到官方域名之外（{shown}），未存档" in said
    assert [c["final_url"] for c in index(project)["rpt-2022"]] == [c["url"] for c in index(project)["rpt-2022"]]
    code, verdicts = links(project, capsys, 1)
    assert code == 1   # the scheduled job fails loudly, as for a gone document
    moved = verdicts["rpt-2022"]
    assert moved["verdict"] == "moved_off" and moved["label"] == "已迁出官方网站" and moved["new_url"] is None
    assert shown in moved["detail"] and target not in json.dumps(index(project))
    assert set(asked) == {"127.0.0.1"}   # the foreign host was never looked up, let alone asked
    assert run(project, "check") == 0
    out = tmp_path / "site"
    built = build_local(project, out)
    assert built.returncode == 0, built.stderr
    item3 = Page(out / "duties/3/index.html")
    assert "原链接已跳转到官方网站以外，检测于" in item3.text()
    assert "../../archive/rpt-2022/" in item3.links() and paths["rpt-2022"] not in " ".join(item3.links())
    copy = Page(out / "archive/rpt-2022/index.html")
    assert "原链接已跳转到官方网站以外" in copy.text() and paths["rpt-2022"] not in " ".join(copy.links())
    everything = " ".join(p.read_text(encoding="utf-8", errors="replace") for p in out.rglob("*")
                          if p.is_file() and p.suffix in (".html", ".json", ".xml", ".csv"))
    assert target not in everything


def test_an_address_written_with_chinese_characters_is_archived_checked_and_shown(served, portal, capsys, tmp_path):
    """The WARC records the address as sent (percent-encoded); the index keeps it as cited: they still agree."""
    project, paths = served
    cited = f"{portal}/doc/西市区报告.html?年度=2022"
    Portal.routes[urlsplit(store.requested(cited))._replace(scheme="", netloc="").geturl()] = \
        Portal.routes[paths["district-xishi-2022"]]
    documents = project / "data/documents.yaml"
    documents.write_text(documents.read_text(encoding="utf-8").replace(portal + paths["district-xishi-2022"], cited),
                         encoding="utf-8")
    assert run(project, "archive") == 0 and index(project)["district-xishi-2022"][0]["url"] == cited
    assert run(project, "check") == 0
    code, verdicts = links(project, capsys, 1)
    assert code == 0 and verdicts["district-xishi-2022"]["verdict"] == "unchanged"
    out = tmp_path / "site"
    assert build_local(project, out).returncode == 0 and (out / "archive/district-xishi-2022/index.html").exists()


# --- 22.8: short pages and PDFs are judged on their words --------------------------------------------------


def test_a_short_gbk_notice_keeps_its_text_and_a_change_of_its_words_is_seen(served, capsys):
    project, paths = served
    notice = ["通知：定于12月4日开展宪法日宣传。", "特此通知。"]   # too short for readability: it drops both
    Portal.routes[paths["district-xishi-2022"]] = html(article("关于开展宪法日宣传活动的通知", notice, charset="gb2312"), "gb2312")
    assert run(project, "archive") == 0
    capture = index(project)["district-xishi-2022"][0]
    text = (project / "archive" / next(p for p in capture["files"] if p.endswith("text.txt"))).read_text(encoding="utf-8")
    assert notice[0] in text and notice[1] in text and "首页" not in text
    Portal.routes[paths["district-xishi-2022"]] = html(article("关于开展宪法日宣传活动的通知",
                                                    [notice[0].replace("12月4日", "12月5日"), notice[1]],
                                                    charset="gb2312"), "gb2312")
    code, verdicts = links(project, capsys, 1)
    assert verdicts["district-xishi-2022"]["verdict"] == "changed" and "12月5日" in verdicts["district-xishi-2022"]["detail"]


def test_a_pdf_is_judged_on_its_words(served, capsys):
    project, paths = served
    assert run(project, "archive") == 0
    assert index(project)["rpt-2025"][0]["text_sha256"] != store.EMPTY_TEXT
    Portal.routes[paths["rpt-2025"]] = (200, {"Content-Type": "application/pdf"},
                                        pdf("Yingkou 2025 annual report on law-based government",
                                            "Item one: regulations reviewed", producer="another writer"))
    code, verdicts = links(project, capsys, 1)
    assert verdicts["rpt-2025"]["verdict"] == "unchanged"   # other bytes, the same words
    Portal.routes[paths["rpt-2025"]] = (200, {"Content-Type": "application/pdf"},
                                        pdf("Yingkou 2025 annual report on law-based government",
                                            "Item one: regulations repealed"))
    code, verdicts = links(project, capsys, 2)
    assert verdicts["rpt-2025"]["verdict"] == "changed" and "regulations repealed" in verdicts["rpt-2025"]["detail"]
    time.sleep(1)   # a capture's folder is named by the second
    assert run(project, "archive", "--refresh") == 0
    assert len(index(project)["rpt-2025"]) == 2 and len(index(project)["district-xishi-2022"]) == 1


def test_a_capture_without_words_is_never_unchanged_when_its_bytes_changed(served, capsys):
    """A page shown by script, and a scanned PDF: no words to compare, so the bytes decide."""
    project, paths = served
    script_page = b'<html><head><title>t</title></head><body><script>render("A")</script></body></html>'
    Portal.routes[paths["district-xishi-2022"]] = html(script_page)
    Portal.routes[paths["rpt-2025"]] = (200, {"Content-Type": "application/pdf"}, pdf())
    assert run(project, "archive") == 0
    assert {index(project)[d][0]["text_sha256"] for d in ("district-xishi-2022", "rpt-2025")} == {store.EMPTY_TEXT}
    code, verdicts = links(project, capsys, 1)
    assert verdicts["district-xishi-2022"]["verdict"] == verdicts["rpt-2025"]["verdict"] == "unchanged"
    Portal.routes[paths["district-xishi-2022"]] = html(script_page.replace(b'"A"', b'"B"'))
    Portal.routes[paths["rpt-2025"]] = (200, {"Content-Type": "application/pdf"}, pdf(producer="a new scan"))
    code, verdicts = links(project, capsys, 2)
    assert verdicts["district-xishi-2022"]["verdict"] == verdicts["rpt-2025"]["verdict"] == "changed"
    assert "按原始字节比较" in verdicts["district-xishi-2022"]["detail"]
    time.sleep(1)   # a capture's folder is named by the second
    assert run(project, "archive", "--refresh") == 0
    assert len(index(project)["district-xishi-2022"]) == len(index(project)["rpt-2025"]) == 2


# --- 20.11: offline, one Chinese line -------------------------------------------------------------------------


def dead_portal() -> str:
    import socket
    with socket.socket() as closed:          # a port nothing listens on: every connection is refused
        closed.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{closed.getsockname()[1]}"


def test_offline_archive_says_so_once_with_the_links_exit_code(tmp_path, capsys):
    project = copy_project(tmp_path / "project")
    point_data_at(project, dead_portal())
    capsys.readouterr()
    code = run(project, "archive", "--timeout", "2")
    out = capsys.readouterr()
    assert code == 3
    assert out.err == "无法连接网络，未存档任何文件\n"
    assert "ConnectionError" not in out.out and "连接失败" not in out.out
    assert not (project / "archive").exists() and not list(project.glob(".archive-staging-*"))


# --- 25.11: the loopback switch is the tests' own -------------------------------------------------------------


def test_the_environment_cannot_let_data_or_the_archiver_name_this_machine(served, portal):
    project, paths = served
    environ = {**os.environ, "DUTYLIST_ALLOW_LOOPBACK": "1"}
    Portal.hits = []
    cli = subprocess.run([sys.executable, "-m", "dutylist", "--data", str(project / "data"), "archive"],
                         capture_output=True, text=True, env=environ, timeout=120)
    assert cli.returncode == 1 and "data/site.yaml:" in cli.stderr and "127.0.0.1" in cli.stderr
    assert "Traceback" not in cli.stderr and Portal.hits == [] and not (project / "archive").exists()
    fetcher = subprocess.run([sys.executable, "-c", "import sys; from dutylist import archive\n"
                              "try:\n    archive.fetch(sys.argv[1], timeout=5)\n"
                              "except archive.ArchiveError as error:\n    print(error)\n", portal + paths["rpt-2022"]],
                             capture_output=True, text=True, env=environ, timeout=60)
    assert "指向内部网络地址 127.0.0.1，拒绝访问" in fetcher.stdout and Portal.hits == []
