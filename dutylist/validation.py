"""Turn pydantic's validation errors into editor-facing problems in Chinese, with file and line."""

from __future__ import annotations

import re

from pydantic import BaseModel, ValidationError

from .model import ALIAS_WORD, DOCUMENT_KINDS, HAN_CHARACTER, HAN_WORD, LIST_UNCONFIRMED_FIELDS, UNCONFIRMED_FIELDS
from .problems import Problem, did_you_mean
from .source import Sourced

# Chinese names of the coded values an editor writes, shown beside each allowed value in a message
VALUE_NAMES = {**DOCUMENT_KINDS, **LIST_UNCONFIRMED_FIELDS, **UNCONFIRMED_FIELDS, "direct": "直接对应", "interpretation": "编者解读",
               "yearly": "每年一次", "per-event": "逐件公开", "continuous": "全篇连续编号", "per_group": "每组重新编号",
               "articles": "按条编号"}

# pydantic error type -> (what is wrong, what to do)
MESSAGES = {
    "missing": ("缺少必填字段", "请补上该字段"),
    "extra_forbidden": ("未知字段", "请删除该字段或检查拼写"),
    "string_type": ("应为文本", "请填写文字（纯数字或日期请加引号）"),
    "string_too_short": ("文本为空", "请填写内容，或删除该字段"),
    "string_too_long": ("文本过长（上限 {max_length} 字）", "请删减，只写要点"),
    "string_pattern_mismatch": ("标识格式不对", "请只用小写字母、数字和连字符，如 rpt-2024"),
    "int_type": ("应为整数", "请填写整数，如 2024"),
    "int_parsing": ("应为整数", "请填写整数，如 2024"),
    "int_from_float": ("应为整数", "请填写整数，如 2024"),
    "greater_than": ("数值过小", "请填写大于 0 的整数"),
    "greater_than_equal": ("数值过小", "请检查数值"),
    "less_than_equal": ("数值过大", "请检查数值"),
    "date_type": ("应为日期", "请写成 YYYY-MM-DD，如 2024-03-06"),
    "date_parsing": ("日期无效", "请写成真实存在的 YYYY-MM-DD，如 2024-03-06"),
    "date_from_datetime_parsing": ("日期无效", "请写成真实存在的 YYYY-MM-DD，如 2024-03-06"),
    "date_from_datetime_inexact": ("应为日期而不是时间", "请只写 YYYY-MM-DD"),
    "list_type": ("应为列表", "请把每一项写成以「- 」开头的一行"),
    "too_short": ("列表为空", "请至少填写一项"),
    "dict_type": ("应为“字段: 值”形式的映射", "请检查缩进与冒号"),
    "model_type": ("应为“字段: 值”形式的映射", "请检查缩进与冒号"),
    "model_attributes_type": ("应为“字段: 值”形式的映射", "请检查缩进与冒号"),
    "literal_error": ("取值不在允许范围内", "请改为允许的取值之一：{expected}"),
    "bool_type": ("应为 true 或 false", "请填写 true 或 false"),
    "bool_parsing": ("应为 true 或 false", "请填写 true 或 false"),
    "finite_number": ("应为有限的数", "请填写普通的数字，不要写 .inf 或 .nan"),
    "too_long": ("列表过长（上限 {max_length} 项）", "请只保留最常用的几项"),
    "unexpected_keyword_argument": ("未知字段", "请删除该字段或检查拼写"),
    "dataclass_type": ("应为“字段: 值”形式的映射", "请检查缩进与冒号"),
    "dataclass_args_type": ("应为“字段: 值”形式的映射", "请检查缩进与冒号"),
    "missing_argument": ("缺少必填字段", "请补上该字段"),
}


# A pattern other than an identifier's: (what is wrong, what to do), by the pattern
PATTERNS = {
    HAN_WORD: ("应为 1 至 12 个汉字", "请写原文的文件名称，如 清单、实施办法、规定"),
    HAN_CHARACTER: ("条目的量词只能是 项、条、款、点 之一", "请写原文称呼条目所用的量词，如 项、条"),
    ALIAS_WORD: ("应为 1 至 10 个汉字", "请写职责主体的日常称呼，如 市长、县长"),
}


def validate(model: type[BaseModel], source: Sourced, problems: list[Problem]) -> BaseModel | None:
    """Validate one file's data; on failure add its problems and return None."""
    if source.data is None:
        problems.append(source.problem((), "文件为空", "请按编者指南填写内容"))
        return None
    try:
        return model.model_validate(source.data)
    except ValidationError as error:
        split: dict[tuple, list[str]] = {}   # one-line mapping -> pieces of its text taken for field names
        errors = error.errors(include_url=False)
        misspelt = _misspelt_fields(errors)
        for e in errors:
            path = _path(e)
            if e["type"] in UNKNOWN_FIELD and path in source.split_text:
                split.setdefault(path[:-1], []).append(str(path[-1]))
            elif path in misspelt:   # one mistake, one message: the unknown name with the field it should be
                if e["type"] in UNKNOWN_FIELD:
                    problems.append(source.problem(path, f"未知字段，{did_you_mean(path[-1], [misspelt[path]])}",
                                                   f"请把字段名改为 {misspelt[path]}"))
            else:
                problems.append(_problem(source, e))
        problems.extend(source.problem(mapping, SPLIT_TEXT % "」「".join(_short(p) for p in pieces), SPLIT_TEXT_FIX)
                        for mapping, pieces in split.items())
        return None


UNKNOWN_FIELD = ("extra_forbidden", "unexpected_keyword_argument")


def _misspelt_fields(errors: list[dict]) -> dict[tuple, str]:
    """An unknown field beside a missing one it nearly spells (heaidng beside heading): both paths → the missing
    name, so the two errors become one message with the fix."""
    missing: dict[tuple, list[str]] = {}
    for e in errors:
        if e["type"] in ("missing", "missing_argument"):
            path = _path(e)
            missing.setdefault(path[:-1], []).append(str(path[-1]))
    found: dict[tuple, str] = {}
    for e in errors:
        path = _path(e)
        if e["type"] in UNKNOWN_FIELD and (near := did_you_mean(path[-1], missing.get(path[:-1], []))):
            name = near.split("「")[1].split("」")[0]
            found[path] = found[(*path[:-1], name)] = name
    return found
SPLIT_TEXT = ("一行写成的 { } 中，文字含有半角逗号“,”或冒号“:”，在那里被拆开了：「%s」是被拆下的文字，"
              "被当成了字段名")
SPLIT_TEXT_FIX = ("请把整段文字加上半角引号（如 text: \"……\"），或把这一项改为每个字段各占一行的写法（见编者指南）；"
                  "这些是原文，不要删除")


def _short(text: str) -> str:
    return text if len(text) <= 20 else text[:20] + "…"


def _path(error: dict) -> tuple:
    # pydantic adds union/literal branch names to loc; keep only real keys and indexes
    return tuple(p for p in error["loc"] if isinstance(p, int) or not str(p).startswith(("function-", "literal[")))


def _problem(source: Sourced, error: dict) -> Problem:
    path = _path(error)
    message, fix = MESSAGES.get(error["type"], (error["msg"], "请按编者指南改正"))
    if error["type"] == "string_pattern_mismatch":
        message, fix = PATTERNS.get(error.get("ctx", {}).get("pattern"), (message, fix))
    if error["type"] == "value_error":
        message, fix = str(error["ctx"]["error"]), "请改正该值"
    context = error.get("ctx", {})
    if error["type"] in ("string_too_long", "too_long"):
        message = message.format(max_length=context["max_length"])
    fix = fix.format(expected=_allowed(str(context.get("expected", ""))))
    return source.problem(path, message, fix)


def _allowed(expected: str) -> str:
    """pydantic's "'a', 'b' or 'c'" as "a（名称）、b（名称）、c（名称）"."""
    values = re.findall(r"'([^']*)'", expected) or re.split(r", | or ", expected)
    return "、".join(f"{v}（{VALUE_NAMES[v]}）" if v in VALUE_NAMES else v for v in values if v)
