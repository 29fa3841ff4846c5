"""A look-alike host never passes as an official one: domains and link hosts are accepted only as the browser goes
to them (ASCII; an internationalised name as single-script xn-- labels), refused in Chinese at file:line otherwise,
and the site shows a host exactly so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import ROOT, Page, build, copy_project
from test_hostile_data import _add_official_domain, _expected_line, _replace, _write, data, run_check  # noqa: F401

EXAMPLE_CN = "示例.中国"
EXAMPLE_CN_PUNYCODE = "示例".encode("idna").decode() + "." + "中国".encode("idna").decode()  # Python's own codec
DOCUMENT_URL = "url: https://sf.yingkou.gov.cn/002/20240306/bb3c4b80-fb49-46b7-a2d4-66611f99c7ca.html"
NARRATIVE = "narratives/18.md"


def _document_host(host: str):
    return _replace("documents.yaml", DOCUMENT_URL, DOCUMENT_URL.replace("sf.yingkou.gov.cn", host))


# (id, change, file the error names, text of the line it names, what the message must say)
REFUSED = [
    ("domain-cyrillic-o", _add_official_domain("yingkou.gоv.cn"), "site.yaml", "  - yingkou.g", "U+043E，西里尔字母"),
    ("domain-greek-omicron", _add_official_domain("yingkou.gοv.cn"), "site.yaml", "  - yingkou.g", "U+03BF，希腊字母"),
    ("domain-fullwidth", _add_official_domain("ｙｉｎｇｋｏｕ.gov.cn"), "site.yaml", "  - ｙ",
     "全角字符"),
    ("domain-fullwidth-dot", _add_official_domain("example。gov。cn"), "site.yaml", "  - example。", "U+3002"),
    ("domain-mixed-punycode", _add_official_domain("yingkou.xn--gv-fmc.cn"), "site.yaml", "  - yingkou.xn--",
     "混用了西里尔字母和拉丁字母"),
    ("domain-mixed-punycode-upper-case", _add_official_domain("YINGKOU.XN--GV-FMC.CN"), "site.yaml", "  - YINGKOU",
     "混用了"),
    ("domain-upper-case-cyrillic", _add_official_domain("YINGKOU.GОV.CN"), "site.yaml", "  - YINGKOU", "U+041E"),
    ("domain-whole-script-cyrillic", _add_official_domain("xn--80ak6aa92e.com"), "site.yaml", "  - xn--80ak6aa92e",
     "形似拉丁字母的西里尔字母"),
    ("domain-broken-punycode", _add_official_domain("xn--abc-.cn"), "site.yaml", "  - xn--abc-", "不是有效的国际化域名编码"),
    ("domain-chinese-as-written", _add_official_domain(EXAMPLE_CN), "site.yaml", f"  - {EXAMPLE_CN}",
     f"请写成浏览器实际访问的形式：{EXAMPLE_CN_PUNYCODE}"),
    ("media-domain-cyrillic", _replace("site.yaml", "  - lnfz.cn", "  - lnfz.сn"), "site.yaml", "  - lnfz.", "U+0441"),
    ("document-url-cyrillic-o", _document_host("sf.yingkou.gоv.cn"), "documents.yaml", "url: https://sf.yingkou.g",
     "U+043E，西里尔字母"),
    ("document-url-greek-omicron", _document_host("sf.yingkou.gοv.cn"), "documents.yaml", "url: https://sf.yingkou.g",
     "希腊字母"),
    ("document-url-fullwidth", _document_host("sf.ｙｉｎｇｋｏｕ.gov.cn"), "documents.yaml", "url: https://sf.ｙ",
     "请写成浏览器实际访问的形式：sf.yingkou.gov.cn"),
    ("document-url-mixed-punycode", _document_host("sf.yingkou.xn--gv-fmc.cn"), "documents.yaml",
     "url: https://sf.yingkou.xn--", "混用了西里尔字母和拉丁字母"),
    ("document-url-chinese-host", lambda data: (_add_official_domain(EXAMPLE_CN_PUNYCODE)(data),
                                                _document_host(f"www.{EXAMPLE_CN}")(data)),
     "documents.yaml", f"url: https://www.{EXAMPLE_CN}", f"请写成浏览器实际访问的形式：www.{EXAMPLE_CN_PUNYCODE}"),
    ("list-source-url-cyrillic", _replace("list.yaml", "source_url: http://sf.yingkou.gov.cn/",
                                          "source_url: http://sf.yingkou.gоv.cn/"), "list.yaml", "source_url:", "U+043E"),
    ("correction-url-greek", _replace("site.yaml", "# correction_url: https://…  # “我为政府网站找错”纠错渠道",
                                      "correction_url: https://www.yingkou.gοv.cn/jiucuo/"), "site.yaml",
     "correction_url:", "U+03BF"),
    ("narrative-link-cyrillic", _write(NARRATIVE, "一\n请看[官方网站](https://www.yingkou.gоv.cn/)。\n"), NARRATIVE,
     "请看", "U+043E"),
]


@pytest.mark.parametrize("case", REFUSED, ids=[c[0] for c in REFUSED])
def test_a_lookalike_host_is_refused_in_chinese_at_its_line(case, data, capsys):
    _, change, file, marker, gist = case
    change(data)
    code, errors = run_check(data, capsys)
    assert code == 1, errors
    location = f"data/{file}:{_expected_line(data / file, marker)}:"
    lines = [line for line in errors.splitlines() if line.startswith(location)]
    assert any(gist in line and "域名" in line and " — " in line for line in lines), errors
    assert "Traceback" not in errors


def test_an_upper_case_domain_is_the_same_name(data, capsys):
    _replace("site.yaml", "  - yingkou.gov.cn ", "  - YINGKOU.GOV.CN ")(data)  # every document on yingkou.gov.cn
    code, errors = run_check(data, capsys)
    assert code == 0, errors


@pytest.mark.parametrize("domain, host", [
    (EXAMPLE_CN_PUNYCODE, f"www.{EXAMPLE_CN_PUNYCODE}"),                 # a Chinese IDN, written in punycode
    (EXAMPLE_CN_PUNYCODE.upper(), f"www.{EXAMPLE_CN_PUNYCODE}"),         # punycode in capitals: the same name
    ("xn--r8jz45g.jp", "WWW.XN--R8JZ45G.JP"),                             # 例え: Han and kana are one writing
])
def test_a_real_idn_written_as_the_browser_goes_to_it_is_accepted(domain, host, data, capsys):
    _add_official_domain(domain)(data)
    _document_host(host)(data)
    code, errors = run_check(data, capsys)
    assert code == 0, errors


def test_allowing_an_idn_never_allows_a_mixed_script_name_under_it(data, capsys):
    _add_official_domain(EXAMPLE_CN_PUNYCODE)(data)
    mixed = "示a".encode("idna").decode()  # a Latin letter among Han characters
    _document_host(f"{mixed}.{EXAMPLE_CN_PUNYCODE}")(data)
    code, errors = run_check(data, capsys)
    assert code == 1 and f"「{mixed}」（即「示a」）混用了汉字和拉丁字母" in errors, errors


# --- the site shows the host as the browser goes to it ----------------------------------------------------------

@pytest.fixture(scope="module")
def idn_site(tmp_path_factory):
    """The fictional two-part list, published on a Chinese IDN written in punycode."""
    project = copy_project(tmp_path_factory.mktemp("project"), data=ROOT / "tests/fixtures/two-parts/data")
    for name in ("site.yaml", "list.yaml"):
        path = project / "data" / name
        path.write_text(path.read_text(encoding="utf-8").replace("example.gov.cn", EXAMPLE_CN_PUNYCODE),
                        encoding="utf-8")
    out = tmp_path_factory.mktemp("idn-site")
    result = build(project, out)
    assert result.returncode == 0, result.stderr
    return out


def test_pages_and_open_data_show_the_punycode_host(idn_site):
    home = Page(idn_site / "index.html")
    source = next(a for a in home.find_all("a") if a["text"] == "原文链接")
    assert source["attrs"]["href"] == f"https://www.{EXAMPLE_CN_PUNYCODE}/list.html"
    correction = next(a for a in home.find_all("a") if a["text"] == "我为政府网站找错")
    assert correction["attrs"]["href"] == f"https://www.{EXAMPLE_CN_PUNYCODE}/jiucuo/"
    shown = [path for path in idn_site.rglob("*") if path.suffix in (".html", ".json", ".csv", ".xml")
             and EXAMPLE_CN in path.read_text(encoding="utf-8", errors="replace")]
    assert shown == []
    assert json.loads((idn_site / "data/list.json").read_text(encoding="utf-8"))["source_url"] == \
        f"https://www.{EXAMPLE_CN_PUNYCODE}/list.html"
