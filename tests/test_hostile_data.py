"""Data is never code: whatever an editor with commit access to data/ writes is refused with file and line, or
shown as the literal text it is. None of these repeats tests/test_data_errors.py."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from dutylist import cli
from helpers import REFERENCE_DATE, ROOT, Page, build, copy_project

LONG = "很长的文字" * 1300
DEEP = "nested: " + "[" * 30 + "]" * 30 + "\n"
TRAP = "{{ cycler.__init__.__globals__.os.popen('touch /tmp/dl-pwned').read() }}"


def _symlink_to(target: str):
    def make(path: Path) -> None:
        path.unlink(missing_ok=True)
        path.symlink_to(target)
    return make


def _directory(path: Path) -> None:
    path.unlink(missing_ok=True)
    path.mkdir()
    (path / "inside.yaml").write_text("x: 1\n", encoding="utf-8")


def _write(name: str, content: str | bytes):
    def make(data: Path) -> None:
        path = data / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content, encoding="utf-8")
    return make


def _rename(old: str, new: str):
    return lambda data: (data / old).rename(data / Path(old).parent / new)


def _replace(file: str, old: str, new: str):
    def make(data: Path) -> None:
        path = data / file
        text = path.read_text(encoding="utf-8")
        assert old in text, f"case text not found in {file}: {old!r}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return make


def _swap_items_2_and_3(data: Path) -> None:
    path = data / "list.yaml"
    text = path.read_text(encoding="utf-8").replace("number: 2\n", "number: X\n", 1)
    path.write_text(text.replace("number: 3\n", "number: 2\n", 1).replace("number: X\n", "number: 3\n", 1), encoding="utf-8")


def _duplicate_first_evidence_of_2024(data: Path) -> None:
    """The same evidence again, written in flow style so that its line can be found."""
    path = data / "progress/2024.yaml"
    text = path.read_text(encoding="utf-8")
    first = yaml.safe_load(text)["items"][9][0]
    again = f"    - {json.dumps(first, ensure_ascii=False)}\n"   # JSON is YAML's flow style
    path.write_text(text.replace("  22:\n", again + "  22:\n", 1), encoding="utf-8")


def _add_official_domain(name: str):
    def make(data: Path) -> None:
        path = data / "site.yaml"
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        at = next(n for n, line in enumerate(lines) if line.startswith("official_domains:")) + 1
        path.write_text("".join([*lines[:at], f"  - {name}\n", *lines[at:]]), encoding="utf-8")
    return make


NARRATIVE = "narratives/18.md"

# (id, change to data/, file the error names, text of the line it names (None: line 1), gist of the message)
REJECTED = [
    # invisible characters inside official text and summaries, in every kind of file
    ("list-rtl-override", _replace("list.yaml", "text: 支持全面", "text: 支持\u202e全面"), "list.yaml", "text: 支持\u202e全面", "U+202E"),
    ("list-zero-width-space", _replace("list.yaml", "heading: 严格遵循", "heading: 严格\u200b遵循"), "list.yaml", "严格\u200b遵循", "U+200B"),
    ("list-byte-order-mark-inside", _replace("list.yaml", "title: 营口", "title: 营\ufeff口"), "list.yaml", "title: 营", "U+FEFF"),
    ("list-escaped-bell", _replace("list.yaml", "byline: 市委法治建设办", 'byline: "市\\a委法治建设办"'), "list.yaml",
     "byline:", "控制字符"),
    ("list-escaped-rtl-override", _replace("list.yaml", "byline: 市委法治建设办", 'byline: "市委\\u202e法治建设办"'), "list.yaml",
     "byline:", "U+202E"),
    ("site-rtl-in-name", _replace("site.yaml", "site_name: ", "site_name: \u202e"), "site.yaml", "site_name:", "U+202E"),
    ("document-zero-width-joiner", _replace("documents.yaml", "title: 关于2023", "title: 关于\u200d2023"), "documents.yaml",
     "title: 关于\u200d2023", "U+200D"),
    ("obligation-line-separator", _replace("obligations.yaml", "what: 年度重大", "what: 年度\u2028重大"), "obligations.yaml",
     "what: 年度", "U+2028"),
    ("summary-private-use", _replace("progress/2025.yaml", "summary: ", "summary: \ue000"), "progress/2025.yaml",
     "summary: \ue000", "U+E000"),
    ("narrative-zero-width", _write(NARRATIVE, "第一行\n第二\u200b行\n"), NARRATIVE, "第二", "U+200B"),
    # URLs read differently by browsers and by Python
    ("document-url-backslash-userinfo", _replace("documents.yaml", "url: https://sf.yingkou.gov.cn/002/20240306",
                                                 "url: https://evil.example\\@sf.yingkou.gov.cn/002/20240306"),
     "documents.yaml", "url: https://evil.example", "反斜杠"),
    ("document-url-userinfo", _replace("documents.yaml", "url: https://sf.yingkou.gov.cn/002/20240306",
                                       "url: https://sf.yingkou.gov.cn@evil.example/002/20240306"),
     "documents.yaml", "url: https://sf.yingkou.gov.cn@", "用户名"),
    ("document-url-space", _replace("documents.yaml", "url: https://sf.yingkou.gov.cn/002/20240306",
                                    "url: https://sf.yingkou.gov.cn/002/2024 0306"), "documents.yaml", "2024 0306", "空格"),
    ("document-url-lookalike-host", _replace("documents.yaml", "url: https://sf.yingkou.gov.cn/002/20240306",
                                             "url: https://sf.yingkou.gov.cn.evil.example/002/20240306"),
     "documents.yaml", "evil.example/002", "不在允许"),
    ("document-url-encoded-host", _replace("documents.yaml", "url: https://sf.yingkou.gov.cn/002/20240306",
                                           "url: https://sf.yingkou.gov.cn%2f.evil.example/002/20240306"),
     "documents.yaml", "%2f.evil", "链接"),
    ("list-source-url-backslash", _replace("list.yaml", "source_url: http://sf.yingkou.gov.cn/",
                                           "source_url: http://evil.example\\@sf.yingkou.gov.cn/"),
     "list.yaml", "source_url:", "反斜杠"),
    ("list-source-url-other-host", _replace("list.yaml", "source_url: http://sf.yingkou.gov.cn/",
                                            "source_url: http://evil.example/"), "list.yaml", "source_url:", "不在允许"),
    ("site-correction-url-backslash", _replace("site.yaml", "# correction_url: https://…  # “我为政府网站找错”纠错渠道",
                                               "correction_url: https://evil.example\\@www.yingkou.gov.cn/"),
     "site.yaml", "correction_url:", "反斜杠"),
    ("document-url-twice", _replace("documents.yaml", "url: https://sf.yingkou.gov.cn/002/20240306/bb3c4b80-fb49-46b7-a2d4-66611f99c7ca.html",
                                    "url: http://www.yingkou.gov.cn/001/001002/001002001/20230323/a69bbb40-35e7-4021-bbcc-2c9f1f85f737.html"),
     "documents.yaml", "url: http://www.yingkou.gov.cn/001/001002/001002001/20230323/a69bbb40-35e7-4021-bbcc-2c9f1f85f737.html\n    kind: annual-report\n    year_covered: 2023",
     "重复"),
    # a closed world: links, folders, wrong names and unknown files
    ("list-symlink-outside", lambda data: _symlink_to("/etc/hostname")(data / "list.yaml"), "list.yaml", None, "符号链接"),
    ("documents-symlink-outside", lambda data: _symlink_to("/etc/passwd")(data / "documents.yaml"), "documents.yaml", None, "符号链接"),
    ("narrative-symlink-outside", lambda data: _symlink_to("/etc/hostname")(data / NARRATIVE), NARRATIVE, None, "符号链接"),
    ("list-is-a-folder", lambda data: _directory(data / "list.yaml"), "list.yaml", None, "不是普通文件"),
    ("progress-year-is-a-folder", lambda data: _directory(data / "progress/2025.yaml"), "progress/2025.yaml", None, "不是普通文件"),
    ("progress-folder-is-a-link", lambda data: (shutil.move(data / "progress", data.parent / "elsewhere"),
                                                (data / "progress").symlink_to(data.parent / "elsewhere")),
     "progress", None, "符号链接"),
    ("narratives-folder-is-a-file", lambda data: (shutil.rmtree(data / "narratives"), _write("narratives", "x")(data)),
     "narratives", None, "应是文件夹"),
    ("progress-yml-extension", _rename("progress/2025.yaml", "2025.yml"), "progress/2025.yml", None, "2025.yaml"),
    ("progress-upper-case", _rename("progress/2025.yaml", "2025.YAML"), "progress/2025.YAML", None, "2025.yaml"),
    ("progress-unknown-file", _write("progress/notes.txt", "备忘"), "progress/notes.txt", None, "文件名不合规定"),
    ("narrative-upper-case", _write("narratives/18.MD", "补充\n"), "narratives/18.MD", None, "18.md"),
    ("narrative-word-name", _write("narratives/review.md", "补充\n"), "narratives/review.md", None, "文件名不合规定"),
    ("unknown-top-file", _write("README.md", "说明"), "README.md", None, "不是本站的数据文件"),
    ("list-name-upper-case", _write("LIST.YAML", "title: x\n"), "LIST.YAML", None, "list.yaml"),
    # limits
    ("list-file-too-large", _write("list.yaml", "# " + "x" * (3 * 1024 * 1024) + "\n"), "list.yaml", None, "文件过大"),
    ("narrative-too-large", _write(NARRATIVE, "很长" * 120_000), NARRATIVE, None, "文件过大"),
    ("text-too-long", _replace("list.yaml", "text: 支持全面", f"text: {LONG}支持全面"), "list.yaml", "text: 很长", "文本过长"),
    ("summary-too-long", _replace("progress/2025.yaml", "summary: ", "summary: " + "摘要" * 300), "progress/2025.yaml",
     "summary: 摘要", "文本过长"),
    ("nesting-too-deep", _replace("site.yaml", "site_name:", DEEP + "site_name:"), "site.yaml", "nested:", "嵌套"),
    # narratives are Markdown with three calls, not programs
    ("narrative-code-execution", _write(NARRATIVE, "第一行\n" + TRAP + "\n"), NARRATIVE, TRAP, "只能调用三种宏"),
    ("narrative-config-dump", _write(NARRATIVE, "{{ config }}\n"), NARRATIVE, None, "只能调用三种宏"),
    ("narrative-loop", _write(NARRATIVE, "a\n\n{% for x in range(9) %}x{% endfor %}\n"), NARRATIVE, "{% for", "只能调用三种宏"),
    ("narrative-filter", _write(NARRATIVE, "{{ render_item(18) | safe }}\n"), NARRATIVE, None, "只能调用三种宏"),
    ("narrative-unclosed", _write(NARRATIVE, "一\n二\n督察{{\n"), NARRATIVE, "督察{{", "写法不对"),
    ("narrative-unknown-item", _write(NARRATIVE, "一\n{{ render_item(99) }}\n"), NARRATIVE, "{{ render_item(99)", "第 99 项"),
    ("narrative-unknown-group", _write(NARRATIVE, "{{ render_group(8) }}\n"), NARRATIVE, None, "第 8 组"),
    ("narrative-not-utf8", _write(NARRATIVE, "补充说明".encode("gbk")), NARRATIVE, None, "UTF-8"),
    # check passed where the build failed, or accepted what makes no sense
    ("deadline-29-february", _replace("obligations.yaml", "      month: 3\n      day: 31\n      year_offset: 1\n      basis: 《法治政府",
                                      "      month: 2\n      day: 29\n      year_offset: 0\n      basis: 《法治政府"),
     "obligations.yaml", "    deadline:\n      month: 2", "每年"),
    ("numbering-gap", _replace("list.yaml", "number: 27", "number: 28"), "list.yaml", "number: 28", "跳过了 27"),
    ("numbering-order", _swap_items_2_and_3, "list.yaml", "number: 2\n", "顺序颠倒"),
    ("evidence-twice", _duplicate_first_evidence_of_2024, "progress/2024.yaml", '- {"document', "完全相同"),
    # found by a hostile review of the first version of these defences
    ("narrative-link-other-host", _write(NARRATIVE, "一\n[钓鱼](https://evil.example/phish)\n"), NARRATIVE, "[钓鱼]", "不在允许"),
    ("narrative-link-protocol-relative", _write(NARRATIVE, "[x](//evil.example/x)\n"), NARRATIVE, None, "链接"),
    ("narrative-autolink-other-host", _write(NARRATIVE, "一\n二\n<https://evil2.example/>\n"), NARRATIVE, "<https", "不在允许"),
    ("narrative-reference-link-other-host", _write(NARRATIVE, "[x][r]\n\n[r]: https://evil.example/\n"), NARRATIVE, "[r]:", "不在允许"),
    ("narrative-html-link-other-host", _write(NARRATIVE, '<a href="https://evil.example/">x</a>\n'), NARRATIVE, None, "不在允许"),
    ("narrative-link-missing-page", _write(NARRATIVE, "[x](nope.md)\n"), NARRATIVE, None, "18.md"),
    ("narrative-link-anchor", _write(NARRATIVE, "[x](#nope)\n"), NARRATIVE, None, "18.md"),
    ("narrative-link-absolute-path", _write(NARRATIVE, "[x](/duties/)\n"), NARRATIVE, None, "18.md"),
    ("narrative-link-entity-scheme", _write(NARRATIVE, "[x](&#106;avascript:alert(1))\n"), NARRATIVE, None, "18.md"),
    ("narrative-superscript-number", _write(NARRATIVE, '{{ render_group("¹") }}\n'), NARRATIVE, None, "只能调用三种宏"),
    ("narrative-huge-number", _write(NARRATIVE, "{{ render_group(" + "9" * 5000 + ") }}\n"), NARRATIVE, None, "只能调用三种宏"),
    ("narrative-bracket-flood", _write(NARRATIVE, "[" * 40_000), NARRATIVE, None, "方括号"),
    ("site-url-other-host", _replace("site.yaml", "site_name:", "site_url: https://evil.example/\nsite_name:"), "site.yaml",
     "site_url:", "official_domains"),
    ("correction-url-other-host", _replace("site.yaml", "# correction_url: https://…  # “我为政府网站找错”纠错渠道",
                                           "correction_url: https://evil.example/report"), "site.yaml", "correction_url:",
     "official_domains"),
    ("official-domain-top-level", _add_official_domain("com"), "site.yaml", "  - com", "不是一个网站的域名"),
    ("official-domain-private-address", _add_official_domain("10.0.0.1"), "site.yaml", "  - 10.0.0.1", "不是一个网站的域名"),
    ("key-rtl-override", _replace("progress/2025.yaml", "items:\n", 'items:\n  "9\\u202e": []\n'), "progress/2025.yaml",
     '"9', "U+202E"),
    ("hangul-filler", _replace("list.yaml", "title: 营口", "title: 营\u3164口"), "list.yaml", "title: 营", "U+3164"),
    ("combining-mark-stack", _replace("list.yaml", "title: 营口", "title: 营" + "\u0301" * 40 + "口"), "list.yaml", "title: 营",
     "U+0301"),
    ("hidden-link-to-root", lambda data: (data / ".root").symlink_to("/"), ".root", None, "不是本站的数据文件"),
    ("hidden-fifo", lambda data: os.mkfifo(data / "progress" / ".pipe"), "progress/.pipe", None, "文件名不合规定"),
    # found by the second hostile review
    ("site-url-with-markup-in-query", _replace("site.yaml", "site_name:", "site_url: 'https://www.yingkou.gov.cn/?\"><script>'\nsite_name:"),
     "site.yaml", "site_url:", "引号"),
    ("site-url-with-query", _replace("site.yaml", "site_name:", "site_url: https://www.yingkou.gov.cn/?a=1\nsite_name:"),
     "site.yaml", "site_url:", "“?”"),
    ("narrative-link-definition-in-quote", _write(NARRATIVE, "一\n> [x]: https:/\\evil.example/a\n\n请看[官方网站][x]。\n"),
     NARRATIVE, "> [x]", "链接"),
    ("narrative-scheme-without-slashes", _write(NARRATIVE, "[x](http:evil)\n"), NARRATIVE, None, "链接"),
    ("narrative-emphasis-nesting", _write(NARRATIVE, "*" * 5000 + "a" + "*" * 5000), NARRATIVE, None, "嵌套过深"),
    ("narrative-emphasis-in-a-list", _write(NARRATIVE, "- " + "_" * 3000 + "a" + "_" * 3000), NARRATIVE, None, "嵌套过深"),
    ("narrative-deep-parentheses", _write(NARRATIVE, "{{ " + "(" * 70 + "1" + ")" * 70 + " }}\n"), NARRATIVE, None, "嵌套过深"),
    ("official-domain-public-suffix", _add_official_domain("com.cn"), "site.yaml", "  - com.cn", "公共后缀"),
    ("official-domain-shared-hosting", _add_official_domain("github.io"), "site.yaml", "  - github.io", "公共后缀"),
    ("year-covered-absurd", _replace("documents.yaml", "year_covered: 2023", "year_covered: -99999999999999999999"),
     "documents.yaml", "year_covered: -9", "数值过小"),
    # found by the third hostile review: a search tag shown as markup, a repost read at an internal address, dates
    # and deadlines that would make a late or impossible disclosure count as on time, a name the text does not have
    ("alias-with-markup", _replace("list.yaml", "subject_aliases: [市长]", 'subject_aliases: [市长, "<img src=x onerror=alert(1)>"]'),
     "list.yaml", "subject_aliases:", "汉字"),
    ("aliases-too-many", _replace("list.yaml", "subject_aliases: [市长]", "subject_aliases: [市长, 一, 二, 三, 四, 五]"),
     "list.yaml", "subject_aliases:", "上限 5 项"),
    ("repost-at-an-internal-address", _replace("list.yaml", "source_url: http://sf.yingkou.gov.cn/002/20231013/a877ef36-55bf-4535-bcfa-104d4c894438.html",
                                               "source_url: http://169.254.169.254/latest/meta-data/\nrepost_of: 某网站转载"),
     "list.yaml", "source_url:", "不是公开网站"),
    ("document-name-not-in-title", _replace("list.yaml", "subject_aliases:", "document_name: 中华人民共和国宪法\nsubject_aliases:"),
     "list.yaml", "document_name:", "不在标题"),
    ("unit-not-a-measure-word", _replace("list.yaml", "subject_aliases:", "unit: 年\nsubject_aliases:"),
     "list.yaml", "unit:", "项、条"),
    ("item-number-too-long", _replace("list.yaml", "number: 27", "number: " + "9" * 300), "list.yaml", "number: 999", "数值过大"),
    ("report-before-its-year-ended", _replace("documents.yaml", "published: 2024-03-06", "published: 2023-05-01"),
     "documents.yaml", "published: 2023-05-01", "结束之前"),
    ("fulfils-without-year", _replace("documents.yaml", "    year_covered: 2023\n    fulfils: [annual-report]", "    fulfils: [annual-report]"),
     "documents.yaml", "fulfils: [annual-report]\n    note: 刊于市司法局", "year_covered"),
    ("statutory-deadline-moved", _replace("obligations.yaml", "month: 3\n", "month: 12\n"), "obligations.yaml", "deadline:", "法定期限"),
    ("deadline-29-february", _replace("obligations.yaml", "month: 3\n      day: 31", "month: 2\n      day: 29"),
     "obligations.yaml", "deadline:", "2月最多28日"),
    ("narrative-comment", _write(NARRATIVE, "一\n{# 藏起来的字 #}\n"), NARRATIVE, "{#", "注释"),
    ("narrative-raw-block", _write(NARRATIVE, "{% raw %}{{ x }}{% endraw %}\n"), NARRATIVE, None, "{%"),
    ("boolean-in-words", _replace("list.yaml", "subject_aliases:", "complete: maybe\nsubject_aliases:"), "list.yaml",
     "complete: maybe", "true 或 false"),
    ("variation-selector", _replace("list.yaml", "text: 支持全面", "text: 支持\ufe0f全面"), "list.yaml", "text: 支持", "U+FE0F"),
    ("label-on-two-lines", _replace("list.yaml", "label: 一、", 'label: "一、\\n二、"'), "list.yaml", 'label: "一、', "一行"),
    ("combining-grapheme-joiner", _replace("list.yaml", "title: 营口", "title: 营\u034f口"), "list.yaml", "title: 营", "U+034F"),
]


def _expected_line(path: Path, marker: str | None) -> int:
    if marker is None or not path.is_file() or path.is_symlink():
        return 1
    text = path.read_text(encoding="utf-8", errors="replace")
    return text[:text.index(marker)].count("\n") + 1 + marker.startswith("\n")


def run_check(data: Path, capsys, **environ) -> tuple[int, str]:
    """`dutylist check` in this process: an uncaught exception fails the test instead of hiding in a subprocess."""
    saved = {k: os.environ.get(k) for k in ("REFERENCE_DATE", "SOURCE_DATE_EPOCH")}
    os.environ.update({"REFERENCE_DATE": REFERENCE_DATE, **environ})
    try:
        code = cli.main(["--data", str(data), "check"])
    finally:
        for key, value in saved.items():
            os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)
    return code, capsys.readouterr().err


@pytest.fixture
def data(tmp_path) -> Path:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    return tmp_path / "data"


@pytest.mark.parametrize("case", REJECTED, ids=[c[0] for c in REJECTED])
def test_hostile_input_is_refused_with_file_and_line(case, data, capsys):
    _, change, file, marker, gist = case
    change(data)
    code, errors = run_check(data, capsys)
    assert code == 1, errors
    location = f"data/{file}:{_expected_line(data / file, marker)}:"
    assert any(line.startswith(location) and gist in line and " — " in line for line in errors.splitlines()), errors
    assert not Path("/tmp/dl-pwned").exists()


@pytest.mark.parametrize("name, value, gist", [
    ("REFERENCE_DATE", "2026-02-30", "REFERENCE_DATE"),
    ("REFERENCE_DATE", "明天", "REFERENCE_DATE"),
    ("SOURCE_DATE_EPOCH", "yesterday", "SOURCE_DATE_EPOCH"),
    ("SOURCE_DATE_EPOCH", "99999999999999999999", "SOURCE_DATE_EPOCH"),
])
def test_a_bad_date_setting_is_one_clear_line_in_check_and_build(name, value, gist, tmp_path):
    environ = {**os.environ, "REFERENCE_DATE": "", name: value}
    checked = subprocess.run([sys.executable, "-m", "dutylist", "--data", str(ROOT / "data"), "check"],
                             capture_output=True, text=True, env=environ, timeout=60)
    assert checked.returncode == 2 and "Traceback" not in checked.stderr
    assert checked.stderr.strip().count("\n") == 0 and gist in checked.stderr and "请" in checked.stderr
    built = build(ROOT, tmp_path / "site", reference_date="", **{name: value})
    assert built.returncode != 0 and gist in built.stderr and "Traceback" not in built.stderr


def test_hidden_and_backup_files_of_editors_tools_are_not_data(data, capsys):
    (data / ".list.yaml.swp").write_bytes(b"\x00binary")
    (data / "progress" / "2025.yaml~").write_text("year: [", encoding="utf-8")
    assert run_check(data, capsys)[0] == 0


# --- the same problems stop the build, with the data file's name ---------------------------------------------

BUILD_CASES = ["narrative-code-execution", "narrative-unclosed", "progress-yml-extension", "deadline-29-february",
               "list-symlink-outside", "narrative-unknown-item"]


@pytest.mark.parametrize("name", BUILD_CASES)
def test_the_build_fails_on_what_check_refuses_and_names_the_data_file(name, tmp_path):
    _, change, file, marker, gist = next(c for c in REJECTED if c[0] == name)
    project = copy_project(tmp_path / "project")
    change(project / "data")
    out = tmp_path / "site"
    built = build(project, out)
    assert built.returncode != 0
    assert f"data/{file}:" in built.stderr and gist in built.stderr
    assert "Traceback" not in built.stderr and not out.exists()
    assert not Path("/tmp/dl-pwned").exists()


# --- what is accepted is shown as the text it is -----------------------------------------------------------

def test_csv_cells_cannot_run_as_formulas_and_keep_their_text(tmp_path):
    project = copy_project(tmp_path / "project")
    formulas = ["=HYPERLINK(\"http://evil.example\",\"点我\")", "+1+1", "-2+3", "@SUM(A1)"]
    progress = project / "data/progress/2025.yaml"
    entries = "".join(f"    - document: rpt-2025\n      mapping: direct\n      summary: '{f}'\n" for f in formulas)
    progress.write_text(progress.read_text(encoding="utf-8").replace("  2:\n", "  2:\n" + entries, 1), encoding="utf-8")
    out = tmp_path / "site"
    assert build(project, out).returncode == 0
    rows = list(csv.DictReader(io.StringIO((out / "data/progress-2025.csv").read_text(encoding="utf-8-sig"))))
    summaries = [r["summary"] for r in rows if r["item"] == "2"]
    for formula in formulas:
        assert "'" + formula in summaries
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row.values())
    ordinary = next(r for r in rows if r["item"] != "2")
    assert not ordinary["summary"].startswith("'")  # ordinary text is unchanged


def test_control_characters_of_a_key_never_reach_the_terminal(data, capsys):
    site = data / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + '"\\e[2K\\r\\e[32m数据检查通过\\e[8m": 1\n', encoding="utf-8")
    code, errors = run_check(data, capsys)
    assert code == 1 and "\x1b" not in errors and "\r" not in errors and "<U+001B>" in errors


def test_a_loopback_domain_is_refused_outside_the_tests(data, capsys, monkeypatch):
    monkeypatch.setattr("dutylist.model.ALLOW_LOOPBACK", False)
    _add_official_domain("localhost")(data)
    code, errors = run_check(data, capsys)
    assert code == 1 and "data/site.yaml:" in errors and "localhost" in errors


@pytest.mark.parametrize("target", ["http://10.255.255.1/latest/meta-data/", "http://169.254.169.254/latest/meta-data/",
                                    "http://[fd00::1]/"])
def test_the_archiver_never_follows_a_link_into_a_private_network(target, monkeypatch):
    """A cited page that redirects into the runner's own network is refused before any connection is made."""
    import http.server
    import threading
    from dutylist import archive

    class Redirect(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(302)
            self.send_header("Location", target)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with pytest.raises(archive.ArchiveError, match="内部网络"):
            archive.fetch(f"http://127.0.0.1:{server.server_address[1]}/doc", timeout=5)
        monkeypatch.setattr("dutylist.model.ALLOW_LOOPBACK", False)
        with pytest.raises(archive.ArchiveError, match="内部网络"):   # nor to this machine, outside the tests
            archive.fetch(f"http://127.0.0.1:{server.server_address[1]}/doc", timeout=5)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _write_archive(data: Path, index) -> Path:
    root = data.parent / "archive"
    root.mkdir(exist_ok=True)
    (root / "index.json").write_text(index if isinstance(index, str) else json.dumps(index), encoding="utf-8")
    return root


CAPTURE = {"captured_at": "2026-01-01T00:00:00+00:00", "url": "u", "final_url": "u", "status": 200,
           "content_type": "text/html", "size": 1, "title": "t", "raw_sha256": "0", "text_sha256": "0", "files": {}}


@pytest.mark.parametrize("index", [
    {"documents": {"rpt-2022": [{**CAPTURE, "captured_at": "garbage"}]}},
    {"documents": {"rpt-2022": [{**CAPTURE, "files": ["x"]}]}},
    {"documents": {"rpt-2022": [{**CAPTURE, "files": "x"}]}},
    "[" * 100_000,
], ids=["bad-time", "files-list", "files-text", "deep-json"])
def test_a_malformed_archive_index_is_a_message_not_a_traceback(index, data, capsys):
    _write_archive(data, index)
    code, errors = run_check(data, capsys)
    assert code == 1 and "archive/index.json" in errors


def test_an_archive_index_that_is_a_link_is_refused(data, capsys):
    root = data.parent / "archive"
    root.mkdir()
    (root / "index.json").symlink_to("/etc/hostname")
    code, errors = run_check(data, capsys)
    assert code == 1 and "archive/index.json" in errors and "符号链接" in errors


def test_a_narrative_heading_id_cannot_carry_a_script_into_the_table_of_contents(tmp_path):
    project = copy_project(tmp_path / "project")
    (project / "data/narratives/18.md").write_text(
        "## 说明 {: id='a\" autofocus onfocus=\"document.body.dataset.pwned=1' }\n\n"
        "## 搜索 {: id='__search' class='md-search' }\n\n正文<!--dl-html:0--><!--dl-html:99999999999999999999-->\n",
        encoding="utf-8")
    out = tmp_path / "site"
    built = build(project, out)
    assert built.returncode == 0, built.stderr
    page = Page(out / "duties/18/index.html")
    assert not [e for e in page.elements for name in e["attrs"] if name.startswith("on") or name == "autofocus"]
    assert len(page.find_all(id="__search")) == 1            # the theme's own, not clobbered by the narrative
    assert not page.find_all("a", cls="md-search")
    text = page.text()
    assert text[text.rindex("搜索"):].replace("¶", "").split() == ["搜索", "正文"]  # the placeholders copied no block


def test_the_archiver_connects_to_the_address_it_checked(monkeypatch):
    """One look-up per connection: a name that answers a public address first and a private one next (DNS
    rebinding) cannot slip past the check."""
    import http.server
    import socket
    import threading
    from dutylist import archive

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write("<title>原文</title><p>正文</p>".encode())

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    real, calls = socket.getaddrinfo, []

    def once(host, *args, **kwargs):
        if host == "rebind.example":
            calls.append(host)
            if len(calls) > 1:
                raise AssertionError("a second look-up of the same connection")
            return real("127.0.0.1", *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", once)
    try:
        fetched = archive.fetch(f"http://rebind.example:{server.server_address[1]}/doc", timeout=5)
        assert fetched.status == 200 and "正文".encode() in fetched.body and len(calls) == 1
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
