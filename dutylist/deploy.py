"""Publish a built site to a web root, atomically and reversibly.

Layout on the target (a local folder or `user@host:/path` over SSH):
    releases/<id>/       one folder per release, with its own `.release-manifest` (sha256sum format)
    releases/.incoming-* an upload in progress; never served, removed on failure or by the next deploy
    current -> releases/<id>   the symlink the web server serves, switched with one rename
The same shell steps run locally or over SSH, so both paths are the same code.
"""

from __future__ import annotations

import hashlib
import shlex
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST = ".release-manifest"


class DeployError(Exception):
    pass


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

    def run(self, script: str) -> str:
        """Run a bash script in the web root; raise DeployError with its message when it fails."""
        script = f"set -euo pipefail; mkdir -p {shlex.quote(self.root)}; cd {shlex.quote(self.root)}; {script}"
        command = ["ssh", *self.ssh_options, self.host, "bash -s"] if self.host else ["bash", "-s"]
        result = subprocess.run(command, input=script, capture_output=True, text=True, timeout=600)
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
        result = subprocess.run(command, capture_output=True, text=True, timeout=1800)
        if result.returncode:
            raise DeployError(f"上传失败：{result.stderr.strip()}")


def manifest(site: Path) -> dict[str, str]:
    """sha256 of every file of the site, by path relative to it."""
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*")) if p.is_file()}


def deploy(site: Path, target: Target, required: list[str], keep: int = 5, max_page_loss: float = 0.2,
           force: bool = False) -> str:
    """Upload, verify, then switch `current`; return the release id. Nothing live changes unless all checks pass."""
    files = manifest(site)
    missing = [page for page in required if page not in files]
    if missing:
        raise DeployError(f"站点缺少必需页面：{', '.join(missing[:5])}")
    target.run("mkdir -p releases; rm -rf releases/.incoming-*")
    _guard_page_loss(target, files, max_page_loss, force)
    release = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + _digest(files)[:8]
    if target.run(f"test -d releases/{release} && echo present || true").strip():  # same content, same second
        switch(target, release)
        return release
    incoming = f"releases/.incoming-{release}"
    try:
        target.upload(site, incoming)
        _verify(target, incoming, files)
    except BaseException:
        target.run(f"rm -rf {incoming}")
        raise
    listing = "".join(f"{digest}  ./{path}\n" for path, digest in files.items())
    target.run(f"cat > {incoming}/{MANIFEST} <<'EOF'\n{listing}EOF\nmv {incoming} releases/{release}")
    switch(target, release)
    _prune(target, keep)
    return release


def switch(target: Target, release: str) -> None:
    """Point `current` at a release with one atomic rename."""
    target.run(f"test -d releases/{shlex.quote(release)}; ln -sfn releases/{shlex.quote(release)} current.new; "
               "mv -T current.new current")


def releases(target: Target) -> tuple[list[str], str | None]:
    """Release ids, oldest first, and the one `current` points to."""
    out = target.run("ls -1 releases 2>/dev/null | grep -v '^\\.' || true; echo '--'; readlink current || true")
    names, _, current = out.partition("--\n")
    return sorted(names.split()), (current.strip().removeprefix("releases/") or None)


def rollback(target: Target) -> str:
    names, current = releases(target)
    if current not in names or names.index(current) == 0:
        raise DeployError("没有可以回退到的更早版本")
    previous = names[names.index(current) - 1]
    switch(target, previous)
    return previous


def _guard_page_loss(target: Target, files: dict[str, str], max_page_loss: float, force: bool) -> None:
    live = target.run(f"cat current/{MANIFEST} 2>/dev/null | grep -c '\\.html$' || true").strip()
    live_pages, new_pages = int(live or 0), sum(1 for p in files if p.endswith(".html"))
    if live_pages and new_pages < live_pages * (1 - max_page_loss) and not force:
        raise DeployError(f"新版本只有 {new_pages} 个页面，比线上的 {live_pages} 个少了超过 {max_page_loss:.0%}；"
                          "确认无误请加 --force")


def _verify(target: Target, incoming: str, files: dict[str, str]) -> None:
    out = target.run(f"cd {incoming}; find . -type f -print0 | sort -z | xargs -0 -r sha256sum")
    uploaded = {line[66:].removeprefix("./"): line[:64] for line in out.splitlines() if line}
    if uploaded != files:
        differing = sorted(set(uploaded.items()) ^ set(files.items()))[:3]
        raise DeployError(f"上传校验失败，线上版本未改动：{differing}")


def _prune(target: Target, keep: int) -> None:
    names, current = releases(target)
    old = [n for n in names[:-keep] if n != current] if keep > 0 else []
    if old:
        target.run("rm -rf " + " ".join(f"releases/{shlex.quote(n)}" for n in old))


def _digest(files: dict[str, str]) -> str:
    return hashlib.sha256("".join(f"{p}{d}" for p, d in files.items()).encode()).hexdigest()
