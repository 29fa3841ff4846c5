"""The history of every obligation-year status: what the site said, and from which day.

Statuses are computed as of a reference date, so a build only knows today's. `dutylist history` (run by the
scheduled job, never by a build: a build must not change the repository) computes today's statuses and appends
one dated row per obligation-year whose status differs from the last one recorded to
`data-history/statuses.csv` beside `data/`; scripts/commit-history.sh commits it. The first run records every
current status as the start of the history, and so does the first run that sees a new year or obligation.

The file is machine-written and append-only. Like archive/, it is checked with the data: a row that is malformed,
out of date order or does not follow from the row before it for the same obligation-year is refused, naming
file:line. Statuses are stored as the run found them (slug and label), so a status renamed later stays in the
history under the name the site showed then.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, Field

from .problems import DataError, Problem
from .source import read_text_file

FOLDER = "data-history"
FILE = "statuses.csv"
SHOWN = f"{FOLDER}/{FILE}"
COLUMNS = ["date", "obligation", "item", "year", "status", "status_label", "previous_status", "previous_label"]
LIMIT = 50 * 2**20   # a row is about 100 bytes: centuries of daily changes
SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
RESTORE = f"该文件由 dutylist history 写入，不要手工编辑；请从 git 恢复（git checkout -- {SHOWN}）"


@dataclass(frozen=True)
class Change:
    """One row: from `date` on, the site showed `status` for the obligation in that year."""

    date: dt.date
    obligation: str
    item: str
    year: int
    status: str
    status_label: str
    previous_status: str = ""    # "" where the history of this obligation-year starts
    previous_label: str = ""

    @property
    def first(self) -> bool:
        return not self.previous_status

    @property
    def key(self) -> tuple[str, int]:
        return self.obligation, self.year

    def row(self) -> list[str]:
        return [self.date.isoformat(), self.obligation, self.item, str(self.year), self.status, self.status_label,
                self.previous_status, self.previous_label]


class HistoryRecord(BaseModel):
    """One change of an obligation's status in one year, as published in the open data."""

    date: dt.date = Field(description="从这一天起本站显示该状态（定时任务记录变化的日期，北京时间）")
    obligation: str = Field(description="公开义务标识")
    item: str = Field(description="所属条目编号")
    year: int = Field(description="年度")
    status: str = Field(description="状态标识（记录时的名称）")
    status_label: str = Field(description="状态（记录时的名称）")
    previous_status: str | None = Field(description="此前的状态标识；为空表示从这一天开始记录")
    previous_label: str | None = Field(description="此前的状态；为空表示从这一天开始记录")

    @classmethod
    def of(cls, change: Change) -> "HistoryRecord":
        return cls(date=change.date, obligation=change.obligation, item=change.item, year=change.year,
                   status=change.status, status_label=change.status_label,
                   previous_status=change.previous_status or None, previous_label=change.previous_label or None)


def as_of(changes: list[Change], on: dt.date) -> list[Change]:
    """The changes a site built for reference date `on` shows: none recorded after it."""
    return [change for change in changes if change.date <= on]


def by_key(changes: list[Change]) -> dict[tuple[str, int], list[Change]]:
    """The changes of each obligation-year, oldest first, found at once (not by reading them all per status)."""
    found: dict[tuple[str, int], list[Change]] = {}
    for change in changes:
        found.setdefault(change.key, []).append(change)
    return found


def history_dir(data_dir: Path) -> Path:
    return Path(data_dir).resolve().parent / FOLDER


def load(root: Path, problems: list[Problem] | None = None) -> list[Change]:
    """The recorded changes, oldest first ([] when there is no history yet). Problems, if given, collects what is
    wrong with the file; with problems found, nothing of it is used."""
    path = root / FILE
    found: list[Problem] = []
    changes: list[Change] = []
    if os.path.islink(root):   # read_text_file refuses a linked file; a linked folder would bring in any file
        found.append(Problem(f"{FOLDER}/", 1, 1, "", "是符号链接，状态历史只能是仓库中的普通文件夹", RESTORE))
    elif os.path.lexists(path):
        try:
            changes = parse(read_text_file(path, SHOWN, limit=LIMIT), found)
        except DataError as error:
            found = list(error.problems)
    if problems is not None:
        problems.extend(found)
    return [] if found else changes


def parse(text: str, problems: list[Problem]) -> list[Change]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header != COLUMNS:
        problems.append(Problem(SHOWN, 1, 1, "", f"表头应为 {','.join(COLUMNS)}", RESTORE))
        return []
    changes: list[Change] = []
    last: dict[tuple[str, int], Change] = {}
    for row in reader:
        line = reader.line_num
        change, problem = _change(row)
        if change and changes and change.date < changes[-1].date:
            problem = f"日期 {change.date} 早于上一行的 {changes[-1].date}（记录只能按日期追加）"
        elif change:
            problem = _follows(change, last.get(change.key))
        if problem:
            problems.append(Problem(SHOWN, line, 1, "", problem, RESTORE))
            continue
        changes.append(change)
        last[change.key] = change
    return changes


def _change(row: list[str]) -> tuple[Change | None, str]:
    """The row as a Change, or what is wrong with it."""
    if len(row) != len(COLUMNS):
        return None, f"应有 {len(COLUMNS)} 列，这一行有 {len(row)} 列"
    values = dict(zip(COLUMNS, row))
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", values["date"]):
        return None, f"date「{values['date']}」不是 YYYY-MM-DD 格式的日期"
    try:
        date = dt.date.fromisoformat(values["date"])
    except ValueError:
        return None, f"date「{values['date']}」不是有效日期"
    if not re.fullmatch(r"\d{4}", values["year"]):
        return None, f"year「{values['year']}」不是四位数的年度"
    for name in ("obligation", "status", *(["previous_status"] if values["previous_status"] else [])):
        if not SLUG.fullmatch(values[name]):
            return None, f"{name}「{values[name]}」不是小写字母、数字和连字符组成的标识"
    for name in ("item", "status_label"):
        if not values[name].strip():
            return None, f"{name} 为空"
    if bool(values["previous_status"]) != bool(values["previous_label"].strip()):
        return None, "previous_status 与 previous_label 应同时填写（状态变化）或同时为空（开始记录）"
    return Change(date, values["obligation"], values["item"], int(values["year"]), values["status"],
                  values["status_label"], values["previous_status"], values["previous_label"]), ""


def _follows(change: Change, before: Change | None) -> str:
    """What is wrong with the row given the last one for the same obligation-year, or ""."""
    where = f"{change.obligation} {change.year}年"
    if before is None:
        return "" if change.first else f"{where}此前没有记录，previous_status 应为空（开始记录）"
    if change.first:
        return f"{where}已有记录，这一行却没有写此前的状态"
    if change.previous_status != before.status:
        return f"{where}此前的状态是 {before.status}，这一行写的是 {change.previous_status}"
    if change.status == before.status:
        return f"{where}的状态没有变化（仍为 {change.status}），不应有这一行"
    return ""


def changes_since(recorded: list[Change], current: list, on: dt.date) -> list[Change]:
    """Rows to append for the statuses computed on `on` (objects with obligation, item, year, status and
    status_label, as export.status_records gives them): one per obligation-year not recorded yet or changed."""
    last = {change.key: change for change in recorded}
    new = []
    for now in current:
        before = last.get((now.obligation, now.year))
        if before is None or before.status != now.status:
            new.append(Change(on, now.obligation, now.item, now.year, now.status, now.status_label,
                              before.status if before else "", before.status_label if before else ""))
    return new


def append(root: Path, new: list[Change]) -> None:
    """Add rows to the file in one rename (an interrupted run leaves it as it was)."""
    path = root / FILE
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    text += "\n" if text and not text.endswith("\n") else ""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if not text:
        writer.writerow(COLUMNS)
    writer.writerows(change.row() for change in new)
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", newline="", dir=root, prefix=".statuses-",
                                     delete=False) as temporary:
        temporary.write(text + out.getvalue())
    os.chmod(temporary.name, 0o644)
    os.replace(temporary.name, path)


def record(root: Path, recorded: list[Change], current: list, on: dt.date, say=print,
           refuse=lambda message: print(message, file=sys.stderr)) -> int:
    """`dutylist history`: append today's changes; say what was recorded. 0 on success, 1 if refused."""
    if recorded and on < recorded[-1].date:
        refuse(f"参照日期 {on} 早于 {SHOWN} 最后一行的日期 {recorded[-1].date}，未写入：记录只能按日期追加 — "
            f"请不设置 REFERENCE_DATE（按北京时间当天），或设为不早于 {recorded[-1].date} 的日期")
        return 1
    new = changes_since(recorded, current, on)
    if not new:
        say(f"截至 {on}，各项公开义务的状态与 {SHOWN} 的记录相同，未写入。")
        return 0
    append(root, new)
    starts = [c for c in new if c.first]
    changed = [c for c in new if not c.first]
    if starts and not recorded:
        say(f"首次记录：已把截至 {on} 的 {len(starts)} 项状态写入 {SHOWN}，作为状态历史的起点。")
    elif starts:
        say(f"新出现 {len(starts)} 项（新的年度或公开义务）：已把其截至 {on} 的状态记为起点。")
    if changed:
        say(f"记录了 {len(changed)} 项状态变化（{on} 起）：")
        for c in changed:
            say(f"  {c.obligation} {c.year}年：{c.previous_label} → {c.status_label}")
    return 0
