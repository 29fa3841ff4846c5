"""Archived copies of every cited document: a WARC record, a readable copy, fingerprints, a machine-written index.

`archive/` (next to `data/`) is written only by `dutylist archive` and `dutylist links`, never by editors:

    archive/index.json                 captures per document id (newest last), each listing its files and hashes
    archive/checks.json                the last link check's verdict per document (see links.py)
    archive/<doc-id>/<stamp>/response.warc.gz   request time, redirects, final URL, status, headers and body
    archive/<doc-id>/<stamp>/text.txt           the main text of an HTML page, one paragraph a line (UTF-8)
    archive/<doc-id>/<stamp>/document.pdf       or the file itself, for a PDF

A run fetches into a staging folder beside `archive/` and moves finished captures in, index last: an
interrupted run leaves `archive/` as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import ipaddress
import json
import os
import re
import shutil
import socket
import tempfile
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import requests
import urllib3
from charset_normalizer import from_bytes

from .problems import DataError, Problem
from .source import read_text_file

CHINA = ZoneInfo("Asia/Shanghai")
DOCUMENT_LIMIT = 20 * 1024 * 1024    # bytes per document: the largest annual report PDF is a few MB
TOTAL_LIMIT = 500 * 1024 * 1024      # bytes for the whole archive, which lives in the git repository
TIMEOUT = 30
# HTTP headers are Latin-1: the polite explanation has to be in English
USER_AGENT = ("dutylist-archive/1.0 (duty-list transparency site keeping dated copies of the public documents "
              "it cites; one request per document per day)")
# A portal's home page, where a dead article often redirects ("soft 404").
HOME_PATHS = {"", "/", "/index.html", "/index.htm", "/index.shtml", "/index.jsp", "/default.htm", "/default.html"}
NOT_FOUND_TITLE = re.compile(r"页面不存在|页面未找到|找不到(该|此|您要访问的)?页面|不存在或已(被)?删除|^\s*404\b|\b404\s*(错误|error|not found)"
                             r"|not found", re.I)
# Visit counters and the like, which change without the document changing.
# The only files a capture may list: what `capture` writes, under the document's own folder.
CAPTURE_FILE = re.compile(r"([a-z0-9-]+)/\d{8}T\d{6}Z/(response\.warc\.gz|text\.txt|document\.pdf)")
COUNTERS = re.compile(r"(浏览|访问|阅读|点击)(次数|量|数)?\s*[:：]?\s*\d+\s*次?")


class ArchiveError(Exception):
    """A fetch that cannot be archived, with a Chinese message for the operator."""


@dataclass(frozen=True)
class Capture:
    captured_at: str         # request time, ISO 8601 UTC
    url: str                 # as cited in documents.yaml
    final_url: str           # after redirects
    status: int
    content_type: str
    size: int                # bytes of the body
    title: str
    raw_sha256: str          # of the body's bytes
    text_sha256: str         # of the normalised main text (of the bytes, for a PDF)
    files: dict[str, str] = field(default_factory=dict)   # path under archive/ → SHA-256

    @property
    def saved_on(self) -> dt.date:
        return dt.datetime.fromisoformat(self.captured_at).astimezone(CHINA).date()

    @property
    def saved_at(self) -> str:
        """The request time in China, to the minute."""
        return dt.datetime.fromisoformat(self.captured_at).astimezone(CHINA).strftime("%Y-%m-%d %H:%M")

    @property
    def is_pdf(self) -> bool:
        return any(p.endswith(".pdf") for p in self.files)

    def file(self, suffix: str) -> str | None:
        return next((p for p in self.files if p.endswith(suffix)), None)


@dataclass(frozen=True)
class Check:
    """What the last link check found for one document (written by `dutylist links`)."""

    verdict: str             # live, unchanged, changed, moved, gone
    checked_at: str
    since: str               # when this verdict was first found
    last_same: str = ""      # the last time the original still matched the archived copy
    detail: str = ""
    new_url: str | None = None

    @property
    def since_day(self) -> dt.date:
        return _china_day(self.since)

    @property
    def last_same_day(self) -> dt.date | None:
        return _china_day(self.last_same) if self.last_same else None


def _china_day(stamp: str) -> dt.date:
    return dt.datetime.fromisoformat(stamp).astimezone(CHINA).date()


@dataclass
class Archive:
    root: Path
    captures: dict[str, list[Capture]] = field(default_factory=dict)
    checks: dict[str, Check] = field(default_factory=dict)

    def latest(self, document_id: str) -> Capture | None:
        found = self.captures.get(document_id)
        return found[-1] if found else None

    def check(self, document_id: str) -> Check | None:
        return self.checks.get(document_id)

    def paragraphs(self, capture: Capture) -> list[str]:
        """The archived main text, one paragraph per entry; shown escaped, never as markup."""
        text = capture.file("text.txt")
        return (self.root / text).read_text(encoding="utf-8").splitlines() if text else []

    def size(self) -> int:
        return sum(p.stat().st_size for p in self.root.rglob("*") if p.is_file()) if self.root.exists() else 0


def archive_dir(data_dir: Path) -> Path:
    return Path(data_dir).resolve().parent / "archive"


# --- reading and checking the index --------------------------------------------------------------------


def load(root: Path, document_ids: set[str] | None = None, problems: list[Problem] | None = None) -> Archive:
    """The archive under root (empty when absent). With problems given, verify it: ids known, files present, hashes."""
    archive = Archive(root)
    if not root.exists():
        return archive
    index = _read_json(root / "index.json", problems)
    checks = _read_json(root / "checks.json", problems)
    try:
        archive.captures = {i: [Capture(**c) for c in captures] for i, captures in index.get("documents", {}).items()}
        archive.checks = {i: Check(**c) for i, c in checks.get("documents", {}).items()}
        _well_formed(archive)
    except (TypeError, AttributeError, ValueError) as error:
        _report(problems, "archive/index.json", f"存档索引格式不对（{error}）", "请用 dutylist archive 重新生成存档，不要手工编辑")
        return Archive(root)
    if problems is not None:
        _verify(archive, document_ids or set(), problems)
    return archive


def _well_formed(archive: Archive) -> None:
    """ValueError or TypeError unless every field the site reads has its type and every time parses."""
    for captures in archive.captures.values():
        for capture in captures:
            if not (isinstance(capture.files, dict) and all(isinstance(k, str) and isinstance(v, str)
                                                            for k, v in capture.files.items())):
                raise ValueError("files 应为“路径: SHA-256”")
            capture.saved_on
    for check in archive.checks.values():
        _china_day(check.since), check.last_same_day, _china_day(check.checked_at)


def _read_json(path: Path, problems: list[Problem] | None) -> dict:
    if not os.path.lexists(path):
        return {}
    try:
        value = json.loads(read_text_file(path, f"archive/{path.name}", limit=20 * 2**20))
    except DataError as error:
        if problems is not None:
            problems.extend(error.problems)
        return {}
    except (ValueError, RecursionError) as error:
        _report(problems, f"archive/{path.name}", f"存档索引无法读取（{error}）",
                "请从 git 恢复该文件，或用 dutylist archive 重新生成")
        return {}
    return value if isinstance(value, dict) else {}


def _verify(archive: Archive, document_ids: set[str], problems: list[Problem]) -> None:
    for file, ids in (("index.json", archive.captures), ("checks.json", archive.checks)):
        for unknown in sorted(set(ids) - document_ids):
            _report(problems, f"archive/{file}", f"存档中的文件标识「{unknown}」不在 data/documents.yaml 中",
                    "如果是误改了标识，请改回；如果确实删除或改名了该文件，请运行 dutylist archive --prune 删除旧存档")
    for document_id, captures in archive.captures.items():
        for capture in captures:
            for relative, digest in capture.files.items():
                path = archive.root / relative
                if not (found := CAPTURE_FILE.fullmatch(relative)) or found.group(1) != document_id:
                    _report(problems, "archive/index.json", f"存档索引中的路径「{relative}」不合规",
                            "请用 dutylist archive 重新生成存档，不要手工编辑索引")
                elif _linked(archive.root, path):  # a link would publish a file from anywhere on the machine
                    _report(problems, f"archive/{relative}", "存档中不能有符号链接",
                            "请删除该链接，从 git 恢复原文件，或用 dutylist archive --refresh 重新存档")
                elif not path.is_file():
                    _report(problems, f"archive/{relative}", "存档索引列出的文件不存在",
                            "请从 git 恢复该文件，或用 dutylist archive --refresh 重新存档")
                elif _sha256_file(path) != digest:
                    _report(problems, f"archive/{relative}", "文件内容与存档索引中的 SHA-256 不符（文件已损坏或被改动）",
                            "请从 git 恢复该文件；存档副本不可手工编辑")


def _linked(root: Path, path: Path) -> bool:
    """Whether the path or any folder between it and the archive's root (included) is a symbolic link."""
    return any(p.is_symlink() for p in (path, *(root / q for q in path.relative_to(root).parents)))


def _report(problems: list[Problem] | None, file: str, message: str, fix: str) -> None:
    if problems is not None:
        problems.append(Problem(file, 1, 1, "", message, fix))


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_json(path: Path, documents: dict) -> None:
    """Replace a machine-written index in one rename, so a reader never sees half of it."""
    text = json.dumps({"format": 1, "documents": documents}, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


# --- fetching ------------------------------------------------------------------------------------------


@dataclass
class Fetched:
    url: str
    requested_at: dt.datetime
    response: requests.Response
    body: bytes

    @property
    def final_url(self) -> str:
        return self.response.url

    @property
    def status(self) -> int:
        return self.response.status_code

    @property
    def content_type(self) -> str:
        return self.response.headers.get("Content-Type", "")

    @property
    def is_pdf(self) -> bool:
        return "pdf" in self.content_type.lower() or self.body.startswith(b"%PDF")

    @property
    def permanently_moved(self) -> bool:
        """Redirected, every step permanent (301/308), to another address."""
        history = self.response.history
        return bool(history) and all(r.status_code in (301, 308) for r in history) and self.final_url != self.url


class PrivateAddress(Exception):
    """A link, or a redirect, that leads into a private network. (Not an OSError: urllib3 would retry it and
    report a mere connection failure.)"""


def _public_address(host: str, port: int) -> str:
    """The address to connect to for host, looked up once; PrivateAddress if any it has is not public. The
    connection then goes to this very address, so a second look-up (DNS rebinding) cannot change it."""
    addresses = [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]
    loopback_allowed = os.environ.get("DUTYLIST_ALLOW_LOOPBACK") == "1"   # the project's own tests only
    for address in map(ipaddress.ip_address, addresses):
        if not address.is_global and not (loopback_allowed and address.is_loopback):
            raise PrivateAddress(f"{host} 指向内部网络地址 {address}，拒绝访问")
    return addresses[0]


class _PinnedHTTP(urllib3.connection.HTTPConnection):
    def _new_conn(self):
        self._dns_host = _public_address(self._dns_host, self.port)
        return super()._new_conn()


class _PinnedHTTPS(urllib3.connection.HTTPSConnection):   # certificates are still checked against the name
    def _new_conn(self):
        self._dns_host = _public_address(self._dns_host, self.port)
        return super()._new_conn()


class _PublicOnly(requests.adapters.HTTPAdapter):
    """Connects only to public addresses, each redirect's included: a document link in data/ must never make the
    machine running the scheduled job fetch a page of its own network (and the site publish it)."""

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": type("PinnedHTTPPool", (urllib3.HTTPConnectionPool,), {"ConnectionCls": _PinnedHTTP}),
            "https": type("PinnedHTTPSPool", (urllib3.HTTPSConnectionPool,), {"ConnectionCls": _PinnedHTTPS})}


def _session() -> requests.Session:
    session = requests.Session()
    session.mount("http://", _PublicOnly())
    session.mount("https://", _PublicOnly())
    return session


def fetch(url: str, timeout: float = TIMEOUT, limit: int = DOCUMENT_LIMIT) -> Fetched:
    """The whole body, or ArchiveError with a message for the operator."""
    try:
        return fetch_response(url, timeout, limit)
    except PrivateAddress as error:
        raise ArchiveError(str(error)) from None
    except requests.Timeout:
        raise ArchiveError(f"超时（{timeout:g} 秒）") from None
    except requests.RequestException as error:
        raise ArchiveError(f"连接失败或传输中断（{type(error).__name__}）") from None


def fetch_response(url: str, timeout: float, limit: int) -> Fetched:
    """The whole body; a body over the limit is refused (ArchiveError) rather than cut. Raises requests' errors."""
    requested_at = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    with _session() as session, session.get(url, timeout=timeout, stream=True,
                                            headers={"User-Agent": USER_AGENT}) as response:
        body = bytearray()
        for chunk in response.iter_content(65536):
            body += chunk
            if len(body) > limit:
                raise ArchiveError(f"超过单件大小上限 {limit / 1024 / 1024:g} MB，未存档")
        return Fetched(url, requested_at, response, bytes(body))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def soft_404(fetched: Fetched, title: str) -> bool:
    """A dead article that does not say 404: redirected to the portal's home page, or titled 页面不存在."""
    moved_home = fetched.final_url != fetched.url and urlsplit(fetched.final_url).path in HOME_PATHS
    return moved_home or bool(NOT_FOUND_TITLE.search(title))


def gone_reason(fetched: Fetched, title: str) -> str | None:
    if fetched.status in (404, 410):
        return f"HTTP {fetched.status}"
    if soft_404(fetched, title):
        return f"跳转到首页或“页面不存在”页面（{fetched.final_url}）"
    return None


# --- readable copy and fingerprints ---------------------------------------------------------------------


def decode(body: bytes, content_type: str = "") -> str:
    """HTML bytes as text: the declared charset (GB2312/GBK read as their superset GB18030), else detected."""
    declared = re.search(rb"charset\s*=\s*[\"']?([\w-]+)", content_type.encode() + b" " + body[:2048], re.I)
    names = [declared.group(1).decode().lower()] if declared else []
    best = from_bytes(body).best()
    names += [best.encoding] if best else []
    for name in names + ["utf-8"]:
        name = "gb18030" if name in ("gb2312", "gbk", "gb18030", "x-gbk") else name
        try:
            return body.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("utf-8", errors="replace")


def readable(html: str) -> tuple[str, list[str]]:
    """The page title and its main text as paragraphs, by readability-lxml (the Firefox reader-view heuristic)."""
    from lxml import html as lxml_html
    from readability import Document

    page = Document(html)
    title = (page.title() or "").strip()
    if title == "[no-title]":
        title = ""
    main = lxml_html.fromstring(page.summary(html_partial=True))
    for element in main.iter("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table"):
        element.tail = "\n" + (element.tail or "")
        if element.tag != "br":
            element.text = "\n" + (element.text or "")
    lines = (" ".join(line.split()) for line in main.text_content().splitlines())
    return title, [line for line in lines if line]


def text_fingerprint(paragraphs: list[str]) -> str:
    """SHA-256 of the text without spacing, punctuation width or visit counters: only a change of words counts."""
    text = COUNTERS.sub("", unicodedata.normalize("NFKC", "\n".join(paragraphs)))
    return hashlib.sha256("".join(text.split()).encode()).hexdigest()


EMPTY_TEXT = text_fingerprint([])


def title_of(html: str) -> str:
    found = re.search(r"<title[^>]*>(.*?)</title>", html[:65536], re.I | re.S)  # the head; a bounded search
    return " ".join(found.group(1).split()) if found else ""


def readable_copy(fetched: Fetched) -> tuple[str, list[str] | None, str]:
    """(title, paragraphs or None for a PDF, text fingerprint)."""
    if fetched.is_pdf:
        return "", None, sha256(fetched.body)
    html = decode(fetched.body, fetched.content_type)
    title, paragraphs = readable(html)
    return title or title_of(html), paragraphs, text_fingerprint(paragraphs)


# --- writing captures ----------------------------------------------------------------------------------


def write_warc(path: Path, fetched: Fetched) -> None:
    """The redirect chain and the final response as WARC response records (ISO 28500), gzipped."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    date = fetched.requested_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        for hop in [*fetched.response.history, fetched.response]:
            body = fetched.body if hop is fetched.response else b""
            # requests has already undone any Content-Encoding: record the body as stored, with its true length
            headers = [(k, v) for k, v in hop.headers.items()
                       if k.lower() not in ("content-encoding", "transfer-encoding", "content-length")]
            headers.append(("Content-Length", str(len(body))))
            status = StatusAndHeaders(f"{hop.status_code} {hop.reason or ''}".strip(), headers, protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(hop.url, "response", payload=io.BytesIO(body),
                                                          http_headers=status, warc_headers_dict={"WARC-Date": date}))


def capture(fetched: Fetched, document_id: str, staging: Path) -> Capture:
    """Write one capture's files under staging/<doc-id>/<stamp>/ and describe them."""
    stamp = fetched.requested_at.strftime("%Y%m%dT%H%M%SZ")
    folder = staging / document_id / stamp
    folder.mkdir(parents=True)
    title, paragraphs, text_sha256 = readable_copy(fetched)
    write_warc(folder / "response.warc.gz", fetched)
    if paragraphs is None:
        (folder / "document.pdf").write_bytes(fetched.body)
    else:
        (folder / "text.txt").write_text("".join(p + "\n" for p in paragraphs), encoding="utf-8")
    files = {f"{document_id}/{stamp}/{p.name}": _sha256_file(p) for p in sorted(folder.iterdir())}
    return Capture(fetched.requested_at.isoformat(), fetched.url, fetched.final_url, fetched.status,
                   fetched.content_type, len(fetched.body), title, sha256(fetched.body),
                   text_sha256, files)


def run(documents, root: Path, refresh: bool = False, timeout: float = TIMEOUT, document_limit: int = DOCUMENT_LIMIT,
        total_limit: int = TOTAL_LIMIT, say=print) -> int:
    """Archive documents that have no copy yet (all of them with refresh). Returns the number that failed."""
    archive = load(root)
    wanted = [d for d in documents if refresh or not archive.latest(d.id)]
    if not wanted:
        say("所有文件都已存档；要重新抓取请加 --refresh。")
        return 0
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".archive-staging-", dir=root.parent))
    try:
        new, failed = _fetch_all(wanted, archive, staging, timeout, document_limit, total_limit - archive.size(), say)
        _commit(archive, new, staging)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    say(f"存档结束：新存 {len(new)} 件，失败 {failed} 件，存档共 {archive.size() / 1024 / 1024:.1f} MB（上限 "
        f"{total_limit // (1024 * 1024)} MB）。")
    return failed


def _fetch_all(wanted, archive: Archive, staging: Path, timeout, document_limit, room: int, say):
    new: dict[str, Capture] = {}
    failed = 0
    fetched_by_url: dict[str, Fetched | ArchiveError] = {}
    for document in wanted:
        if document.url not in fetched_by_url:   # each address is asked once, however many documents share it
            try:
                fetched_by_url[document.url] = fetch(document.url, timeout, document_limit)
            except ArchiveError as error:
                fetched_by_url[document.url] = error
        fetched = fetched_by_url[document.url]
        problem = str(fetched) if isinstance(fetched, ArchiveError) else _refusal(fetched, room)
        if problem:
            say(f"{document.id}：{document.url} {problem}")
            failed += 1
            continue
        made = capture(fetched, document.id, staging)
        latest = archive.latest(document.id)
        if latest and latest.text_sha256 == made.text_sha256:
            say(f"{document.id}：内容与 {latest.saved_on} 的存档相同，未另存。")
            continue
        new[document.id] = made
        room -= made.size
        empty = "；注意：未找到正文文字（可能是靠脚本显示的页面），请打开原网页核对" if made.text_sha256 == EMPTY_TEXT else ""
        say(f"{document.id}：已存档（{made.size / 1024:.1f} KB）{empty}。")
    return new, failed


def _refusal(fetched: Fetched, room: int) -> str | None:
    if fetched.status >= 400:
        return f"答复 HTTP {fetched.status}，未存档"
    if not fetched.is_pdf and (reason := gone_reason(fetched, title_of(decode(fetched.body, fetched.content_type)))):
        return f"原文似已不存在：{reason}，未存档"
    if len(fetched.body) > room:
        return "存档总量将超过上限，未存档；请提高上限（--total-limit）或清理旧存档"
    return None


def _commit(archive: Archive, new: dict[str, Capture], staging: Path) -> None:
    """Move finished captures into archive/, then replace the index: a reader sees all of a run or none."""
    if not new:
        return
    for document_id, made in new.items():
        stamp = next(iter(made.files)).split("/")[1]
        (archive.root / document_id).mkdir(parents=True, exist_ok=True)
        os.replace(staging / document_id / stamp, archive.root / document_id / stamp)
        archive.captures.setdefault(document_id, []).append(made)
    write_json(archive.root / "index.json",
               {i: [asdict(c) for c in captures] for i, captures in sorted(archive.captures.items())})


def prune(root: Path, document_ids: set[str], say=print) -> int:
    """Drop the captures and verdicts of documents no longer in documents.yaml (renamed or removed ids)."""
    archive = load(root)
    gone = sorted((set(archive.captures) | set(archive.checks)) - document_ids)
    for document_id in gone:
        archive.captures.pop(document_id, None)
        archive.checks.pop(document_id, None)
    if gone:
        write_json(root / "index.json", {i: [asdict(c) for c in cs] for i, cs in sorted(archive.captures.items())})
        write_json(root / "checks.json", {i: asdict(c) for i, c in sorted(archive.checks.items())})
        for document_id in gone:   # the index no longer names them: remove their files after it
            if re.fullmatch(r"[a-z0-9-]+", document_id):   # an id from the index is never a path to follow
                shutil.rmtree(root / document_id, ignore_errors=True)
    say(f"已从存档中删除 {len(gone)} 件已不在登记表中的文件：{'、'.join(gone) or '无'}。")
    return len(gone)
