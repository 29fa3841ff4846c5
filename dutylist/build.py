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

CHINA = ZoneInfo("Asia/Shanghai")


def reference_date(environ=os.environ) -> dt.date:
    """REFERENCE_DATE (YYYY-MM-DD) if set, else SOURCE_DATE_EPOCH's day, else today in China."""
    if value := environ.get("REFERENCE_DATE"):
        return dt.date.fromisoformat(value)
    if epoch := environ.get("SOURCE_DATE_EPOCH"):
        return dt.datetime.fromtimestamp(int(epoch), CHINA).date()
    return dt.datetime.now(CHINA).date()


def dataset(data_dir: Path, on: dt.date) -> Dataset:
    """The data set, read again only when a file under data_dir or the archive changed (mkdocs serve rebuilds often)."""
    return _load(Path(data_dir).resolve(), on, _fingerprint(Path(data_dir)) + _fingerprint(archive_dir(data_dir)))


def _fingerprint(data_dir: Path) -> tuple:
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(data_dir.rglob("*")) if p.is_file())


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
