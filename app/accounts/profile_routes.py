"""Each user's own account: their password, their language, their signed-in devices."""

from flask import Blueprint, flash, redirect, session, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from app.accounts import services, signin
from app.accounts.forms import LanguageForm, PasswordChangeForm
from app.accounts.sessions import live_session_count
from app.core.domain import refused
from app.core.i18n import current_language
from app.core.rendering import render

bp = Blueprint("profile", __name__, url_prefix="/account")


def _page(password_form=None, language_form=None, status: int = 200):
    return render(
        "accounts/profile.html",
        password_form=password_form or PasswordChangeForm(formdata=None),
        language_form=language_form or LanguageForm(formdata=None,
                                                    locale=current_user.locale or current_language()),
        session_count=live_session_count(current_user),
        http_status=status,
    )


@bp.get("/")
def show():
    """The signed-in user's account page (where a required password change happens)."""
    return _page()


@bp.post("/password")
def change_password():
    """Change one's own password; other sessions end, this one goes on."""
    form = PasswordChangeForm()
    if not form.validate():
        return _page(password_form=form, status=400)
    was_required = current_user.must_change_password
    user = current_user._get_current_object()
    with refused(form) as refusal:
        services.change_own_password(user, current=form.current_password.data, new=form.new_password.data)
    if refusal:
        return _page(password_form=form, status=refusal.status)
    flash(_("Your password has been changed. Any other device signed in to your account has been signed out."),
          "success")
    return redirect(url_for("home.index" if was_required else "profile.show"))


@bp.post("/sign-out-everywhere")
def sign_out_everywhere():
    """End every session of the account, this one too (a lost phone, a shared computer)."""
    signin.sign_out_everywhere(current_user._get_current_object())
    logout_user()
    session.clear()
    flash(_("You have signed out on every device."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/language")
def change_language():
    """Save the language on the profile (and, through ?lang, in the cookie)."""
    form = LanguageForm()
    if not form.validate():
        return _page(language_form=form, status=400)
    services.set_language(current_user, form.locale.data)
    with force_locale(form.locale.data):
        flash(_("Language saved."), "success")
    return redirect(url_for("profile.show", lang=form.locale.data))
