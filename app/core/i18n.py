"""Language choice and the Vietnamese formats for dates and numbers."""

from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cache

from babel.numbers import format_decimal, format_percent, get_decimal_symbol, get_group_symbol
from flask import abort, current_app, g, has_request_context, request
from flask_babel import Babel, Domain, get_locale, get_translations, to_user_timezone
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup
from werkzeug.utils import cached_property

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


# Each language's catalogue by the locale Flask-Babel chose for the request (the app has one
# catalogue domain, "messages"); filled by RequestDomain, read by ``translations``.
_CATALOGUES: dict = {}


class RequestDomain(Domain):
    """Flask-Babel's catalogue lookup, in two steps once the request's language is known.
    Flask-Babel finds the catalogue anew at every string (the request globals looked up nine
    times and the locale turned into text: some 8 µs, and a page asks for dozens of strings);
    this keeps each language's catalogue by its locale and reads the locale Flask-Babel already
    chose for the request, so ``force_locale`` and ``refresh`` are followed as before."""

    def get_translations(self):
        try:
            return _CATALOGUES[g._flask_babel.babel_locale]
        except (AttributeError, KeyError, RuntimeError):  # first string of a request, or no app context
            pass
        translations = super().get_translations()
        if g:  # an app context: get_locale() has chosen the language
            _CATALOGUES[get_locale()] = translations
        return translations


class AppBabel(Babel):
    """Flask-Babel with the app's catalogue lookup (RequestDomain)."""

    @cached_property
    def domain_instance(self):
        return RequestDomain(domain=self.domain)


def translations():
    """The request's catalogue: one lookup of the request globals once the language is known
    (outside a request, the default language's)."""
    try:
        return _CATALOGUES[g._flask_babel.babel_locale]
    except (AttributeError, KeyError, RuntimeError):
        return get_translations()


def _formatted(context, text: str, variables: dict) -> str:
    if context.eval_ctx.autoescape:
        text = Markup(text)
    # Without variables and without '%', formatting would give the same text back.
    return text % variables if variables or "%" in text else text


# Templates' _(), gettext() and the rest, as Jinja's newstyle gettext writes them (the text
# escaped when autoescaping, ``%`` always applied), through ``translations``. The catalogue is
# not kept on the render's context: an imported macro's context lives as long as the process.
@pass_context
def _template_gettext(context, string: str, /, **variables) -> str:
    return _formatted(context, translations().ugettext(string), variables)


@pass_context
def _template_ngettext(context, singular: str, plural: str, num: int, /, **variables) -> str:
    variables.setdefault("num", num)
    return _formatted(context, translations().ungettext(singular, plural, num), variables)


@pass_context
def _template_pgettext(context, message_context: str, string: str, /, **variables) -> str:
    variables.setdefault("context", message_context)
    return _formatted(context, translations().upgettext(message_context, string), variables)


@pass_context
def _template_npgettext(context, message_context: str, singular: str, plural: str, num: int, /,
                        **variables) -> str:
    variables.setdefault("context", message_context)
    variables.setdefault("num", num)
    return _formatted(context, translations().unpgettext(message_context, singular, plural, num), variables)


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


class Numbers:
    """Counts and shares in one locale's symbols, resolved once: what the number filters use,
    and what a page printing a thousand figures (a province's service matrix) holds on to
    instead of asking for the locale at every figure. Babel's pattern machinery costs 50 to
    100 µs a figure; for counts and ordinary shares these give the same text (a test compares
    them with Babel) and leave the rest to Babel."""

    def __init__(self, locale):
        self.locale = locale
        self.group = get_group_symbol(locale)
        self.decimal = get_decimal_symbol(locale)

    def count(self, value) -> str:
        """1.234.567 in Vietnamese, 1,234,567 in English; '—' when there is no data."""
        if value is None:
            return "—"
        if type(value) is int and value >= 0:
            return f"{value:,}".replace(",", self.group)
        return format_decimal(value, locale=self.locale)

    def share(self, value: float | None) -> str:
        """A share as a percentage (5,5% in Vietnamese); '—' without a denominator."""
        if value is None:
            return "—"
        if 0 < value < 0.0005:  # a few households of a province: not "0%"
            return "< " + format_percent(0.001, SHARE_PATTERN, locale=self.locale)
        if 0 <= value < 10**6:
            # Babel's own rounding: half to even, on the decimal text of the float.
            tenths = (Decimal(str(value)) * 1000).quantize(ONE, ROUND_HALF_EVEN)
            return self._tenths(int(tenths))
        return format_percent(value, SHARE_PATTERN, locale=self.locale)

    def share_of(self, part: int, whole: int) -> str:
        """``part / whole`` as ``share`` writes it, from the two counts: integer arithmetic
        rounds the exact fraction half to even, which is what Babel does to its float for any
        whole under a billion (the float's decimal text sits on the same side of every half),
        at a tenth of the cost (a province's matrix has over a thousand shares)."""
        if not whole:
            return "—"
        if part < 0 or whole < 0 or whole >= 10**9 or part >= whole * 10**6:
            return self.share(part / whole)
        if 0 < part * 2000 < whole:
            return self.share(part / whole)
        tenths, rest = divmod(part * 1000, whole)
        if 2 * rest > whole or (2 * rest == whole and tenths % 2):
            tenths += 1
        return self._tenths(tenths)

    def _tenths(self, tenths: int) -> str:
        whole, tenth = divmod(tenths, 10)
        shown = f"{whole:,}".replace(",", self.group)
        return f"{shown}{self.decimal}{tenth}%" if tenth else f"{shown}%"


SHARE_PATTERN = "#,##0.#%"
ONE = Decimal(1)


@cache
def _numbers(locale) -> Numbers:
    return Numbers(locale)


def numbers() -> Numbers:
    """The number formats of the request's language."""
    return _numbers(get_locale())


def format_number(value) -> str:
    """1.234.567 in Vietnamese, 1,234,567 in English; '—' when there is no data."""
    return numbers().count(value)


def format_share(value: float | None) -> str:
    """A share as a percentage in the locale (5,5% in Vietnamese); '—' without a denominator."""
    return numbers().share(value)


@pass_context
def _number_filter(context, value) -> str:
    return _formats(context).count(value)


@pass_context
def _share_filter(context, value) -> str:
    return _formats(context).share(value)


def _formats(context) -> Numbers:
    """The number formats of one template's render, looked up once: a province's page prints
    hundreds of figures, and asking Flask-Babel for the locale costs more than writing one."""
    try:
        return context.numbers_of_render
    except AttributeError:
        context.numbers_of_render = found = numbers()
        return found


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale else "vi"


def register(app) -> None:
    app.before_request(read_lang_param)
    app.after_request(remember_lang)
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.filters["day_time"] = format_day_time
    app.jinja_env.filters["number"] = _number_filter
    app.jinja_env.filters["percent"] = _share_filter
    app.jinja_env.globals["current_language"] = current_language
    app.jinja_env.globals.update(_=_template_gettext, gettext=_template_gettext, ngettext=_template_ngettext,
                                 pgettext=_template_pgettext, npgettext=_template_npgettext)
