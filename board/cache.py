"""A small least-recently-used cache per process, for HTML that never goes stale.

Its keys name everything the value was made from (a card's version, a language), so an entry is
never invalidated, only forgotten when the cache is full: no other process needs telling, no
service needs to be running, and a hit is one dict lookup.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable


class LRUCache:
    """At most `size` entries; the least recently used one goes first."""

    def __init__(self, size: int = 2000):
        self.size = size
        self._items: OrderedDict[Hashable, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> str | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value: str) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


def app_cache(name: str, size: int | None = None) -> LRUCache:
    """This app's cache called `name` (each app its own: tests never share one), of `size` entries
    (by default CARD_CACHE_SIZE)."""
    from flask import current_app

    app = current_app._get_current_object()
    caches = app.extensions.setdefault("html_caches", {})
    if name not in caches:
        caches[name] = LRUCache(size or app.config.get("CARD_CACHE_SIZE", 5000))
    return caches[name]
