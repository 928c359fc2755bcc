import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from app.core.i18n import format_day, format_day_time, format_number
from tests.conftest import sign_in

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "app" / "translations" / "vi" / "LC_MESSAGES" / "messages.po"


def read_catalogue():
    with CATALOGUE.open("rb") as handle:
        return read_po(handle, locale="vi")


def test_vietnamese_catalogue_is_complete_and_not_fuzzy():
    catalogue = read_catalogue()
    untranslated = [m.id for m in catalogue if m.id and not (m.string if isinstance(m.string, str) else all(m.string))]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert untranslated == []
    assert fuzzy == []


def extract_messages(directory: Path) -> list:
    """The messages of the code as ``make extract-messages`` finds them (contexts included)."""
    pot = directory / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "_l", "-k", "lazy_pgettext:1c,2", "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    with pot.open("rb") as handle:
        return [m for m in read_po(handle) if m.id]


def _key(message) -> tuple:
    return message.context, message.id if isinstance(message.id, str) else message.id[0]


def test_catalogue_holds_every_message_in_the_code(tmp_path):
    extracted = {_key(m) for m in extract_messages(tmp_path)}
    translated = {_key(m) for m in read_catalogue() if m.id}
    assert extracted - translated == set(), "run `make extract-messages` and translate the new strings"


def test_lang_param_switches_and_is_remembered_in_a_cookie(client, world):
    response = client.get("/login?lang=en")
    assert response.status_code == 200
    assert '<html lang="en">' in response.get_data(as_text=True)
    assert "lang=en" in response.headers["Set-Cookie"]
    again = client.get("/login")
    assert "Sign in" in again.get_data(as_text=True)
    back = client.get("/login?lang=vi")
    assert "Đăng nhập" in back.get_data(as_text=True)


def test_lang_param_changes_no_stored_data(client, world, db):
    """A GET never changes state: ?lang sets this browser's cookie, not the profile."""
    sign_in(client, world["volunteer"])
    page = client.get("/?lang=en")
    assert '<html lang="en">' in page.get_data(as_text=True)
    db.session.refresh(world["volunteer"])
    assert world["volunteer"].locale is None
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)  # the cookie remembers


def test_profile_language_follows_the_user_to_a_new_device(client, world, db):
    sign_in(client, world["volunteer"])
    assert client.post("/account/language", data={"locale": "en"}).status_code == 302
    db.session.refresh(world["volunteer"])
    assert world["volunteer"].locale == "en"
    other = client.application.test_client()
    sign_in(other, world["volunteer"])
    assert '<html lang="en">' in other.get("/").get_data(as_text=True)
    # On a browser that chose Vietnamese, the cookie wins over the profile.
    assert '<html lang="vi">' in other.get("/?lang=vi").get_data(as_text=True)
    assert '<html lang="vi">' in other.get("/").get_data(as_text=True)


def test_unknown_lang_is_400_with_a_clear_message(client):
    response = client.get("/login?lang=fr")
    assert response.status_code == 400
    assert "Ngôn ngữ không được hỗ trợ" in response.get_data(as_text=True)


def test_vietnamese_formats(app):
    with app.test_request_context("/?lang=vi"):
        app.preprocess_request()
        assert format_number(1234567) == "1.234.567"
        assert format_number(None) == "—"
        assert format_day(date(2026, 1, 5)) == "05/01/2026"
        # 20:30 UTC is 03:30 the next day in Hà Tĩnh.
        assert format_day_time(datetime(2026, 1, 5, 20, 30, tzinfo=UTC)) == "06/01/2026 03:30"


def test_english_numbers_keep_dd_mm_yyyy_dates(app):
    with app.test_request_context("/?lang=en"):
        app.preprocess_request()
        assert format_number(1234567) == "1,234,567"
        assert format_day(date(2026, 1, 5)) == "05/01/2026"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_counts_read_as_babel_writes_them(app, lang):
    """format_number's short way for counts gives Babel's text in every language offered."""
    from flask_babel import format_decimal

    assert set(app.config["LANGUAGES"]) == {"vi", "en"}
    with app.test_request_context(f"/?lang={lang}"):
        app.preprocess_request()
        for value in (0, 7, 999, 1000, 1234, 99_999, 1_234_567, 2**31, -1234, 12.5):
            assert format_number(value) == format_decimal(value), value


TEMPLATE_STRINGS = ("{{ _('Saved') }}|{{ gettext('Log another in %(village)s', village='<b>') }}"
                    "|{{ ngettext('%(num)s person', '%(num)s people', 3) }}|{{ pgettext('tab', 'Review') }}"
                    "|{{ ngettext('%(num)s log waiting to be sent', '%(num)s logs waiting to be sent', 1,"
                    " num='{n}') }}")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_templates_translate_as_flask_babel_does(app, lang):
    """Templates find the catalogue once per render (app.core.i18n): the same text as
    Flask-Babel's own functions, arguments escaped, in the request's language."""
    from flask_babel import get_translations, gettext, ngettext, pgettext

    with app.test_request_context(f"/?lang={lang}"):
        app.preprocess_request()
        shown = app.jinja_env.from_string(TEMPLATE_STRINGS).render()
        expected = "|".join((
            gettext("Saved"), gettext("Log another in %(village)s", village="&lt;b&gt;"),
            ngettext("%(num)s person", "%(num)s people", 3), pgettext("tab", "Review"),
            get_translations().ungettext("%(num)s log waiting to be sent", "%(num)s logs waiting to be sent", 1)
            % {"num": "{n}"},
        ))
    assert shown == expected
    assert ("Đã lưu" in shown) == (lang == "vi")


def test_templates_follow_a_forced_language_within_a_request(app):
    """A page rendered under force_locale (a message in the recipient's language) reads that
    language's catalogue, and the request's own afterwards."""
    from flask_babel import force_locale

    with app.test_request_context("/?lang=vi"):
        app.preprocess_request()
        template = app.jinja_env.from_string("{{ _('Saved') }}")
        before = template.render()
        with force_locale("en"):
            forced = template.render()
        after = template.render()
    assert (before, forced, after) == ("Đã lưu", "Saved", "Đã lưu")


def test_an_imported_macro_speaks_each_requests_language(app):
    """Jinja keeps an imported macro's module (and its context) for the life of the process:
    its strings must still be read in each request's language."""
    template = app.jinja_env.from_string(
        "{% from 'macros/pager.html' import pager %}{{ pager('tasks.index', 1, 2) }}")
    shown = []
    for lang in ("vi", "en", "vi"):
        with app.test_request_context(f"/?lang={lang}"):
            app.preprocess_request()
            shown.append(template.render())
    assert ["Trang 1/2" in page for page in shown] == [True, False, True]
    assert "Page 1 of 2" in shown[1]


def test_enum_choices_built_at_import_are_read_in_the_requests_language(app):
    from app.households.forms import ConsentFields

    choices = dict((c.value, c.label) for c in ConsentFields.consent_method.kwargs["choices"])
    with app.test_request_context("/?lang=vi"):
        app.preprocess_request()
        assert str(choices["signed"]) == "Ký xác nhận trên giấy"
    with app.test_request_context("/?lang=en"):
        app.preprocess_request()
        assert str(choices["signed"]) == "Signed on paper"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_shares_read_as_babel_writes_them(app, lang):
    """format_share's short way gives Babel's text, rounding at the half included."""
    from flask_babel import format_percent
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from app.core.i18n import SHARE_PATTERN, format_share

    edges = [0, 0.0005, 0.00051, 0.0015, 0.0025, 0.12345, 0.99949, 0.99951, 1, 12.3456, 123.45, 999_999.9]
    fractions = [n / d for d in (3, 7, 9, 11, 1000, 1999, 2000, 447_140) for n in range(0, d + 1, max(1, d // 40))]
    with app.test_request_context(f"/?lang={lang}"):
        app.preprocess_request()
        for value in edges + fractions:
            if 0 < value < 0.0005:
                continue  # "< 0,1%", not Babel's "0%": test_shares_read_in_the_locale
            assert format_share(value) == format_percent(value, SHARE_PATTERN), value

        @settings(max_examples=300, deadline=None)
        @given(st.floats(min_value=0.0005, max_value=10_000, allow_nan=False))
        def same(value):
            assert format_share(value) == format_percent(value, SHARE_PATTERN), value

        same()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_shares_of_two_counts_read_as_babel_writes_their_fraction(app, lang):
    """Numbers.share_of rounds the exact fraction and gives Babel's text for the float, halves
    included, and the short ways' answers outside them too."""
    from fractions import Fraction

    from flask_babel import format_percent
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from app.core.i18n import SHARE_PATTERN, format_share, numbers

    with app.test_request_context(f"/?lang={lang}"):
        app.preprocess_request()
        formats = numbers()
        halves = [(1, 2000), (3, 2000), (5, 2000), (1, 8), (5, 16), (7, 400), (447_140 // 2, 447_140)]
        for part, whole in halves:
            assert Fraction(part * 1000, whole).denominator in (1, 2)
            assert formats.share_of(part, whole) == format_percent(part / whole, SHARE_PATTERN), (part, whole)
        assert formats.share_of(0, 0) == "—" and formats.share_of(1, 3000) == format_share(1 / 3000)

        @settings(max_examples=300, deadline=None)
        @given(st.integers(min_value=1, max_value=999_999_999).flatmap(
            lambda whole: st.tuples(st.integers(min_value=0, max_value=3 * whole), st.just(whole))))
        def same(counts):
            part, whole = counts
            assert formats.share_of(part, whole) == format_share(part / whole), counts
            if part * 2000 >= whole:
                assert formats.share_of(part, whole) == format_percent(part / whole, SHARE_PATTERN), counts

        same()
