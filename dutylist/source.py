"""Read an editor's YAML as plain data, remembering where every value stands.

Only a safe subset of YAML is accepted: no anchors or aliases (so no "billion laughs"), no tags beyond
the core schema, no duplicate keys. Each value's position is kept by its path, so later validation can
say which line of which file to change.
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .problems import INVISIBLE_CATEGORIES, DataError, Problem

Path_ = tuple[str | int, ...]

# Limits: an editor's file is a few hundred lines; anything far larger is a mistake or an attack
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_TEXT_CHARS = 5000
MAX_DEPTH = 20

CORE_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")}


@dataclass
class Sourced:
    """Plain data from one file, with the (line, column) of each path in it (1-based)."""

    file: str
    data: Any
    marks: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    # Keys of one-line { } mappings that are pieces of text split at a half-width comma or colon
    # (`{text: 甲,乙}` reads as text: 甲 and a key 乙): never a field to delete
    split_text: set[Path_] = field(default_factory=set)

    def mark(self, path: Path_) -> tuple[int, int]:
        """Position of the longest prefix of `path` that exists in the file."""
        for end in range(len(path), -1, -1):
            if (found := self.marks.get(tuple(path[:end]))) is not None:
                return found
        return (1, 1)

    def problem(self, path: Path_, message: str, fix: str) -> Problem:
        line, column = self.mark(path)
        return Problem(self.file, line, column, format_path(path), message, fix)


def format_path(path: Path_) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


class _Refused(yaml.MarkedYAMLError):
    """A YAML feature outside the safe subset."""


# libyaml when PyYAML has it: composing large files in pure Python was most of a big build's loading time
FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SCALARS = yaml.SafeLoader("")  # only its constructors are used, to turn scalar nodes into dates, numbers, text


def read_text_file(path: Path, shown_as: str, limit: int = MAX_FILE_BYTES) -> str:
    """A regular file's UTF-8 text, never following a symbolic link; DataError otherwise."""
    def refuse(message: str, fix: str) -> DataError:
        return DataError([Problem(shown_as, 1, 1, "", message, fix)])
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as error:
        if os.path.islink(path):
            raise refuse("是符号链接，本站只读取数据目录中的普通文件", "请删除该链接，把内容作为普通文件放在此处") from None
        raise refuse(f"无法读取（{error.strerror}）", "请检查该文件是否存在、是否有读取权限") from None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise refuse("不是普通文件（可能是文件夹）", "请把它换成同名的普通文件，或删除它")
        if info.st_size > limit:
            raise refuse(f"文件过大（{info.st_size // 1024} KB，上限 {limit // 1024} KB）", "请删减内容，或拆分为多个文件")
        with os.fdopen(descriptor, "rb", closefd=False) as file:
            raw = file.read(limit + 1)
    finally:
        os.close(descriptor)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[:error.start].count(b"\n") + 1
        raise DataError([Problem(shown_as, line, 1, "", "文件不是 UTF-8 编码", "请用 UTF-8 编码另存此文件")])
    if (found := first_invisible(text)) is not None:
        raise DataError([invisible_problem(shown_as, text, found)])
    return text.removeprefix("\ufeff")


# Characters a reader cannot see or that reorder what they see: bidi controls (U+202E), zero-width spaces
# (U+200B), other format characters, control characters (tab and line breaks aside), private use; letters that
# print as nothing (Hangul fillers, the blank Braille pattern, Khmer's inherent vowels), marks that change nothing
# visible (the combining grapheme joiner, variation selectors); and stacks of combining marks.
_BLANK_LETTERS = re.compile("[\u115f\u1160\u3164\uffa0\u2800\u180e\u17b4\u17b5\u034f\ufe00-\ufe0f"
                            "\U000e0100-\U000e01ef]")
_MARK_STACK = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]{3,}")


def first_invisible(text: str) -> int | None:
    """Index of the first invisible or control character in text (a leading byte-order mark is allowed)."""
    start = 0
    for line in text.splitlines(keepends=True):
        if not line.rstrip("\r\n").replace("\t", " ").isprintable():  # fast path: most lines are plain text
            for offset, char in enumerate(line):
                index = start + offset
                if (char not in "\n\t\r" and unicodedata.category(char) in INVISIBLE_CATEGORIES
                        and not (index == 0 and char == "\ufeff")):
                    return index
        if found := _BLANK_LETTERS.search(line) or _MARK_STACK.search(line):
            return start + found.start()
        start += len(line)
    return None


def invisible_problem(shown_as: str, text: str, index: int) -> Problem:
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return Problem(shown_as, line, column, "", *_invisible(text[index]))


def _invisible(char: str) -> tuple[str, str]:
    """What is wrong and what to do, for an invisible character."""
    return (f"含有看不见的字符 U+{ord(char):04X} {unicodedata.name(char, '控制字符')}",
            "请删除该字符（可整段重新输入）；清单原文与摘要只能包含可见文字")


def _compose(text: str) -> yaml.Node | None:
    """Refuse anchors, aliases and deep nesting from the event stream first, so nothing is ever expanded."""
    depth = 0
    for event in yaml.parse(text, Loader=FAST_LOADER):
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(problem="不支持 YAML 别名（*引用）", problem_mark=event.start_mark)
        if getattr(event, "anchor", None):
            raise _Refused(problem="不支持 YAML 锚点（&定义）", problem_mark=event.start_mark)
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise _Refused(problem=f"嵌套超过 {MAX_DEPTH} 层", problem_mark=event.start_mark)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return yaml.compose(text, Loader=FAST_LOADER)


def read_yaml(path: Path, shown_as: str) -> Sourced:
    """Load one YAML file; raise DataError naming the file and line of any problem in it."""
    text = read_text_file(path, shown_as)
    try:
        root = _compose(text)
    except yaml.reader.ReaderError as error:
        line = text[:error.position].count("\n") + 1
        raise DataError([Problem(shown_as, line, 1, "", f"含有不允许的控制字符（#x{error.character:04x}）",
                                 "请删除该行中看不见的特殊字符，必要时重新输入该行")])
    except _Refused as error:
        mark = error.problem_mark
        fix = "请减少缩进层级，按编者指南的格式书写" if "嵌套" in error.problem else "请把重复的内容直接写出来，不用 & 和 *"
        raise DataError([Problem(shown_as, mark.line + 1, mark.column + 1, "", error.problem, fix)])
    except yaml.MarkedYAMLError as error:
        raise DataError([syntax_problem(shown_as, text, error)]) from None
    source = Sourced(shown_as, None)
    problems: list[Problem] = []
    if root is not None:
        source.data = _build(root, (), source, problems)
    if problems:
        raise DataError(problems)
    return source


# --- libyaml's syntax errors, in the editors' words, at the line to change ---------------------------------------

QUOTE_TEXT = "请把这段文字整段加上半角引号，如 text: \"……\"（文字里已有半角双引号时改用单引号 '……'）"
ALIGN = "请让此行与同一层的其他字段左端对齐（只用空格缩进，不用 Tab）"


def syntax_problem(shown_as: str, text: str, error: yaml.MarkedYAMLError) -> Problem:
    """One of libyaml's errors as what is wrong and what to do, at the line the editor must change: libyaml
    names the point where it gave up, which is sometimes that line (a tab) and sometimes a later one (an
    unclosed quote is noticed at the end of the file)."""
    problem, context = error.problem or "", error.context or ""
    at = error.problem_mark
    start = error.context_mark or at
    for words, explain in _SYNTAX:
        if words in problem:
            mark, message, fix = explain(text, at, start, context)
            break
    else:
        mark, message, fix = at, f"无法解析（解析器提示：{problem or context}）", \
            "请检查该行的缩进（只用空格）、冒号和引号是否成对；文本含冒号等符号时请加引号"
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return Problem(shown_as, line, column, "", f"YAML 格式错误：{message}", fix)


def _line_of(text: str, mark) -> str:
    lines = text.splitlines()
    return lines[mark.line] if mark and mark.line < len(lines) else ""


def _tab(text, at, start, context):
    return at, "此行用 Tab 制表符缩进", "YAML 只能用空格缩进：请把此行开头的 Tab 换成空格，与同一层的字段对齐"


def _cannot_start(text, at, start, context):
    char = _line_of(text, at)[at.column:at.column + 1]
    if char == "\t":
        return _tab(text, at, start, context)
    return at, f"值不能以“{char}”开头", QUOTE_TEXT


def _colon_in_text(text, at, start, context):
    before = _line_of(text, at)[:at.column]
    if ": " in before:
        return at, "此行的文字中有半角冒号加空格“: ”，被当成了又一个“字段: 值”", QUOTE_TEXT
    return at, "此行不能出现“字段: 值”：多半是它比上一行多缩进了，或上一行冒号后缺少空格", ALIGN


def _no_key(text, at, start, context):
    line = _line_of(text, at)
    if at.column > len(line) - len(line.lstrip()):   # inside the line: something follows a closed quote or bracket
        return at, "引号或括号已经结束，后面还有文字", \
            "请把整段文字放在一对引号之内；文字中要用引号时请用中文引号“”"
    return at, "此行的缩进与同一层的其他字段对不齐", ALIGN


def _no_dash(text, at, start, context):
    return at, "此行在列表里，但缺少开头的“- ”，或缩进与上一项的字段对不齐", \
        "列表的新一项请以“- ”开头；属于上一项的字段，请与上一项的字段左端对齐"


def _no_colon(text, at, start, context):
    if "：" in _line_of(text, start):
        return start, "此行字段名后用的是全角冒号“：”", "请改为半角冒号加空格“: ”（字段名后的冒号必须是半角）"
    return start, "此行缺少冒号：字段名后应有半角冒号加空格“: ”", \
        "请在字段名后加上“: ”；如果这是上一行文字的续行，请把那段文字加引号"


def _unclosed_quote(text, at, start, context):
    if "quoted scalar" in context:
        return start, "此处的引号没有闭合（直到文件末尾都没有找到另一半）", \
            "请在这段文字末尾补上同样的引号；文字中要用引号时请用中文引号“”"
    return at, "文件在引号或括号闭合之前就结束了", "请补上缺少的引号或括号"


def _unclosed_flow(text, at, start, context):
    brackets = "方括号 [ ]" if "sequence" in context else "花括号 { }"
    later = f"（第 {at.line + 1} 行出错）" if at.line != start.line else ""
    return start, f"从此处开始的{brackets} 没有闭合，或其中的文字含有半角逗号、冒号{later}", \
        "请改为每个字段一行的写法（见编者指南），或把文字整段加上引号；一行内的写法只适合不含标点的短值"


def _after_block_indicator(text, at, start, context):
    return start, "“|”或“>”之后不能在同一行接着写文字", QUOTE_TEXT


def _dash_after_key(text, at, start, context):
    return at, "“- ”不能写在冒号之后的同一行", "列表的每一项请另起一行，以“- ”开头并比字段名多缩进两格；文字以“-”开头时请加引号"


def _second_document(text, at, start, context):
    return at, "文件中出现了分隔行“---”或“...”，每个文件只能有一份数据", "请删除这一行（及其后重复的内容）"


def _escape(text, at, start, context):
    return at, "双引号中的反斜杠“\\”之后是无法识别的字符", "请改用单引号把文字括起来，或删除反斜杠"


def _anchor_name(text, at, start, context):
    return start, "“&”或“*”在 YAML 中有特殊含义（本站不支持锚点和别名）", QUOTE_TEXT


def _directive(text, at, start, context):
    return start, "以“%”开头的行是 YAML 指令", "文字以 % 开头时请加引号"


# (words of libyaml's message, its explanation), first match wins
_SYNTAX = [
    ("found a tab character", _tab),
    ("cannot start any token", _cannot_start),
    ("did not find expected node content", _cannot_start),
    ("mapping values are not allowed", _colon_in_text),
    ("did not find expected key", _no_key),
    ("did not find expected '-' indicator", _no_dash),
    ("could not find expected ':'", _no_colon),
    ("found unexpected end of stream", _unclosed_quote),
    ("did not find expected ',' or", _unclosed_flow),
    ("did not find expected comment or line break", _after_block_indicator),
    ("block sequence entries are not allowed", _dash_after_key),
    ("but found another document", _second_document),
    ("did not find expected <document start>", _second_document),
    ("found unknown escape character", _escape),
    ("did not find expected alphabetic or numeric character", _anchor_name),
    ("directive", _directive),
]


def _build(node: yaml.Node, path: Path_, source: Sourced, problems: list[Problem]) -> Any:
    source.marks.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
    if node.tag not in CORE_TAGS:
        problems.append(source.problem(path, f"不支持的 YAML 标签 {node.tag}", "请删除该标签，只写普通的值"))
        return None
    if isinstance(node, yaml.MappingNode):
        return _build_mapping(node, path, source, problems)
    if isinstance(node, yaml.SequenceNode):
        return [_build(child, (*path, i), source, problems) for i, child in enumerate(node.value)]
    try:
        value = _SCALARS.yaml_constructors[node.tag](_SCALARS, node)
    except (ValueError, OverflowError, yaml.constructor.ConstructorError):
        problems.append(source.problem(path, "无法读取的值（日期不存在，或数字无法读取）",
                                       "日期请写成真实存在的 YYYY-MM-DD，例如 2024-03-06"))
        return None
    if isinstance(value, str) and (found := first_invisible(value)) is not None:  # written as an escape, "\u202e"
        problems.append(source.problem(path, *_invisible(value[found])))
    if isinstance(value, str) and len(value) > MAX_TEXT_CHARS:
        problems.append(source.problem(path, f"文本过长（{len(value)} 字，上限 {MAX_TEXT_CHARS} 字）",
                                       "请删减；摘要只需概括要点"))
    return value


def _build_mapping(node, path, source, problems) -> dict:
    result: dict = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            problems.append(source.problem(path, "键必须是简单的文本", "请把该键改为普通文字"))
            continue
        key = key_node.value
        child = (*path, key)
        if (found := first_invisible(key)) is not None:
            source.marks[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            problems.append(source.problem(child, *_invisible(key[found])))
            continue
        if key in result:
            source.marks[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            problems.append(source.problem(child, f"重复的键「{key}」，后一个会覆盖前一个", "请删除或合并重复的键"))
            continue
        source.marks[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        if node.flow_style and (not key.isascii() or value_node.start_mark.index == value_node.end_mark.index):
            source.split_text.add(child)   # field names are ASCII, and a field is written with a value
        result[key] = _build(value_node, child, source, problems)
    return result
