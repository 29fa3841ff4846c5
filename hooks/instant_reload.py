"""MkDocs hook: `mkdocs serve` shows a saved edit sooner.

- MkDocs watches files by polling them every half second, up to half of an editor's wait between saving a
  YAML file and seeing the page. The operating system's file events (inotify on Linux, FSEvents on macOS,
  through watchdog's native observer) arrive as the file is written.
  Only events that change a file's content count (created, modified, deleted, moved): the native observer also
  reports a file being opened and closed, and every build opens the files it watches, so each build would
  trigger the next one.
- Every rebuild makes a new theme environment and compiles Material's hundred-odd templates again, a third of
  a rebuild of this site. Compiled templates are kept in memory for the life of the process; Jinja checks
  each one against its source, so an edited template is compiled afresh.
"""

from __future__ import annotations

import logging

import jinja2
import watchdog.observers
from watchdog import events
from watchdog.events import FileSystemEventHandler

log = logging.getLogger("mkdocs.hooks.instant_reload")


class _MemoryBytecodeCache(jinja2.BytecodeCache):
    def __init__(self):
        self._compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self._compiled:
            bucket.bytecode_from_string(self._compiled[bucket.key])

    def dump_bytecode(self, bucket):
        self._compiled[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _MemoryBytecodeCache()


def on_env(env, config, files):
    env.bytecode_cache = _COMPILED
    return env


def on_serve(server, config, builder):
    # MkDocs has scheduled these two on its polling observer before this event, and everything under
    # `watch:` after it; move the two, and the rest follow onto the native observer.
    watched = [path for path in (config.docs_dir, config.config_file_path) if path]
    try:
        _probe(config.docs_dir)
    except OSError as error:   # e.g. no inotify instances left: polling still works
        log.info(f"Watching files by polling ({error})")
        return server
    native = _ContentObserver()
    for path in watched:
        server.unwatch(path)
    server.observer = native
    for path in watched:
        server.watch(path)
    return server


class _ContentObserver(watchdog.observers.Observer):
    """The native observer, passing on only events that change what a build would read."""

    CONTENT_EVENTS = [events.FileCreatedEvent, events.FileModifiedEvent, events.FileDeletedEvent,
                      events.FileMovedEvent, events.DirCreatedEvent, events.DirDeletedEvent, events.DirMovedEvent]

    def schedule(self, event_handler, path, **options):
        return super().schedule(event_handler, path, **options, event_filter=self.CONTENT_EVENTS)


def _probe(path: str) -> None:
    """Start and stop a native watch, so a failure shows here rather than when the server starts."""
    observer = watchdog.observers.Observer()
    observer.schedule(FileSystemEventHandler(), path, recursive=False)
    observer.start()
    observer.stop()
    observer.join()
