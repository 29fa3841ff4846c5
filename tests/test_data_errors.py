"""Every bad input an editor can make gets a clear error naming file and line, and publishes nothing."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import REFERENCE_DATE, ROOT, build, copy_project

BILLION_LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi"))

# (id, file, old text, new text, text on the line the error must name (None: line 1), gist of the message)
CASES = [
    ("yaml-syntax", "list.yaml", "title: 营口", 'title: "营口', 'title: "营口', "YAML 格式错误"),
    ("yaml-tab", "list.yaml", "jurisdiction: 营口市", "jurisdiction:\n\t营口市", "\t营口市", "YAML 格式错误"),
    ("item-text-misspelt", "list.yaml", "      text: 支持全面严格落实", "      txt: 支持全面严格落实", "txt: 支持", "是否应为「text」"),
    ("item-text-missing", "list.yaml", "      text: 支持全面严格落实", "      note: 支持全面严格落实", "number: 12", "缺少必填字段"),
    ("item-text-empty", "list.yaml", "text: 支持全面严格落实行政执法公示、执法全过程记录、重大执法决定法制审核制度，推进行政执法规范化建设。",
     'text: ""', 'text: ""', "文本为空"),
    ("item-number-duplicate", "list.yaml", "number: 13", "number: 12", "number: 12\n      short: 重点", "重复"),
    ("item-unknown-field", "list.yaml", "    - number: 18\n", "    - number: 18\n      titel: 复议\n", "titel: 复议", "未知字段"),
    ("item-number-text", "list.yaml", "number: 18", "number: 十八", "number: 十八", "应为整数"),
    ("item-number-zero", "list.yaml", "number: 18", "number: 0", "number: 0", "数值过小"),
    ("list-date-invalid", "list.yaml", "published: 2023-10-13", "published: 2023-02-30", "published: 2023-02-30", "无法读取"),
    ("list-date-future", "list.yaml", "published: 2023-10-13", "published: 2099-10-13", "published: 2099", "晚于参照日期"),
    ("list-url-javascript", "list.yaml", "source_url: http://sf", "source_url: javascript:alert(1)//sf", "source_url:", "http"),
    ("list-url-data", "list.yaml", "source_url: http://sf", "source_url: data:text/html,sf", "source_url:", "http"),
    ("list-numbering-unknown", "list.yaml", "item_numbering: continuous", "item_numbering: roman", "item_numbering:", "允许范围"),
    ("list-two-shapes", "list.yaml", "parts:\n", "groups:\n- label: （一）\n  heading: 某组\n  items:\n  - number: 28\n    text: 某项。\nparts:\n",
     "groups:", "同时写了"),
    ("group-items-empty", "list.yaml", "    short: 维护司法权威\n    items:\n", "    short: 维护司法权威\n    items: []\n    old:\n",
     "items: []", "该组既没有条款（clauses）也没有条目（items）"),
    ("part-without-content", "list.yaml", "", "- label: 四\n  heading: 空的部分\n", "- label: 四", "既没有条款"),
    ("duplicate-key", "list.yaml", "jurisdiction: 营口市", "jurisdiction: 营口市\njurisdiction: 盘锦市", "jurisdiction: 盘锦市", "重复的键"),
    ("yaml-anchor", "list.yaml", "byline: 市委法治建设办", "byline: &who 市委法治建设办\npublisher2: *who", "byline: &who", "锚点"),
    ("yaml-alias", "list.yaml", "byline: 市委法治建设办", "byline: *who", "byline: *who", "别名"),
    ("yaml-python-tag", "list.yaml", "byline: 市委法治建设办", "byline: !!python/object/apply:os.system [ls]", "byline: !!python", "YAML"),
    ("yaml-custom-tag", "list.yaml", "byline: 市委法治建设办", "byline: !secret 市委法治建设办", "byline: !secret", "标签"),
    ("billion-laughs", "list.yaml", None, BILLION_LAUGHS, "a: &a", "锚点"),
    ("title-not-text", "list.yaml", "title: 营口", "title:\n  - 营口", "title:", "应为文本"),
    ("list-file-missing", "list.yaml", None, None, None, "缺少数据文件"),
    ("not-utf8", "list.yaml", None, "title: 清单".encode("gbk"), None, "UTF-8"),
    ("site-domains-missing", "site.yaml", "official_domains:", "official_domain_list:", "official_domain_list:", "未知字段"),
    ("site-correction-ftp", "site.yaml", "# correction_url: https://…  # “我为政府网站找错”纠错渠道",
     "correction_url: ftp://example.gov.cn/", "correction_url:", "http"),
    ("document-id-duplicate", "documents.yaml", "  - id: rpt-2023\n", "  - id: rpt-2022\n", "id: rpt-2022\n    title: 关于2023", "重复"),
    ("document-url-javascript", "documents.yaml", "url: https://sf.yingkou.gov.cn/002/20240306", "url: javascript:alert(1)//sf/002/20240306",
     "url: javascript", "http"),
    ("document-host-unknown", "documents.yaml", "url: https://sf.yingkou.gov.cn/002/20240306", "url: https://example.com/002/20240306",
     "url: https://example.com", "不在允许"),
    ("document-media-not-news", "documents.yaml", "url: https://sf.yingkou.gov.cn/002/20240306", "url: http://lnfz.cn/002/20240306",
     "url: http://lnfz.cn/002", "新闻报道"),
    ("document-kind-unknown", "documents.yaml", "kind: consultation", "kind: rumour", "kind: rumour", "允许范围"),
    ("document-before-its-year", "documents.yaml", "published: 2024-03-06", "published: 2022-12-06", "published: 2022-12-06", "早于其所报告的年度"),
    ("document-date-future", "documents.yaml", "published: 2024-03-06", "published: 2099-03-06", "published: 2099-03-06", "晚于参照日期"),
    ("document-fulfils-unknown", "documents.yaml", "    fulfils: [annual-report]\n    note: 刊于市政府门户网站“要闻动态—通知公告”栏目。",
     "    fulfils: [annual-reports]\n    note: 刊于市政府门户网站“要闻动态—通知公告”栏目。", "fulfils: [annual-reports]", "未知的公开义务"),
    ("document-id-format", "documents.yaml", "id: rpt-2025", "id: Report 2025", "id: Report 2025", "标识格式"),
    ("document-url-missing", "documents.yaml", "    url: https://www.yingkou.gov.cn/001/001002/20260205/fa5942e1-670c-4546-861a-aeef23e5bc87.html\n",
     "", "- id: rpt-2025", "缺少必填字段"),
    ("obligation-item-unknown", "obligations.yaml", 'item: "9"', 'item: "99"', 'item: "99"', "清单中没有第 99 项"),
    ("obligation-quote-not-in-item", "obligations.yaml", "quote: 推动制定年度重大行政决策目录，并在市政府门户网站公布",
     "quote: 每年在市政府门户网站公布重大行政决策目录", "quote: 每年在", "原话"),
    ("obligation-quote-missing", "obligations.yaml", "    quote: 推动制定年度重大行政决策目录，并在市政府门户网站公布\n", "",
     "- id: decision-catalogue", "缺少必填字段"),
    ("document-unconfirmed-without-reason", "documents.yaml",
     "    unconfirmed_reason: 转载日期取自网址路径（/2024-10-30/），转载页面上未读到日期\n", "",
     "unconfirmed: [repost_date]", "没有写明原因"),
    ("document-unconfirmed-unknown-field", "documents.yaml", "unconfirmed: [repost_date]", "unconfirmed: [content]",
     "unconfirmed: [content]", "允许范围"),
    ("obligation-per-event-deadline", "obligations.yaml", "    frequency: per-event\n",
     "    frequency: per-event\n    deadline: {month: 1, day: 31, basis: 某规定}\n", "deadline: {month: 1", "逐件公开"),
    ("deadline-month", "obligations.yaml", "      month: 3\n      day: 31\n      year_offset: 1\n      basis: 《法治政府",
     "      month: 13\n      day: 31\n      year_offset: 1\n      basis: 《法治政府", "month: 13", "数值过大"),
    ("deadline-day", "obligations.yaml", "      month: 3\n      day: 31\n      year_offset: 1\n      basis: 《法治政府",
     "      month: 2\n      day: 30\n      year_offset: 1\n      basis: 《法治政府", "deadline:", "期限日期"),
    ("deadline-basis-missing", "obligations.yaml", "      basis: 《法治政府建设与责任落实督察工作规定》第二十四条（每年4月1日之前向社会公开）\n", "",
     "    deadline:", "缺少必填字段"),
    ("obligation-deadline-required", "obligations.yaml", "    deadline:\n      month: 3\n      day: 31\n      year_offset: 1\n      basis: 《法治政府建设与责任落实督察工作规定》第二十四条（每年4月1日之前向社会公开）\n",
     "", "- id: annual-report", "法定公开期限"),
    ("document-fulfils-wrong-kind", "documents.yaml", "    kind: decision-catalogue\n    year_covered: 2025\n",
     "    kind: decision-catalogue\n    year_covered: 2025\n    fulfils: [annual-report]\n", "fulfils: [annual-report]\n    note: 部门目录", "须由"),
    ("obligation-kind-missing", "obligations.yaml", "    kind: decision-catalogue\n", "", "- id: decision-catalogue", "缺少必填字段"),
    ("year-file-mismatch", "progress/2024.yaml", "year: 2024", "year: 2023", "year: 2023", "不一致"),
    ("evidence-item-unknown", "progress/2024.yaml", "  22:\n", "  99:\n", "  99:", "清单中没有第 99 项"),
    ("evidence-document-unknown", "progress/2024.yaml", "document: decree-35-2024", "document: decree-36-2024",
     "document: decree-36-2024", "未知的文件"),
    ("evidence-without-document", "progress/2024.yaml", "    - document: decree-35-2024\n      mapping: interpretation\n",
     "    - mapping: interpretation\n", "- mapping: interpretation", "缺少必填字段"),
    ("evidence-mapping-unknown", "progress/2024.yaml", "    - document: decree-35-2024\n      mapping: interpretation",
     "    - document: decree-35-2024\n      mapping: certain", "mapping: certain", "允许范围"),
    ("evidence-document-too-old", "progress/2025.yaml", "  5:\n    - document: rpt-2025", "  5:\n    - document: rpt-2023",
     "document: rpt-2023", "早于本年度"),
    ("evidence-summary-empty", "progress/2025.yaml", "summary: 开展城市管理领域执法、涉企行政检查、行政机关履行法院生效裁判等专项法治督察（报告以“等”列举，未写明总数）。",
     "summary: '   '", "summary: '   '", "文本为空"),
    ("year-in-future", "progress/2099.yaml", None, "year: 2099\nitems: {}\n", "year: 2099", "尚未开始"),
    ("search-obligation-unknown", "progress/2024.yaml", "  - obligation: decision-catalogue\n",
     "  - obligation: yearly-catalogue\n", "obligation: yearly-catalogue", "未知的公开义务"),
    ("narrative-item-unknown", "narratives/99.md", None, "# 补充\n", None, "清单中没有第 99 项"),
    # issue 25.3: a quote binds only as whole clauses of its own item, with a word requiring publication
    ("obligation-quote-requires-no-publication", "obligations.yaml",
     '    item: "9"\n    what: 新制定、修改的政府规章予以公布\n    quote: 对新制定修改的政府规章，通过新闻媒体、市政府门户网站予以公布实施',
     '    item: "10"\n    what: 新制定、修改的政府规章予以公布\n    quote: 推动各县区政府、市直各部门严格落实《政府信息公开条例》',
     "quote: 推动各县区政府", "没有要求公开的词"),
    ("obligation-quote-names-a-field-of-work", "obligations.yaml",
     '    item: "9"\n    what: 新制定、修改的政府规章予以公布\n    quote: 对新制定修改的政府规章，通过新闻媒体、市政府门户网站予以公布实施',
     '    item: "10"\n    what: 新制定、修改的政府规章予以公布\n    quote: 紧紧围绕全市中心工作和群众关切全面推进政务公开',
     "quote: 紧紧围绕", "没有要求公开的词"),
    ("obligation-quote-part-of-a-clause", "obligations.yaml", "quote: 推动制定年度重大行政决策目录，并在市政府门户网站公布",
     "quote: 在市政府门户网站公布", "quote: 在市政府门户网站公布", "完整的分句"),
    ("obligation-quote-a-comma", "obligations.yaml", "quote: 推动制定年度重大行政决策目录，并在市政府门户网站公布",
     "quote: ，", "quote: ，", "完整的分句"),
    ("obligation-place-not-in-quote", "obligations.yaml", "    required_place: 市政府门户网站\n    required_hosts: [www.yingkou.gov.cn, yingkou.gov.cn]\n    frequency: yearly\n    applies_from",
     "    required_place: 市政府网站\n    required_hosts: [www.yingkou.gov.cn, yingkou.gov.cn]\n    frequency: yearly\n    applies_from",
     "required_place: 市政府网站", "不在引文中"),
    ("obligation-place-host-not-official", "obligations.yaml", "required_hosts: [www.yingkou.gov.cn, yingkou.gov.cn]",
     "required_hosts: [www.yingkou-gov.com, yingkou.gov.cn]", "required_hosts: [www.yingkou-gov.com", "官方域名"),
    ("obligation-per-event-without-event", "obligations.yaml", "    event: 新制定或修改的政府规章\n", "",
     "- id: regulation-publication", "没有写 event"),
    # issue 19.7 and 25.5a: a recorded search is a fact the data can support
    ("search-in-the-future", "progress/2024.yaml", "searched_on: 2026-12-05", "searched_on: 2026-12-06",
     "searched_on: 2026-12-06", "晚于参照日期"),
    ("search-without-place", "progress/2024.yaml",
     "    searched_on: 2026-12-05\n    where: 编者检索工具中存储的公开网页副本（各网站网页的存档，每页只存开头约1000字，按含义相近程度检索），"
     "不是营口市政府门户网站本身，也没有使用门户网站的站内搜索或浏览其栏目；这种查找比直接查找 www.yingkou.gov.cn 弱\n",
     "    searched_on: 2026-12-05\n", "  - obligation: annual-report", "缺少必填字段"),
    ("search-found-without-document", "progress/2023.yaml", "    document: rpt-2023\n", "",
     "  - obligation: annual-report", "没有写找到的文件"),
    ("search-found-a-document-of-another-year", "progress/2023.yaml", "    document: rpt-2023\n", "    document: rpt-2025\n",
     "document: rpt-2025", "不是履行"),
    ("search-not-found-with-a-document", "progress/2025.yaml", "    result: not-found\n", "    result: not-found\n    document: rpt-2025\n",
     "document: rpt-2025", "却写了找到的文件"),
    ("search-not-found-before-the-deadline", "progress/2024.yaml", "searched_on: 2026-12-05", "searched_on: 2025-03-31",
     "searched_on: 2025-03-31", "不晚于该义务 2024 年度的期限 2025-03-31"),
    ("search-not-found-before-the-year-began", "progress/2025.yaml", "searched_on: 2026-12-05", "searched_on: 2024-12-31",
     "searched_on: 2024-12-31", "早于 2025 年开始"),
    # issue 25.5b: one page, registered twice under two spellings of its address
    ("document-same-page-default-port", "documents.yaml", "", "\n  - id: open-tasks-again\n    title: 重复登记\n"
     "    publisher: 某单位\n    published: 2023-09-25\n    url: http://GJJ.yingkou.gov.cn/shizfxxgkzd/4757.jhtml\n"
     "    kind: disclosure-plan\n", "url: http://GJJ.yingkou.gov.cn", "实为同一网页"),
    ("document-same-page-https-and-case", "documents.yaml", "", "\n  - id: report-again\n    title: 重复登记\n"
     "    publisher: 某单位\n    published: 2026-02-05\n"
     "    url: http://WWW.Yingkou.gov.cn:80/001/001002/20260205/fa5942e1-670c-4546-861a-aeef23e5bc87.html\n"
     "    kind: annual-report\n", "url: http://WWW.Yingkou", "实为同一网页"),
    ("document-same-page-trailing-slash-and-index", "documents.yaml", "", "\n  - id: column-a\n    title: 栏目\n"
     "    publisher: 某单位\n    published: 2025-01-01\n    url: https://www.laobian.gov.cn/zt/fzzf\n    kind: consultation\n"
     "  - id: column-b\n    title: 栏目\n    publisher: 某单位\n    published: 2025-01-01\n"
     "    url: https://www.laobian.gov.cn/zt/fzzf/index.HTM\n    kind: consultation\n",
     "url: https://www.laobian.gov.cn/zt/fzzf/index.HTM", "实为同一网页"),
    ("document-same-page-written-alike", "documents.yaml", "", "\n  - id: column-a\n    title: 栏目\n"
     "    publisher: 某单位\n    published: 2025-01-01\n    url: https://www.laobian.gov.cn/zt/fzzf/\n    kind: consultation\n"
     "  - id: column-b\n    url: https://www.laobian.gov.cn/zt/fzzf/\n    title: 栏目\n    publisher: 某单位\n"
     "    published: 2025-01-01\n    kind: consultation\n",
     "url: https://www.laobian.gov.cn/zt/fzzf/\n    title", "重复"),
    ("document-repost-date-before-original", "documents.yaml", "    repost_date: 2024-10-30\n", "    repost_date: 2023-10-30\n",
     "repost_date: 2023-10-30", "早于原文发布日期"),
]


def apply(data: Path, file: str, old, new) -> Path:
    path = data / file
    if old is None and new is None:
        path.unlink()
    elif old == "":
        path.write_text(path.read_text(encoding="utf-8") + new, encoding="utf-8")
    elif old is None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(new) if isinstance(new, bytes) else path.write_text(new, encoding="utf-8")
    else:
        text = path.read_text(encoding="utf-8")
        assert text.count(old) >= 1, f"case text not found in {file}: {old!r}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def expected_line(path: Path, marker: str | None) -> int:
    if marker is None or not path.exists():
        return 1
    text = path.read_text(encoding="utf-8", errors="replace")
    return text[:text.index(marker)].count("\n") + 1 + (marker.startswith("\n"))


def check(data: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dutylist", "--data", str(data), "check"], capture_output=True,
                          text=True, env={"REFERENCE_DATE": REFERENCE_DATE, "PATH": ""}, timeout=60)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return copy_project(tmp_path_factory.mktemp("project"))


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_reported_with_file_and_line_and_nothing_is_built(case, project, tmp_path):
    _, file, old, new, marker, gist = case
    data = project / "data"
    shutil.rmtree(data)
    shutil.copytree(ROOT / "data", data)
    path = apply(data, file, old, new)

    result = check(data)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    location = f"data/{file}:{expected_line(path, marker)}:"
    problem_lines = [line for line in result.stderr.splitlines() if line.startswith(location)]
    assert any(gist in line and " — " in line for line in problem_lines), result.stderr

    out = tmp_path / "site"
    built = build(project, out)
    assert built.returncode != 0
    assert location in built.stderr
    assert not out.exists() or not any(out.iterdir())


def test_all_problems_are_reported_in_one_run_sorted_by_file_and_line(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    # structural problems (a file fails its schema) and cross-file ones, together
    apply(data, "list.yaml", "number: 17", "number: 16")
    apply(data, "documents.yaml", "kind: consultation", "kind: rumour")
    apply(data, "progress/2024.yaml", "mapping: direct", "mapping: sure")
    apply(data, "progress/2025.yaml", "  - obligation: decision-catalogue\n", "  - obligation: nope\n")
    apply(data, "obligations.yaml", 'item: "9"', 'item: "99"')
    apply(data, "site.yaml", "  - lnfz.cn", "  - lnfz.cn\nmedia: []")
    result = check(data)
    problems = [line for line in result.stderr.splitlines() if line.startswith("data/")]
    assert len(problems) == 7  # the renumbered item 17 is also gone from the 2026 scaffold
    keys = [(p.split(":")[0], int(p.split(":")[1])) for p in problems]
    assert keys == sorted(keys)
    assert {k[0] for k in keys} == {"data/documents.yaml", "data/list.yaml", "data/obligations.yaml",
                                    "data/progress/2024.yaml", "data/progress/2025.yaml", "data/progress/2026.yaml",
                                    "data/site.yaml"}
    assert "未知的公开义务「nope」" in result.stderr and "清单中没有第 99 项" in result.stderr
    assert "条目编号 16 重复" in result.stderr
    assert result.stderr.strip().endswith("共 7 处问题。")


def test_billion_laughs_is_rejected_fast(tmp_path):
    import time
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    apply(data, "list.yaml", None, BILLION_LAUGHS)
    started = time.perf_counter()
    assert check(data).returncode == 1
    assert time.perf_counter() - started < 30  # expanding it would take far longer and gigabytes


def test_shipped_data_passes_with_a_single_success_line():
    result = check(ROOT / "data")
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.count("\n") == 1 and result.stdout.startswith("数据检查通过")
