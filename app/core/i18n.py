"""Language choice and the Vietnamese formats for dates and numbers."""

from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cache

from babel.numbers import get_decimal_symbol, get_group_symbol
from flask import abort, current_app, g, has_request_context, request
from flask_babel import format_decimal, format_percent, get_locale, to_user_timezone
from flask_babel import lazy_gettext as _l
from flask_login import current_user

LANG_COOKIE = "lang"


def select_locale() -> str:
    """?lang first, then this browser's cookie, then the signed-in user's profile (a new
    device), then Vietnamese."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = g.get("chosen_lang")
    if chosen:
        return chosen
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in languages:
        return cookie
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def read_lang_param() -> None:
    """Before each request: accept ?lang=vi|en, refuse anything else with a 400."""
    lang = request.args.get("lang")
    if lang is None:
        return
    if lang not in current_app.config["LANGUAGES"]:
        abort(400, description=_l("Unknown language. Choose Tiếng Việt (vi) or English (en)."))
    g.chosen_lang = lang


def remember_lang(response):
    """After a ?lang request: keep the choice in this browser's cookie. A GET changes nothing
    stored: the profile's language changes only through its form."""
    lang = g.get("chosen_lang")
    if lang:
        response.set_cookie(
            LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
            secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        )
    return response


def format_day(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = to_user_timezone(value)
    return value.strftime("%d/%m/%Y")


def format_day_time(value: datetime | None) -> str:
    if value is None:
        return "—"
    return to_user_timezone(value).strftime("%d/%m/%Y %H:%M")


def format_number(value) -> str:
    """1.234.567 in Vietnamese, 1,234,567 in English; '—' when there is no data."""
    if value is None:
        return "—"
    if type(value) is int and value >= 0:
        # A count, the common case (a province's table prints hundreds): Babel's pattern
        # machinery costs ~50 µs a number; the locale's group symbol gives the same text.
        return f"{value:,}".replace(",", _group_symbol(str(get_locale())))
    return format_decimal(value)


@cache
def _group_symbol(locale: str) -> str:
    return get_group_symbol(locale)


def format_share(value: float | None) -> str:
    """A share as a percentage in the locale (5,5% in Vietnamese); '—' without a denominator."""
    if value is None:
        return "—"
    if 0 < value < 0.0005:  # a few households of a province: not "0%"
        return "< " + format_percent(0.001, SHARE_PATTERN)
    if 0 <= value < 10**6:
        # The common case (a province's matrix prints hundreds): Babel's pattern machinery
        # costs ~100 µs a share; its own rounding (half to even, on the decimal text of the
        # float) and the locale's symbols give the same text.
        tenths = (Decimal(str(value)) * 1000).quantize(ONE, ROUND_HALF_EVEN)
        whole, tenth = divmod(int(tenths), 10)
        locale = str(get_locale())
        shown = f"{whole:,}".replace(",", _group_symbol(locale))
        return f"{shown}{_decimal_symbol(locale)}{tenth}%" if tenth else f"{shown}%"
    return format_percent(value, SHARE_PATTERN)


SHARE_PATTERN = "#,##0.#%"
ONE = Decimal(1)


@cache
def _decimal_symbol(locale: str) -> str:
    return get_decimal_symbol(locale)


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale else "vi"


def register(app) -> None:
    app.before_request(read_lang_param)
    app.after_request(remember_lang)
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.filters["day_time"] = format_day_time
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.filters["percent"] = format_share
    app.jinja_env.globals["current_language"] = current_language
