"""The lobby poster: the join link as a QR code drawn on the server (inline SVG, nothing for the CSP to
refuse) and the poster's words in both languages, the reader's first."""
import segno
from flask import Flask, current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup

from board.i18n import local, select_locale


def qr_svg(url: str, title: str) -> Markup:
    """An SVG QR code of `url` that scales with its box; dark on white for a printer and a phone's camera."""
    svg = segno.make(url, error="m").svg_inline(scale=1, border=4, omitsize=True, dark="#000", light="#fff",
                                                title=title, svgclass="qr-code")
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))


def poster_texts(community, join_url: str) -> list[dict]:
    """The poster's lines in each language, the reader's own first."""
    mine = select_locale()
    codes = [mine] + [code for code in current_app.config["LANGUAGES"] if code != mine]
    texts = []
    for code in codes:
        with force_locale(code):
            texts.append({
                "lang": code.replace("_", "-"),
                "name": local(community.name),
                "invite": _("Need something, or have something to spare? Join your neighbours on Doorstep."),
                "scan": _("Scan the code with your phone's camera, or open %(url)s and enter the invite code:", url=join_url),
            })
    return texts


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(qr_svg=qr_svg, poster_texts=poster_texts)
