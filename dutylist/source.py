"""Read an editor's YAML as plain data, remembering where every value stands.

Only a safe subset of YAML is accepted: no anchors or aliases (so no "billion laughs"), no tags beyond
the core schema, no duplicate keys. Each value's position is kept by its path, so later validation can
say which line of which file to change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .problems import DataError, Problem

Path_ = tuple[str | int, ...]

# PyYAML's explanations, in the editors' language; an unlisted one is shown as PyYAML words it
YAML_PROBLEMS = {
    "found unexpected end of stream": "文件在引号或括号闭合之前就结束了",
    "that cannot start any token": "该处有不能出现的字符（如 Tab 制表符、@ 或 `）",
    "mapping values are not allowed here": "此处不能出现“: ”（文本中含冒号时请整段加引号）",
    "expected <block end>": "缩进不一致",
    "could not find expected ':'": "缺少冒号",
    "expected ',' or ']'": "方括号 [ ] 未正确闭合",
    "expected ',' or '}'": "花括号 { } 未正确闭合",
    "found duplicate anchor": "锚点重复",
}

CORE_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")}


@dataclass
class Sourced:
    """Plain data from one file, with the (line, column) of each path in it (1-based)."""

    file: str
    data: Any
    marks: dict[Path_, tuple[int, int]] = field(default_factory=dict)

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


def _compose(text: str) -> yaml.Node | None:
    """Refuse anchors and aliases from the event stream first, so nothing can ever be expanded."""
    for event in yaml.parse(text, Loader=FAST_LOADER):
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(problem="不支持 YAML 别名（*引用）", problem_mark=event.start_mark)
        if getattr(event, "anchor", None):
            raise _Refused(problem="不支持 YAML 锚点（&定义）", problem_mark=event.start_mark)
    return yaml.compose(text, Loader=FAST_LOADER)


def read_yaml(path: Path, shown_as: str) -> Sourced:
    """Load one YAML file; raise DataError naming the file and line of any problem in it."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise DataError([Problem(shown_as, 1, 1, "", "文件不是 UTF-8 编码", "请用 UTF-8 编码另存此文件")])
    try:
        root = _compose(text)
    except yaml.reader.ReaderError as error:
        line = text[:error.position].count("\n") + 1
        raise DataError([Problem(shown_as, line, 1, "", f"含有不允许的控制字符（#x{error.character:04x}）",
                                 "请删除该行中看不见的特殊字符，必要时重新输入该行")])
    except _Refused as error:
        mark = error.problem_mark
        raise DataError([Problem(shown_as, mark.line + 1, mark.column + 1, "", error.problem,
                                 "请把重复的内容直接写出来，不用 & 和 *")])
    except yaml.MarkedYAMLError as error:
        # where the construct began (an opening quote, a mapping) is what the editor must look at
        mark = error.context_mark or error.problem_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise DataError([Problem(shown_as, line, column, "", f"YAML 格式错误：{_explain(error.problem)}",
                                 "请检查该行的缩进（只用空格）、冒号和引号是否成对；文本含冒号等符号时请加引号")])
    source = Sourced(shown_as, None)
    problems: list[Problem] = []
    if root is not None:
        source.data = _build(root, (), source, problems)
    if problems:
        raise DataError(problems)
    return source


def _explain(problem: str | None) -> str:
    return next((chinese for english, chinese in YAML_PROBLEMS.items() if english in (problem or "")),
                problem or "无法解析")


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
        return _SCALARS.yaml_constructors[node.tag](_SCALARS, node)
    except (ValueError, yaml.constructor.ConstructorError) as error:
        problems.append(source.problem(path, f"无法读取的值（{error}）",
                                       "日期请写成真实存在的 YYYY-MM-DD，例如 2024-03-06"))
        return None


def _build_mapping(node, path, source, problems) -> dict:
    result: dict = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            problems.append(source.problem(path, "键必须是简单的文本", "请把该键改为普通文字"))
            continue
        key = key_node.value
        child = (*path, key)
        if key in result:
            source.marks[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            problems.append(source.problem(child, f"重复的键「{key}」，后一个会覆盖前一个", "请删除或合并重复的键"))
            continue
        source.marks[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        result[key] = _build(value_node, child, source, problems)
    return result
