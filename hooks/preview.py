"""MkDocs hook: the editor's preview (`mkdocs serve`) answers at once, shows errors in the browser, stops cleanly.

- After a failed build MkDocs keeps every page request waiting for a good build: the browser hangs. Here a
  failed build is reported instead: every page is answered at once with an error page listing the build's
  messages (for bad data, the same `file:line:column` lines as `dutylist check`), and its live-reload script
  loads the page again after the next build, so fixing the data brings the site back by itself.
- That holds for the first build too: `mkdocs serve` builds once before it serves and stops if that build fails,
  so data already wrong at start would end the preview. The first build's failure is kept here instead, and the
  preview starts on the error page.
- Every failed build shows its messages, however often it repeats: MkDocs logs each message once per process
  (a DuplicateFilter on its build logger), so the same mistake saved twice would show nothing the second time.
  Its memory is cleared before each build.
- A busy port is said in Chinese before the first build, with the process that holds it when it can be found.
- SIGTERM (`kill PID`; make passes it on to `mkdocs serve`) and SIGHUP (the terminal closed) stop the preview
  the way Ctrl-C does, so MkDocs closes the server, the search worker and its temporary site folder.
- Build output: mkdocs-macros reports its set-up at INFO on every build; editors need only its warnings.
"""

from __future__ import annotations

import errno
import html
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
from pathlib import Path

import mkdocs.commands.build
from mkdocs.exceptions import Abort, BuildError

from dutylist import build

logging.getLogger("mkdocs.plugins.mkdocs_macros").setLevel(logging.WARNING)
log = logging.getLogger("mkdocs.hooks.preview")

FAILED = "网站未能生成：问题如上。预览中的页面显示同样的信息，改正并保存后自动刷新。"


class _Preview:
    """The messages of the build under way and the failure of the last one (empty when it succeeded)."""

    def __init__(self):
        self.report = _BuildReport()
        logging.getLogger("mkdocs").addHandler(self.report)
        self.failure: list[str] = []

    def attempt(self, build) -> None:
        _forget_logged_messages()
        self.report.messages.clear()
        try:
            build()
            self.failure = []
        except Exception as error:   # MkDocs has logged why (a BuildError, strict-mode warnings) or not (a bug)
            self.failure = self.report.messages[:] or [_reason(error)]
            log.error(FAILED)


_preview: _Preview | None = None   # made when `mkdocs serve` starts, so its first build is reported too


class _Abort(Abort):
    """MkDocs' "Aborted with a BuildError!" / "Aborted with 2 warnings in strict mode!", in Chinese."""

    def format_message(self) -> str:
        if found := re.search(r"with (.+) in strict mode", self.message):
            counts = "、".join(f"{n} 条{'警告' if kind.startswith('warning') else '错误'}"
                              for n, kind in re.findall(r"(\d+) (\w+)", found[1]))
            return f"网站未能生成：严格模式下出现 {counts}（见上），有任何警告都不发布 — 请按上面的提示改正后重新生成"
        return "网站未能生成：问题见上 — 请按提示改正后重新生成（make check 列出同样的数据问题）"


def on_startup(command, dirty):
    global _preview
    mkdocs.commands.build.Abort = _Abort   # the name MkDocs' build raises, for this process
    if command == "serve":
        build.preview = True   # pages date uncommitted data files by their own time, marked 未提交
        _stop_on_signals()
        _preview = _Preview()
        _serve_even_if_first_build_fails()


def on_serve(server, config, builder):
    global _preview
    _stop_on_signals()   # also for `mkdocs serve --clean`, whose startup event says "build"
    build.preview = True
    preview = _preview = _preview or _Preview()

    def app(environ, start_response):
        if not preview.failure or not _is_page(environ["PATH_INFO"]):
            return serve_file(environ, start_response)
        # With MkDocs' live-reload script (MkDocs 1.6.1's own, pinned) for the latest epoch: the next build,
        # good or bad, reloads the page
        body = server._inject_js_into_html(_error_page(preview.failure), server._visible_epoch)
        # 200: MkDocs would log each request answered with an error status, in the terminal the editor reads
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))])
        return [body]

    server.builder = lambda: preview.attempt(builder)
    serve_file = server.get_app()
    server.set_app(app)
    bind = server.server_bind

    def server_bind():   # the port may have been taken during the first build
        try:
            bind()
        except (OSError, OverflowError) as error:
            raise SystemExit(port_problem(*config.dev_addr, error)) from None
    server.server_bind = server_bind
    return server


def _serve_even_if_first_build_fails() -> None:
    """`mkdocs serve` stops when its first build fails: catch that build's failure, so the preview starts and
    shows it as any later failure. Before building, make sure the port is free (else the editor would wait for a
    build only to read a traceback)."""
    import mkdocs.commands.serve as command   # ProperDocs answers to this name too

    build = command.build

    def first_build(config, **options):
        command.build = build   # once: later builds go through on_serve's builder
        host, port = config.dev_addr
        if problem := _port_taken(host, port):
            raise SystemExit(problem)   # MkDocs' serve command removes its temporary folder on the way out
        _preview.attempt(lambda: build(config, **options))

    command.build = first_build


def _forget_logged_messages() -> None:
    for found in logging.getLogger("mkdocs.commands.build").filters:
        if isinstance(getattr(found, "msgs", None), set):   # mkdocs.utils.DuplicateFilter
            found.msgs.clear()


def _reason(error: Exception) -> str:
    """What went wrong, when MkDocs logged nothing: the BuildError behind its "Aborted with a BuildError!"."""
    cause = error.__cause__ or error.__context__
    if isinstance(cause, BuildError):
        return str(cause).strip()
    return f"{type(error).__name__}: {error}"


# --- a busy port ----------------------------------------------------------------------------------------------

def _port_taken(host: str, port: int) -> str | None:
    """A Chinese message when the preview cannot listen on host:port, as its server would (SO_REUSEADDR)."""
    if not 0 < port < 65536:
        return port_problem(host, port, OSError(errno.EINVAL, "端口应在 1 到 65535 之间"))
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        return port_problem(host, port, error)
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            return port_problem(host, port, error)
    return None


def port_problem(host: str, port: int, error: Exception) -> str:
    other = f"make serve SERVE_ADDR={host}:{port + 1 if 0 < port < 65535 else 8001}"
    if getattr(error, "errno", None) != errno.EADDRINUSE:
        return (f"预览无法在 {host}:{port} 上启动（{getattr(error, 'strerror', None) or error}）。\n"
                f"请换一个地址或端口，如：{other}（地址写作 IP:端口，如 127.0.0.1:8001）")
    holder = listening_process(port)
    who = f"（占用它的是进程 {holder[0]}：{holder[1]}）" if holder else ""
    stop = f"或停止它：kill {holder[0]}；" if holder else ""
    return (f"预览无法启动：端口 {port} 已被占用{who}。\n"
            f"可能已有一个预览在运行：打开 http://{host}:{port}/ 即可看到它；{stop}"
            f"或换一个端口启动：{other}")


def listening_process(port: int) -> tuple[int, str] | None:
    """(pid, command line) of a process listening on the TCP port, when this user may see it."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()   # sl local_address rem_address st ... inode
            if len(fields) > 9 and fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(f"socket:[{fields[9]}]")
    if inodes:
        for fd in Path("/proc").glob("[0-9]*/fd/*"):
            try:
                if os.readlink(fd) in inodes:
                    pid = int(fd.parts[2])
                    return pid, _command_line(pid)
            except (OSError, ValueError):
                continue
        return None
    return _lsof(port)


def _command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return "?"


def _lsof(port: int) -> tuple[int, str] | None:
    """Where there is no /proc (macOS): lsof, when installed."""
    if not shutil.which("lsof"):
        return None
    try:
        found = subprocess.run(["lsof", "-nP", f"-iTCP:{port}", "-sTCP:LISTEN", "-Fpc"], capture_output=True,
                               text=True, timeout=10).stdout.split()
    except (OSError, subprocess.TimeoutExpired):
        return None
    pid = next((int(f[1:]) for f in found if f[:1] == "p" and f[1:].isdigit()), None)
    return (pid, next((f[1:] for f in found if f[:1] == "c"), "?")) if pid else None


# --- stopping -------------------------------------------------------------------------------------------------

def _stop_on_signals() -> None:
    for number in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, _interrupt)


def _interrupt(number, frame):
    raise KeyboardInterrupt   # MkDocs' serve command shuts down on it, cleaning up in its `finally` blocks


class _BuildReport(logging.Handler):
    """The warnings and errors of the current build, one message a line."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        if record.name.startswith("mkdocs.livereload") or record.getMessage() == FAILED:
            return   # the server's own request log, and this hook's own summary line, are not the build's
        self.messages += [line for line in record.getMessage().splitlines() if line.strip()]


def _is_page(path: str) -> bool:
    """A request for a page, not for an asset or for the live-reload script's polling."""
    name = path.rsplit("/", 1)[-1]
    return not path.startswith("/livereload/") and (not name or name.endswith(".html") or "." not in name)


def _error_page(messages: list[str]) -> bytes:
    items = "\n".join(f"<li><code>{html.escape(message)}</code></li>" for message in messages)
    return f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>网站未能生成 — 预览</title>
<style>
body {{ font: 16px/1.6 system-ui, sans-serif; margin: 0; background: #fff8f6; color: #222; }}
main {{ max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }}
h1 {{ color: #a01818; font-size: 1.5rem; }}
li {{ margin: .5rem 0; }}
code {{ white-space: pre-wrap; word-break: break-all; font-size: .95rem; }}
</style>
</head>
<body>
<main>
<h1>网站未能生成</h1>
<p>请按下列提示逐条改正并保存；改正后本页自动刷新为网站页面。终端和 <code>make check</code> 显示同样的信息。</p>
<ul>
{items}
</ul>
</main>
</body>
</html>
""".encode("utf-8")
