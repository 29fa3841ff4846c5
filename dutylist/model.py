"""The validated model: plain typed objects, built from the editors' YAML by `dataset.load_dataset`.

Field descriptions are in Chinese because they end up in the JSON Schema editors and data users read.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from functools import cached_property
from typing import Annotated, Literal
from urllib.parse import urlsplit

import ada_url
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PrivateAttr, StringConstraints, computed_field

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def http_url(value: str) -> str:
    """A plain http(s) link that browsers and Python read the same way (WHATWG URL parsing, by ada)."""
    if any(char.isspace() or char == "\\" or not char.isprintable() for char in value):
        raise ValueError("链接中不能有空格、反斜杠“\\”或看不见的字符")
    if not ada_url.check_url(value):
        raise ValueError("链接格式无效")
    parsed = ada_url.URL(value)
    if parsed.protocol not in ("http:", "https:") or not parsed.hostname:
        raise ValueError("链接必须以 http:// 或 https:// 开头并包含网站域名")
    if parsed.username or parsed.password or "@" in urlsplit(value).netloc:
        raise ValueError("链接中不能含有“用户名@”部分（浏览器会把它前面的内容当作登录名，真正访问的是@后的网站）")
    if parsed.hostname != idna_host(urlsplit(value).hostname or ""):
        raise ValueError("链接的网站域名有歧义（浏览器与程序读出的域名不同）")
    return value


def public_domain(value: str) -> str:
    """A domain name of at least two labels, such as yingkou.gov.cn: not an address, not localhost, not "com"."""
    host = idna_host(value)
    if os.environ.get("DUTYLIST_ALLOW_LOOPBACK") == "1" and host in ("127.0.0.1", "localhost"):
        return value   # the project's own tests serve documents from this machine
    labels = host.split(".")
    if (len(labels) < 2 or not all(re.fullmatch(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?", label) for label in labels)
            or labels[-1].isdigit() or host.endswith(".localhost")):
        raise ValueError(f"「{value}」不是网站域名（应像 yingkou.gov.cn 这样，至少两段，不能是 IP 地址或 localhost）")
    return value


Domain = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(public_domain)]


def host_of(url: str) -> str:
    """The host a browser goes to: lower-case, internationalised names in their IDNA (xn--) form."""
    return ada_url.URL(url).hostname


def idna_host(host: str) -> str:
    try:
        return host.lower().encode("idna").decode("ascii")
    except UnicodeError:
        return host.lower()


Url = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(http_url)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- the duty list ---------------------------------------------------------------------------------


class Clause(Model):
    """An entry of a part without numbered items, such as a principle (part 一)."""

    label: Text = Field(description="编号，如 （一）")
    text: Text = Field(description="原文")


class Item(Model):
    """A numbered duty item: the unit citizens follow, with a page of its own."""

    number: int = Field(gt=0, description="条目编号，如 18")
    text: Text = Field(description="条目原文")
    short: Text | None = Field(None, description="编者所加简称，用于导航，不属清单原文")
    _key: str = PrivateAttr("")
    _group: "Group | None" = PrivateAttr(None)

    @computed_field(description="条目标识，用于网址和进展文件，如 18（每组编号时如 2-1）")
    @property
    def key(self) -> str:
        """Stable identifier used in URLs and in progress files (e.g. "18", or "2-1" when numbered per group)."""
        return self._key

    @property
    def group(self) -> "Group":
        return self._group

    @property
    def label(self) -> str:
        return f"第{self.number}项" + (f" {self.short}" if self.short else "")


class Group(Model):
    label: Text = Field(description="编号，如 （一）")
    heading: Text = Field(description="原文标题")
    short: Text | None = Field(None, description="编者所加简称，用于导航，不属清单原文")
    items: list[Item] = Field(min_length=1)
    _ordinal: int = PrivateAttr(0)
    _part: "Part | None" = PrivateAttr(None)

    @property
    def ordinal(self) -> int:
        """Position among all groups of the list, 1-based; used in URLs."""
        return self._ordinal

    @property
    def part(self) -> "Part":
        return self._part

    @property
    def nav_title(self) -> str:
        return f"{self.label}{self.short or self.heading}"


class Part(Model):
    label: Text = Field(description="编号，如 三")
    heading: Text = Field(description="原文标题")
    lead: Text | None = Field(None, description="导语原文")
    clauses: list[Clause] = []
    groups: list[Group] = []
    _ordinal: int = PrivateAttr(0)

    @property
    def ordinal(self) -> int:
        return self._ordinal

    @property
    def title(self) -> str:
        return f"{self.label}、{self.heading}"


class DutyList(Model):
    title: Text
    jurisdiction: Text = Field(description="地区或机关，如 营口市")
    issuer: Text = Field(description="制定机关")
    publisher: Text = Field(description="发布单位")
    published: dt.date
    source_url: Url
    basis: list[Text] = Field([], description="制定依据")
    item_numbering: Literal["continuous", "per_group"] = Field(
        "continuous", description="continuous：全篇连续编号；per_group：每组从 1 编号")
    preamble: Text | None = None
    parts: list[Part] = Field(min_length=1)

    def model_post_init(self, _context) -> None:
        groups = [g for p in self.parts for g in p.groups]
        for ordinal, part in enumerate(self.parts, 1):
            part._ordinal = ordinal
            for group in part.groups:
                group._part = part
        for ordinal, group in enumerate(groups, 1):
            group._ordinal = ordinal
            for item in group.items:
                item._group = group
                item._key = str(item.number) if self.item_numbering == "continuous" else f"{ordinal}-{item.number}"

    @cached_property
    def groups(self) -> list[Group]:
        return [g for p in self.parts for g in p.groups]

    @cached_property
    def items(self) -> list[Item]:
        return [i for g in self.groups for i in g.items]


# --- the site ----------------------------------------------------------------------------------------


class Site(Model):
    """What a portal requires to be shown, and which hosts documents may be linked from."""

    site_name: Text
    description: Text | None = None
    site_url: Url | None = Field(None, description="本站正式网址，如 https://example.gov.cn/fzqd/（用于站点地图和规范链接）")
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
}
DocumentKind = Literal[tuple(DOCUMENT_KINDS)]

# Kinds whose yearly publication has a deadline in law: an obligation of this kind must state it.
DEADLINE_REQUIRED = {
    "annual-report": "《法治政府建设与责任落实督察工作规定》第二十四条",
    "disclosure-report": "《中华人民共和国政府信息公开条例》第四十九条",
}


# Fields of a document that may be recorded before they are confirmed from the original page.
UNCONFIRMED_FIELDS = {"title": "标题", "doc_number": "文号", "publisher": "发布单位", "published": "发布日期"}
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


MAX_SUMMARY_CHARS = 500   # a summary is a summary: the full text is one click away


class Evidence(Model):
    """A fact from a document about an item in a year, summarised in the editors' own words."""

    document: Slug
    summary: Annotated[Text, StringConstraints(max_length=MAX_SUMMARY_CHARS)] = Field(
        description="摘要（自己的话；数字、标题、日期须与原文一致）")
    mapping: Literal["direct", "interpretation"] = Field(description="direct：直接对应；interpretation：编者解读")
    scope: Text | None = Field(None, description="不是本级政府时，写明所属地区或部门，如 西市区")


class Check(Model):
    """An editor's recorded search that found a required document not published."""

    obligation: Slug
    checked_on: dt.date
    checked_by: Text
    where_looked: Text
    note: Text | None = None


class YearProgress(Model):
    year: int = Field(ge=1949, le=2100)
    items: dict[str, list[Evidence]] = Field(description="按条目编号列出的进展证据")
    checks: list[Check] = []
