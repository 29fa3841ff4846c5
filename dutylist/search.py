"""Search indexing work done in the worker process (see hooks/search_index.py), and Chinese segmentation.

Module-level functions, so the worker can be handed them by name.
"""

from __future__ import annotations

import functools
import os
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
    """Index Chinese compounds by their parts too (环境保护 → 环境 保护), so a search for 保护 finds them."""
    import jieba

    if getattr(jieba.cut, "tiled", False):
        return
    coarse = jieba.cut

    @functools.lru_cache(maxsize=None)  # words repeat across pages: segment each distinct word once
    def parts(word: str) -> tuple[str, ...]:
        return tuple(_tile(word, [w for w in jieba.cut_for_search(word) if w != word]))

    def fine(text, *args, **kwargs):
        for word in coarse(text, *args, **kwargs):
            yield from parts(word)

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
    for broken, fixed in WORKER_FIXES:
        if fixed in script:
            continue
        if script.count(broken) != 1:
            return None
        script = script.replace(broken, fixed)
    return script
