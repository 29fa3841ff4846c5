"""The archive end to end against a local portal: capture, watch for change, show on the site, survive interruption.

The shipped data's documents are pointed at a local server that serves them in UTF-8 and GBK and as a PDF, then
changes one's text, only another's visit counter, deletes one, sends one to the home page and moves one
permanently. Each step runs the real `dutylist` commands and, at the end, builds the site.
"""

from __future__ import annotations

import json
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from helpers import ROOT, Page, copy_project
from portal import (HOSTILE, PDF, TEMPLATE, Portal, article, build_local, html, paragraphs, point_data_at, portal,  # noqa: F401
                    run, served)


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
    probes = [h for h in Portal.hits if "dutylist-missing-" in h]   # the host's not-found page, asked once at most
    assert sorted(set(Portal.hits) - set(probes)) == sorted(Portal.hits[:len(Portal.hits) - len(probes)])
    assert sorted(h for h in Portal.hits if h not in probes) == sorted(set(paths.values())) and len(probes) <= 1

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
    result = build_local(project, out)
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
    assert capsys.readouterr().out.count("传输中断，未存档") == len(paths)


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
    built = build_local(project, tmp_path / "site")
    assert built.returncode == 1 and f"archive/{text}:1:1: 文件内容与存档索引中的 SHA-256 不符" in built.stderr


def test_a_renamed_id_or_address_shows_no_copy_until_the_job_archives_it_again(served, capsys, tmp_path):
    """An editor renames an id, or corrects an address: check passes (the editor cannot change archive/), the old
    copy and its verdict are not shown as the new citation's, the next run archives it anew, and prune drops the old."""
    project, paths = served
    assert run(project, "archive") == 0
    code, _, _ = links(project, capsys, 1)
    assert code == 0
    for file in (project / "data").rglob("*.yaml"):   # an editor renames the id everywhere it is used
        file.write_text(file.read_text(encoding="utf-8").replace("forestry-catalogue-2025", "forestry-2025"), encoding="utf-8")
    Portal.routes["/doc/forestry-2025.html"] = Portal.routes[paths["forestry-catalogue-2025"]]
    documents = project / "data/documents.yaml"
    Portal.routes[paths["rpt-2022"] + "?v=2"] = Portal.routes[paths["rpt-2022"]]
    documents.write_text(documents.read_text(encoding="utf-8").replace(paths["rpt-2022"], paths["rpt-2022"] + "?v=2"),
                         encoding="utf-8")
    capsys.readouterr()
    assert run(project, "check") == 0
    out = tmp_path / "site"
    assert build_local(project, out).returncode == 0
    assert not (out / "archive/forestry-2025").exists() and not (out / "archive/forestry-catalogue-2025").exists()
    item3 = Page(out / "duties/3/index.html")
    assert not (out / "archive/rpt-2022").exists() and "../../archive/rpt-2022/" not in item3.links()
    assert "../../archive/rpt-2023/" in item3.links()   # the unchanged citation keeps its copy
    assert run(project, "archive") == 0
    said = capsys.readouterr().out
    assert "forestry-2025：已存档" in said and "rpt-2022：已存档" in said and "rpt-2023" not in said
    assert run(project, "archive", "--prune") == 0 and run(project, "check") == 0
    assert not (project / "archive/forestry-catalogue-2025").exists() and (project / "archive/forestry-2025").is_dir()
    assert len(json.loads((project / "archive/index.json").read_text(encoding="utf-8"))["documents"]["rpt-2022"]) == 2


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
