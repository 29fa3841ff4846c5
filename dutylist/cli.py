"""Editors' commands: `dutylist check` and `dutylist new-year YEAR`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import build
from .dataset import load_dataset
from .problems import DataError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dutylist", description="职责清单数据工具")
    parser.add_argument("--data", type=Path, default=Path("data"), help="数据目录（默认 data）")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check", help="检查全部数据，列出所有问题")
    new_year = commands.add_parser("new-year", help="新建某年度的进展文件，列出全部条目")
    new_year.add_argument("year", type=int)
    args = parser.parse_args(argv)
    try:
        dataset = load_dataset(args.data, build.reference_date())
    except DataError as error:
        print(error.report(), file=sys.stderr)
        return 1
    if args.command == "check":
        print(f"数据检查通过：{len(dataset.duty_list.items)} 项条目，{len(dataset.documents)} 件文件，"
              f"{len(dataset.years)} 个年度（参照日期 {dataset.reference_date}）。")
        return 0
    return _new_year(dataset, args.data, args.year)


def _new_year(dataset, data_dir: Path, year: int) -> int:
    path = data_dir / "progress" / f"{year}.yaml"
    if path.exists():
        print(f"{path} 已存在，未作改动。", file=sys.stderr)
        return 1
    lines = [f"# {year}年度进展：在条目编号下按编者指南添加证据（document、mapping、summary）。", f"year: {year}", "items:"]
    lines += [f"  {item.key}: []   # {item.label}" for item in dataset.duty_list.items]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"已创建 {path}，共 {len(dataset.duty_list.items)} 项。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
