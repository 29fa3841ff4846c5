"""Archived copies of every cited document: a WARC record, a readable copy, fingerprints, a machine-written index.

`archive/` (next to `data/`) is written only by `dutylist archive` and `dutylist links`, never by editors:

    archive/index.json                 captures per document id (newest last), each listing its files and hashes
    archive/checks.json                the last link check's verdict per document (see links.py)
    archive/<doc-id>/<stamp>/response.warc.gz   request time, redirects, final URL, status, headers and body
    archive/<doc-id>/<stamp>/text.txt           the main text of an HTML page, one paragraph a line (UTF-8)
    archive/<doc-id>/<stamp>/document.pdf       or the file itself, for a PDF

A merge request can change these files as easily as data/, so they are input like data/: every field is
validated (`load`), and what the site shows is derived from the WARC record itself and checked against the
documents it belongs to (`shown`); any difference is a problem naming the file.

A run fetches into a staging folder beside `archive/` and moves finished captures in, index last: an
interrupted run leaves `archive/` as it was.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import difflib
import gzip
import hashlib
import io
import ipaddress
import json
import os
import re
import secrets
import shutil
import socket
import tempfile
import threading
import time
import zlib
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Annotated, Callable, Literal
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

import requests
import urllib3
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt, ValidationError
from pydantic.dataclasses import dataclass as validated

from . import model
from .model import Url, host_of, http_url
from .pagetext import EMPTY_TEXT, is_pdf, normalised, page_text, text_length, visible
from .problems import DataError, Problem
from .source import Sourced, read_text_file
from .validation import validate

CHINA = ZoneInfo("Asia/Shanghai")
DOCUMENT_LIMIT = 20 * 1024 * 1024    # bytes per document: the largest annual report PDF is a few MB
TOTAL_LIMIT = 500 * 1024 * 1024      # bytes for the whole archive, which lives in the git repository
INDEX_LIMIT = 20 * 1024 * 1024       # bytes of index.json or checks.json
TIMEOUT = 30                         # seconds for the whole fetch of one address, redirects included
MAX_REDIRECTS = 10
# HTTP headers are Latin-1: the polite explanation has to be in English
USER_AGENT = ("dutylist-archive/1.0 (duty-list transparency site keeping dated copies of the public documents "
              "it cites; one request per document per day)")
# A portal's home page, where a dead article often redirects ("soft 404").
HOME_PATHS = {"", "/", "/index.html", "/index.htm", "/index.shtml", "/index.jsp", "/default.htm", "/default.html"}
NOT_FOUND_TITLE = re.compile(r"页面不存在|页面未找到|找不到(该|此|您要访问的)?页面|不存在或已(被)?删除|^\s*404\b|\b404\s*(错误|error|not found)"
                             r"|not found", re.I)
SHORT_PAGE = 200   # characters: a page titled 页面不存在 with less text than this says nothing else
SAME_PAGE = 0.8    # similarity from which a page is the host's not-found page
# The only files a capture may list: what `capture` writes, under the document's own folder.
CAPTURE_FILE = re.compile(r"([a-z0-9]+(?:-[a-z0-9]+)*)/(\d{8}T\d{6}Z)/(response\.warc\.gz|text\.txt|document\.pdf)")
OFFLINE = "无法连接网络，未存档任何文件"
ARCHIVE_FIX = "存档只由定时任务（make watch）写入，不可手工编辑：请从 git 恢复该文件，或等定时任务重新存档"


class ArchiveError(Exception):
    """A fetch that cannot be archived, with a Chinese message for the operator. `answered`: whether the
    address answered at all (a connection failure or timeout is not an answer)."""

    def __init__(self, message: str, answered: bool = True):
        super().__init__(message)
        self.answered = answered


# --- the archive's files, validated like data --------------------------------------------------------


def _timestamp(value: str) -> str:
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("时间格式无效（应为 2026-01-01T08:00:00+00:00 这样带时区的 ISO 8601 时间）") from None
    if parsed.tzinfo is None:
        raise ValueError("时间缺少时区（应为 2026-01-01T08:00:00+00:00 这样带时区的时间）")
    try:
        parsed.astimezone(dt.timezone.utc), parsed.astimezone(CHINA)
    except OverflowError:
        raise ValueError("时间超出范围") from None
    return value


def _timestamp_or_empty(value: str) -> str:
    return value and _timestamp(value)


def _sha256(value: str) -> str:
    if not re.fullmatch(r"[0-9a-f]{64}", value):
        raise ValueError("应为 64 位小写十六进制的 SHA-256 值")
    return value


def _document_id(value: str) -> str:
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", value):
        raise ValueError(f"文件标识「{value[:40]}」格式不对（只能是小写字母、数字和连字符）")
    return value


def _capture_file(value: str) -> str:
    if not CAPTURE_FILE.fullmatch(value):
        raise ValueError(f"路径「{value[:80]}」不合规（应为 文件标识/时间/response.warc.gz、text.txt 或 document.pdf）")
    return value


def _plain(limit: int):
    """Text the site or a report shows (always escaped): bounded, and nothing a reader cannot see."""
    def check(value: str) -> str:
        if len(value) > limit:
            raise ValueError(f"文字过长（上限 {limit} 字）")
        if visible(value) != value:
            raise ValueError("含有看不见的控制字符或格式字符")
        return value
    return AfterValidator(check)


Timestamp = Annotated[str, AfterValidator(_timestamp)]
Sha256 = Annotated[str, AfterValidator(_sha256)]
DocumentId = Annotated[str, AfterValidator(_document_id)]
CaptureFile = Annotated[str, AfterValidator(_capture_file)]
RECORD = ConfigDict(extra="forbid")
VERDICTS = ("gone", "moved_off", "changed", "moved", "unchanged", "live")


@validated(frozen=True, config=RECORD)
class Capture:
    captured_at: Timestamp   # request time, ISO 8601 UTC
    url: Url                 # as cited in documents.yaml
    final_url: Url           # after redirects
    status: Annotated[StrictInt, Field(ge=100, le=599)]
    content_type: Annotated[str, _plain(300)]
    size: Annotated[StrictInt, Field(ge=0)]    # bytes of the body
    title: Annotated[str, _plain(2000)]
    raw_sha256: Sha256       # of the body's bytes
    text_sha256: Sha256      # of the normalised words (an HTML page's main text, a PDF's text)
    files: dict[CaptureFile, Sha256] = field(default_factory=dict)   # path under archive/ → SHA-256

    @property
    def captured(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.captured_at)

    @property
    def saved_on(self) -> dt.date:
        return self.captured.astimezone(CHINA).date()

    @property
    def saved_at(self) -> str:
        """The request time in China, to the minute."""
        return self.captured.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")

    @property
    def stamp(self) -> str:
        return _stamp(self.captured)

    @property
    def is_pdf(self) -> bool:
        return any(p.endswith(".pdf") for p in self.files)

    def file(self, suffix: str) -> str | None:
        return next((p for p in self.files if p.endswith(suffix)), None)


@validated(frozen=True, config=RECORD)
class Check:
    """What the last link check found for one document (written by `dutylist links`)."""

    verdict: Literal[VERDICTS]   # see links.VERDICTS
    url: Url                     # the address checked: a verdict says nothing about another address
    checked_at: Timestamp
    since: Timestamp             # when this verdict was first found
    last_same: Annotated[str, AfterValidator(_timestamp_or_empty)] = ""   # when the original last matched the copy
    detail: Annotated[str, _plain(1000)] = ""
    new_url: Url | None = None

    @property
    def since_day(self) -> dt.date:
        return _china_day(self.since)

    @property
    def last_same_day(self) -> dt.date | None:
        return _china_day(self.last_same) if self.last_same else None


class IndexFile(BaseModel):
    model_config = RECORD
    format: Literal[1]
    documents: dict[DocumentId, list[Capture]]


class ChecksFile(BaseModel):
    model_config = RECORD
    format: Literal[1]
    documents: dict[DocumentId, Check]


def _china_day(stamp: str) -> dt.date:
    return dt.datetime.fromisoformat(stamp).astimezone(CHINA).date()


@dataclass
class Archive:
    root: Path
    captures: dict[str, list[Capture]] = field(default_factory=dict)
    checks: dict[str, Check] = field(default_factory=dict)
    _texts: dict[tuple[str, str], list[str]] = field(default_factory=dict, repr=False)   # derived from the WARC
    _sources: dict[str, tuple[str, object]] = field(default_factory=dict, repr=False)    # file → (text, data)

    def latest(self, document_id: str, url: str | None = None) -> Capture | None:
        """The newest capture of the document (of this address, when given)."""
        found = [c for c in self.captures.get(document_id, []) if url is None or c.url == url]
        return found[-1] if found else None

    def check(self, document_id: str) -> Check | None:
        return self.checks.get(document_id)

    def paragraphs(self, capture: Capture) -> list[str]:
        """The archived words, one paragraph per entry, as derived from the WARC record; shown escaped, never as markup."""
        key = (capture.captured_at, capture.raw_sha256)
        if key not in self._texts:
            try:
                self._texts[key] = derive(self.root / capture.file(".warc.gz")).paragraphs
            except (BadWarc, TypeError, OSError):
                self._texts[key] = []
        return self._texts[key]

    def size(self) -> int:
        return sum(p.stat().st_size for p in self.root.rglob("*") if p.is_file()) if self.root.exists() else 0


def archive_dir(data_dir: Path) -> Path:
    return Path(data_dir).resolve().parent / "archive"


# --- reading the index ---------------------------------------------------------------------------------


def load(root: Path, problems: list[Problem] | None = None) -> Archive:
    """The archive under root (empty when absent), every field of its two files validated; a file with any
    problem counts as empty, its problems added to `problems`."""
    problems = [] if problems is None else problems
    archive = Archive(root)
    if not os.path.lexists(root):
        return archive
    if index := _read(archive, "index.json", IndexFile, problems):
        archive.captures = index.documents
    if checks := _read(archive, "checks.json", ChecksFile, problems):
        archive.checks = checks.documents
    return archive


def _read(archive: Archive, name: str, kind: type[BaseModel], problems: list[Problem]) -> BaseModel | None:
    path, shown = archive.root / name, f"archive/{name}"
    if not os.path.lexists(path):
        return None
    try:
        text = read_text_file(path, shown, limit=INDEX_LIMIT)
        data = json.loads(text)
    except DataError as error:
        problems.extend(error.problems)
        return None
    except json.JSONDecodeError as error:
        problems.append(Problem(shown, error.lineno, error.colno, "", f"不是有效的 JSON（{error.msg}）", ARCHIVE_FIX))
        return None
    except (ValueError, RecursionError):
        problems.append(Problem(shown, 1, 1, "", "不是有效的 JSON（嵌套过深或数值无效）", ARCHIVE_FIX))
        return None
    archive._sources[name] = (text, data)
    try:
        return kind.model_validate(data)
    except ValidationError:
        found: list[Problem] = []
        validate(kind, Sourced(shown, data, _json_marks(text, data)), found)
        problems.extend(replace(p, fix=ARCHIVE_FIX) for p in found)
        return None


def _json_marks(text: str, data) -> dict[tuple, tuple[int, int]]:
    """(line, column) of each key or value of a JSON text by its path, for messages; only where a problem is."""
    import json_source_map

    try:
        entries = json_source_map.calculate(text)
    except Exception:   # its own parser's limits (a deep nesting): the messages then name line 1
        return {}
    marks = {}

    def walk(value, path: tuple, depth: int) -> None:
        if entry := entries.get("".join(f"/{p}" for p in path)):
            start = entry.key_start or entry.value_start
            marks[path] = (start.line + 1, start.column + 1)
        if depth < 6:
            children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
            for key, child in children:
                walk(child, (*path, key), depth + 1)

    walk(data, (), 0)
    return marks


def _problem(archive: Archive, name: str, path: tuple, message: str, fix: str = ARCHIVE_FIX) -> Problem:
    text, data = archive._sources.get(name, ("", None))
    return Sourced(f"archive/{name}", data, _json_marks(text, data) if text else {}).problem(path, message, fix)


def write_json(path: Path, documents: dict) -> None:
    """Replace a machine-written index in one rename, so a reader never sees half of it."""
    text = json.dumps({"format": 1, "documents": documents}, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


# --- what the site shows: checked against the documents and derived from the WARC ----------------------


Allowed = Callable[[str, str], bool]   # (document kind, address) → whether the site may link it for that document


def shown(archive: Archive, documents, reference_date: dt.date, allowed: Allowed | None,
          problems: list[Problem]) -> Archive:
    """The captures and verdicts the site may show: those of documents in documents.yaml, of the address they
    cite now (a copy of another address is not this citation's copy, a verdict on it not this link's), each
    capture checked against its WARC record and files, each date against the document and the reference date.
    Problems name the archive file; with allowed None (site.yaml unreadable) addresses are not judged."""
    out = Archive(archive.root, _sources=archive._sources)
    for document in documents:
        captures = archive.captures.get(document.id, [])
        kept = []
        for n, capture in enumerate(captures):
            if capture.url == document.url:
                _check_capture(archive, document, n, capture, reference_date, allowed, problems)
                kept.append(capture)
        if kept:
            out.captures[document.id] = sorted(kept, key=lambda c: c.captured)
        check = archive.checks.get(document.id)
        if check and check.url == document.url:
            _check_verdict(archive, document, check, reference_date, allowed, problems)
            if check.verdict in ("changed", "unchanged", "moved") and not kept:   # compared with what?
                problems.append(_problem(archive, "checks.json", ("documents", document.id, "verdict"),
                                         f"该文件没有存档副本，检查结果却是与存档比较得出的“{check.verdict}”"))
            out.checks[document.id] = check
    return out


def _check_capture(archive, document, n: int, capture: Capture, reference_date, allowed, problems) -> None:
    path = ("documents", document.id, n)

    def report(field: str | None, message: str, fix: str = ARCHIVE_FIX) -> None:
        problems.append(_problem(archive, "index.json", (*path, field) if field else path, message, fix))

    if capture.saved_on > reference_date:
        report("captured_at", f"存档时间 {capture.saved_on} 晚于参照日期 {reference_date}")
    if capture.saved_on < document.published:
        report("captured_at", f"存档时间 {capture.saved_on} 早于该文件的发布日期 {document.published}")
    if allowed and not allowed(document.kind, capture.final_url):
        report("final_url", f"跳转后的地址 {host_of(capture.final_url)} 不在允许的官方域名之列，不能作为该文件的存档副本")
    if capture.status >= 400:
        report("status", f"HTTP {capture.status} 是错误答复，不能作为存档副本")
    content = "document.pdf" if capture.is_pdf else "text.txt"
    expected = {f"{document.id}/{capture.stamp}/{name}" for name in ("response.warc.gz", content)}
    if set(capture.files) != expected:
        report("files", f"存档文件应正好是 {'、'.join(sorted(expected))}")
        return
    for relative, digest in capture.files.items():
        if problem := _file_problem(archive.root, relative, digest):
            problems.append(problem)
            return
    try:
        found = derive(archive.root / capture.file(".warc.gz"))
    except BadWarc as error:
        problems.append(Problem(f"archive/{capture.file('.warc.gz')}", 1, 1, "", f"WARC 文件无法读取：{error}", ARCHIVE_FIX))
        return
    warc = f"archive/{capture.file('.warc.gz')}"
    for name, recorded in (("captured_at", found.captured_at == capture.captured), ("url", found.url == requested(capture.url)),
                           ("final_url", found.final_url == capture.final_url), ("status", found.status == capture.status),
                           ("content_type", found.content_type == capture.content_type), ("size", found.size == capture.size),
                           ("title", found.title[:2000] == capture.title),
                           ("raw_sha256", found.raw_sha256 == capture.raw_sha256),
                           ("text_sha256", found.text_sha256 == capture.text_sha256)):
        if not recorded:
            report(name, f"与 WARC 文件 {warc} 中记录的 {name} 不符")
    if found.is_pdf != capture.is_pdf:
        report("files", f"文件类型与 WARC 文件 {warc} 中的答复不符")
    elif not capture.is_pdf and _sha(found.text_file) != capture.files[f"{document.id}/{capture.stamp}/text.txt"]:
        problems.append(Problem(f"archive/{capture.file('text.txt')}", 1, 1, "", f"正文与 WARC 文件 {warc} 中的网页不符",
                                ARCHIVE_FIX))


def _check_verdict(archive, document, check: Check, reference_date, allowed, problems) -> None:
    path = ("documents", document.id)

    def report(field: str, message: str) -> None:
        problems.append(_problem(archive, "checks.json", (*path, field), message))

    times = [("checked_at", check.checked_at), ("since", check.since), ("last_same", check.last_same)]
    for name, stamp in (t for t in times if t[1]):
        day = _china_day(stamp)
        if day > reference_date:
            report(name, f"检查时间 {day} 晚于参照日期 {reference_date}")
        if day < document.published:
            report(name, f"检查时间 {day} 早于该文件的发布日期 {document.published}")
        if dt.datetime.fromisoformat(stamp) > dt.datetime.fromisoformat(check.checked_at):
            report(name, "时间晚于本次检查时间 checked_at")
    if check.verdict == "changed" and not check.last_same:
        report("last_same", "“文字有改动”须写明最后一次与存档相同的时间")
    if check.verdict == "moved" and not check.new_url:
        report("new_url", "“已迁移”须写明新地址")
    if check.new_url and check.verdict in ("gone", "moved_off"):
        report("new_url", "已失效或迁出官方网站的文件不能有新地址")
    elif check.new_url and allowed and not allowed(document.kind, check.new_url):
        report("new_url", f"新地址的网站 {host_of(check.new_url)} 不在允许的官方域名之列，不能链接")


def _file_problem(root: Path, relative: str, digest: str) -> Problem | None:
    path = root / relative
    if _linked(root, path):  # a link would publish a file from anywhere on the machine
        return Problem(f"archive/{relative}", 1, 1, "", "存档中不能有符号链接", ARCHIVE_FIX)
    if not path.is_file():
        return Problem(f"archive/{relative}", 1, 1, "", "存档索引列出的文件不存在", ARCHIVE_FIX)
    if _sha256_file(path) != digest:
        return Problem(f"archive/{relative}", 1, 1, "", "文件内容与存档索引中的 SHA-256 不符（文件已损坏或被改动）", ARCHIVE_FIX)
    return None


def _linked(root: Path, path: Path) -> bool:
    """Whether the path or any folder between it and the archive's root (included) is a symbolic link."""
    return any(p.is_symlink() for p in (path, *(root / q for q in path.relative_to(root).parents)))


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


sha256 = _sha


# --- the WARC record: what was fetched, as the site shows it --------------------------------------------


class BadWarc(Exception):
    """A WARC file that is not one `capture` writes; the message says why, in Chinese."""


@dataclass(frozen=True)
class Derived:
    """What a WARC file records, and the words of its body."""

    captured_at: dt.datetime
    url: str
    final_url: str
    status: int
    content_type: str
    size: int
    raw_sha256: str
    is_pdf: bool
    title: str
    paragraphs: list[str]
    text_sha256: str

    @property
    def text_file(self) -> bytes:
        return "".join(p + "\n" for p in self.paragraphs).encode()


_DERIVED: dict[str, Derived] = {}   # by the WARC file's SHA-256: a preview rebuilds without reading it again


def derive(path: Path) -> Derived:
    """The fetch a WARC file records: request time, first and final address, status, type, body and its words."""
    data = _unpacked(path)
    key = _sha(data)
    if key not in _DERIVED:
        if len(_DERIVED) > 1000:
            _DERIVED.clear()
        _DERIVED[key] = _derive(data)
    return _DERIVED[key]


def _unpacked(path: Path) -> bytes:
    limit = 2 * DOCUMENT_LIMIT
    try:
        if path.stat().st_size > limit:
            raise BadWarc("文件过大")
        with gzip.open(path) as stream:
            data = stream.read(limit + 1)   # a small file may unpack to a great deal: never more than this
    except (OSError, EOFError, zlib.error):
        raise BadWarc("不是有效的 gzip 压缩文件") from None
    if len(data) > limit:
        raise BadWarc("解压后过大")
    return data


def _derive(data: bytes) -> Derived:
    from warcio.archiveiterator import ArchiveIterator

    answers = []
    try:
        for record in ArchiveIterator(io.BytesIO(data)):
            if len(answers) > MAX_REDIRECTS:
                raise BadWarc("记录过多")
            if record.rec_type != "response" or not record.http_headers:
                raise BadWarc("含有 HTTP 答复以外的记录")
            body = record.raw_stream.read(DOCUMENT_LIMIT + 1)
            answers.append((record.rec_headers.get_header("WARC-Target-URI") or "",
                            record.rec_headers.get_header("WARC-Date") or "",
                            int(record.http_headers.get_statuscode()),
                            header_text(record.http_headers.get_header("Content-Type") or ""), body))
    except BadWarc:
        raise
    except Exception:   # warcio fails in many ways on a damaged file; each is the same problem here
        raise BadWarc("格式不对") from None
    if not answers:
        raise BadWarc("没有任何记录")
    try:
        for target, _, _, _, _ in answers:
            http_url(target)
        dates = {dt.datetime.fromisoformat(date) for _, date, _, _, _ in answers}
    except ValueError:
        raise BadWarc("记录的地址或时间无效") from None
    if len(dates) != 1 or any(not 300 <= status < 400 for _, _, status, _, _ in answers[:-1]):
        raise BadWarc("记录不是同一次抓取的跳转和答复")
    url, final_url, (_, _, status, content_type, body) = answers[0][0], answers[-1][0], answers[-1]
    if len(body) > DOCUMENT_LIMIT:
        raise BadWarc("正文超过单件大小上限")
    title, paragraphs, text_sha256 = page_text(body, content_type)
    return Derived(dates.pop(), url, final_url, status, content_type, len(body), _sha(body),
                   is_pdf(body, content_type), title, paragraphs, text_sha256)


# --- fetching ------------------------------------------------------------------------------------------


@dataclass
class Fetched:
    url: str
    requested_at: dt.datetime
    response: requests.Response     # the last answer: the page, or the redirect that left the allowed hosts
    body: bytes
    hops: list[requests.Response] = field(default_factory=list)   # the redirects followed before it
    left_to: str | None = None      # where that redirect pointed: outside the allowed hosts, never asked

    @property
    def final_url(self) -> str:
        return self.left_to or self.response.url

    @property
    def status(self) -> int:
        return self.response.status_code

    @property
    def content_type(self) -> str:
        return self.response.headers.get("Content-Type", "")

    @property
    def is_pdf(self) -> bool:
        return is_pdf(self.body, self.content_type)

    @property
    def redirects(self) -> list[requests.Response]:
        return [*self.hops, self.response] if self.left_to else self.hops

    @property
    def permanently_moved(self) -> bool:
        """Redirected, every step permanent (301/308), to another address."""
        return (bool(self.redirects) and all(r.status_code in (301, 308) for r in self.redirects)
                and self.final_url != requested(self.url))


class Interrupted(Exception):
    """An answer that began (status and headers came) but whose body did not arrive: the connection broke, or
    the deadline passed. The address answered: the network is up."""

    def __init__(self, status: int, timed_out: bool):
        super().__init__(status, timed_out)
        self.status, self.timed_out = status, timed_out


class PrivateAddress(Exception):
    """A link, or a redirect, that leads into a private network. (Not an OSError: urllib3 would retry it and
    report a mere connection failure.)"""


def _public_address(host: str, port: int) -> str:
    """The address to connect to for host, looked up once; PrivateAddress if any it has is not public. The
    connection then goes to this very address, so a second look-up (DNS rebinding) cannot change it."""
    addresses = [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]
    for address in map(ipaddress.ip_address, addresses):
        if not address.is_global and not (model.ALLOW_LOOPBACK and address.is_loopback):
            raise PrivateAddress(f"{host} 指向内部网络地址 {address}，拒绝访问")
    return addresses[0]


class _Deadline:
    """One time limit for a whole fetch: when it passes, every socket the fetch opened is shut, which ends a
    read that a trickling server would otherwise keep alive for ever (a timeout applies to each read alone)."""

    def __init__(self, seconds: float):
        self.seconds, self.end = seconds, time.monotonic() + seconds
        self.sockets: list[socket.socket] = []
        self.expired = False
        self.lock = threading.Lock()
        self.timer = threading.Timer(seconds, self.expire)
        self.timer.daemon = True

    def left(self) -> float:
        remaining = self.end - time.monotonic()
        if remaining <= 0 or self.expired:
            raise requests.Timeout()
        return remaining

    def watch(self, sock: socket.socket) -> None:
        with self.lock:
            self.sockets.append(sock)
            expired = self.expired
        if expired:
            self._shut(sock)

    def expire(self) -> None:
        with self.lock:
            self.expired = True
            sockets = list(self.sockets)
        for sock in sockets:
            self._shut(sock)

    @staticmethod
    def _shut(sock: socket.socket) -> None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


_DEADLINE: contextvars.ContextVar[_Deadline | None] = contextvars.ContextVar("deadline", default=None)


def _connected(sock: socket.socket) -> socket.socket:
    if (deadline := _DEADLINE.get()) is not None:
        deadline.watch(sock)
    return sock


class _PinnedHTTP(urllib3.connection.HTTPConnection):
    def _new_conn(self):
        self._dns_host = _public_address(self._dns_host, self.port)
        return _connected(super()._new_conn())


class _PinnedHTTPS(urllib3.connection.HTTPSConnection):   # certificates are still checked against the name
    def _new_conn(self):
        self._dns_host = _public_address(self._dns_host, self.port)
        return _connected(super()._new_conn())


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


def fetch(url: str, timeout: float = TIMEOUT, limit: int = DOCUMENT_LIMIT,
          allowed: Callable[[str], bool] | None = None) -> Fetched:
    """The whole body, or ArchiveError with a message for the operator."""
    try:
        return fetch_response(url, timeout, limit, allowed)
    except PrivateAddress as error:
        raise ArchiveError(str(error), answered=False) from None
    except Interrupted as error:
        raise ArchiveError(f"超时（整个抓取限时 {timeout:g} 秒），未存档" if error.timed_out else "传输中断，未存档") from None
    except requests.Timeout:
        raise ArchiveError(f"超时（整个抓取限时 {timeout:g} 秒）", answered=False) from None
    except requests.RequestException as error:
        raise ArchiveError(f"连接失败或传输中断（{type(error).__name__}）", answered=False) from None


def fetch_response(url: str, timeout: float, limit: int, allowed: Callable[[str], bool] | None = None) -> Fetched:
    """The whole body within `timeout` seconds in all; a body over the limit is refused (ArchiveError) rather
    than cut. Redirects are followed while they stay on hosts `allowed` accepts (any, when None); one that leaves
    them is recorded, not followed. Raises requests' errors (Timeout when the deadline passed)."""
    requested_at = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    deadline = _Deadline(timeout)
    token = _DEADLINE.set(deadline)
    deadline.timer.start()
    try:
        with _session() as session:
            return _follow(session, url, requested_at, deadline, limit, allowed)
    except requests.RequestException:
        if deadline.expired:
            raise requests.Timeout() from None
        raise
    finally:
        deadline.timer.cancel()
        _DEADLINE.reset(token)


def _follow(session, url, requested_at, deadline: _Deadline, limit: int, allowed) -> Fetched:
    hops: list[requests.Response] = []
    current = url
    while True:
        response = session.get(current, timeout=deadline.left(), stream=True, allow_redirects=False,
                               headers={"User-Agent": USER_AGENT})
        target = session.get_redirect_target(response)
        if not target:
            break
        response.close()
        if len(hops) >= MAX_REDIRECTS:
            raise ArchiveError(f"跳转超过 {MAX_REDIRECTS} 次，未存档")
        following = requests.utils.requote_uri(urljoin(response.url, target))
        if not _followable(following) or (allowed and not (_linkable(following) and allowed(following))):
            return Fetched(url, requested_at, response, b"", hops, left_to=following)
        hops.append(response)
        current = following
    body = bytearray()
    try:
        with response:
            for chunk in response.iter_content(65536):
                body += chunk
                if len(body) > limit:
                    raise ArchiveError(f"超过单件大小上限 {limit / 1024 / 1024:g} MB，未存档")
                deadline.left()
    except requests.RequestException:
        raise Interrupted(response.status_code, deadline.expired) from None
    if deadline.expired:   # the socket was shut at the deadline and the body ended early
        raise Interrupted(response.status_code, True)
    return Fetched(url, requested_at, response, bytes(body), hops)


def requested(url: str) -> str:
    """The address as requests sends it, and the WARC records it: percent-encoded, with a path."""
    prepared = requests.models.PreparedRequest()
    prepared.prepare_url(url, None)
    return prepared.url


def _followable(url: str) -> bool:
    """An address requests can ask (the public-address check then applies to it): http(s) with a host."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _linkable(url: str) -> bool:
    try:
        http_url(url)
    except ValueError:
        return False
    return True


# --- a page that is gone though it answers -------------------------------------------------------------


class NotFoundPages:
    """What each host answers for an address that surely does not exist, asked at most once per host per run:
    a portal that answers a missing page with 200 shows its "not found" page, which a dead article resembles."""

    def __init__(self, timeout: float = TIMEOUT):
        self.timeout = timeout
        self.name = f"dutylist-missing-{secrets.token_hex(6)}"
        self.pages: dict[tuple[str, str], list[str] | None] = {}

    def of(self, url: str) -> list[str] | None:
        """The words of the host's not-found page, or None when the host answers a missing address with an
        error (as it should) or not at all."""
        parts = urlsplit(url)
        key = (parts.scheme, parts.netloc)
        if key not in self.pages:
            path = PurePosixPath(parts.path or "/")
            suffix = path.suffix if re.fullmatch(r"\.[a-z]{1,6}", path.suffix) else ""
            folder = str(path.parent if parts.path.rsplit("/", 1)[-1] else path).rstrip("/")
            self.pages[key] = self._ask(f"{parts.scheme}://{parts.netloc}{folder}/{self.name}{suffix}")
        return self.pages[key]

    def _ask(self, url: str) -> list[str] | None:
        host = urlsplit(url).hostname
        try:   # redirects followed on the same host only: the probe is about this host's answers
            fetched = fetch_response(url, self.timeout, 2 * 1024 * 1024, lambda target: urlsplit(target).hostname == host)
        except (requests.RequestException, ArchiveError, PrivateAddress, Interrupted):
            return None
        if fetched.status >= 400 or fetched.is_pdf:
            return None
        return page_text(fetched.body, fetched.content_type)[1]


def gone_reason(redirected: bool, final_url: str, status: int, title: str, paragraphs: list[str],
                not_found: NotFoundPages | None = None, pdf: bool = False) -> str | None:
    """Why an answered page is gone, if it is: 404/410, or a "soft 404": sent to the portal's home page; titled
    页面不存在 with almost no text; or, when its title says so or it is short, the same as the page the host
    answers for an address that does not exist. A real page that merely has such a title is not gone."""
    if status in (404, 410):
        return f"HTTP {status}"
    if redirected and urlsplit(final_url).path in HOME_PATHS:
        return f"跳转到网站首页（{final_url}）"
    if pdf:
        return None
    titled, short = bool(NOT_FOUND_TITLE.search(title)), text_length(paragraphs) < SHORT_PAGE
    if titled and short:
        return f"页面标题为“{title[:40]}”，且几乎没有正文"
    if (titled or short) and not_found and _resembles(paragraphs, not_found.of(final_url)):
        return "页面与该网站对不存在地址的答复相同（“页面不存在”页）"
    return None


def _resembles(paragraphs: list[str], other: list[str] | None) -> bool:
    if not other:
        return False
    a, b = normalised(paragraphs)[:3000], normalised(other)[:3000]
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return matcher.real_quick_ratio() >= SAME_PAGE and matcher.ratio() >= SAME_PAGE


def same_words(before_text: str, before_raw: str, after_text: str, after_raw: str) -> bool:
    """Whether two fetches hold the same document: the same words, or the same bytes where either has no words
    (a page shown by script, a scanned PDF): an empty text never hides a change."""
    if EMPTY_TEXT in (before_text, after_text):
        return before_raw == after_raw
    return before_text == after_text


# --- writing captures ----------------------------------------------------------------------------------


def write_warc(path: Path, fetched: Fetched) -> None:
    """The redirect chain and the final response as WARC response records (ISO 28500), gzipped."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    date = fetched.requested_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        for hop in [*fetched.hops, fetched.response]:
            body = fetched.body if hop is fetched.response else b""
            # requests has already undone any Content-Encoding: record the body as stored, with its true length
            headers = [(k, v) for k, v in hop.headers.items()
                       if k.lower() not in ("content-encoding", "transfer-encoding", "content-length")]
            headers.append(("Content-Length", str(len(body))))
            status = StatusAndHeaders(f"{hop.status_code} {hop.reason or ''}".strip(), headers, protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(hop.url, "response", payload=io.BytesIO(body),
                                                          http_headers=status, warc_headers_dict={"WARC-Date": date}))


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def capture(fetched: Fetched, document_id: str, staging: Path) -> Capture:
    """Write one capture's files under staging/<doc-id>/<stamp>/ and describe them."""
    stamp = _stamp(fetched.requested_at)
    folder = staging / document_id / stamp
    folder.mkdir(parents=True)
    title, paragraphs, text_sha256 = page_text(fetched.body, fetched.content_type)
    write_warc(folder / "response.warc.gz", fetched)
    if fetched.is_pdf:
        (folder / "document.pdf").write_bytes(fetched.body)
    else:
        (folder / "text.txt").write_text("".join(p + "\n" for p in paragraphs), encoding="utf-8")
    files = {f"{document_id}/{stamp}/{p.name}": _sha256_file(p) for p in sorted(folder.iterdir())}
    return Capture(fetched.requested_at.isoformat(), fetched.url, fetched.final_url, fetched.status,
                   header_text(fetched.content_type), len(fetched.body), visible(title)[:2000], _sha(fetched.body),
                   text_sha256, files)


def header_text(value: str) -> str:
    """A header as the index keeps it: visible characters, at most 300."""
    return visible(value)[:300]


def run(documents, root: Path, allowed: Allowed, refresh: bool = False, timeout: float = TIMEOUT,
        document_limit: int = DOCUMENT_LIMIT, total_limit: int = TOTAL_LIMIT, say=print) -> int:
    """Archive documents that have no copy of the address they cite yet (all of them with refresh). Returns the
    exit code: 0, 1 when some failed, 3 when no address answered at all (offline: nothing else is said)."""
    problems: list[Problem] = []
    archive = load(root, problems)
    if problems:
        for problem in sorted(problems):
            say(str(problem))
        say("存档文件有问题，本次未抓取：请先按上面的提示修复。")
        return 1
    wanted = [d for d in documents if refresh or not archive.latest(d.id, d.url)]
    if not wanted:
        say("所有文件都已存档；要重新抓取请加 --refresh。")
        return 0
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".archive-staging-", dir=root.parent))
    try:
        new, failed, answered = _fetch_all(wanted, archive, staging, timeout, document_limit,
                                           total_limit - archive.size(), allowed, say)
        if not answered:
            return 3
        _commit(archive, new, staging)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    say(f"存档结束：新存 {len(new)} 件，失败 {failed} 件，存档共 {archive.size() / 1024 / 1024:.1f} MB（上限 "
        f"{total_limit // (1024 * 1024)} MB）。")
    return 1 if failed else 0


def _fetch_all(wanted, archive: Archive, staging: Path, timeout, document_limit, room: int, allowed, say):
    """(new captures, failures, whether any address answered). What it has to say waits for the first answer:
    offline, it says nothing (the caller says so once)."""
    new: dict[str, Capture] = {}
    failed = 0
    fetched_by_url: dict[str, Fetched | ArchiveError] = {}
    not_found = NotFoundPages(timeout)
    held: list[str] = []
    answered = False

    def tell(line: str) -> None:
        if answered:
            say(line)
        else:
            held.append(line)

    for document in wanted:
        if document.url not in fetched_by_url:   # each address is asked once, however many documents share it
            try:
                fetched_by_url[document.url] = fetch(document.url, timeout, document_limit,
                                                     lambda url, kind=document.kind: allowed(kind, url))
            except ArchiveError as error:
                fetched_by_url[document.url] = error
        fetched = fetched_by_url[document.url]
        if not answered and not (isinstance(fetched, ArchiveError) and not fetched.answered):
            answered = True
            for line in held:
                say(line)
        try:
            line, made = _keep(document, fetched, archive, staging, room, not_found)
        except Exception as error:   # one page no parser can read must never stop the others
            line, made = f"{document.id}：{document.url} 无法处理（{type(error).__name__}），未存档", None
        tell(line)
        if made is None:
            failed += 1
        elif made is not SAME:
            new[document.id] = made
            room -= made.size
    return new, failed, answered


SAME = object()   # a fetch whose words the newest capture already holds: nothing to keep, nothing failed


def _keep(document, fetched, archive: Archive, staging: Path, room: int, not_found) -> tuple[str, Capture | object | None]:
    """What to say about one document, and its new capture, SAME, or None when it failed."""
    problem = str(fetched) if isinstance(fetched, ArchiveError) else _refusal(fetched, room, not_found)
    if problem:
        return f"{document.id}：{document.url} {problem}", None
    latest = archive.latest(document.id, document.url)
    if any(c.stamp == _stamp(fetched.requested_at) for c in archive.captures.get(document.id, [])):
        return f"{document.id}：同一秒内已有一份存档，未另存。", SAME   # its folder is named by the second
    made = capture(fetched, document.id, staging)
    if latest and same_words(latest.text_sha256, latest.raw_sha256, made.text_sha256, made.raw_sha256):
        shutil.rmtree(staging / document.id / made.stamp)
        return f"{document.id}：内容与 {latest.saved_on} 的存档相同，未另存。", SAME
    empty = "；注意：未找到正文文字（可能是靠脚本显示的页面或扫描件），请打开原网页核对" if made.text_sha256 == EMPTY_TEXT else ""
    return f"{document.id}：已存档（{made.size / 1024:.1f} KB）{empty}。", made


def _refusal(fetched: Fetched, room: int, not_found: NotFoundPages) -> str | None:
    if fetched.left_to is not None:
        where = host_of(fetched.left_to) if _linkable(fetched.left_to) else "无效地址"
        return f"{'永久' if fetched.permanently_moved else ''}跳转到官方域名之外（{where}），未存档"
    if fetched.status >= 400:
        return f"答复 HTTP {fetched.status}，未存档"
    if not fetched.is_pdf:
        title, paragraphs, _ = page_text(fetched.body, fetched.content_type)
        if reason := gone_reason(bool(fetched.hops), fetched.final_url, fetched.status, title, paragraphs, not_found):
            return f"原文似已不存在：{reason}，未存档"
    if len(fetched.body) > room:
        return "存档总量将超过上限，未存档；请提高上限（--total-limit）或清理旧存档"
    return None


def _commit(archive: Archive, new: dict[str, Capture], staging: Path) -> None:
    """Move finished captures into archive/, then replace the index: a reader sees all of a run or none."""
    if not new:
        return
    for document_id, made in new.items():
        (archive.root / document_id).mkdir(parents=True, exist_ok=True)
        os.replace(staging / document_id / made.stamp, archive.root / document_id / made.stamp)
        archive.captures.setdefault(document_id, []).append(made)
    write_json(archive.root / "index.json",
               {i: [asdict(c) for c in captures] for i, captures in sorted(archive.captures.items())})


def prune(root: Path, document_ids: set[str], say=print) -> int:
    """Drop the captures and verdicts of documents no longer in documents.yaml (renamed or removed ids)."""
    problems: list[Problem] = []
    archive = load(root, problems)
    if problems:
        for problem in sorted(problems):
            say(str(problem))
        return 1
    gone = sorted((set(archive.captures) | set(archive.checks)) - document_ids)
    for document_id in gone:
        archive.captures.pop(document_id, None)
        archive.checks.pop(document_id, None)
    if gone:
        write_json(root / "index.json", {i: [asdict(c) for c in cs] for i, cs in sorted(archive.captures.items())})
        write_json(root / "checks.json", {i: asdict(c) for i, c in sorted(archive.checks.items())})
        for document_id in gone:   # the index no longer names them: remove their files after it (ids are validated)
            shutil.rmtree(root / document_id, ignore_errors=True)
    say(f"已从存档中删除 {len(gone)} 件已不在登记表中的文件：{'、'.join(gone) or '无'}。")
    return 0
