"""What every build shares: where the data is, the reference date, and loading the data once per change."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from .archive import archive_dir
from .dataset import Dataset, load_dataset
from .history import history_dir

CHINA = ZoneInfo("Asia/Shanghai")


class SettingError(Exception):
    """An environment setting that cannot be used; the message says which and how to fix it."""


def reference_date(environ=os.environ) -> dt.date:
    """REFERENCE_DATE (YYYY-MM-DD) if set, else SOURCE_DATE_EPOCH's day, else today in China."""
    if value := environ.get("REFERENCE_DATE"):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise SettingError(f"环境变量 REFERENCE_DATE={value!r} 不是有效日期 — 请写成 YYYY-MM-DD，如 2026-03-01，"
                               "或不设置它（按北京时间当天计算）") from None
    if epoch := environ.get("SOURCE_DATE_EPOCH"):
        try:
            return dt.datetime.fromtimestamp(int(epoch), CHINA).date()
        except (ValueError, OverflowError, OSError):
            raise SettingError(f"环境变量 SOURCE_DATE_EPOCH={epoch!r} 不是有效的 Unix 时间戳 — 请写成秒数，"
                               "如 1767196800，或不设置它") from None
    return dt.datetime.now(CHINA).date()


def dataset(data_dir: Path, on: dt.date) -> Dataset:
    """The data set, read again only when a file under data_dir, the archive or the status history changed
    (mkdocs serve rebuilds often)."""
    return _load(Path(data_dir).resolve(), on, _fingerprint(Path(data_dir)) + _fingerprint(archive_dir(data_dir))
                 + _fingerprint(history_dir(data_dir)))


def _fingerprint(data_dir: Path) -> tuple:
    stats = ((str(p), p.lstat()) for p in sorted(data_dir.rglob("*")))
    return tuple((path, s.st_mtime_ns, s.st_size, s.st_mode) for path, s in stats)


@lru_cache(maxsize=4)
def _load(data_dir: Path, on: dt.date, _fingerprint: tuple) -> Dataset:
    return load_dataset(data_dir, on)


# True under `mkdocs serve` (set by hooks/preview.py): a data file with uncommitted changes is dated by its own
# modification time and marked 未提交. Builds for publishing date files by their commits only.
preview = False

# A commit this much later than the build's clock is dated in the future (a wrong clock on the committer's computer)
CLOCK_SKEW = dt.timedelta(minutes=10)


class FutureDateError(Exception):
    """A data file's last commit is dated after the build: no page may show that date."""


def data_history(data_dir: Path, now: dt.datetime | None = None) -> dict[str, dt.date]:
    """The last commit date (China time) of each data file (path relative to data_dir), from git; empty outside a
    checkout. FutureDateError when a file's last commit is dated later than now.

    Pages say when their content last changed from this, never from the build time.
    """
    now = now or dt.datetime.now(CHINA)
    try:
        out = subprocess.run(["git", "log", "--format=%x00%h %ct", "--name-only", "--relative", "--", "."],
                             cwd=data_dir, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return {}
    history: dict[str, dt.date] = {}
    for commit in out.stdout.split("\0")[1:] if out.returncode == 0 else []:
        head, *paths = commit.strip().splitlines()
        sha, stamp = head.split()
        when = dt.datetime.fromtimestamp(int(stamp), CHINA)
        for path in filter(None, paths):
            if path in history:
                continue
            if when > now + CLOCK_SKEW:
                raise FutureDateError(
                    f"数据文件 data/{path} 最近一次提交（{sha}）的日期是 {when:%Y-%m-%d %H:%M}，晚于构建时间 {now:%Y-%m-%d %H:%M}"
                    "（北京时间），多半是提交者电脑的时钟有误；网站不显示晚于构建时间的日期 — 请校正时钟后重新提交该文件："
                    "尚未推送的提交可用 git commit --amend --no-edit --date=now 改正，已推送的请修改该文件后再提交一次")
            history[path] = when.date()
    return history


def uncommitted(data_dir: Path, now: dt.datetime | None = None) -> dict[str, dt.date]:
    """Data files whose content differs from the last commit, or that git does not track, with their modification
    day (China time, never after now); empty outside a checkout."""
    today = (now or dt.datetime.now(CHINA)).date()
    changed: set[str] = set()
    for command in (["git", "diff", "--name-only", "-z", "--relative", "HEAD", "--", "."],
                    ["git", "ls-files", "--others", "--exclude-standard", "-z", "--", "."]):
        try:
            out = subprocess.run(command, cwd=data_dir, capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            return {}
        if out.returncode == 0:
            changed.update(filter(None, out.stdout.split("\0")))
    found = {}
    for path in sorted(changed):
        try:
            modified = dt.datetime.fromtimestamp((Path(data_dir) / path).stat().st_mtime, CHINA).date()
        except OSError:   # deleted: it dates nothing
            continue
        found[path] = min(modified, today)
    return found
