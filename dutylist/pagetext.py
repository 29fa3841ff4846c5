"""The words of a fetched document: an HTML page's main text or a PDF's text, and their fingerprint.

Both the archiver and the link checker judge a document on these words, and the build shows them, so one
function (`page_text`) turns a body into them everywhere.
"""

from __future__ import annotations

import functools
import hashlib
import io
import logging
import re
import unicodedata

from charset_normalizer import from_bytes

# Visit counters and the like, which change without the document changing.
COUNTERS = re.compile(r"(浏览|访问|阅读|点击)(次数|量|数)?\s*[:：]?\s*\d+\s*次?")
# Below this many characters, readability's guess of the main text is not trusted: a short notice is often
# dropped whole, and its words would then never be compared.
SHORT_TEXT = 500
# Parts of a page that are the portal's, not the document's, when the whole body is read.
BOILERPLATE = re.compile(r"nav|menu|foot|header|sidebar|breadcrumb|crumb|copyright|banner|share", re.I)
HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
BLOCKS = ("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section", "article", "td",
          "dd", "dt", "blockquote", "pre")
MAX_PDF_PAGES = 2000

logging.getLogger("pypdf").setLevel(logging.CRITICAL + 1)   # a damaged PDF is judged on its bytes, silently


def is_pdf(body: bytes, content_type: str) -> bool:
    return "pdf" in content_type.lower() or body.startswith(b"%PDF")


def page_text(body: bytes, content_type: str) -> tuple[str, list[str], str]:
    """(title, paragraphs, text fingerprint) of a body: a PDF's words, or an HTML page's main text."""
    if is_pdf(body, content_type):
        paragraphs = pdf_text(body)
        return "", paragraphs, text_fingerprint(paragraphs)
    html = decode(body, content_type)
    title, paragraphs = readable(html)
    return " ".join(visible(title or title_of(html)).split()), paragraphs, text_fingerprint(paragraphs)


def decode(body: bytes, content_type: str = "") -> str:
    """HTML bytes as text: the declared charset (GB2312/GBK read as their superset GB18030), else detected."""
    declared = re.search(rb"charset\s*=\s*[\"']?([\w-]+)", content_type.encode("latin-1", "replace") + b" " + body[:2048],
                         re.I)
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
    """The page title and its main text as paragraphs: readability-lxml's (the Firefox reader-view heuristic)
    when it found a text of some length, else the visible text of the whole body, less the portal's navigation."""
    html = re.sub(r"^\s*<\?xml[^>]*>", "", html)   # lxml refuses a text that still declares its encoding
    title, main = _readability(html)
    body = body_text(html)
    if text_length(main) < SHORT_TEXT or 3 * text_length(main) < text_length(body):
        main = body
    return title, main


def _readability(html: str) -> tuple[str, list[str]]:
    from lxml import etree
    from lxml import html as lxml_html
    from readability import Document
    from readability.readability import Unparseable

    try:
        page = Document(html)
        title = (page.title() or "").strip()
        main = lxml_html.fromstring(page.summary(html_partial=True))
    except (Unparseable, etree.ParserError, ValueError):   # an empty or unreadable page: no main text
        return "", []
    return ("" if title == "[no-title]" else title), _paragraphs(main)


def body_text(html: str) -> list[str]:
    """The visible text of the page's body, one block a line, without scripts, hidden parts and the portal's
    navigation, header and footer (each only when it is a small part of the page)."""
    from lxml import etree
    from lxml import html as lxml_html

    try:
        root = lxml_html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return []
    for element in root.xpath("//script|//style|//noscript|//template|//head|//*[@hidden]|//*[@aria-hidden='true']"):
        element.drop_tree()
    for element in [e for e in root.iter() if isinstance(e.tag, str) and HIDDEN.search(e.get("style", ""))]:
        element.drop_tree()
    total = text_length([root.text_content()])
    for element in list(root.iter()):
        if not isinstance(element.tag, str) or element.getparent() is None:
            continue
        portal = element.tag in ("nav", "header", "footer", "aside") or BOILERPLATE.search(
            f"{element.get('class', '')} {element.get('id', '')}")
        if portal and 2 * text_length([element.text_content()]) < total:
            element.drop_tree()
    return _paragraphs(root)


def _paragraphs(element) -> list[str]:
    for block in element.iter(*BLOCKS):
        block.tail = "\n" + (block.tail or "")
        if block.tag != "br":
            block.text = "\n" + (block.text or "")
    lines = (" ".join(visible(line).split()) for line in element.text_content().splitlines())
    return [line for line in lines if line]


# Control, format (bidi, zero-width), separator and surrogate characters: nothing a reader sees, and a bidi
# control would reorder the archived text on the page. (Private use stays: GB18030 maps rare characters there.)
INVISIBLE = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


def visible(text: str) -> str:
    """The text without characters a reader cannot see (tabs become spaces)."""
    return text.translate(_invisible_table())


@functools.cache
def _invisible_table() -> dict[int, str | None]:
    """Every invisible code point mapped to nothing: the planes where such characters are assigned (the basic
    plane, plane 1 and plane 14), scanned once."""
    planes = (range(0x10000), range(0x10000, 0x20000), range(0xE0000, 0xE1000))
    table: dict[int, str | None] = {c: None for plane in planes for c in plane
                                    if unicodedata.category(chr(c)) in INVISIBLE}
    table[ord("\t")] = " "
    return table


def pdf_text(body: bytes) -> list[str]:
    """A PDF's words, a line each (none for a scanned or damaged file: it is then judged on its bytes)."""
    from pypdf import PdfReader

    lines: list[str] = []
    try:
        for page in PdfReader(io.BytesIO(body)).pages[:MAX_PDF_PAGES]:
            lines += (page.extract_text() or "").splitlines()
    except Exception:   # pypdf raises many kinds of error on a damaged or hostile file; its words are then unknown
        return []
    lines = [" ".join(visible(line).split()) for line in lines]
    return [line for line in lines if line]


def text_length(paragraphs: list[str]) -> int:
    """Characters of text, spacing left out."""
    return sum(len("".join(p.split())) for p in paragraphs)


def normalised(paragraphs: list[str]) -> str:
    """The words alone: no spacing, one width of punctuation, no visit counters."""
    return "".join(COUNTERS.sub("", unicodedata.normalize("NFKC", "\n".join(paragraphs))).split())


def text_fingerprint(paragraphs: list[str]) -> str:
    """SHA-256 of the text without spacing, punctuation width or visit counters: only a change of words counts."""
    return hashlib.sha256(normalised(paragraphs).encode()).hexdigest()


EMPTY_TEXT = text_fingerprint([])


def title_of(html: str) -> str:
    found = re.search(r"<title[^>]*>(.*?)</title>", html[:65536], re.I | re.S)  # the head; a bounded search
    return " ".join(found.group(1).split()) if found else ""
