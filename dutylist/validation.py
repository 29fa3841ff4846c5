"""Turn pydantic's validation errors into editor-facing problems in Chinese, with file and line."""

from __future__ import annotations

from pydantic import BaseModel, ValidationError

from .problems import Problem
from .source import Sourced

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
    "unexpected_keyword_argument": ("未知字段", "请删除该字段或检查拼写"),
    "dataclass_type": ("应为“字段: 值”形式的映射", "请检查缩进与冒号"),
    "dataclass_args_type": ("应为“字段: 值”形式的映射", "请检查缩进与冒号"),
    "missing_argument": ("缺少必填字段", "请补上该字段"),
}


def validate(model: type[BaseModel], source: Sourced, problems: list[Problem]) -> BaseModel | None:
    """Validate one file's data; on failure add its problems and return None."""
    if source.data is None:
        problems.append(source.problem((), "文件为空", "请按编者指南填写内容"))
        return None
    try:
        return model.model_validate(source.data)
    except ValidationError as error:
        problems.extend(_problem(source, e) for e in error.errors(include_url=False))
        return None


def _problem(source: Sourced, error: dict) -> Problem:
    # pydantic adds union/literal branch names to loc; keep only real keys and indexes
    path = tuple(p for p in error["loc"] if isinstance(p, int) or not str(p).startswith(("function-", "literal[")))
    message, fix = MESSAGES.get(error["type"], (error["msg"], "请按编者指南改正"))
    if error["type"] == "value_error":
        message, fix = str(error["ctx"]["error"]), "请改正该值"
    context = error.get("ctx", {})
    if error["type"] == "string_too_long":
        message = message.format(max_length=context["max_length"])
    expected = str(context.get("expected", "")).replace("' or '", "、").replace("', '", "、").strip("'")
    fix = fix.format(expected=expected)
    return source.problem(path, message, fix)
