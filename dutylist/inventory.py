"""data/ is a closed world: the files the site reads are listed here, and anything else there is an error.

A year saved as `2025.yml` or a narrative as `18.MD` would otherwise vanish from the site without a word; a
symbolic link could publish a file from anywhere on the machine.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .problems import Problem

TOP_FILES = ("site.yaml", "list.yaml", "documents.yaml", "obligations.yaml", "about.md")  # about.md: notes for 说明
FOLDERS = {
    "progress": (re.compile(r"[0-9]{4}\.yaml"), "年份加 .yaml，如 2025.yaml"),
    "narratives": (re.compile(r"[0-9]+(-[0-9]+)?\.md"), "条目标识加 .md，如 18.md"),
}


@dataclass
class Inventory:
    """The data files found, by folder, and the problems with everything else that was there."""

    progress: list[str] = field(default_factory=list)     # file names, e.g. "2025.yaml"
    narratives: list[str] = field(default_factory=list)   # e.g. "18.md"
    problems: list[Problem] = field(default_factory=list)


def _ignored(entry: os.DirEntry) -> bool:
    """Editors' tools leave hidden and backup files beside the data (.list.yaml.swp, list.yaml~): never data.
    Only plain files are passed over: a hidden link or folder is refused like any other."""
    return (entry.name.startswith(".") or entry.name.endswith("~")) and _kind(entry) == "file"


def take_inventory(data_dir: Path) -> Inventory:
    found = Inventory()
    for entry in _entries(data_dir):
        shown = f"data/{entry.name}"
        if entry.name in FOLDERS:
            if _kind(entry) == "dir":
                _folder(entry, found)
            else:
                found.problems.append(_problem(shown, f"应是文件夹，却是{_kind_name(entry)}", "请把它换成同名的文件夹"))
        elif entry.name not in TOP_FILES:  # (a listed file that is a link or a folder is refused when read)
            found.problems.append(_problem(shown, "不是本站的数据文件，不会被读取",
                                           _suggest(entry.name, TOP_FILES) or f"data/ 中只能有 {'、'.join(TOP_FILES)} 和 "
                                           f"{'、'.join(f + '/' for f in FOLDERS)}；请删除或移走该文件"))
    return found


def _folder(folder: os.DirEntry, found: Inventory) -> None:
    pattern, form = FOLDERS[folder.name]
    names = getattr(found, folder.name)
    for entry in _entries(Path(folder.path)):
        shown = f"data/{folder.name}/{entry.name}"
        if not pattern.fullmatch(entry.name):
            fixed = entry.name.lower().replace(".yml", ".yaml")
            fix = f"请改名为 {fixed}" if pattern.fullmatch(fixed) else f"文件名应为{form}；请改名或移走该文件"
            found.problems.append(_problem(shown, "文件名不合规定，不会被读取", fix))
        else:  # a link or a folder under a right name is refused when read
            names.append(entry.name)
    names.sort()


def _entries(folder: Path) -> list[os.DirEntry]:
    with os.scandir(folder) as entries:
        return sorted((e for e in entries if not _ignored(e)), key=lambda e: e.name)


def _kind(entry: os.DirEntry) -> str:
    mode = entry.stat(follow_symlinks=False).st_mode
    return "link" if stat.S_ISLNK(mode) else "dir" if stat.S_ISDIR(mode) else "file" if stat.S_ISREG(mode) else "other"


def _kind_name(entry: os.DirEntry) -> str:
    return {"link": "符号链接", "dir": "文件夹", "file": "普通文件", "other": "特殊文件"}[_kind(entry)]


def _suggest(name: str, expected: tuple[str, ...]) -> str:
    fixed = name.lower().replace(".yml", ".yaml")
    return f"请改名为 {fixed}" if fixed in expected and fixed != name else ""


def _problem(shown: str, message: str, fix: str) -> Problem:
    return Problem(shown, 1, 1, "", message, fix)
