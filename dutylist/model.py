"""The validated model: plain typed objects, built from the editors' YAML by `dataset.load_dataset`.

Field descriptions are in Chinese because they end up in the JSON Schema editors and data users read.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import cached_property
from typing import Annotated, Literal
from urllib.parse import urlsplit

import ada_url
import idna
from publicsuffixlist import PublicSuffixList
from pydantic_core import core_schema
from pydantic import (AfterValidator, BaseModel, ConfigDict, Field, PrivateAttr, StringConstraints, computed_field,
                      field_validator)

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def _one_line(value: str) -> str:
    if "\n" in value or "\r" in value:
        raise ValueError("原文编号应写在一行内（它出现在标题、导航和面包屑中）")
    return value


# A printed label (（一）, 第一条): shown in titles, navigation and the new-year file's comments, on one line
PrintedLabel = Annotated[Text, AfterValidator(_one_line)]


def http_url(value: str) -> str:
    """A plain http(s) link that browsers and Python read the same way (WHATWG URL parsing, by ada)."""
    if any(char.isspace() or char in '\\"<>`{}|^' or not char.isprintable() for char in value):
        raise ValueError("链接中不能有空格、反斜杠“\\”、引号、尖括号等字符或看不见的字符")
    if not ada_url.check_url(value):
        raise ValueError("链接格式无效")
    parsed = ada_url.URL(value)
    if parsed.protocol not in ("http:", "https:") or not parsed.hostname:
        raise ValueError("链接必须以 http:// 或 https:// 开头并包含网站域名")
    if parsed.username or parsed.password or "@" in urlsplit(value).netloc:
        raise ValueError("链接中不能含有“用户名@”部分（浏览器会把它前面的内容当作登录名，真正访问的是@后的网站）")
    if problem := lookalike_problem(urlsplit(value).hostname or ""):
        raise ValueError(f"链接的{problem}")
    if parsed.hostname != idna_host(urlsplit(value).hostname or ""):
        raise ValueError("链接的网站域名有歧义（浏览器与程序读出的域名不同）")
    return value


# Set only by the project's own tests (tests/conftest.py), never from the environment: lets data name 127.0.0.1 and
# the archiver connect to it, for the tests' local portal.
ALLOW_LOOPBACK = False


def public_domain(value: str) -> str:
    """A domain name of at least two labels, such as yingkou.gov.cn: not an address, not localhost, not "com"."""
    host = idna_host(value)
    if ALLOW_LOOPBACK and host in ("127.0.0.1", "localhost"):
        return value   # the project's own tests serve documents from this machine
    labels = host.split(".")
    if (len(labels) < 2 or not all(re.fullmatch(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?", label) for label in labels)
            or labels[-1].isdigit() or host.endswith(".localhost") or _SUFFIXES.is_public(host)):
        raise ValueError(f"「{value}」不是一个网站的域名（应像 yingkou.gov.cn 这样；不能是 IP 地址、localhost，"
                         "也不能是 gov.cn、com.cn 这样人人可注册其下域名的公共后缀）")
    return value


_SUFFIXES = PublicSuffixList()   # the Public Suffix List, shipped with the package: no download


def written_domain(value: str) -> str:
    """A domain written as the browser goes to it: ASCII, an internationalised label as a single-script xn--."""
    if problem := lookalike_problem(value):
        raise ValueError(problem)
    return value


Domain = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(written_domain),
                   AfterValidator(public_domain)]


def host_of(url: str) -> str:
    """The host a browser goes to: lower-case, internationalised names in their IDNA (xn--) form."""
    return ada_url.URL(url).hostname


def address_key(url: str) -> str:
    """One page, however its address is spelled: host case, scheme, default port (ada drops :80/:443), a trailing
    slash and a trailing index.html/index.htm are ignored; the fragment too (it never changes the page fetched)."""
    parsed = ada_url.URL(url)
    path = re.sub(r"/index\.html?$", "/", parsed.pathname, flags=re.IGNORECASE).rstrip("/")
    return f"{parsed.host}{path}{parsed.search}"


def idna_host(host: str) -> str:
    try:
        return host.lower().encode("idna").decode("ascii")
    except UnicodeError:
        return host.lower()


# --- look-alike hosts ------------------------------------------------------------------------------
# A host is accepted only as written in ASCII, so that what an editor or a reviewer reads is what the browser goes
# to: `yingkou.gоv.cn` with a Cyrillic о is another site. An internationalised name is written in its xn-- form
# and each of its labels must be one script (Han with kana or Hangul counts as one), never letters of one script
# that look like another's (Cyrillic or Greek letters that all look Latin, under a non-Cyrillic, non-Greek TLD).

_SCRIPT_NAMES = {"LATIN": "拉丁字母", "CYRILLIC": "西里尔字母", "GREEK": "希腊字母", "HAN": "汉字", "HIRAGANA": "平假名",
                 "KATAKANA": "片假名", "HANGUL": "朝鲜文", "BOPOMOFO": "注音符号", "ARABIC": "阿拉伯字母",
                 "HEBREW": "希伯来字母", "ARMENIAN": "亚美尼亚字母", "GEORGIAN": "格鲁吉亚字母", "THAI": "泰文",
                 "FULLWIDTH": "全角字符", "HALFWIDTH": "半角字符"}
_ONE_WRITING = [{"HAN", "HIRAGANA", "KATAKANA"}, {"HAN", "HANGUL"}, {"HAN", "BOPOMOFO"}]
# Letters that, alone, spell what reads as a Latin name (as browsers' IDN spoof checkers list them)
_LATIN_ALIKE = {"CYRILLIC": set("асԁеһіјӏорԗԛѕԝхуъьҽпгѵѡ"), "GREEK": set("αικνορτυχ")}


def _script(char: str) -> str | None:
    """The script a letter belongs to, read from its Unicode name; digits, hyphens and marks have none."""
    if not unicodedata.category(char).startswith("L"):
        return None
    first = unicodedata.name(char, "?").split(" ")[0]
    return {"CJK": "HAN", "IDEOGRAPHIC": "HAN"}.get(first, first.split("-")[0])


def _script_name(script: str) -> str:
    return _SCRIPT_NAMES.get(script, script.lower())


def _label_problem(label: str, top_script: str | None) -> str | None:
    """Why an xn-- label may pass for another name: invalid, mixing scripts, or all letters that look Latin."""
    try:
        decoded = idna.decode(label)
    except (idna.IDNAError, UnicodeError):
        return f"「{label}」不是有效的国际化域名编码（xn-- 形式）"
    scripts = {s for s in map(_script, decoded) if s}
    if len(scripts) > 1 and not any(scripts <= writing for writing in _ONE_WRITING):
        return (f"「{label}」（即「{decoded}」）混用了{'和'.join(_script_name(s) for s in sorted(scripts))}，"
                "是仿冒域名的常见写法")
    script = next(iter(scripts), None)
    if (script in _LATIN_ALIKE and top_script not in _LATIN_ALIKE
            and all(c in _LATIN_ALIKE[script] for c in decoded if _script(c))):
        return f"「{label}」（即「{decoded}」）全部由形似拉丁字母的{_script_name(script)}组成，会被看成英文域名"
    return None


def _labels_problem(host: str) -> str | None:
    labels = host.lower().rstrip(".").split(".")
    try:
        top_script = next(filter(None, map(_script, idna.decode(labels[-1]))), None)
    except (idna.IDNAError, UnicodeError):
        top_script = None   # an invalid top label is reported below
    return next(filter(None, (_label_problem(label, top_script) for label in labels if label.startswith("xn--"))), None)


def lookalike_problem(host: str) -> str | None:
    """Why a host as written may be taken for another, in Chinese, or None: see the comment above."""
    if host.isascii():
        problem = _labels_problem(host)
        return problem and f"域名「{host}」中的{problem}；请核对后改用真正的域名"
    chars = list(dict.fromkeys(c for c in host if not c.isascii()))
    foreign = "、".join(f"“{c}”（U+{ord(c):04X}{'，' + _script_name(_script(c)) if _script(c) else ''}）"
                        for c in chars[:4]) + ("等" if len(chars) > 4 else "")
    try:
        written = idna.encode(host, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        written = None
    if written and (problem := _labels_problem(written)):
        advice = f"其中{problem}；请核对后改用真正的域名"
    elif written:
        advice = f"请写成浏览器实际访问的形式：{written}"
    else:
        advice = "请只用英文字母、数字、连字符（-）和点（.）书写域名，中文等国际化域名写成 xn-- 形式"
    return (f"域名「{host}」含有非 ASCII 字符 {foreign}。域名须写成浏览器实际访问的 ASCII 形式，"
            f"否则外观相同、实属另一种文字的字符就能冒充官方网站。{advice}")


Url = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(http_url)]


def _site_address(value: str) -> str:
    if "?" in value or "#" in value:
        raise ValueError("本站网址只写到路径为止，不能带“?”或“#”后面的部分")
    return value


SiteUrl = Annotated[Url, AfterValidator(_site_address)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- the duty list ---------------------------------------------------------------------------------
# Every label is written as printed (一、 （一） 1. 1、) and shown exactly so: parts, groups and items alike.

INCOMPLETE = "false：本段原文只收录了一部分，页面在收录的文字之后注明“以下原文未收录”（默认 true）"


class ListDate:
    """A date known to the day, or only to the month or the year: never filled in beyond what the source says."""

    def __init__(self, year: int, month: int | None = None, day: int | None = None):
        self.year, self.month, self.day = year, month, day

    @classmethod
    def parse(cls, value) -> "ListDate":
        if isinstance(value, ListDate):
            return value
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return cls(value.year, value.month, value.day)
        text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
        match = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", text)
        try:
            day = dt.date(int(match[1]), int(match[2] or 1), int(match[3] or 1))
        except (TypeError, ValueError):
            raise ValueError("日期应写作 2024-05-20；只知年月时写 2024-05，只知年份时写 2024") from None
        return cls(day.year, day.month if match[2] else None, day.day if match[3] else None)

    @property
    def first_day(self) -> dt.date:
        """The earliest day it can be, for ordering and for "not in the future" (never shown as the date)."""
        return dt.date(self.year, self.month or 1, self.day or 1)

    @property
    def last_day(self) -> dt.date:
        """The latest day it can be: what "before the list" is measured against, so that a deadline which may
        have passed before a list dated only 2024 or 2024-05 existed is never judged against it."""
        if self.day:
            return self.first_day
        if self.month:
            return dt.date(self.year + self.month // 12, self.month % 12 + 1, 1) - dt.timedelta(days=1)
        return dt.date(self.year, 12, 31)

    def isoformat(self) -> str:
        return "-".join([f"{self.year:04d}", *([f"{self.month:02d}"] if self.month else []),
                         *([f"{self.day:02d}"] if self.day else [])])

    def __str__(self) -> str:
        if self.day:
            return self.isoformat()
        return f"{self.year}年{self.month}月" if self.month else f"{self.year}年"

    def __eq__(self, other) -> bool:
        return isinstance(other, ListDate) and self.isoformat() == other.isoformat()

    def __hash__(self) -> int:
        return hash(self.isoformat())

    @classmethod
    def __get_pydantic_core_schema__(cls, source, handler):
        return core_schema.no_info_plain_validator_function(
            cls.parse, serialization=core_schema.plain_serializer_function_ser_schema(lambda d: d.isoformat()))

    @classmethod
    def __get_pydantic_json_schema__(cls, schema, handler):
        return {"type": "string", "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$",
                "description": "发布日期：YYYY-MM-DD；只知年月为 YYYY-MM，只知年份为 YYYY"}


class _Entry:
    """A clause or an item: where its text is cut off, the 〔以下原文未收录〕 mark follows it."""

    @property
    def shows_truncated(self) -> bool:
        return not self.complete

    ends_truncated = shows_truncated


class Clause(_Entry, Model):
    """An unnumbered entry, such as a principle or a 实施办法's purpose article: shown in the list, without a page."""

    label: PrintedLabel = Field(description="原文印刷的编号，照原样显示，如 （一）、第一条")
    text: Text = Field(description="原文")
    complete: bool = Field(True, description=INCOMPLETE)


class _Holder:
    """What holds entries (a group, a part, the list): the 〔以下原文未收录〕 mark is printed once, where the text
    ends. A holder captured only in part whose last entry already ends with the mark prints no second one."""

    @property
    def entries(self) -> list:
        raise NotImplementedError

    @property
    def ends_truncated(self) -> bool:
        return not self.complete or bool(self.entries and self.entries[-1].ends_truncated)

    @property
    def shows_truncated(self) -> bool:
        return not self.complete and not (self.entries and self.entries[-1].ends_truncated)


class Item(_Entry, Model):
    """A numbered duty: the unit citizens follow, with a page of its own and evidence, whatever its printed label."""

    number: int = Field(gt=0, le=9999, description="条目序号，如 18（原文印作（十八）的也写 18）")
    label: PrintedLabel | None = Field(None, description="原文印刷的编号，照原样显示，如 （一）、1.、一、；不写时显示为“序号.”，如 18.")
    text: Text = Field(description="条目原文")
    complete: bool = Field(True, description=INCOMPLETE)
    short: Text | None = Field(None, description="编者所加简称，用于导航，不属清单原文")
    _key: str = PrivateAttr("")
    _group: "Group | None" = PrivateAttr(None)
    _part: "Part | None" = PrivateAttr(None)
    _name: str = PrivateAttr("")

    @computed_field(description="条目标识，用于网址和进展文件，如 18（每组编号时如 2-1）")
    @property
    def key(self) -> str:
        """Stable identifier used in URLs and in progress files (e.g. "18", or "2-1" when numbered per group)."""
        return self._key

    @property
    def group(self) -> "Group | None":
        return self._group

    @property
    def part(self) -> "Part | None":
        return self._part

    @property
    def printed_label(self) -> str:
        return self.label or f"{self.number}."

    @property
    def name(self) -> str:
        """What the list prints for the item, with the labels of what holds it (二、（一）); see DutyList._name_items."""
        return self._name

    @property
    def title(self) -> str:
        """The site's name for the item (navigation, headings, matrix, pager): its printed name and the editors'
        short name."""
        return self._name + (f" {self.short}" if self.short else "")


GROUP_EMPTY = "该组既没有条款（clauses）也没有条目（items）：请补上该组的条款或条目"


class Group(_Holder, Model):
    label: PrintedLabel = Field(description="原文印刷的编号，照原样显示，如 （一）、一、")
    heading: Text = Field(description="原文标题")
    short: Text | None = Field(None, description="编者所加简称，用于导航，不属清单原文")
    clauses: list[Clause] = Field([], description="组内不编为条目的段落（列在条目之前）")
    items: list[Item] = []
    complete: bool = Field(True, description=INCOMPLETE)
    _ordinal: int = PrivateAttr(0)
    _part: "Part | None" = PrivateAttr(None)

    @property
    def ordinal(self) -> int:
        """Position among all groups of the list, 1-based; used in URLs."""
        return self._ordinal

    @property
    def part(self) -> "Part | None":
        return self._part

    @field_validator("items")
    @classmethod
    def _holds_something(cls, items: list[Item], info) -> list[Item]:
        if not items and not info.data.get("clauses"):   # an absent `items:` is checked with the list (dataset.py)
            raise ValueError(GROUP_EMPTY)
        return items

    @property
    def nav_title(self) -> str:
        return f"{self.label}{self.short or self.heading}"

    @property
    def entries(self) -> list:
        return [*self.clauses, *self.items]


class Part(_Holder, Model):
    label: PrintedLabel = Field(description="原文印刷的编号，照原样显示，如 一、")
    heading: Text = Field(description="原文标题")
    lead: Text | None = Field(None, description="导语原文")
    clauses: list[Clause] = Field([], description="不编为条目的段落，如基本原则")
    groups: list[Group] = []
    items: list[Item] = Field([], description="直接列在本部分下的条目（本部分不分组时）")
    complete: bool = Field(True, description=INCOMPLETE)
    _ordinal: int = PrivateAttr(0)

    @property
    def ordinal(self) -> int:
        return self._ordinal

    @property
    def title(self) -> str:
        return f"{self.label}{self.heading}"

    @property
    def all_items(self) -> list[Item]:
        return self.items + [i for g in self.groups for i in g.items]

    @property
    def entries(self) -> list:
        return [*self.clauses, *self.groups, *self.items]


# Facts of the list itself that may be recorded before they are confirmed from the original (as for a document).
LIST_UNCONFIRMED_FIELDS = {"title": "标题", "jurisdiction": "地区或机关", "subject": "职责主体", "issuer": "制定机关",
                           "publisher": "发布单位", "published": "发布日期", "repost_date": "转载日期"}
ListUnconfirmedField = Literal[tuple(LIST_UNCONFIRMED_FIELDS)]
# What the text calls itself (清单, 实施办法, 规定…) and its numbered units (项, 条): words of the data, a few Han
# characters, so that a page never calls a 实施办法 "这份清单"
HAN_WORD, HAN_CHARACTER = r"^[\u4e00-\u9fff]{1,12}$", r"^[项条款点]$"
UNTITLED_NAMES = ("清单", "职责清单", "实施办法", "办法", "规定", "制度", "细则")   # allowed while the title is unknown
DocumentName = Annotated[str, StringConstraints(strip_whitespace=True, pattern=HAN_WORD)]
UnitName = Annotated[str, StringConstraints(strip_whitespace=True, pattern=HAN_CHARACTER)]
# Everyday names of the subject (市长): a short Han word each, a few of them; they become search tags, which the
# theme's search shows as markup, so nothing but Han characters may reach them
ALIAS_WORD, MAX_ALIASES = r"^[\u4e00-\u9fff]{1,10}$", 5
Alias = Annotated[str, StringConstraints(strip_whitespace=True, pattern=ALIAS_WORD)]
# A printed label that only restates the item's number (1. 1、 1．): the title may say 第1项 for it
_PLAIN_NUMBER = re.compile(r"(\d+)[.．、]?")


class TableColumns(Model):
    """The printed headings of a list printed as a table, one row per group: 职责 | 具体内容."""

    label: Text | None = Field(None, description="组的编号单独成一列时，该列的表头，如 序号（编号与标题同列时不写）")
    group: Text = Field(description="组的标题所在列的表头，如 职责")
    items: Text = Field(description="条目所在列的表头，如 具体内容")

    @property
    def headings(self) -> list[str]:
        return [h for h in (self.label, self.group, self.items) if h]


class DutyList(_Holder, Model):
    """The list as printed: `parts`, or `groups`, or `items` at the top level, whichever the original has."""

    model_config = ConfigDict(extra="forbid", serialize_by_alias=True, validate_by_name=False)

    title: Text | None = Field(None, description="清单标题（原文没有或未能获得时不写）")
    document_name: DocumentName = Field("清单", description="原文的文件名称，页面上这样称呼它，如 清单、实施办法、规定（默认 清单）")
    unit: UnitName = Field("项", description="条目的量词，如 项、条（默认 项）：页面上写“共 27 项”“第3条”")
    jurisdiction: Text | None = Field(None, description="地区或机关，如 某市、某县某局（原文没有写明时不写，页面显示“不详”）")
    subject: Text | None = Field(None, description="职责主体，接在 jurisdiction 之后读，如 人民政府主要负责人、党政主要负责人、"
                                                   "主要负责人（原文没有写明时不写）")
    subject_aliases: list[Alias] = Field([], max_length=MAX_ALIASES, description="职责主体的日常称呼，如 市长、县长（首页写明，搜索这些称呼也能找到清单和各项职责）")
    issuer: Text | None = Field(None, description="制定机关（不详时不写）")
    byline: Text | None = Field(None, description="发布页面上的署名（如页面“作者”一栏所写），不是制定机关；写了才显示，显示为“发布页面署名”")
    publisher: Text | None = Field(None, description="发布单位（不详时不写）")
    published: ListDate | None = Field(None, description="发布日期：YYYY-MM-DD；只知年月写 YYYY-MM，只知年份写 YYYY；不详时不写")
    source_url: Url
    unconfirmed: list[ListUnconfirmedField] = Field(
        [], description="未经原文核实的字段：" + "、".join(f"{k}（{v}）" for k, v in LIST_UNCONFIRMED_FIELDS.items()))
    unconfirmed_reason: Text | None = Field(None, description="为何未经核实，如“地区由发布网站推定，原文没有写明”")
    repost_of: Text | None = Field(None, description="source_url 是转载（如镜像网站）时：原文由谁发布、原发布页面在哪里（或未找到）")
    repost_date: ListDate | None = Field(None, description="source_url 是转载时，转载页面的日期")
    basis: list[Text] = Field([], description="制定依据")
    item_numbering: Literal["continuous", "per_group", "articles"] = Field(
        "continuous", description="continuous：全篇连续编号；per_group：每组（或直接列有条目的每个部分）从 1 编号；"
                                  "articles：按条编号（第一条、第二条…），条目的 number 是它的条序，不编为条目的条（clauses）也占序号")
    columns: "TableColumns | None" = Field(None, description="原文印成表格（每组一行）时的表头；全文页面把各组排成这样的表格")
    preamble: Text | None = None
    clauses: list[Clause] = Field([], description="列在各部分、组或条目之前、不编为条目的段落，如实施办法的第一条（目的）")
    complete: bool = Field(True, description="false：清单只收录了一部分（条目编号可以不连续），页面在末尾注明“以下原文未收录”")
    parts: list[Part] = []
    top_groups: list[Group] = Field([], alias="groups", description="不分部分、直接分组的清单的各组")
    top_items: list[Item] = Field([], alias="items", description="不分部分也不分组的清单的各条目")
    closing_clauses: list[Clause] = Field([], description="列在全部条目之后、不编为条目的段落，如实施办法的施行日期条")

    def model_post_init(self, _context) -> None:
        for ordinal, part in enumerate(self.parts, 1):
            part._ordinal = ordinal
            for group in part.groups:
                group._part = part
            for item in part.all_items:
                item._part = part
        for ordinal, group in enumerate(self.groups, 1):
            group._ordinal = ordinal
            for item in group.items:
                item._group = group
        per_scope = self.item_numbering == "per_group"
        for ordinal, (scope, _) in enumerate(self.numbering_scopes(), 1):
            for item in scope.items if scope is not self else self.top_items:
                item._key = f"{ordinal}-{item.number}" if per_scope else str(item.number)
        self._name_items(per_scope)

    def _name_items(self, per_scope: bool) -> None:
        """Each item is named as printed, with the labels of the part and group that hold it, as one cites it from
        the paper (二、（一）; 二、（二）1.). Two exceptions say no less: a label that only restates a number unique
        in the list (printed 1. or 1、, or left out) reads 第1项, the usual way of citing a numbered item in
        Chinese; and an article (第三条) is unique in its text and cited alone. A label such as （一） is never
        turned into a number it does not print."""
        for item in self.items:
            plain = _PLAIN_NUMBER.fullmatch(item.label or str(item.number))
            if not per_scope and plain and int(plain[1]) == item.number:
                item._name = f"第{item.number}{self.unit}"
            elif self.item_numbering == "articles":
                item._name = item.printed_label
            else:
                item._name = "".join(h.label for h in (item.part, item.group) if h) + item.printed_label

    def numbering_scopes(self) -> list[tuple["Part | Group | DutyList", tuple]]:
        """Whatever holds items directly, in list order, with its path in list.yaml: under per_group numbering
        each starts again at 1, and a key is the scope's position and the number (2-1). Only parts and groups
        that hold items count: part 二's first item is 1-1 when part 一 holds only principles."""
        scopes = []
        for p, part in enumerate(self.parts):
            if part.items:
                scopes.append((part, ("parts", p)))
            scopes += [(group, ("parts", p, "groups", g)) for g, group in enumerate(part.groups) if group.items]
        scopes += [(group, ("groups", g)) for g, group in enumerate(self.top_groups) if group.items]
        if self.top_items:
            scopes.append((self, ()))
        return scopes

    def articles(self) -> list[tuple["Clause | Item", tuple]]:
        """Every clause and item in the order printed, with its path in list.yaml: the articles (第一条…) of an
        article-style text, which clauses number too."""
        found = [(c, ("clauses", n)) for n, c in enumerate(self.clauses)]
        for p, part in enumerate(self.parts):
            found += [(c, ("parts", p, "clauses", n)) for n, c in enumerate(part.clauses)]
            for g, group in enumerate(part.groups):
                found += [(c, ("parts", p, "groups", g, "clauses", n)) for n, c in enumerate(group.clauses)]
                found += [(i, ("parts", p, "groups", g, "items", n)) for n, i in enumerate(group.items)]
            found += [(i, ("parts", p, "items", n)) for n, i in enumerate(part.items)]
        for g, group in enumerate(self.top_groups):
            found += [(c, ("groups", g, "clauses", n)) for n, c in enumerate(group.clauses)]
            found += [(i, ("groups", g, "items", n)) for n, i in enumerate(group.items)]
        found += [(i, ("items", n)) for n, i in enumerate(self.top_items)]
        return found + [(c, ("closing_clauses", n)) for n, c in enumerate(self.closing_clauses)]

    @property
    def entries(self) -> list:
        return [*self.clauses, *self.parts, *self.top_groups, *self.top_items, *self.closing_clauses]

    @property
    def all_captured(self) -> bool:
        """Whether every numbered item of the original is here: the list and each part and group complete (an item
        or clause cut short is still counted)."""
        return self.complete and all(h.complete for h in [*self.parts, *self.groups])

    @property
    def is_list(self) -> bool:
        return self.document_name == "清单"

    @property
    def shown_title(self) -> str:
        """The title, or words saying it is not known (never a made-up title)."""
        named = "职责清单" if self.is_list else self.document_name
        return self.title or f"{self.jurisdiction or ''}{self.subject or ''}{named}（标题不详）"

    @property
    def known_published(self) -> ListDate | None:
        """The date, when it is known and confirmed: what metadata may state as the list's date."""
        return None if "published" in self.unconfirmed else self.published

    @property
    def unconfirmed_labels(self) -> list[str]:
        return [LIST_UNCONFIRMED_FIELDS[f] for f in self.unconfirmed]

    @cached_property
    def groups(self) -> list[Group]:
        return [g for p in self.parts for g in p.groups] + self.top_groups

    @cached_property
    def items(self) -> list[Item]:
        """Every numbered duty, in list order."""
        return [i for p in self.parts for i in p.all_items] + [i for g in self.top_groups for i in g.items] + self.top_items


# --- the site ----------------------------------------------------------------------------------------


class Site(Model):
    """What a portal requires to be shown, and which hosts documents may be linked from."""

    site_name: Text
    description: Text | None = None
    site_url: SiteUrl | None = Field(None, description="本站正式网址，如 https://example.gov.cn/fzqd/（用于站点地图和规范链接）")
    sponsor: Text | None = Field(None, description="主办单位")
    site_code: Text | None = Field(None, description="政府网站标识码")
    icp: Text | None = Field(None, description="ICP备案号")
    psb: Text | None = Field(None, description="公安机关备案号")
    contact: Text | None = Field(None, description="联系方式")
    correction_url: Url | None = Field(None, description="纠错渠道链接")
    official_domains: list[Domain] = Field(min_length=1, description="官方网站域名（含其子域名）")
    media_domains: list[Domain] = Field([], description="可作为新闻报道链接的媒体域名")


# --- documents, obligations, progress --------------------------------------------------------------

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]

DOCUMENT_KINDS = {
    "duty-list": "职责清单",
    "annual-report": "法治政府建设年度报告",
    "district-report": "县（市）区法治政府建设报告",
    "disclosure-report": "政府信息公开工作年度报告",
    "decision-catalogue": "重大行政决策目录",
    "regulation": "政府规章",
    "repeal-decision": "规章和规范性文件清理决定",
    "normative-document": "行政规范性文件",
    "consultation": "征求意见",
    "disclosure-plan": "政务公开工作安排",
    "policy-interpretation": "政策解读",
    "news-report": "新闻报道",
    "other": "其他公开文件",   # a 通报, a notice: whatever fits no kind above
}
DocumentKind = Literal[tuple(DOCUMENT_KINDS)]

# Kinds whose yearly publication has a deadline in law: an obligation of this kind must state it.
DEADLINE_REQUIRED = {
    "annual-report": "《法治政府建设与责任落实督察工作规定》第二十四条",
    "disclosure-report": "《中华人民共和国政府信息公开条例》第四十九条",
}
# The deadline those provisions set, (month, day, year_offset): every 4月1日之前 of the next year; every 1月31日前
STATUTORY_DEADLINES = {"annual-report": (3, 31, 1), "disclosure-report": (1, 31, 1)}


# Fields of a document that may be recorded before they are confirmed from the original page.
UNCONFIRMED_FIELDS = {"title": "标题", "doc_number": "文号", "publisher": "发布单位", "published": "发布日期",
                      "repost_date": "转载日期"}
UnconfirmedField = Literal[tuple(UNCONFIRMED_FIELDS)]


class Document(Model):
    """Something a public body published, linked as the source of evidence."""

    id: Slug = Field(description="文件标识，小写字母、数字和连字符")
    title: Text = Field(description="标题，与原文一致")
    doc_number: Text | None = Field(None, description="文号")
    publisher: Text = Field(description="发布单位")
    published: dt.date = Field(description="发布日期")
    url: Url
    kind: DocumentKind = Field(description="类别：" + "、".join(f"{k}（{v}）" for k, v in DOCUMENT_KINDS.items()))
    year_covered: int | None = Field(None, ge=1949, le=2100, description="所报告或所属的年度")
    fulfils: list[Slug] = Field([], description="本文件履行的公开义务标识")
    note: Text | None = Field(None, description="核对说明")
    unconfirmed: list[UnconfirmedField] = Field(
        [], description="未经原文核实的字段：" + "、".join(f"{k}（{v}）" for k, v in UNCONFIRMED_FIELDS.items()))
    unconfirmed_reason: Text | None = Field(None, description="为何未经核实，如“日期取自网址路径”")
    repost_of: Text | None = Field(None, description="本链接是转载时，原文由谁发布、原发布页面在哪里（或未找到）")
    repost_date: dt.date | None = Field(None, description="本链接是转载时，转载页面的日期")

    @property
    def unconfirmed_labels(self) -> list[str]:
        return [UNCONFIRMED_FIELDS[f] for f in self.unconfirmed]

    @property
    def kind_label(self) -> str:
        return DOCUMENT_KINDS[self.kind]

    @property
    def host(self) -> str:
        return host_of(self.url)


class Deadline(Model):
    """Due on or before month-day of the covered year plus `year_offset`."""

    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)
    year_offset: Literal[0, 1] = Field(1, description="1：次年；0：当年")
    basis: Text = Field(description="期限的法定依据")

    def due(self, year: int) -> dt.date:
        return dt.date(year + self.year_offset, self.month, self.day)


# Words that require something to be made public. A quote must contain one outside 《》 (a title such as
# 《政府信息公开条例》 names a document: it requires nothing) and outside the nouns 政务公开 and 信息公开 (推进政务公开
# names a field of work, not a thing to publish). 予以公布, 向社会公开发布 and the like contain one of these.
PUBLICATION_VERBS = ("公开", "公布", "发布", "公示", "公告", "刊登", "刊载", "披露")
_NOT_A_REQUIREMENT = re.compile(r"《[^》]*》|政务公开|信息公开")


def requires_publication(quote: str) -> bool:
    """Whether the words require something to be published: a publication verb outside titles and those nouns."""
    return any(verb in _NOT_A_REQUIREMENT.sub("", quote) for verb in PUBLICATION_VERBS)
# A clause is the text between two of these marks (or the item's start or end); a quote is one or more whole clauses.
CLAUSE_MARKS = "。；，：！？"


class Obligation(Model):
    """Something the list requires to be made public."""

    id: Slug
    item: str = Field(description="所属条目编号")
    what: Text = Field(description="须公开的内容")
    quote: Text = Field(description="条目原文中提出这项公开要求的原话（逐字摘录）")
    kind: DocumentKind = Field(description="履行该义务的文件类别")
    where: Text | None = Field(None, description="公开渠道")
    frequency: Literal["yearly", "per-event"] = Field(description="yearly：每年一次；per-event：逐件公开")
    required_count: int = Field(1, ge=1, description="每年应有的件数")
    applies_from: int | None = Field(None, description="该要求开始适用的年度（由清单本身提出的要求，自清单生效后的年度起算）")
    applies_from_reason: Text | None = Field(None, description="为何自该年度起适用（显示在“不适用”旁）")
    deadline: Deadline | None = None
    event: Text | None = Field(None, description="逐件公开的义务须写：须公开的事件，如 新制定或修改的政府规章；"
                                                 "查找后没有发现时，页面写“本年未见”加这些字")
    required_place: Text | None = Field(None, description="清单原文指定的公开场所，照引文写，如 政府门户网站（须出现在引文中）")
    required_hosts: list[Domain] = Field([], description="算作该场所的网站域名，逐个完全一致才算，如 www.example.gov.cn"
                                                        "（不含其子域名）；文件链接不在其中的，页面注明“未在清单指定的…找到”")

    def at_required_place(self, document: "Document") -> bool:
        """Whether the document's address is on one of the hosts the list's named place covers (or none is named)."""
        return not self.required_hosts or document.host in {idna_host(h) for h in self.required_hosts}


MAX_SUMMARY_CHARS = 500   # a summary is a summary: the full text is one click away


class Evidence(Model):
    """A fact from a document about an item in a year, summarised in the editors' own words."""

    document: Slug
    summary: Annotated[Text, StringConstraints(max_length=MAX_SUMMARY_CHARS)] = Field(
        description="摘要（自己的话；数字、标题、日期须与原文一致）")
    mapping: Literal["direct", "interpretation"] = Field(description="direct：直接对应；interpretation：编者解读")
    scope: Text | None = Field(None, description="事实不属于清单所指的本级时，写明所属地区或部门，如 某区、某局")


SEARCH_RESULTS = {"found": "找到", "not-found": "未找到"}


class Search(Model):
    """A search an editor really made for the document that fulfils an obligation in the file's year."""

    obligation: Slug = Field(description="所查找的公开义务标识")
    searched_on: dt.date = Field(description="查找日期")
    where: Text = Field(description="查找的网站和栏目（或检索工具），照实际查找的写")
    query: Text = Field(description="检索词或查找的内容")
    result: Literal["found", "not-found"] = Field(description="found：找到；not-found：未找到")
    document: Slug | None = Field(None, description="找到的文件标识（result 为 found 时必填）")
    note: Text | None = Field(None, description="说明")

    @property
    def result_label(self) -> str:
        return SEARCH_RESULTS[self.result]


class YearProgress(Model):
    year: int = Field(ge=1949, le=2100)
    items: dict[str, list[Evidence]] = Field(description="按条目编号列出的进展证据")
    searches: list[Search] = Field([], description="编者为本年度的公开义务实际做过的查找，每次一条")
