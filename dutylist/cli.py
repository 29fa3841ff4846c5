"""Editors' commands: `dutylist check` and `dutylist new-year YEAR`."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path

from . import build, deploy, links
from .dataset import load_dataset, year_not_open
from .problems import DataError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dutylist", description="职责清单数据工具")
    parser.add_argument("--data", type=Path, default=Path("data"), help="数据目录（默认 data）")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check", help="检查全部数据，列出所有问题")
    new_year = commands.add_parser("new-year", help="新建某年度的进展文件，列出全部条目")
    new_year.add_argument("year", type=int)
    publish = commands.add_parser("deploy", help="把构建好的站点发布到网站根目录（本地路径或 user@host:/path）")
    publish.add_argument("--site", type=Path, default=Path("site"))
    publish.add_argument("--keep", type=int, default=5, help="保留的历史版本数")
    publish.add_argument("--max-page-loss", type=float, default=0.2, help="页面数比线上减少超过该比例时拒绝发布")
    publish.add_argument("--force", action="store_true", help="页面大量减少时仍然发布")
    linkcheck = commands.add_parser("links", help="检查数据中所有文件链接（供定时任务使用）")
    linkcheck.add_argument("--cache", type=Path, default=Path(".cache/links.json"))
    linkcheck.add_argument("--timeout", type=float, default=10)
    linkcheck.add_argument("--report", type=Path, help="把报告表另存为 Markdown 文件")
    back = commands.add_parser("rollback", help="回退到上一个版本")
    for command in (publish, back):
        command.add_argument("--target", default=os.environ.get("DEPLOY_TARGET"), help="默认取环境变量 DEPLOY_TARGET")
        command.add_argument("--ssh-options", default=os.environ.get("DEPLOY_SSH_OPTIONS", ""),
                             help="传给 ssh 的参数，如 \"-p 2222 -i key\"")
    args = parser.parse_args(argv)
    if args.command == "rollback":
        return _rollback(args)
    try:
        dataset = load_dataset(args.data, build.reference_date())
    except DataError as error:
        print(error.report(), file=sys.stderr)
        return 1
    if args.command == "check":
        print(f"数据检查通过：{len(dataset.duty_list.items)} 项条目，{len(dataset.documents)} 件文件，"
              f"{len(dataset.years)} 个年度（参照日期 {dataset.reference_date}）。")
        return 0
    if args.command == "links":
        return _links(dataset, args)
    if args.command == "deploy":
        return _deploy(dataset, args)
    return _new_year(dataset, args.data, args.year)


def _target(args) -> deploy.Target:
    if not args.target:
        raise SystemExit("请用 --target 或环境变量 DEPLOY_TARGET 指定发布位置")
    return deploy.Target.parse(args.target, shlex.split(args.ssh_options))


def _deploy(dataset, args) -> int:
    required = ["index.html", *(f"duties/{item.key}/index.html" for item in dataset.duty_list.items)]
    try:
        release = deploy.deploy(args.site, _target(args), required, args.keep, args.max_page_loss, args.force)
    except deploy.DeployError as error:
        print(f"发布失败：{error}", file=sys.stderr)
        return 1
    print(f"已发布版本 {release}")
    return 0


def _links(dataset, args) -> int:
    urls = [dataset.duty_list.source_url, *(d.url for d in dataset.documents)]
    results = links.check_links(urls, args.cache, timeout=args.timeout)
    table = links.report(results)
    print(table, end="")
    if args.report:
        args.report.write_text(table, encoding="utf-8")
    return 0 if all(r.ok for r in results) else 1


def _rollback(args) -> int:
    try:
        print(f"已回退到版本 {deploy.rollback(_target(args))}")
    except deploy.DeployError as error:
        print(f"回退失败：{error}", file=sys.stderr)
        return 1
    return 0


def _new_year(dataset, data_dir: Path, year: int) -> int:
    path = data_dir / "progress" / f"{year}.yaml"
    if problem := year_not_open(year, dataset.reference_date):
        print(" — ".join(problem), file=sys.stderr)
        return 1
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
