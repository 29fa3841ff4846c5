"""MkDocs hook: Material's search index, built on a second core, with Chinese compounds indexed by their parts.

Material's search plugin parses every page's HTML and segments its Chinese with jieba: about a sixth of a
build, plus half a second to load jieba's dictionary. Both run here in one worker process while the main
process renders pages. The worker runs Material's own SearchIndex code, and entries are gathered in page
order, so the index is the same as the plugin's own, byte for byte.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from types import SimpleNamespace

from material.plugins.search.plugin import SearchIndex

from dutylist.search import (fixed_worker, index_page, load_dictionary, simplified_worker, start_worker, tile_compounds,
                             worker_table)

log = logging.getLogger("mkdocs.hooks.search_index")

_pool: ProcessPoolExecutor | None = None   # one worker for the life of the process: jieba loads once per `serve`


def on_startup(command, dirty):
    global _pool
    if _pool is None:
        # fork: the worker starts in milliseconds and inherits everything imported so far. Jieba's dictionary
        # loads with the first real task, in on_config, so a build that fails on its data does not wait for it.
        _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"),
                                    initializer=start_worker)
        # Fork now, before `mkdocs serve` creates its server socket: a worker forked later would hold the
        # listening port open too.
        _pool.submit(int)


def on_shutdown():
    global _pool
    if _pool is not None:
        _pool.shutdown(cancel_futures=True)   # after a failed build, pages still queued are not wanted
        _pool = None


def on_config(config):
    """Swap the search plugin's index (created in its own on_config, which runs first) for the offloaded one."""
    plugin = config.plugins.get("material/search")
    if plugin is None or not plugin.config.enabled:
        return config
    if _pool is None:   # built without the CLI (no on_startup): index in this process, segmented the same way
        tile_compounds()
        return config
    # Hooks run after plugins, in file order: macros.py has read and validated the data by now
    _pool.submit(load_dictionary)   # while this process loads the pages; a no-op once loaded
    plugin.search_index = OffloadedIndex(_pool, **plugin.search_index.config)
    return config


class OffloadedIndex(SearchIndex):
    """Material's SearchIndex, with each page indexed by the worker."""

    def __init__(self, pool: ProcessPoolExecutor, **config):
        super().__init__(**config)
        self._pool = pool
        self._pending: list[Future] = []

    def add_entry_from_context(self, page):
        if (page.meta.get("search") or {}).get("exclude"):
            return
        # Only what SearchIndex reads: a Page itself holds the whole site structure and does not pickle
        stub = SimpleNamespace(url=page.url, title=page.title, content=page.content, toc=page.toc, meta=page.meta)
        self._pending.append(self._pool.submit(index_page, self.config, stub))

    def generate_search_index(self, prev):
        for future in self._pending:
            self.entries.extend(future.result())
        self._pending.clear()
        return super().generate_search_index(prev)


def on_post_build(config):
    """Fix the theme's search worker so a Chinese query searches for all of its words, and so traditional and
    simplified characters find the same pages (see dutylist/search.py)."""
    index = Path(config.site_dir) / "search/search_index.json"
    pairs = None
    if index.is_file():
        docs = json.loads(index.read_text(encoding="utf-8")).get("docs", [])
        text = "".join(f"{d.get('title', '')}{d.get('text', '')}" for d in docs)
        # the worker process holds OpenCC's table already (it segments traditional text by it)
        pairs = _pool.submit(worker_table, text).result() if _pool is not None else worker_table(text)
    for path in (Path(config.site_dir) / "assets/javascripts/workers").glob("search.*.min.js"):
        fixed = fixed_worker(path.read_text(encoding="utf-8"))
        if fixed is not None and pairs is not None:
            fixed = simplified_worker(fixed, pairs)
        if fixed is None:
            log.warning("%s：主题的搜索脚本与预期不符，未能修正中文查询的分词和繁简对应；请核对 mkdocs-material 的版本", path.name)
        else:
            path.write_text(fixed, encoding="utf-8")
