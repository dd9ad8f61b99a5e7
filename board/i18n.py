"""Language: the resident's profile, else the language picked in the footer, else the browser's.

Residents choose "en" or "zh_CN"; Babel reads zh_CN as zh_Hans_CN (Simplified Chinese, China),
which is why the Chinese catalogue lives in translations/zh_Hans_CN.
"""
import math
from datetime import date, datetime, timedelta
from functools import lru_cache

from babel.dates import format_timedelta
from flask import Flask, current_app, g, request, session
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user
from jinja2 import pass_context
from sqlalchemy import inspect

from board.demo_text import TEXTS
from board.extensions import babel
from board.models import utcnow

LANGUAGE_NAMES = {"en": "English", "zh_CN": "中文"}

# Dates as each language writes them (CLDR's "short" gives 12/5/26, 3:42 AM): 24-hour, day and month in words.
WHEN = {"zh": ("M月d日 HH:mm", "yyyy年M月d日 HH:mm"), "en": ("d MMM HH:mm", "d MMM yyyy HH:mm")}
DAY = {"zh": "yyyy年M月d日", "en": "d MMM yyyy"}


def select_locale() -> str:
    """The language code ("en" or "zh_CN") for this request."""
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("lang") in languages:
        return session["lang"]
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def locale_without_database() -> str:
    """The language for a page shown when the database cannot be asked (the 503): the profile's if
    this request already loaded it, else the footer's choice, else the browser's."""
    languages = current_app.config["LANGUAGES"]
    user = g.get("_login_user")  # Flask-Login's cache; current_user itself would load the user
    if user is not None and getattr(user, "is_authenticated", False):
        # The attribute as loaded, without a refresh from the database (an expired one reads None).
        locale = inspect(user).dict.get("locale")
        if locale in languages:
            return locale
    if session.get("lang") in languages:
        return session["lang"]
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def _language() -> str:
    return "zh" if str(get_locale()).startswith("zh") else "en"


def ago(moment, locale: str | None = None, now=None) -> str:
    """'12 minutes ago' in the viewer's language (or `locale`'s, when the caller knows it already; `now`
    likewise, when it asks for many)."""
    # Whole seconds, rounded down: a moment just past stays in the past ("1 minute ago", not "in 0 minutes").
    return _ago(locale or str(get_locale()), math.floor((moment - (now or utcnow())).total_seconds()))


@lru_cache(maxsize=4096)
def _ago(locale: str, seconds: int) -> str:
    # Babel's wording costs ~20 µs; a board of 50 cards asks it the same few questions within a second.
    return format_timedelta(timedelta(seconds=seconds), granularity="minute", add_direction=True, locale=locale)


def when(moment: datetime) -> str:
    """A moment in the community's time zone: 12月5日 15:42 / 5 Dec 15:42 (the year only when it is not this one)."""
    this_year, other_year = WHEN[_language()]
    pattern = this_year if moment.year == utcnow().year else other_year
    return format_datetime(moment, pattern)


def day(value: date) -> str:
    """A calendar date (an expiry date): 2027年3月1日 / 1 Mar 2027."""
    return format_date(value, DAY[_language()])


def local(value):
    """Text the demo community was seeded with, in the reader's language (board/demo_text.py); anything else as is."""
    if isinstance(value, str):
        pair = TEXTS.get(value)
        if pair is not None:
            return pair[0] if _language() == "zh" else pair[1]
    return value


def html_lang(locale) -> str:
    return str(locale).replace("_", "-")


PLAIN_TEXTS_KEPT = 5000


def _localising(translate):
    """Jinja's _() and ngettext() with demo texts among their values shown in the reader's language.

    A text without variables is translated once per language and kept (a page's frame asks for the
    same dozen on every request; the catalogues do not change while the app runs)."""
    plain: dict = {}

    @pass_context
    def wrapper(context, *args, **variables):
        if variables or len(args) != 1:
            return translate(context, *args, **{k: local(v) for k, v in variables.items()})
        key = (str(get_locale()), context.eval_ctx.autoescape, args[0])
        try:
            found = plain.get(key)
        except TypeError:  # not a text (nothing a template writes): translated as it comes
            return translate(context, *args)
        if found is None:
            found = translate(context, *args)
            if len(plain) < PLAIN_TEXTS_KEPT:
                plain[key] = found
        return found

    return wrapper


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    from board.units import amount, left

    env = app.jinja_env
    for name in ("gettext", "_", "ngettext"):
        env.globals[name] = _localising(env.globals[name])
    # Every {{ value }} passes here: a seeded demo text is swapped for the reader's language.
    env.finalize = local
    env.filters.update(ago=ago, when=when, day=day, html_lang=html_lang, local=local)
    env.globals.update(
        get_locale=get_locale, format_datetime=format_datetime, current_language=select_locale,
        amount=amount, units_left=left,
    )
    env.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES
