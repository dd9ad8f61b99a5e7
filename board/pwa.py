"""On the home screen: the web app manifest, the service worker and the page it shows offline.

The worker keeps the static files (versioned names, so a new deploy is a new cache) and one
offline page, fetched without cookies so nothing personal is in it. It never stores a page: every
navigation goes to the network, and only when the network fails does the offline page answer.
The live stream and every POST pass by untouched.
"""
import hashlib
import json
import os

from flask import Blueprint, Flask, Response, current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from board.i18n import select_locale

bp = Blueprint("pwa", __name__)
THEME = "#9a3412"
PAPER = "#fffdf8"
ICONS = [("icons/icon-192.png", "192x192", "any"), ("icons/icon-512.png", "512x512", "any"),
         ("icons/icon-maskable-512.png", "512x512", "maskable")]


def precached() -> list[str]:
    """The static files every page needs, at their versioned addresses."""
    names = ["css/board.css", "css/box.css", "js/live.js", "js/app.js", "vendor/htmx-2.0.11.min.js",
             "vendor/htmx-ext-sse-2.2.4.js", "favicon.svg"] + [icon for icon, _size, _purpose in ICONS]
    return [url_for("static", filename=name) for name in names
            if os.path.exists(os.path.join(current_app.static_folder, name))]


@bp.get("/manifest.webmanifest")
def manifest():
    """The app's name, icons and colours, in the reader's language."""
    body = {
        "name": _("Doorstep — neighbours helping neighbours"),
        "short_name": _("Doorstep"),
        "description": _("Post what you need or what you can spare; a neighbour leaves it on your door handle."),
        "lang": select_locale().replace("_", "-"),
        "start_url": url_for("cards.board"),
        "scope": "/",
        "display": "standalone",
        "background_color": PAPER,
        "theme_color": THEME,
        "icons": [{"src": url_for("static", filename=icon), "sizes": size, "type": "image/png", "purpose": purpose}
                  for icon, size, purpose in ICONS],
    }
    response = Response(json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json")
    response.headers["Cache-Control"] = "no-cache"
    response.vary.update(("Cookie", "Accept-Language"))
    return response


@bp.get("/sw.js")
def service_worker():
    """The service worker, at the root so that it looks after every page; its cache is named after the files it keeps."""
    files = precached()
    version = hashlib.sha256("\n".join(files).encode()).hexdigest()[:10]
    script = render_template("pwa/sw.js", files=files, version=version, offline=url_for("pwa.offline"),
                             static=current_app.static_url_path + "/", live=url_for("live.stream").rsplit("/", 1)[0])
    response = Response(script, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/offline")
def offline():
    """What the app shows without a network: the same for everyone, in both languages."""
    texts = []
    for code in current_app.config["LANGUAGES"][::-1]:
        with force_locale(code):
            texts.append({"lang": code.replace("_", "-"), "title": _("No connection"),
                          "body": _("Your phone is offline. Doorstep will be back when the network is."),
                          "retry": _("Try again")})
    response = Response(render_template("pwa/offline.html", texts=texts))
    response.headers["Cache-Control"] = "no-cache"
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
