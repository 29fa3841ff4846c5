"""Publish a built site to a web root, atomically and reversibly, one deploy at a time.

Layout on the target (a local folder or `user@host:/path` over SSH):
    releases/<id>/       one folder per release, with its own `.release-manifest` (sha256sum format)
    releases/.incoming-* an upload in progress; never served, removed on failure or by the next deploy
    current -> releases/<id>   the symlink the web server serves, switched with one rename
    releases.log         append-only history: one JSON line per switch of `current` (deploy, rollback; `reconcile`
                         when a deploy finds `current` switched without its line, as a killed switch leaves it)
    .deploy.lock         local targets: flock'ed by the running deploy (released by the kernel if it dies)
    .deploy.lock.d/      SSH targets: created atomically by the running deploy; `holder` says who and since
                         when, refreshed while it runs; broken by the next deploy once stale
The same shell steps run locally or over SSH, so both paths are the same code.
"""

from __future__ import annotations

import ctypes
import fcntl
import getpass
import hashlib
import json
import os
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .sitecheck import check_site

MANIFEST = ".release-manifest"
LOG = "releases.log"
LOCK_FILE, LOCK_DIR = ".deploy.lock", ".deploy.lock.d"
INSTALL = {"rsync": "apt-get install rsync", "ssh": "apt-get install openssh-client"}


class DeployError(Exception):
    pass


class Interrupted(BaseException):
    """SIGTERM, raised like Ctrl-C so that every cleanup runs."""


_prctl = ctypes.CDLL(None).prctl if sys.platform.startswith("linux") else None  # looked up once, not after fork


def _die_with_parent() -> None:
    """In a child before exec: be killed when the deploy dies, even by SIGKILL (Linux), so no upload outlives it."""
    if _prctl:
        _prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


@dataclass
class Target:
    root: str                       # the web root folder, on the host when `host` is set
    host: str | None = None         # user@host for SSH, None for a local folder
    ssh_options: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, spec: str, ssh_options: list[str] | None = None) -> "Target":
        host, sep, root = spec.partition(":")
        if sep and "@" in host and root.startswith("/"):
            return cls(root.rstrip("/") or "/", host, ssh_options or [])
        return cls(str(Path(spec).resolve()), None, [])

    def require_tools(self, *tools: str) -> None:
        """One clear line instead of a traceback when a tool is missing here."""
        for tool in (*tools, "ssh") if self.host else tools:
            if not shutil.which(tool):
                raise DeployError(f"找不到 {tool} 命令，请先安装（Debian/Ubuntu：{INSTALL[tool]}）")

    def command(self, remote: str) -> list[str]:
        return ["ssh", *self.ssh_options, self.host, remote] if self.host else ["bash", "-c", remote]

    def run(self, script: str, timeout: float = 600) -> str:
        """Run a bash script in the web root; raise DeployError with its message when it fails."""
        script = f"set -euo pipefail; mkdir -p {shlex.quote(self.root)}; cd {shlex.quote(self.root)}; {script}"
        command = self.command("bash -s") if self.host else ["bash", "-s"]
        try:
            result = subprocess.run(command, input=script, capture_output=True, encoding="utf-8", errors="replace",
                                    timeout=timeout, preexec_fn=_die_with_parent)
        except subprocess.TimeoutExpired:
            raise DeployError(f"{self.host or '本机'} 上的命令超过 {timeout:.0f} 秒未完成") from None
        if result.returncode:
            raise DeployError(result.stderr.strip() or f"exit {result.returncode}")
        return result.stdout

    def upload(self, site: Path, folder: str) -> None:
        destination = f"{self.root}/{folder}/"
        command = ["rsync", "-a", "--delete", f"{site}/"]
        if self.host:
            command += ["-e", shlex.join(["ssh", *self.ssh_options]), f"{self.host}:{destination}"]
        else:
            command.append(destination)
        # its own process group, so that an interruption stops rsync's helper processes too, before cleanup
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                   process_group=0, preexec_fn=_die_with_parent)
        try:
            errors = process.communicate(timeout=1800)[1]
        except subprocess.TimeoutExpired:
            _stop_group(process)
            raise DeployError("上传超过 30 分钟未完成") from None
        except BaseException:
            _stop_group(process)
            raise
        if process.returncode:
            raise DeployError(f"上传失败：{errors.strip()}")


def _stop_group(process: subprocess.Popen, timeout: float = 10) -> None:
    """Kill a process group and wait until none of it is left (or `timeout`)."""
    deadline = time.monotonic() + timeout
    try:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        while time.monotonic() < deadline:
            os.killpg(process.pid, 0)
            time.sleep(0.05)
    except ProcessLookupError:
        pass


def manifest(site: Path) -> dict[str, str]:
    """sha256 of every file of the site, by path relative to it."""
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*")) if p.is_file()}


# --- deploy ----------------------------------------------------------------------------------------


def deploy(site: Path, target: Target, expected: dict[str, str], keep: int = 5, max_page_loss: float = 0.2,
           force: bool = False, lock_wait: float = 600, smoke_url: str | None = None) -> str:
    """Check, upload, verify, switch `current`, smoke-check; return the release id.

    `expected` maps files the site must have to the text each must contain ("" for none). Nothing live changes
    unless every check passes, and a failed smoke check switches back to the release that was live.
    """
    target.require_tools("rsync")
    if links := special_files(site):
        raise DeployError(f"{site}/ 中有符号链接或不是普通文件的条目，它们会把站点以外的内容带上线；发布已停止，线上版本未改动。"
                          "请重新构建，或删除这些条目：\n" + "\n".join(f"  {link}" for link in links[:30]))
    problems = check_site(site, expected)
    if problems:
        listing = "\n".join(f"  {p}" for p in problems[:30])
        more = f"\n  ……另有 {len(problems) - 30} 处" if len(problems) > 30 else ""
        raise DeployError(f"站点未通过上线前检查，线上版本未改动。有问题的页面：\n{listing}{more}")
    files = manifest(site)
    with lock(target, lock_wait):
        now = _prepare(target)
        _guard_page_loss(now.live_pages, files, max_page_loss, force)
        release = _new_release_id(files, now.names)
        _upload_release(site, target, release, files)
        switch(target, release, "deploy")
        if smoke_url:
            _smoke_or_roll_back(smoke_url, files, expected, target, now.current)
        _prune(target, keep)
    return release


def _prepare(target: Target) -> "State":
    """Clear what an interrupted deploy left (safe: we hold the lock); check rsync there; adopt a pre-log site."""
    rsync_there = ("command -v rsync >/dev/null || { echo '服务器上找不到 rsync 命令，请在服务器上安装"
                   "（Debian/Ubuntu：apt-get install rsync）' >&2; exit 1; }; ") if target.host else ""
    now = state(target, before=f"{rsync_there}mkdir -p releases; {_remove('releases/.incoming-*')}; ")
    if now.current in now.names and not now.entries:
        _log(target, now.current, "adopt")  # a release live before the log existed: still a rollback target
    else:
        _reconcile(target, now)
    return now


def _new_release_id(files: dict[str, str], taken: list[str]) -> str:
    """UTC time to the microsecond, the content's digest and a random part: two deploys never share an id, even of
    the same content in the same microsecond; an id already on the target is never reused."""
    while True:
        moment = time.time()
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(moment)) + f".{int(moment * 1e6) % 1_000_000:06d}Z"
        release = f"{stamp}-{_digest(files)[:8]}-{secrets.token_hex(2)}"
        if release not in taken:
            return release


def _reconcile(target: Target, now: "State") -> None:
    """`current` switched without its log line (the switch was killed between the two): record what was found, so
    that the log again says what is live and rollback starts from it."""
    logged = now.entries[-1]["release"] if now.entries else None
    if not now.current or now.current == logged:
        return
    found = (f"current 指向 {now.current}，而 {LOG} 最后记录的是 {logged or '无'}："
             "上次切换后未能写入记录（例如发布或回退进程被强行终止）")
    entry = _log(target, now.current, "reconcile", found=found, commit=None)
    now.entries.append(entry)
    print(f"注意：{found}；已补记一条 reconcile 记录", file=sys.stderr)


def _upload_release(site: Path, target: Target, release: str, files: dict[str, str]) -> None:
    incoming = f"releases/.incoming-{release}-{secrets.token_hex(4)}"
    try:
        target.upload(site, incoming)
        _verify(target, incoming, files)
        listing = "".join(f"{digest}  ./{path}\n" for path, digest in files.items())
        target.run(f"cat > {incoming}/{MANIFEST} <<'EOF'\n{listing}EOF\n"
                   f"if [ -e releases/{release} ] || [ -L releases/{release} ]; then "
                   f"echo '版本 {release} 已存在，未覆盖' >&2; exit 1; fi; mv -T {incoming} releases/{release}")
    except BaseException:
        try:
            target.run(_remove(incoming))
        except DeployError:
            pass  # the next deploy removes it
        raise


def _remove(pattern: str) -> str:
    """rm -rf, retried while a dying upload (a remote rsync whose connection just closed) may still write."""
    return f"for attempt in 1 2 3 4 5; do rm -rf {pattern} 2>/dev/null && break; sleep 1; done; rm -rf {pattern}"


def switch(target: Target, release: str, action: str) -> None:
    """Check the release against its manifest, point `current` at it with one atomic rename, and log it."""
    verify_release(target, release)
    quoted = shlex.quote(f"releases/{release}")
    entry = _entry(release, action)
    target.run(f"test -d {quoted}; ln -sfn {quoted} current.new; mv -T current.new current; " + _log_command(entry))


def _log(target: Target, release: str, action: str, **details) -> dict:
    entry = _entry(release, action, **details)
    target.run(_log_command(entry))
    return entry


def _entry(release: str, action: str, **details) -> dict:
    return {"release": release, "action": action, "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "commit": _commit(), "by": _who(), **details}


def _log_command(entry: dict) -> str:
    return f"printf '%s\\n' {shlex.quote(json.dumps(entry, ensure_ascii=False))} >> {LOG}"


def _commit() -> str | None:
    commit = os.environ.get("CI_COMMIT_SHA") or os.environ.get("GITHUB_SHA")
    if not commit:
        try:
            result = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10)
            commit = result.stdout.strip() if result.returncode == 0 else None
        except OSError:
            commit = None
    return commit


def _who() -> str:
    """The person or job behind a switch: CI's user and job when run by CI, else the local user and host."""
    user = os.environ.get("GITLAB_USER_LOGIN") or os.environ.get("GITHUB_ACTOR") or _login()
    job = os.environ.get("CI_JOB_URL")
    if not job and os.environ.get("GITHUB_RUN_ID"):
        job = (f"{os.environ.get('GITHUB_SERVER_URL', 'https://github.com')}/"
               f"{os.environ.get('GITHUB_REPOSITORY', '')}/actions/runs/{os.environ['GITHUB_RUN_ID']}")
    return f"{user} ({job or socket.gethostname()})"


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "?"


# --- history and rollback --------------------------------------------------------------------------


@dataclass
class State:
    names: list[str]           # release ids, oldest name first
    current: str | None        # the one `current` points to
    entries: list[dict]        # the release log, oldest first
    live_pages: int            # HTML pages of the live release


def state(target: Target, before: str = "") -> State:
    """Everything a deploy or rollback decides on, read in one round trip (each SSH connection costs)."""
    out = target.run(f"{before}ls -1 releases 2>/dev/null | grep -v '^\\.' || true; echo '--'; "
                     "readlink current || true; echo '--'; "
                     f"grep -c '\\.html$' current/{MANIFEST} 2>/dev/null || true; echo '--'; "
                     f"cat {LOG} 2>/dev/null || true")
    names, current, pages, log = out.split("--\n", 3)
    return State(sorted(names.split()), current.strip().removeprefix("releases/") or None, _parse_log(log),
                 int(pages.strip() or 0))


def _parse_log(text: str) -> list[dict]:
    """Log entries; a line that is not a JSON object with a release is skipped."""
    entries = []
    for line in text.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and isinstance(entry.get("release"), str):
            entries.append(entry)
    return entries


def live_stack(entries: list[dict], names: list[str], current: str | None) -> list[str]:
    """Releases in the order they went live, the current last; a rollback removes what it rolled back from.

    So rollback always undoes the last deploy: A, B, rollback (→ A), C, rollback → A, and never B again. A
    reconciled switch back to a release already live before was a rollback: deploys always make a new release.
    """
    if not entries:  # a target deployed before the log existed: by name, as it was then
        return names[:names.index(current) + 1] if current in names else []
    stack: list[str] = []
    for entry in entries:
        release = entry["release"]
        if entry.get("action") in ("rollback", "reconcile") and release in stack:
            del stack[len(stack) - stack[::-1].index(release):]
        else:
            stack.append(release)
    return stack


def rollback(target: Target, to: str | None = None, lock_wait: float = 600) -> str:
    """Switch back to the release that was live before the current one, or to `to`; return it."""
    with lock(target, lock_wait):
        now = state(target)
        _reconcile(target, now)
        names, current = now.names, now.current
        if to is not None:
            if to not in names:
                raise DeployError(f"没有版本 {to}；现有版本：{', '.join(reversed(names)) or '无'}")
            chosen = to
        else:
            stack = live_stack(now.entries, names, current)
            if stack and stack[-1] == current:
                stack = stack[:-1]
            chosen = next((r for r in reversed(stack) if r in names and r != current), None)
            if not chosen:
                raise DeployError("没有可以回退到的更早版本")
        switch(target, chosen, "rollback")
    return chosen


def describe(target: Target) -> list[str]:
    """One line per kept release, newest switch first, the live one marked, for `dutylist releases`."""
    now = state(target)
    names, current, entries = now.names, now.current, now.entries
    last = {e["release"]: e for e in entries}
    switched = {e["release"]: i for i, e in enumerate(entries)}
    lines = []
    for name in sorted(names, key=lambda n: (switched.get(n, -1), n), reverse=True):
        entry = last.get(name, {})
        details = "  ".join(str(entry.get(k) or "") for k in ("time", "action", "by"))
        commit = (entry.get("commit") or "")[:12]
        mark = "* " if name == current else "  "
        lines.append(f"{mark}{name}  {details}  {commit}".rstrip() + ("  ← 线上" if name == current else ""))
    if entries and current and entries[-1]["release"] != current:
        lines.append(f"注意：current 指向 {current}，但 {LOG} 没有记录这次切换；下次发布或回退时会补记（reconcile）")
    return lines


# --- one deploy at a time --------------------------------------------------------------------------


@contextmanager
def lock(target: Target, wait: float, stale: float = 120):
    """Hold the target's deploy lock; wait up to `wait` seconds for another deploy, then stop with who holds it."""
    holder = f"{_who()} pid {os.getpid()} 自 {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}"
    with (_ssh_lock if target.host else _local_lock)(target, wait, stale, holder):
        yield


WAIT_NOTICE = 30  # seconds between two "still waiting" lines


class _Waiting:
    """Tells the operator who holds the lock and since when: once when the wait begins, then every WAIT_NOTICE s."""

    def __init__(self, wait: float):
        self.wait, self.started, self.next = wait, time.monotonic(), None

    def report(self, holder: str) -> None:
        now = time.monotonic()
        if not holder.strip() and now - self.started < 1:
            return  # the holder has the lock but has not written its name yet: say who, not "未知"
        holder = _shown(holder)
        if self.next is None:
            line = f"另一个发布或回退正在进行（{holder}），等待它结束（最多 {self.wait:g} 秒）……"
        elif now >= self.next:
            line = f"仍在等待，已等 {now - self.started:.0f} 秒：另一个发布或回退正在进行（{holder}）"
        else:
            return
        self.next = now + WAIT_NOTICE
        print(line, file=sys.stderr, flush=True)


def _shown(holder: str) -> str:
    """The lock's holder as read from the target, one printable line."""
    return "".join(c if c.isprintable() else " " for c in holder.strip())[:300] or "未知"


def _busy(holder: str, wait: float) -> DeployError:
    return DeployError(f"另一个发布或回退正在进行（{_shown(holder)}），等待 {wait:g} 秒后仍未结束；请稍后再试")


@contextmanager
def _local_lock(target: Target, wait: float, stale: float, holder: str):
    """flock: the kernel releases it when the process dies, however it dies; children do not inherit it."""
    Path(target.root).mkdir(parents=True, exist_ok=True)
    with open(Path(target.root) / LOCK_FILE, "a+", encoding="utf-8") as file:
        deadline, waiting = time.monotonic() + wait, _Waiting(wait)
        while True:
            try:
                fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                file.seek(0)
                holder = file.read()
                if time.monotonic() >= deadline:
                    raise _busy(holder, wait) from None
                waiting.report(holder)
                time.sleep(0.2)
        file.truncate(0)
        file.write(holder + "\n")
        file.flush()
        try:
            yield
        finally:
            fcntl.flock(file, fcntl.LOCK_UN)


@contextmanager
def _ssh_lock(target: Target, wait: float, stale: float, holder: str):
    """mkdir is atomic; `holder` is refreshed while we run, so a lock left by a killed deploy goes stale."""
    token = secrets.token_hex(8)
    acquire = (
        f"if mkdir {LOCK_DIR} 2>/dev/null; then printf '%s\\n' {shlex.quote(f'{token} {holder}')} > {LOCK_DIR}/holder;"
        " echo acquired; exit 0; fi; "
        f"age=$(( $(date +%s) - $(stat -c %Y {LOCK_DIR}/holder 2>/dev/null || stat -c %Y {LOCK_DIR} 2>/dev/null"
        " || date +%s) )); "
        f"if [ $age -gt {int(stale)} ]; then mv -T {LOCK_DIR} {LOCK_DIR}.stale.$$ 2>/dev/null"
        f" && rm -rf {LOCK_DIR}.stale.$$; echo broken; exit 0; fi; "
        f"cut -d' ' -f2- {LOCK_DIR}/holder 2>/dev/null || true")
    deadline, waiting = time.monotonic() + wait, _Waiting(wait)
    while (answer := target.run(acquire).strip()) != "acquired":
        if answer != "broken":
            if time.monotonic() >= deadline:
                raise _busy(answer, wait)
            waiting.report(answer)
            time.sleep(1)
    heartbeat = _heartbeat(target, token, stale / 4)
    try:
        yield
    finally:
        heartbeat.stdin.close()  # the remote loop reads EOF and ends
        try:
            heartbeat.wait(timeout=10)
        except subprocess.TimeoutExpired:
            heartbeat.kill()
            heartbeat.wait()
        target.run(f"if [ \"$(cut -d' ' -f1 {LOCK_DIR}/holder 2>/dev/null)\" = {token} ]; then rm -rf {LOCK_DIR}; fi")


def _heartbeat(target: Target, token: str, interval: float) -> subprocess.Popen:
    """Touch our lock's holder file every `interval` seconds until our stdin closes (or we die, and ssh with us)."""
    loop = (f"cd {shlex.quote(target.root)} || exit; "
            f"while [ \"$(cut -d' ' -f1 {LOCK_DIR}/holder 2>/dev/null)\" = {token} ]; do touch {LOCK_DIR}/holder; "
            f"read -r -t {max(interval, 1):.0f} _; [ $? -gt 128 ] || exit 0; done")
    return subprocess.Popen(target.command("bash -c " + shlex.quote(loop)), stdin=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=_die_with_parent)


# --- checks ----------------------------------------------------------------------------------------


def _guard_page_loss(live_pages: int, files: dict[str, str], max_page_loss: float, force: bool) -> None:
    new_pages = sum(1 for p in files if p.endswith(".html"))
    if live_pages and new_pages < live_pages * (1 - max_page_loss) and not force:
        raise DeployError(f"新版本只有 {new_pages} 个页面，比线上的 {live_pages} 个少了超过 {max_page_loss:.0%}；"
                          "确认页面确实应当减少后，请运行 make deploy FORCE=1（或 dutylist deploy --force）")


def _verify(target: Target, incoming: str, files: dict[str, str]) -> None:
    found = _inspect(target, incoming)
    problems = [found] if isinstance(found, str) else _differences(files, found.hashes, found.specials)
    if problems:
        raise DeployError("上传校验失败，线上版本未改动：" + "；".join(problems[:3]))


def verify_release(target: Target, release: str) -> None:
    """Refuse to switch to a release that is not exactly what its manifest lists: a real folder (not a link), every
    file with its SHA-256, no file missing or added, no link or special file anywhere in it."""
    found = _inspect(target, f"releases/{release}")
    if isinstance(found, str):
        problems = [found]
    elif found.manifest is None:
        problems = [f"没有文件清单 {MANIFEST}"]
    else:
        problems = _differences(found.manifest, found.hashes, found.specials)
    if problems:
        more = f"\n  ……另有 {len(problems) - 10} 处" if len(problems) > 10 else ""
        raise DeployError(f"版本 {release} 与它的文件清单不符（已损坏或被改动），拒绝切换到它，线上版本未改动：\n"
                          + "\n".join(f"  {p}" for p in problems[:10]) + more)


@dataclass
class Inspection:
    specials: list[str]            # links and anything else that is neither a file nor a folder
    manifest: dict[str, str] | None  # the folder's own manifest, None when it has no regular one
    hashes: dict[str, str]         # sha256 of every regular file but the manifest


def _inspect(target: Target, folder: str) -> Inspection | str:
    """What a folder on the target holds, read in one round trip; a string says why there is nothing to read.

    Names are NUL-separated (a name may hold any other character); "/" separates the sections, as no relative
    name and no sha256sum line can be "/".
    """
    quoted = shlex.quote(folder)
    out = target.run(
        f"if [ -L releases ] || [ -L {quoted} ]; then printf link; exit 0; fi; "
        f"if [ ! -d {quoted} ]; then printf missing; exit 0; fi; cd {quoted}; printf 'ok\\0'; "
        "find . -mindepth 1 ! -type f ! -type d -printf '%P\\0'; printf '/\\0'; "
        f"if [ -f {MANIFEST} ] && [ ! -L {MANIFEST} ]; then printf 'manifest\\0'; cat {MANIFEST}; printf '\\0'; fi; "
        f"printf '/\\0'; find . -type f ! -path ./{MANIFEST} -print0 | sort -z | xargs -0 -r sha256sum -z")
    if out in ("link", "missing"):
        return f"{folder} 是符号链接，不是上传的版本目录" if out == "link" else f"{folder} 不存在"
    tokens = out.split("\0")
    first = tokens.index("/", 1)
    second = len(tokens) - 1 - tokens[::-1].index("/")
    listing = tokens[first + 1:second]
    manifest = None
    if listing[:1] == ["manifest"]:
        manifest = {line[66:].removeprefix("./"): line[:64] for line in "\0".join(listing[1:]).splitlines() if line}
    hashes = {record[66:].removeprefix("./"): record[:64] for record in tokens[second + 1:] if record}
    return Inspection(tokens[1:first], manifest, hashes)


def _differences(expected: dict[str, str], found: dict[str, str], specials: list[str]) -> list[str]:
    return [*(f"{name}：符号链接或特殊文件" for name in specials),
            *(f"{name}：缺少该文件" for name in sorted(expected.keys() - found.keys())),
            *(f"{name}：多出该文件" for name in sorted(found.keys() - expected.keys())),
            *(f"{name}：内容与清单不符" for name in sorted(n for n in expected.keys() & found.keys()
                                                      if expected[n] != found[n]))]


def special_files(site: Path) -> list[str]:
    """Links (to files or folders, inside or outside the site) and other non-regular entries under site/: rsync
    would upload a link as a link, and the web server would then serve whatever it points to."""
    found = []
    for folder, dirs, names in os.walk(site):
        for name in [*dirs, *names]:
            path = Path(folder, name)
            if path.is_symlink():
                found.append(f"{path.relative_to(site).as_posix()} → {os.readlink(path)}（符号链接）")
            elif not (path.is_dir() or path.is_file()):
                found.append(f"{path.relative_to(site).as_posix()}（不是普通文件）")
    return sorted(found)


def smoke_pages(expected: dict[str, str], sample: int = 5) -> list[str]:
    """The home page and up to `sample` item pages spread over the list: what the public must see."""
    pages = [p for p in expected if p.endswith(".html") and p != "index.html"]
    step = max(1, len(pages) // sample)
    return ["index.html", *pages[::step][:sample]]


def smoke_check(url: str, files: dict[str, str], pages: list[str], attempts: int = 3) -> list[str]:
    """Pages whose public copy at `url` differs from the release's file, retried briefly for caches to settle."""
    for attempt in range(attempts):
        if attempt:
            time.sleep(1)
        failing = [f"{page}：{problem}" for page in pages if (problem := _fetch_problem(url, page, files.get(page)))]
        if not failing:
            return []
    return failing


def _fetch_problem(url: str, page: str, digest: str | None) -> str | None:
    address = url.rstrip("/") + "/" + page.removesuffix("index.html")
    try:
        with urllib.request.urlopen(address, timeout=20) as response:
            body = response.read()
    except (urllib.error.URLError, OSError) as error:
        return f"无法访问 {address}（{error}）"
    return None if hashlib.sha256(body).hexdigest() == digest else f"{address} 的内容与本次发布的文件不同"


def _smoke_or_roll_back(url: str, files: dict[str, str], expected: dict[str, str], target: Target,
                        previous: str | None) -> None:
    failing = smoke_check(url, files, smoke_pages(expected))
    if not failing:
        return
    if previous:
        try:
            switch(target, previous, "rollback")
            outcome = f"已自动回退到 {previous}"
        except DeployError as error:  # the release that was live is damaged: keep the new one rather than it
            outcome = f"未能自动回退：{error}"
    else:
        outcome = "没有可回退的版本，请检查网站服务器是否指向 current/"
    raise DeployError(f"切换后从 {url} 检查失败，{outcome}：\n" + "\n".join(f"  {p}" for p in failing))


def _prune(target: Target, keep: int) -> None:
    """Keep the current release and the `keep` releases rollback may reach first (then the most recent ones)."""
    now = state(target)
    names, current, entries = now.names, now.current, now.entries
    reachable = [*reversed(live_stack(entries, names, current)), *(e["release"] for e in reversed(entries)),
                 *reversed(names)]
    kept = {current, *list(dict.fromkeys(r for r in reachable if r in names))[:max(keep, 1)]}
    old = [n for n in names if n not in kept]
    if old:
        target.run("rm -rf " + " ".join(f"releases/{shlex.quote(n)}" for n in old))


def _digest(files: dict[str, str]) -> str:
    return hashlib.sha256("".join(f"{p}{d}" for p, d in files.items()).encode()).hexdigest()
