"""Problems found in an editor's data, reported as `file:line:column: 字段 path：what is wrong — what to do`."""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass


# Characters a reader cannot see, or that recolour, hide or reorder text: control, format (bidi, zero-width),
# line and paragraph separators, private use, surrogates
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Zl", "Zp"})


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    column: int
    field: str
    message: str
    fix: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        field = f"字段 {self.field}：" if self.field else ""
        return _visible(f"{where}: {field}{self.message} — {self.fix}")


def _visible(text: str) -> str:
    """Text safe to print on a terminal or in a CI log: an editor's control or bidi character is shown as its
    code point, never sent (it could recolour, hide or reorder the report)."""
    return "".join(f"<U+{ord(c):04X}>" if unicodedata.category(c) in INVISIBLE_CATEGORIES else c for c in text)


def did_you_mean(value: str, known: Iterable[str]) -> str:
    """"是否应为「rpt-2024」？" naming the registered values nearest to a mistyped one; "" when none is near."""
    near = difflib.get_close_matches(str(value), [str(k) for k in known], n=3, cutoff=0.6)
    return f"是否应为{'或'.join(f'「{k}」' for k in near)}？" if near else ""


class DataError(Exception):
    """Raised with every problem of one check run, so an editor fixes them all at once."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems))
        super().__init__(self.report())

    def report(self) -> str:
        lines = [str(p) for p in self.problems]
        lines.append(f"数据检查未通过：共 {len(self.problems)} 处问题。")
        return "\n".join(lines)
