"""archive/ is input a merge request can change: every field of every archive file is validated like data, and
what the site shows is derived from the WARC record, so a hostile index, verdict file, text or WARC is refused by
check and build with a Chinese message naming the file (and, for JSON, the line), never shown.

One archive is made once from the local portal; each test changes a copy of it as a hostile editor would.
"""

from __future__ import annotations

import gzip
import hashlib
import http.server
import json
import shutil
import threading
from pathlib import Path

import pytest

import dutylist.model
from helpers import copy_project
from portal import Portal, build_local, point_data_at, run, serve_originals

FOREIGN = "https://evil-example.com/steal.html"
SCRIPT = "javascript:alert(document.domain)"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    """A project whose documents were archived and checked once from the local portal (then switched off)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Portal)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    dutylist.model.ALLOW_LOOPBACK = True   # the module's own fixture: the function-scoped switch is not on yet
    try:
        project = copy_project(tmp_path_factory.mktemp("pristine") / "project")
        portal = f"http://127.0.0.1:{server.server_address[1]}"
        paths = point_data_at(project, portal)
        serve_originals(paths)
        Portal.routes["/new/rpt-2023.html"] = Portal.routes[paths["rpt-2023"]]
        assert run(project, "archive") == 0
        Portal.routes[paths["rpt-2023"]] = (301, {"Location": "/new/rpt-2023.html"}, b"")
        assert run(project, "links", "--cache", str(project / "cache.json")) == 0
        assert run(project, "check") == 0
    finally:
        dutylist.model.ALLOW_LOOPBACK = False
        server.shutdown()
        server.server_close()
        thread.join()
    return project, portal, paths


@pytest.fixture
def project(pristine, tmp_path):
    target = tmp_path / "project"
    shutil.copytree(pristine[0], target)
    return target


def load(project: Path, name: str) -> dict:
    return json.loads((project / "archive" / name).read_text(encoding="utf-8"))


def save(project: Path, name: str, value, ascii: bool = False) -> str:
    text = json.dumps(value, ensure_ascii=ascii, indent=1)
    (project / "archive" / name).write_text(text, encoding="utf-8")
    return text


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the first line holding needle, found in the file as written."""
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def check(project: Path, capsys) -> tuple[int, str]:
    capsys.readouterr()
    code = run(project, "check")
    errors = capsys.readouterr().err
    assert "Traceback" not in errors
    return code, errors


def rehash(project: Path, capture: dict, relative: str) -> None:
    """What a careful attacker does after changing a file: write its new SHA-256 into the index."""
    capture["files"][relative] = hashlib.sha256((project / "archive" / relative).read_bytes()).hexdigest()


# --- checks.json: the verdict the site states ------------------------------------------------------------


@pytest.mark.parametrize("verdict, field, value, message", [
    ("moved", "new_url", SCRIPT, "链接必须以 http:// 或 https:// 开头"),
    ("moved", "new_url", FOREIGN, "新地址的网站 evil-example.com 不在允许的官方域名之列，不能链接"),
    ("moved", "new_url", "http://127.0.0.1@evil-example.com/", "链接中不能含有“用户名@”部分"),
    ("moved", "new_url", "https://evil-example.com/\u202e", "看不见"),
    ("moved", "new_url", None, "“已迁移”须写明新地址"),
    ("gone", "new_url", "http://127.0.0.1/x", "已失效或迁出官方网站的文件不能有新地址"),
    ("gone", "since", "2099-01-01T00:00:00+00:00", "晚于参照日期"),
    ("gone", "checked_at", "2099-01-01T00:00:00+00:00", "晚于参照日期"),
    ("gone", "since", "1999-01-01T00:00:00+00:00", "早于该文件的发布日期"),
    ("gone", "checked_at", "2026-01-01", "时间缺少时区"),
    ("gone", "since", "昨天", "时间格式无效"),
    ("gone", "since", "9999-12-31T23:59:59+00:00", "时间超出范围"),
    ("gone", "checked_at", "0001-01-01T00:00:00+05:00", "时间超出范围"),
    ("changed", "last_same", "", "“文字有改动”须写明最后一次与存档相同的时间"),
    ("pwned", "detail", "", "取值不在允许范围内"),
    ("gone", "detail", "原文已被\u202e删除", "看不见"),
    ("gone", "detail", "很长" * 600, "文字过长"),
    ("gone", "checked_at", 20260101, "应为文本"),
    ("gone", "script", "<script>alert(1)</script>", "未知字段"),
], ids=lambda v: str(v)[:20])
def test_a_hostile_verdict_is_refused_naming_the_line(project, capsys, verdict, field, value, message):
    checks = load(project, "checks.json")
    entry = checks["documents"]["rpt-2022"]
    entry["verdict"] = verdict
    entry[field] = value
    save(project, "checks.json", checks)
    code, errors = check(project, capsys)
    found = [e for e in errors.splitlines() if e.startswith("archive/checks.json:")]
    assert code == 1 and any(message in e for e in found), errors
    assert all("不可手工编辑" in e or " — 请" in e for e in found)   # each says what to do


def test_an_escaped_invisible_character_is_refused_too(project, capsys):
    checks = load(project, "checks.json")
    checks["documents"]["rpt-2022"].update(verdict="gone", detail="原文已被\u202e删除")
    save(project, "checks.json", checks, ascii=True)   # written as \\u202e: the file itself is plain ASCII
    code, errors = check(project, capsys)
    assert code == 1 and "字段 documents.rpt-2022.detail：含有看不见的控制字符或格式字符" in errors


def test_a_comparison_with_a_copy_that_does_not_exist_is_refused(project, capsys):
    index = load(project, "index.json")
    del index["documents"]["rpt-2022"]
    save(project, "index.json", index)
    checks = load(project, "checks.json")
    checks["documents"]["rpt-2022"].update(verdict="changed", detail="删去 3 段")
    save(project, "checks.json", checks)
    code, errors = check(project, capsys)
    assert code == 1 and "字段 documents.rpt-2022.verdict：该文件没有存档副本" in errors


def test_the_line_named_is_the_fields_own(project, capsys):
    checks = load(project, "checks.json")
    checks["documents"]["rpt-2023"]["new_url"] = SCRIPT
    text = save(project, "checks.json", checks)
    block = text.index('"rpt-2023"')
    line = text[:block].count("\n") + line_of(text[block:], '"new_url"')
    code, errors = check(project, capsys)
    assert code == 1 and f"archive/checks.json:{line}:" in errors and "documents.rpt-2023.new_url" in errors


def test_a_verdict_on_another_address_is_not_shown(project, capsys, tmp_path):
    """A verdict recorded for an address the document no longer cites (an editor corrected it, or a hostile
    edit) is kept but says nothing about this citation."""
    checks = load(project, "checks.json")
    checks["documents"]["rpt-2022"]["url"] = "http://127.0.0.1/other.html"
    checks["documents"]["rpt-2022"]["verdict"] = "gone"
    save(project, "checks.json", checks)
    assert check(project, capsys)[0] == 0
    out = tmp_path / "site"
    assert build_local(project, out).returncode == 0
    assert "原链接已失效" not in (out / "duties/3/index.html").read_text(encoding="utf-8")


# --- index.json: every field of every capture --------------------------------------------------------------


BAD_VALUES = [None, 1, "x", [], {}, True, 1.5, "<script>alert(1)</script>"]
TEXT_FIELDS = {"captured_at", "url", "final_url", "raw_sha256", "text_sha256"}   # text of a given form


def wrong_type(field: str, value) -> bool:
    if field in ("status", "size"):
        return not (type(value) is int)
    if field == "files":
        return not isinstance(value, dict)
    return not isinstance(value, str) or field in TEXT_FIELDS


@pytest.mark.parametrize("value", BAD_VALUES, ids=repr)
def test_any_value_of_any_type_in_any_capture_field_is_a_message_not_a_traceback(project, capsys, value):
    index = load(project, "index.json")
    documents = sorted(index["documents"])
    fields = ["captured_at", "url", "final_url", "status", "content_type", "size", "title", "raw_sha256", "text_sha256",
              "files"]
    changed = []
    for document, field in zip(documents, fields):
        index["documents"][document][0][field] = value
        changed.append((document, field))
    save(project, "index.json", index)
    code, errors = check(project, capsys)
    assert code == 1
    for document, field in changed:
        if wrong_type(field, value):
            assert f"字段 documents.{document}[0].{field}：" in errors, (field, errors)


@pytest.mark.parametrize("change, message", [
    (lambda c: c.update(final_url=SCRIPT), "链接必须以 http:// 或 https:// 开头"),
    (lambda c: c.update(final_url=FOREIGN), "跳转后的地址 evil-example.com 不在允许的官方域名之列"),
    (lambda c: c.update(captured_at="2099-12-31T00:00:00+00:00"), "晚于参照日期"),
    (lambda c: c.update(captured_at="2001-01-01T00:00:00+00:00"), "早于该文件的发布日期"),
    (lambda c: c.update(captured_at="9999-12-31T23:59:59-05:00"), "时间超出范围"),
    (lambda c: c.update(status=404), "HTTP 404 是错误答复"),
    (lambda c: c.update(status=99), "数值过小"),
    (lambda c: c.update(size=-1), "数值过小"),
    (lambda c: c.update(raw_sha256="0" * 63), "SHA-256"),
    (lambda c: c.update(title="标题\u200b"), "看不见"),
    (lambda c: c.update(files={"../../etc/passwd": "0" * 64}), "不合规"),
    (lambda c: c.update(files={k.replace("rpt-2022/", "rpt-2023/"): v for k, v in c["files"].items()}),
     "存档文件应正好是"),
    (lambda c: c.update(files={**c["files"], "rpt-2022/20200101T000000Z/text.txt": "0" * 64}), "存档文件应正好是"),
    (lambda c: c.update(onload="alert(1)"), "未知字段"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_a_hostile_capture_is_refused_naming_the_file(project, capsys, change, message):
    index = load(project, "index.json")
    change(index["documents"]["rpt-2022"][0])
    save(project, "index.json", index)
    code, errors = check(project, capsys)
    assert code == 1 and any(message in e for e in errors.splitlines() if e.startswith("archive/index.json:")), errors


@pytest.mark.parametrize("value, message", [
    ({"format": 2, "documents": {}}, "取值不在允许范围内"),
    ({"format": 1, "documents": []}, "应为“字段: 值”形式的映射"),
    ({"format": 1, "documents": {"../etc": []}}, "文件标识「../etc」格式不对"),
    ({"format": 1}, "缺少必填字段"),
    ([1, 2], "应为“字段: 值”形式的映射"),
    ('{"format": 1, "documents": {', "不是有效的 JSON"),
    ("[" * 100_000, "不是有效的 JSON"),
], ids=["format", "list", "path-id", "missing", "array", "truncated", "deep"])
def test_a_malformed_index_is_a_message(project, capsys, value, message):
    (project / "archive/index.json").write_text(value if isinstance(value, str) else json.dumps(value), encoding="utf-8")
    code, errors = check(project, capsys)
    assert code == 1 and "archive/index.json:" in errors and message in errors, errors


# --- the WARC record decides what is shown ----------------------------------------------------------------


def capture_of(index: dict, document: str) -> dict:
    return index["documents"][document][0]


def file_of(capture: dict, suffix: str) -> str:
    return next(p for p in capture["files"] if p.endswith(suffix))


def test_invented_text_with_its_hash_updated_is_refused_naming_the_text_file(project, capsys):
    index = load(project, "index.json")
    capture = capture_of(index, "rpt-2022")
    text = file_of(capture, "text.txt")
    (project / "archive" / text).write_text("市政府决定取消全部行政复议。\n", encoding="utf-8")
    rehash(project, capture, text)
    save(project, "index.json", index)
    code, errors = check(project, capsys)
    assert code == 1 and f"archive/{text}:1:1: 正文与 WARC 文件" in errors


def test_fields_that_differ_from_the_warc_are_refused_naming_the_field(project, capsys):
    index = load(project, "index.json")
    capture = capture_of(index, "rpt-2022")
    other = capture_of(index, "rpt-2023")
    capture.update(final_url=other["url"], status=201, size=capture["size"] + 1, text_sha256=other["text_sha256"],
                   content_type="text/plain", title="另一个标题")
    text = save(project, "index.json", index)
    code, errors = check(project, capsys)
    assert code == 1
    for field in ("final_url", "status", "size", "text_sha256", "content_type", "title"):
        assert f"字段 documents.rpt-2022[0].{field}：与 WARC 文件 archive/{file_of(capture, '.warc.gz')}" in errors, field
    block = text.index('"rpt-2022"')
    line = text[:block].count("\n") + line_of(text[block:], '"status"')
    assert f"archive/index.json:{line}:" in errors


def test_another_documents_warc_with_its_hashes_updated_is_refused(project, capsys):
    index = load(project, "index.json")
    capture, other = capture_of(index, "rpt-2022"), capture_of(index, "rpt-2023")
    warc = file_of(capture, ".warc.gz")
    shutil.copy(project / "archive" / file_of(other, ".warc.gz"), project / "archive" / warc)
    rehash(project, capture, warc)
    save(project, "index.json", index)
    code, errors = check(project, capsys)
    assert code == 1 and "字段 documents.rpt-2022[0].url：与 WARC 文件" in errors


@pytest.mark.parametrize("content, message", [
    (b"not a gzip file", "不是有效的 gzip 压缩文件"),
    (gzip.compress(b"\0" * (41 * 1024 * 1024)), "解压后过大"),
    (gzip.compress(b"WARC/1.0\r\nWARC-Type: resource\r\nContent-Length: 2\r\n\r\nab\r\n\r\n"), "WARC 文件无法读取"),
    (gzip.compress(b""), "没有任何记录"),
], ids=["not-gzip", "bomb", "resource", "empty"])
def test_a_damaged_or_hostile_warc_is_refused(project, capsys, content, message):
    index = load(project, "index.json")
    capture = capture_of(index, "rpt-2022")
    warc = file_of(capture, ".warc.gz")
    (project / "archive" / warc).write_bytes(content)
    rehash(project, capture, warc)
    save(project, "index.json", index)
    code, errors = check(project, capsys)
    assert code == 1 and f"archive/{warc}:1:1: " in errors and message in errors, errors


def test_a_warc_that_is_a_link_is_refused(project, capsys):
    index = load(project, "index.json")
    warc = project / "archive" / file_of(capture_of(index, "rpt-2022"), ".warc.gz")
    warc.unlink()
    warc.symlink_to("/etc/hostname")
    code, errors = check(project, capsys)
    assert code == 1 and "存档中不能有符号链接" in errors


def test_the_build_refuses_what_check_refuses(project, tmp_path):
    checks = load(project, "checks.json")
    checks["documents"]["rpt-2023"]["new_url"] = SCRIPT
    text = save(project, "checks.json", checks)
    built = build_local(project, tmp_path / "site")
    block = text.index('"rpt-2023"')
    line = text[:block].count("\n") + line_of(text[block:], '"new_url"')
    assert built.returncode == 1 and f"archive/checks.json:{line}:" in built.stderr
    assert "链接必须以 http:// 或 https:// 开头" in built.stderr and "Traceback" not in built.stderr
