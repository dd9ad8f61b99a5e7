"""Static files with versioned names: `url_for('static', …)` adds `?v=<content hash>`, so a file can
be cached for a year (nginx `expires max`, or this app itself) and a changed file is a new address.

Templates' `url_for` keeps each address it built, per process: a page's frame asks for the same
twenty-odd addresses on every request, and building one (werkzeug's routing) cost more than the
lookup by a hundred times. An address depends only on its endpoint, its values (a static file's
version among them, looked up first) and where the app is mounted, which is all of the key.
"""
import hashlib
import os
from collections import OrderedDict

from flask import Flask, Response, current_app, has_request_context, request

YEAR = 365 * 24 * 3600


def version(filename: str) -> str | None:
    """The first 10 hex digits of the file's SHA-256 (recomputed when the file changes), None if absent."""
    path = os.path.join(current_app.static_folder, filename)
    try:
        stat = os.stat(path)
    except (OSError, ValueError):
        return None
    versions = current_app.extensions.setdefault("static_versions", {})
    key = (filename, stat.st_mtime_ns, stat.st_size)
    if key not in versions:
        with open(path, "rb") as f:
            versions[key] = hashlib.sha256(f.read()).hexdigest()[:10]
    return versions[key]


def _add_version(endpoint: str, values: dict) -> None:
    if endpoint == "static" and "filename" in values and "v" not in values:
        found = version(values["filename"])
        if found:
            values["v"] = found


def _cache_versioned(response: Response) -> Response:
    """Served by the app itself (no nginx in front): a versioned address is cached for a year too."""
    if request.endpoint == "static" and response.status_code == 200:
        filename = (request.view_args or {}).get("filename", "")
        if request.args.get("v") and request.args.get("v") == version(filename):
            response.cache_control.public = True
            response.cache_control.max_age = YEAR
            response.cache_control.immutable = True
            response.expires = None
    return response


ADDRESSES_KEPT = 4096


def _keeping_addresses(app: Flask):
    """The templates' url_for: an address built before is looked up, not built again."""
    build = app.url_for
    kept: OrderedDict = OrderedDict()

    def url_for(endpoint: str, **values):
        if not has_request_context() or any(name.startswith("_") for name in values):
            return build(endpoint, **values)  # _external, _anchor, _scheme, _method: as Flask does it
        if endpoint == "static":
            _add_version(endpoint, values)
        try:
            key = (request.script_root, endpoint, tuple(sorted(values.items())))
            found = kept.get(key)
        except TypeError:  # a value that cannot be a key (a list): built every time
            return build(endpoint, **values)
        if found is None:
            found = kept[key] = build(endpoint, **values)
            if len(kept) > ADDRESSES_KEPT:
                kept.popitem(last=False)
        return found

    return url_for


def init_app(app: Flask) -> None:
    app.url_defaults(_add_version)
    app.after_request(_cache_versioned)
    app.jinja_env.globals["url_for"] = _keeping_addresses(app)
