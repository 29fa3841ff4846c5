"""MkDocs hook: the editor's preview (`mkdocs serve`) answers at once, shows errors in the browser, stops cleanly.

- After a failed rebuild MkDocs keeps every page request waiting for a good build: the browser hangs. Here a
  failed rebuild is reported instead: every page is answered at once with an error page listing the build's
  messages (for bad data, the same `file:line:column` lines as `dutylist check`), and its live-reload script
  loads the page again after the next build, so fixing the data brings the site back by itself.
- SIGTERM (`kill PID`; make passes it on to `mkdocs serve`) and SIGHUP (the terminal closed) stop the preview
  the way Ctrl-C does, so MkDocs closes the server, the search worker and its temporary site folder.
- Build output: mkdocs-macros reports its set-up at INFO on every build; editors need only its warnings.
"""

from __future__ import annotations

import html
import logging
import signal

logging.getLogger("mkdocs.plugins.mkdocs_macros").setLevel(logging.WARNING)
log = logging.getLogger("mkdocs.hooks.preview")


def on_startup(command, dirty):
    if command == "serve":
        _stop_on_signals()


def on_serve(server, config, builder):
    _stop_on_signals()   # also for `mkdocs serve --clean`, whose startup event says "build"
    report = _BuildReport()
    logging.getLogger("mkdocs").addHandler(report)
    failure: list[str] = []   # the last build's messages, when it failed

    def build_or_report():
        nonlocal failure
        report.messages.clear()
        try:
            builder()
            failure = []
        except Exception as error:   # MkDocs has logged why (a BuildError, strict-mode warnings) or not (a bug)
            failure = report.messages[:] or [f"{type(error).__name__}: {error}"]
            log.error("网站未能生成：问题如上。预览中的页面显示同样的信息，改正并保存后自动刷新。")

    def app(environ, start_response):
        if not failure or not _is_page(environ["PATH_INFO"]):
            return serve_file(environ, start_response)
        # With MkDocs' live-reload script (MkDocs 1.6.1's own, pinned) for the latest epoch: the next build,
        # good or bad, reloads the page
        body = server._inject_js_into_html(_error_page(failure), server._visible_epoch)
        # 200: MkDocs would log each request answered with an error status, in the terminal the editor reads
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))])
        return [body]

    server.builder = build_or_report
    serve_file = server.get_app()
    server.set_app(app)
    return server


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
        if not record.name.startswith("mkdocs.livereload"):   # the server's own request log, not the build's
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
