"""Language: the resident's profile, else the language picked in the footer, else the browser's.

Residents choose "en" or "zh_CN"; Babel reads zh_CN as zh_Hans_CN (Simplified Chinese, China),
which is why the Chinese catalogue lives in translations/zh_Hans_CN.
"""
from flask import Flask, current_app, g, request, session
from flask_babel import format_datetime, format_timedelta, get_locale
from flask_login import current_user
from sqlalchemy import inspect

from board.extensions import babel
from board.models import utcnow

LANGUAGE_NAMES = {"en": "English", "zh_CN": "中文"}


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


def ago(moment) -> str:
    """'12 minutes ago' in the viewer's language."""
    return format_timedelta(moment - utcnow(), granularity="minute", add_direction=True)


def html_lang(locale) -> str:
    return str(locale).replace("_", "-")


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters["ago"] = ago
    app.jinja_env.globals.update(
        get_locale=get_locale, format_datetime=format_datetime, current_language=select_locale
    )
    app.jinja_env.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES
    app.jinja_env.filters["html_lang"] = html_lang
