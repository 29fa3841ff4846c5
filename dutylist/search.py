"""Search indexing work done in the worker process (see hooks/search_index.py), and Chinese segmentation.

Module-level functions, so the worker can be handed them by name.
"""

from __future__ import annotations

import functools
import json
import os
import re
import signal
import threading
import time


def start_worker() -> None:
    """The worker's initializer. Ctrl-C, `kill -- -PGID` and a closed terminal reach the whole process group:
    the parent shuts the worker down cleanly, so the worker itself ignores them (else it prints a traceback of
    its own). Should the parent die without shutting it down, the worker exits too."""
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    tile_compounds()


def _exit_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def index_page(config: dict, page) -> list[dict]:
    """Material's index entries for one page."""
    from material.plugins.search.plugin import SearchIndex

    index = SearchIndex(**config)
    index.add_entry_from_context(page)
    return index.entries


def load_dictionary() -> None:
    import jieba

    jieba.setLogLevel(jieba.logging.WARNING)
    jieba.initialize()


def tile_compounds() -> None:
    """Index Chinese compounds by their parts too (环境保护 → 环境 保护), so a search for 保护 finds them; segment
    text in traditional characters as its simplified form (jieba's dictionary is simplified), keeping its own
    characters in the index: the index shows the text as published, and the worker maps words to one form."""
    import jieba

    if getattr(jieba.cut, "tiled", False):
        return
    coarse = jieba.cut

    @functools.lru_cache(maxsize=None)  # words repeat across pages: segment each distinct word once
    def parts(word: str) -> tuple[str, ...]:
        return tuple(_tile(word, [w for w in jieba.cut_for_search(word) if w != word]))

    def fine(text, *args, **kwargs):
        original = text.decode("utf-8") if isinstance(text, bytes) else text
        pos = 0
        # simplified() maps one character to one: the words of the simplified text are slices of the original
        for word in coarse(simplified(original), *args, **kwargs):
            for part in parts(word):
                yield original[pos:pos + len(part)]
                pos += len(part)

    fine.tiled = True
    jieba.cut = fine


def _tile(word: str, parts: list[str]) -> list[str]:
    """Split a word into known sub-words, longest first, or keep it whole when they do not cover it."""
    parts = sorted(parts, key=len, reverse=True)
    out, pos = [], 0
    while pos < len(word):
        part = next((p for p in parts if word.startswith(p, pos)), None)
        if part is None:
            return [word]
        out.append(part)
        pos += len(part)
    return out or [word]


# Material 9.8's search worker splits a Chinese query into words of the index, with two slips: its loop stops one
# character short (`o<t.length`), so the last word of every query is dropped (法治督察 searched 法治 alone and ranked
# pages by 法治); and it joins the words with "* " before adding "*" to each, so all but the last carry a stray "*"
# and are never highlighted. `fixed_worker` mends both in the built worker script.
WORKER_FIXES = [
    ("for(let o=s+1;o<t.length;o++)t.slice(s,o)in e", "for(let o=s+1;o<=t.length;o++)t.slice(s,o)in e"),
    ('[...fe(s,this.index.invertedIndex)].join("* ")', '[...fe(s,this.index.invertedIndex)].join(" ")'),
]


def fixed_worker(script: str) -> str | None:
    """The worker script with both slips mended, or None when either is not found (another Material version)."""
    return _mended(script, WORKER_FIXES)


def _mended(script: str, fixes: list[tuple[str, str]]) -> str | None:
    """Each (broken, fixed) applied once, skipped where already applied; None when a place to change is not found
    exactly once (another Material version)."""
    for broken, fixed in fixes:
        if fixed in script:
            continue
        if script.count(broken) != 1:
            return None
        script = script.replace(broken, fixed)
    return script


# --- traditional and simplified characters ------------------------------------------------------------------
# A reader may search 兩個確立 or 两个确立 for either text. OpenCC's t2s table (the `opencc` package, the OpenCC
# project's own binding, Apache-2.0) maps each traditional character to its simplified form, one for one. Both the
# index and the query are mapped to the simplified form, character by character and without phrase context, so
# that the two sides always agree (乾 maps as it does alone, on both sides). The index keeps the text as
# published; the mapping is applied to its words by the browser's search worker, which gets a table of the pairs
# whose simplified character occurs on the site (`worker_table`): a pair whose character is nowhere in the index
# could not make a query match anything.

_HAN_RANGES = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00), (0x20000, 0x2A6E0))


@functools.cache
def simplified_table() -> dict[int, str]:
    """Code point of each traditional character → its simplified character (closed: no target maps again)."""
    import opencc

    convert = opencc.OpenCC("t2s").convert
    table = {}
    for start, end in _HAN_RANGES:
        for code in range(start, end):
            found = convert(chr(code))
            if found != chr(code) and len(found) == 1:
                table[code] = found
    for code, target in table.items():
        while ord(target) in table and table[ord(target)] != target:
            target = table[ord(target)]
        table[code] = target
    return table


def simplified(text: str) -> str:
    """The text with every traditional character in its simplified form; the same length, character for character."""
    return text.translate(simplified_table())


def worker_table(index_text: str) -> str:
    """Pairs "繁简繁简…" for the worker: the traditional characters whose simplified form occurs in the index."""
    present = set(simplified(index_text))
    return "".join(chr(code) + target for code, target in simplified_table().items() if target in present)


# The worker maps every indexed word and every query to the simplified form: a function defined before the theme's
# script (marked, so a second build replaces it), a pipeline step of the index, and the query's first step.
_PRELUDE = re.compile(r"/\*dl-hans\*/.*?/\*/dl-hans\*/\n", re.S)
SIMPLIFIED_FIXES = [
    (r'search(e){if(e=e.replace(new RegExp("\\p{sc=Han}+","gu")',
     r'search(e){if(e=dlHans(e),e=e.replace(new RegExp("\\p{sc=Han}+","gu")'),
    ('this.ref("location");',
     '(lunr.Pipeline.registeredFunctions.dlHans||lunr.Pipeline.registerFunction(dlHansToken,"dlHans")),'
     'this.pipeline.add(dlHansToken),this.searchPipeline.add(dlHansToken),this.ref("location");'),
]


def simplified_worker(script: str, pairs: str) -> str | None:
    """The worker script mapping traditional characters to simplified by `pairs`, or None when the places to
    change are not found (another Material version). Applying it again replaces the table."""
    script = _mended(script, SIMPLIFIED_FIXES)
    if script is None:
        return None
    prelude = ("/*dl-hans*/var dlHans=(function(p){var m=new Map,c=Array.from(p);for(var i=0;i<c.length;i+=2)"
               "m.set(c[i],c[i+1]);return function(s){var o=\"\";for(var ch of String(s))o+=m.get(ch)||ch;return o}})("
               + json.dumps(pairs, ensure_ascii=False)
               + ");function dlHansToken(t){return t.update(function(s){return dlHans(s)})}/*/dl-hans*/\n")
    script = _PRELUDE.sub("", script)
    strict = '"use strict";'   # stays the script's first statement, or the theme's code would run unstrict
    head = strict if script.startswith(strict) else ""
    return head + prelude + script[len(head):]
