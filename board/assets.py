"""Static files with versioned names: `url_for('static', …)` adds `?v=<content hash>`, so a file can
be cached for a year (nginx `expires max`, or this app itself) and a changed file is a new address."""
import hashlib
import os

from flask import Flask, Response, current_app, request

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


def init_app(app: Flask) -> None:
    app.url_defaults(_add_version)
    app.after_request(_cache_versioned)
