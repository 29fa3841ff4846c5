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


def data_history(data_dir: Path) -> dict[str, dt.date]:
    """The last commit date of each data file (path relative to data_dir), from git; empty outside a checkout.

    Pages say when their content last changed from this, never from the build time.
    """
    try:
        out = subprocess.run(["git", "log", "--format=%x00%cs", "--name-only", "--relative", "--", "."],
                             cwd=data_dir, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return {}
    history: dict[str, dt.date] = {}
    for commit in out.stdout.split("\0")[1:] if out.returncode == 0 else []:
        day, *paths = commit.strip().splitlines()
        for path in filter(None, paths):
            history.setdefault(path, dt.date.fromisoformat(day))
    return history
