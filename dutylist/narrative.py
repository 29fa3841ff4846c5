"""Editors' narratives (data/narratives/N.md): Markdown with at most three kinds of call, never a program.

A narrative may show list text with `{{ render_item(18) }}`, `{{ render_group(5) }}` or `{{ render_list() }}`
and nothing else. Jinja's parser only finds those calls; no editor text is ever executed as a template, so no
expression can reach Python objects, files or commands. Raw HTML in the Markdown is cleaned later, after
Markdown, by the allow-list sanitiser (see macros.py).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Callable

import ada_url
import markdown

from jinja2 import nodes
from jinja2.exceptions import TemplateSyntaxError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .model import http_url
from .problems import Problem, did_you_mean

CALLS = {"render_item": 1, "render_group": 1, "render_list": 0}   # name -> number of arguments
MAX_BRACKETS = 300   # Python-Markdown's link parsing slows down as the square of nested "[": 100 KB of them hang a build
# Each call shows list text: 2,341 {{ render_list() }} in 48 KB made an 87 MB search index. A narrative quotes an item
# or a group now and then; the whole list, once.
MAX_CALLS = 3
ALLOWED = "{{ render_item(18) }}、{{ render_group(5) }} 或 {{ render_list() }}"
_PARSER = ImmutableSandboxedEnvironment()   # used to parse only, never to render


@dataclass(frozen=True)
class Call:
    name: str
    argument: str | None
    line: int


class NarrativeError(ValueError):
    def __init__(self, line: int, message: str, fix: str):
        super().__init__(message)
        self.line, self.message, self.fix = line, message, fix


def parse(source: str) -> list[str | Call]:
    """The narrative as plain text pieces and calls, in order; NarrativeError at the first thing not allowed."""
    # statements and comments are refused before parsing: the parser drops a comment and passes a raw block's
    # text through, so neither would reach the check of what is called
    if found := re.search(r"\{[%#]", source):
        raise NarrativeError(source.count("\n", 0, found.start()) + 1,
                             f"补充说明中只能调用三种宏，不能使用“{found.group()}”（模板语句或注释）",
                             f"请只使用 {ALLOWED}；要显示花括号本身，请改用全角｛｝")
    try:
        template = _PARSER.parse(source)
    except (ValueError, RecursionError):  # a number longer than Python converts; deep nesting
        raise NarrativeError(1, "补充说明中只能调用三种宏，且参数须为编号（此处数字过长或括号嵌套过深）",
                             f"请只使用 {ALLOWED}") from None
    except TemplateSyntaxError as error:
        raise NarrativeError(error.lineno or 1, f"“{{{{”“{{%”“{{#”的写法不对（解析器提示：{error.message}）",
                             f"双花括号只能用于 {ALLOWED}；要显示花括号本身，请改用全角｛｝")
    pieces: list[str | Call] = []
    for node in template.body:
        if not isinstance(node, nodes.Output):
            raise _not_allowed(node)
        for child in node.nodes:
            pieces.append(child.data if isinstance(child, nodes.TemplateData) else _call(child))
    return pieces


def _call(node: nodes.Node) -> Call:
    if not (isinstance(node, nodes.Call) and isinstance(node.node, nodes.Name) and node.node.name in CALLS
            and not node.kwargs and node.dyn_args is None and node.dyn_kwargs is None
            and len(node.args) == CALLS[node.node.name] and all(isinstance(a, nodes.Const) for a in node.args)):
        raise _not_allowed(node)
    argument = _number(node.args[0].value) if node.args else None
    if node.args and argument is None:
        raise _not_allowed(node)
    return Call(node.node.name, argument, node.lineno)


def _number(value) -> str | None:
    """An item key or a group's ordinal as written: digits, or digits-digits; None for anything else."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return None
    text = value if isinstance(value, str) else str(value) if abs(value) < 10**9 else ""
    return text if re.fullmatch(r"[0-9]{1,6}(-[0-9]{1,6})?", text) else None


def _not_allowed(node: nodes.Node) -> NarrativeError:
    return NarrativeError(node.lineno, "补充说明中只能调用三种宏，且参数须为编号",
                          f"请只使用 {ALLOWED}，删除其他模板语法")


# Links are found the way readers meet them: in the HTML that Markdown makes of the narrative (link definitions in
# quotes and lists included), each resolved as a browser would (WHATWG, by ada) against a stand-in address.
MARKDOWN_EXTENSIONS = ["attr_list", "md_in_html", "tables", "admonition", "toc"]   # as mkdocs.yml
_HERE = "https://site.invalid/duties/0/"
_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "cite", "poster", "data", "srcset", "background"}


# Written after the narrative when it is checked, as the rest of a page follows it in the build: a raw HTML block
# left open (`<div>` without `</div>`) would take in everything after it, and this paragraph with it.
_AFTER = "dl-after-the-narrative"


class _Targets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.found += [value for name, value in attrs if name in _URL_ATTRIBUTES and value is not None]


def link_targets(markdown_text: str) -> list[str]:
    """Every URL the narrative's HTML would carry. RecursionError when Markdown cannot read it (nesting)."""
    return _rendered(markdown_text)[0]


def _rendered(markdown_text: str) -> tuple[list[str], bool]:
    """The URLs in the narrative's HTML, and whether it leaves a raw HTML block open (it would swallow the page)."""
    html = _with_less_room(markdown.markdown, f"{markdown_text}\n\n{_AFTER}\n", extensions=MARKDOWN_EXTENSIONS)
    parser = _Targets()
    parser.feed(html)
    return parser.found, f"<p>{_AFTER}</p>" not in html


class _OpenBlocks(HTMLParser):
    """Block-level HTML tags opened in the narrative's source and not closed, with their lines."""

    BLOCKS = frozenset(markdown.Markdown().block_level_elements)

    def __init__(self):
        super().__init__()
        self.open: list[tuple[str, int]] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS and tag not in ("hr",):
            self.open.append((tag, self.getpos()[0]))

    def handle_endtag(self, tag):
        for n in range(len(self.open) - 1, -1, -1):
            if self.open[n][0] == tag:
                del self.open[n:]
                break


def _unclosed(shown_as: str, source: str) -> Problem:
    parser = _OpenBlocks()
    parser.feed(source)
    if parser.open:
        tag, line = parser.open[0]
        return Problem(shown_as, line, 1, "", f"此处的 <{tag}> 没有对应的 </{tag}>，网页上它之后的内容都会被吞进去",
                       f"请在这段内容之后补上 </{tag}>，或删除这个 <{tag}>")
    return Problem(shown_as, 1, 1, "", "文中有没有结束的 HTML（如 <div> 缺少 </div>，或 <!-- 缺少 -->），网页上其后的内容都会被吞进去",
                   "请补上结束标签，或删除这段 HTML，只用 Markdown")


def _with_less_room(function, *args, **kwargs):
    """Run function with less recursion room than it has inside a MkDocs build (the build's call stack is
    deeper), so that whatever nests too deeply for the build fails here first."""
    depth, frame = 0, sys._getframe()
    while frame:
        depth, frame = depth + 1, frame.f_back
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(min(limit, depth + 600))
    try:
        return function(*args, **kwargs)
    finally:
        sys.setrecursionlimit(limit)


def link_problem(target: str, allowed_host: Callable[[str], bool], local: set[str] | None) -> str | None:
    """Why a narrative may not link to target, if it may not. Allowed: official pages, mail addresses, and the
    site's own pages in `local` (other items' 18.md, ../documents.md#doc-ID); local None: any page of the site."""
    if local is not None and target in local:
        return None
    try:
        resolved = ada_url.URL(target, _HERE)
    except ValueError:
        return "链接格式无效"
    if resolved.protocol == "mailto:":
        return None
    if resolved.hostname == "site.invalid":
        return None if local is None else "站内链接只能指向其他条目（写成 18.md）或公开文件（写成 ../documents.md#doc-文件标识）"
    if resolved.protocol not in ("http:", "https:") or not target.lower().startswith(("http://", "https://")):
        return "补充说明中的链接只能指向官方网站（https://…）、其他条目（写成 18.md）或公开文件（写成 ../documents.md#doc-文件标识）"
    try:
        http_url(target)
    except ValueError as error:
        return str(error)
    return None if allowed_host(resolved.hostname) else f"网站 {resolved.hostname} 不在允许的官方或媒体域名之列"


def local_targets(item_keys: set[str], document_ids: set[str]) -> set[str]:
    """The pages of the site a narrative may link to, written as MkDocs checks them."""
    return ({f"{key}.md" for key in item_keys} | {"../documents.md"}
            | {f"../documents.md#doc-{doc}" for doc in document_ids})


def problems(shown_as: str, source: str, item_keys: set[str], group_count: int,
             allowed_host: Callable[[str], bool] = lambda host: False, local: set[str] = frozenset()) -> list[Problem]:
    """What is wrong with a narrative, with its line: the build would fail on the same things."""
    if source.count("[") > MAX_BRACKETS:
        return [Problem(shown_as, 1, 1, "", f"方括号“[”超过 {MAX_BRACKETS} 个", "补充说明只需少量链接；请删减")]
    found = []
    try:
        pieces = parse(source)
    except NarrativeError as error:   # its links are still checked, in the text as written
        found.append(Problem(shown_as, error.line, 1, "", error.message, error.fix))
        pieces = [source]
    try:
        targets, swallows = _rendered(_joined(pieces, {name: lambda *args: "" for name in CALLS}))
        if swallows:
            found.append(_unclosed(shown_as, source))
    except RecursionError:
        return [*found, Problem(shown_as, 1, 1, "", "Markdown 嵌套过深，无法生成网页", "请减少嵌套的列表、引用或强调符号")]
    for target in dict.fromkeys(targets):
        if (why := link_problem(target, allowed_host, local)) is not None:
            line = source.count("\n", 0, max(source.find(target), 0)) + 1
            found.append(Problem(shown_as, line, 1, "", f"链接「{target[:80]}」不可用：{why}",
                                 "请改用官方网站上的网址，或写成 18.md 链接到第18项"))
    made: dict[str, int] = {}
    for call in (p for p in pieces if isinstance(p, Call)):
        made[call.name] = made.get(call.name, 0) + 1
        if made[call.name] == MAX_CALLS + 1:
            found.append(Problem(shown_as, call.line, 1, "", f"{{{{ {call.name}({'…' if call.argument else ''}) }}}} 用了 "
                                 f"{sum(isinstance(p, Call) and p.name == call.name for p in pieces)} 次，每篇最多 {MAX_CALLS} 次",
                                 "每次调用都会在页面上显示一遍清单原文：请删去重复的调用，改为链接到该条目（写成 18.md）"))
        if call.name == "render_item" and call.argument not in item_keys:
            found.append(Problem(shown_as, call.line, 1, "", f"清单中没有第 {call.argument} 项",
                                 did_you_mean(call.argument, item_keys) + "请填写已有的条目编号"))
        if call.name == "render_group" and not (call.argument.isdecimal() and 1 <= int(call.argument) <= group_count):
            found.append(Problem(shown_as, call.line, 1, "", f"清单中没有第 {call.argument} 组",
                                 f"请填写 1 到 {group_count} 之间的分组序号"))
    return found


def calls(source: str) -> list[Call]:
    """The calls a narrative makes ([] when it cannot be parsed: that is reported by problems())."""
    try:
        return [p for p in parse(source) if isinstance(p, Call)]
    except NarrativeError:
        return []


def render(source: str, macros: dict[str, Callable[..., str]]) -> str:
    """The narrative's Markdown with each call replaced by what the macro returns."""
    return _joined(parse(source), macros)


def _joined(pieces: list[str | Call], macros: dict[str, Callable[..., str]]) -> str:
    return "".join(p if isinstance(p, str) else macros[p.name](*([p.argument] if p.argument is not None else []))
                   for p in pieces)
