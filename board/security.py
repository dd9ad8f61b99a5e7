"""Response headers that keep every page strict: CSP without inline scripts or styles."""
from flask import Flask, Response, abort, request

CSP = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "style-src 'self'",
        "script-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def _refuse_nul_characters() -> None:
    """U+0000 is never typed by a resident and PostgreSQL cannot store it: a 400, not a 500."""
    for values in (request.args, request.form):
        for _name, items in values.lists():
            if any("\x00" in item for item in items):
                abort(400)


def init_app(app: Flask) -> None:
    app.before_request(_refuse_nul_characters)
    app.after_request(_headers)
