"""Editors' and operators' commands: `dutylist check`, `new-year YEAR`, `deploy`, `rollback`, `releases`, `links`,
`render OUT`."""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import signal
import sys
import traceback
from pathlib import Path

import yaml

from . import archive, build, deploy, export, history, links, portal, sitemap
from .dataset import address_allowed, load_dataset, year_not_open
from .problems import DataError


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    """argparse, speaking Chinese: its help, and its errors as one line with what to do (never English usage)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs, add_help=False, formatter_class=_Formatter)
        self._positionals.title, self._optionals.title = "参数", "选项"
        self.add_argument("-h", "--help", action="help", help="显示本说明并退出")

    def error(self, message: str):
        self.exit(2, f"{self.prog}：{_argument_error(message)}\n用 {self.prog} --help 查看用法\n")


# argparse's error messages (Python 3.11), in the editors' words
_ARGUMENT_ERRORS = [
    (r"argument 命令: invalid choice: '(.*)' \(choose from (.*)\)", "没有“{0}”这个命令；可用的命令：{1}"),
    (r"argument (.+?): invalid choice: (.*) \(choose from (.*)\)", "{0} 的取值 {1} 不在允许范围内（可选：{2}）"),
    (r"argument (.+?): invalid int value: (.*)", "{0} 应为整数，如 2027（收到 {1}）"),
    (r"argument (.+?): invalid float value: (.*)", "{0} 应为数字（收到 {1}）"),
    (r"argument (.+?): invalid (.+) value: (.*)", "{0} 的取值 {2} 无效"),
    (r"argument (.+?): expected one argument", "{0} 后面缺少取值"),
    (r"argument (.+?): expected at least one argument", "{0} 后面缺少取值"),
    (r"argument (.+?): ignored explicit argument (.*)", "{0} 不带取值（收到 {1}）"),
    (r"the following arguments are required: (.*)", "缺少{0}"),
    (r"unrecognized arguments: (.*)", "无法识别的参数：{0}"),
    (r"ambiguous option: (.*) could match (.*)", "选项 {0} 不明确，可能是 {1}"),
]


def _argument_error(message: str) -> str:
    for pattern, chinese in _ARGUMENT_ERRORS:
        if found := re.fullmatch(pattern, message):
            return chinese.format(*(part.replace("', '", "、").strip("'") for part in found.groups()))
    return f"命令行有误（{message}）"


def main(argv: list[str] | None = None) -> int:
    """The command, with one Chinese line (never a traceback) for an interruption, a file it cannot read or write,
    or a fault in the program itself."""
    try:
        return _main(argv)
    except KeyboardInterrupt:
        print("已中断，未完成的操作没有生效。", file=sys.stderr)
        return 130
    except OSError as error:
        where = f" {error.filename}" if error.filename else ""
        print(f"无法读写文件{where}（{error.strerror or error}）— 请检查该路径是否存在、是否有读写权限", file=sys.stderr)
        return 1
    except Exception as error:
        if os.environ.get("DUTYLIST_DEBUG"):
            raise
        frame = traceback.extract_tb(error.__traceback__)[-1]
        print(f"程序出错：{type(error).__name__}: {error}（{Path(frame.filename).name}:{frame.lineno}）— 这不是数据的问题，"
              "请把这一行报告给维护者；设置环境变量 DUTYLIST_DEBUG=1 再运行可看到完整的出错经过", file=sys.stderr)
        return 70


def _main(argv: list[str] | None = None) -> int:
    parser = _Parser(prog="dutylist", description="职责清单数据工具")
    parser.add_argument("--data", type=Path, default=Path("data"), metavar="目录", help="数据目录（默认 data）")
    commands = parser.add_subparsers(dest="command", required=True, metavar="命令", title="命令")
    commands.add_parser("check", help="检查全部数据，列出所有问题")
    new_year = commands.add_parser("new-year", help="新建某年度的进展文件，列出全部条目")
    new_year.add_argument("year", type=int, metavar="年度", help="年度，如 2027（每年 12 月起可准备下一年度）")
    publish = commands.add_parser("deploy", help="把构建好的站点发布到网站根目录（本地路径或 user@host:/path）")
    publish.add_argument("--site", type=Path, default=Path("site"))
    publish.add_argument("--keep", type=int, default=5, help="保留的历史版本数")
    publish.add_argument("--max-page-loss", type=float, default=0.2, help="页面数比线上减少超过该比例时拒绝发布")
    publish.add_argument("--force", action="store_true", help="页面大量减少时仍然发布（不放过有问题的页面）")
    publish.add_argument("--require-site-url", action="store_true",
                         help="正式发布：要求 data/site.yaml 写有 site_url，且站点地图列出其下的网址（make deploy 使用）")
    publish.add_argument("--url", default=os.environ.get("DEPLOY_URL"),
                         help="切换后从该网址检查首页和部分条目页，不符即自动回退；默认取环境变量 DEPLOY_URL")
    linkcheck = commands.add_parser("links", help="检查数据中所有文件链接（供定时任务使用）")
    linkcheck.add_argument("--cache", type=Path, default=Path(".cache/links.json"))
    linkcheck.add_argument("--timeout", type=float, default=10)
    linkcheck.add_argument("--report", type=Path, help="把报告表另存为 Markdown 文件")
    linkcheck.add_argument("--json", type=Path, help="把报告另存为 JSON 文件")
    keep = commands.add_parser("archive", help="为尚未存档的文件保存存档副本（供定时任务使用）")
    keep.add_argument("--refresh", action="store_true", help="重新抓取全部文件；内容有变化时另存一份")
    keep.add_argument("--timeout", type=float, default=archive.TIMEOUT)
    keep.add_argument("--document-limit", type=float, default=archive.DOCUMENT_LIMIT / 2**20, help="单件上限（MB）")
    keep.add_argument("--total-limit", type=float, default=archive.TOTAL_LIMIT / 2**20, help="存档总量上限（MB）")
    keep.add_argument("--prune", action="store_true", help="删除已不在 documents.yaml 中的文件的存档（改名或删除标识后）")
    commands.add_parser("history", help="把截至今天（或 REFERENCE_DATE）有变化的公开义务状态追加到 data-history/statuses.csv"
                                         "（供定时任务使用）")
    back = commands.add_parser("rollback", help="回退到当前版本上线之前的那个版本")
    back.add_argument("--to", help="回退到指定版本（见 dutylist releases）")
    listing = commands.add_parser("releases", help="列出保留的版本及其发布记录，标出线上版本")
    for command in (publish, back, listing):
        command.add_argument("--target", default=os.environ.get("DEPLOY_TARGET"), help="默认取环境变量 DEPLOY_TARGET")
        command.add_argument("--ssh-options", default=os.environ.get("DEPLOY_SSH_OPTIONS", ""),
                             help="传给 ssh 的参数，如 \"-p 2222 -i key\"")
    for command in (publish, back):
        command.add_argument("--lock-wait", type=float, default=600, help="另一个发布正在进行时最多等待的秒数")
    rendering = commands.add_parser("render", help="把整个网站写成普通 Markdown 页面、导航和开放数据，可用不带钩子的 Material 等构建")
    rendering.add_argument("out", type=Path, metavar="输出目录", help="输出目录（不存在、为空或上次 render 生成的目录）")
    rendering.add_argument("--config", type=Path, default=Path("mkdocs.yml"), help="网站配置文件（默认 mkdocs.yml）")
    whole = commands.add_parser("portal-build", help="门户（portal.yaml）：并行构建全部清单，再汇总门户页面（make build 使用）")
    whole.add_argument("--out", type=Path, default=Path("site.new"), help="输出目录（须不存在；默认 site.new）")
    whole.add_argument("--workers", type=int, default=portal.default_workers(), help="同时构建的清单数（默认本机处理器数）")
    one = commands.add_parser("build-list", help="门户：只构建一份清单（CI 每份清单一个任务；make build-list LIST=标识）")
    one.add_argument("slug", metavar="标识", help="portal.yaml 中该清单的 slug")
    one.add_argument("--out", type=Path, required=True, help="输出目录，如 site.new/标识")
    gather = commands.add_parser("assemble", help="门户：各清单构建完成后，汇总首页、对比、合并搜索和数据（make assemble）")
    gather.add_argument("--site", type=Path, default=Path("site"), help="各清单构建结果所在目录（默认 site）")
    commands.add_parser("portal-plan", help="门户：给 CI 写出本次构建的参照日期和清单列表（make portal-plan）")
    args = parser.parse_args(argv)
    if args.command in ("rollback", "releases"):
        return _on_target(args, _rollback if args.command == "rollback" else _releases)
    if args.command in ("portal-build", "build-list", "assemble", "portal-plan") or (
            args.command in ("check", "deploy") and args.data == Path("data") and portal.is_portal(Path("."))):
        return _portal(args)
    if not args.data.is_dir():
        where = (f"本仓库是多份清单的门户（portal.yaml），请用 --data {portal.LISTS}/<标识>/data 指定其中一份清单"
                 if portal.is_portal(Path(".")) else "请在项目根目录运行，或用 --data 指定数据目录")
        print(f"找不到数据目录 {args.data} — {where}", file=sys.stderr)
        return 1
    if args.command == "archive" and args.prune:   # before loading: the stale ids are what makes loading fail
        return _prune(args.data)
    try:
        dataset = load_dataset(args.data, build.reference_date())
    except DataError as error:
        print(error.report(), file=sys.stderr)
        return 1
    except build.SettingError as error:
        print(error, file=sys.stderr)
        return 2
    if args.command == "check":
        duty_list = dataset.duty_list
        counted = (f"条目 {len(duty_list.items)} {duty_list.unit}" if duty_list.all_captured
                   else f"条目已收录 {len(duty_list.items)} {duty_list.unit}（原文未全部收录）")
        print(f"数据检查通过：{counted}，{len(dataset.documents)} 件文件，"
              f"{len(dataset.years)} 个年度（参照日期 {dataset.reference_date}）。")
        return 0
    if args.command == "links":
        return _links(dataset, args)
    if args.command == "deploy":
        return _deploy(dataset, args)
    if args.command == "archive":
        return _archive(dataset, args)
    if args.command == "render":
        return _render(args)
    if args.command == "history":
        return history.record(history.history_dir(args.data), dataset.history, export.status_records(dataset),
                              dataset.reference_date)
    return _new_year(dataset, args.data, args.year)


def _portal(args) -> int:
    """The portal's commands (dutylist/portal.py), run from the repository root: one Chinese report on failure."""
    try:
        found = portal.load(Path("."))
        on = build.reference_date()
        if args.command == "check":
            datasets = portal.check(found, on)
            print(f"门户检查通过：{len(datasets)} 份清单（{'、'.join(e.name for e in found.lists)}），参照日期 {on}。")
        elif args.command == "portal-build":
            portal.check(found, on)
            if os.path.lexists(args.out):
                raise portal.BuildError(f"输出目录 {args.out} 已存在 — 请先删除它（make build 会自动处理）")
            print(portal.build(found, args.out, on, args.workers))
        elif args.command == "build-list":
            if found.entry(args.slug) is None:
                raise portal.BuildError(f"portal.yaml 中没有标识为“{args.slug[:40]}”的清单 — 可用的标识："
                                        + "、".join(found.slugs))
            portal.check(found, on, [args.slug])
            portal.build_list(found, args.slug, args.out.resolve(), portal.build_env(on))
            print(f"已构建清单{portal.shown(found.entry(args.slug))}：{args.out}")
        elif args.command == "assemble":
            portal.assemble(found, args.site, on)
            print(f"已汇总门户：{len(found.lists)} 份清单，{args.site}")
        elif args.command == "portal-plan":
            print(_plan(found, on))
        else:
            datasets = portal.check(found, on)   # a deploy refuses data that fails check, as for one list
            return _on_target(args, lambda target, args: _publish_portal(found, datasets, target, args))
    except DataError as error:
        print(error.report(), file=sys.stderr)
        return 1
    except (portal.BuildError, portal.AssemblyError, build.SettingError) as error:
        print(error, file=sys.stderr)
        return 1
    return 0


def _plan(found, on) -> str:
    """The reference date every job of one pipeline builds with, and the lists: REFERENCE_DATE=… in
    portal-plan.env (GitLab: a dotenv report), reference_date= and lists= in $GITHUB_OUTPUT when set."""
    Path("portal-plan.env").write_text(f"REFERENCE_DATE={on}\n", encoding="utf-8")
    lines = [f"reference_date={on}", "lists=" + json.dumps(found.slugs)]
    if output := os.environ.get("GITHUB_OUTPUT"):
        with open(output, "a", encoding="utf-8") as out:
            out.write("\n".join(lines) + "\n")
    return "\n".join(lines)


def _publish_portal(found, datasets, target: deploy.Target, args) -> str:
    """The assembled portal as one release: every list's pages as a single site's deploy requires them, the
    portal's own pages, nothing the portal does not name."""
    if extra := portal.unexpected(found, args.site):
        raise deploy.DeployError(f"{args.site} 中有门户未登记的 {'、'.join(extra)}（旧的构建结果？）— 请重新构建（make build）再发布")
    if args.require_site_url:
        if not found.file.site_url:
            raise deploy.DeployError("portal.yaml 没有填写 site_url（门户正式网址）：站点地图只能列出完整网址 — "
                                     "请填写 site_url，并把每份清单的 site_url 写成 <门户网址>/<标识>/，重新构建后再发布")
        checks = [(args.site, found.file.site_url, "门户")] + [
            (args.site / slug, datasets[slug].site.site_url, f"清单{portal.shown(found.entry(slug))}") for slug in found.slugs]
        for folder, url, who in checks:
            if problem := sitemap.problem(folder, url):
                raise deploy.DeployError(f"{who}：{problem}")
    release = deploy.deploy(args.site, target, portal.expected_pages(found, datasets), args.keep, args.max_page_loss,
                            args.force, args.lock_wait, args.url)
    return f"已发布版本 {release}（门户，{len(found.lists)} 份清单）" + (f"，{args.url} 检查通过" if args.url else "")


def _target(args) -> deploy.Target:
    if not args.target:
        raise SystemExit("请用 --target 或环境变量 DEPLOY_TARGET 指定发布位置")
    return deploy.Target.parse(args.target, shlex.split(args.ssh_options))


def _deploy(dataset, args) -> int:
    return _on_target(args, lambda target, args: _publish(dataset, target, args))


def _publish(dataset, target: deploy.Target, args) -> str:
    """What the data says the site must show: the home page the list's title, each item page its text."""
    expected = {"index.html": dataset.duty_list.shown_title, "search/search_index.json": "",
                **{f"duties/{item.key}/index.html": item.text for item in dataset.duty_list.items}}
    if args.require_site_url and (problem := sitemap.problem(args.site, dataset.site.site_url)):
        raise deploy.DeployError(problem)
    release = deploy.deploy(args.site, target, expected, args.keep, args.max_page_loss, args.force,
                            args.lock_wait, args.url)
    return f"已发布版本 {release}" + (f"，{args.url} 检查通过" if args.url else "")


def _on_target(args, action) -> int:
    """Run a deploy command: one Chinese message on failure or interruption, never a traceback."""
    verb = {"deploy": "发布", "rollback": "回退", "releases": "读取版本"}[args.command]
    previous = signal.signal(signal.SIGTERM, _interrupt)  # a cancelled CI job cleans up like Ctrl-C
    try:
        print(action(_target(args), args))
    except deploy.DeployError as error:
        print(f"{verb}失败：{error}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, deploy.Interrupted):
        print(f"{verb}被中断，未完成的部分已清理；线上版本见 dutylist releases", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)
    return 0


def _interrupt(signum, frame):
    raise deploy.Interrupted


def _allowed(dataset):
    return lambda kind, url: address_allowed(dataset.site, kind, url)


def _links(dataset, args) -> int:
    code, table, as_json = links.run(dataset.documents, [dataset.duty_list.source_url],
                                     archive.archive_dir(args.data), args.cache, args.timeout, _allowed(dataset))
    print(table, end="", file=sys.stderr if code == 3 else sys.stdout)
    for path, text in ((args.report, table), (args.json, as_json)):
        if path:
            path.write_text(text, encoding="utf-8")
    return code


def _archive(dataset, args) -> int:
    code = archive.run(dataset.documents, archive.archive_dir(args.data), _allowed(dataset), args.refresh, args.timeout,
                       int(args.document_limit * 2**20), int(args.total_limit * 2**20))
    if code == 3:
        print(archive.OFFLINE, file=sys.stderr)
    return code


def _render(args) -> int:
    from . import render   # imports MkDocs: only this command needs it
    try:
        pages = render.render(args.config, args.out)
    except render.RenderError as error:
        print(f"渲染失败：{error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("渲染被中断，输出目录未改动", file=sys.stderr)
        return 130
    print(f"已把网站写成 {pages} 个 Markdown 页面：{args.out}（在该目录运行 mkdocs build 即可构建）")
    return 0


def _prune(data_dir: Path) -> int:
    try:
        ids = {d["id"] for d in yaml.safe_load((data_dir / "documents.yaml").read_text(encoding="utf-8"))["documents"]}
    except (OSError, yaml.YAMLError, KeyError, TypeError) as error:
        print(f"无法读取 {data_dir / 'documents.yaml'}（{error}）；请先运行 dutylist check 修正数据", file=sys.stderr)
        return 1
    return archive.prune(archive.archive_dir(data_dir), ids)


def _rollback(target: deploy.Target, args) -> str:
    target.require_tools()
    return f"已回退到版本 {deploy.rollback(target, args.to, args.lock_wait)}"


def _releases(target: deploy.Target, args) -> str:
    target.require_tools()
    return "\n".join(deploy.describe(target)) or "还没有发布过任何版本"


def _new_year(dataset, data_dir: Path, year: int) -> int:
    path = data_dir / "progress" / f"{year}.yaml"
    if problem := year_not_open(year, dataset.reference_date):
        print(" — ".join(problem), file=sys.stderr)
        return 1
    if path.exists():
        print(f"{path} 已存在，未作改动。", file=sys.stderr)
        return 1
    duty_list = dataset.duty_list
    items = duty_list.items
    lines = [f"# {year}年度进展：在条目编号下按编者指南添加证据（document、mapping、summary）。",
             "# 每行注释是该编号对应的原文条目（原文印的编号，及编者所加简称）。"]
    if duty_list.item_numbering == "per_group":
        first = items[0] if items else None
        lines += [f"# 注意：本{duty_list.document_name}每部分（或每组）重新编号，条目编号写作“第几个列有条目的部分或组-序号”，"
                  "只数直接列有条目的部分和组，不是原文印的编号"
                  + (f"（如 {first.key} 是原文的 {first.name}）" if first else "") + "；请按注释找到条目。"]
    lines += [f"year: {year}", "items:" if items else f"items: {{}}   # {duty_list.document_name}没有编号的条目"]
    # an item's title is data: its whitespace (a line break would end the comment) becomes one space
    lines += [f"  {item.key}: []   # {' '.join(item.title.split())}" for item in items]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"已创建 {path}，共 {len(dataset.duty_list.items)} 项。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
