from math import ceil
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, request, session, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app.accounts.forms import LoginForm
from app.accounts.signin import AccountLocked, InvalidCredentials, authenticate, sign_out
from app.core.db import utcnow
from app.core.rendering import render
from app.extensions import limiter

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str:
    """Only paths inside the app: no scheme, no host, no protocol-relative '//'."""
    if target:
        parts = urlsplit(target)
        if (not parts.scheme and not parts.netloc and target.startswith("/")
                and not target.startswith("//") and "\\" not in target):
            return target
    return url_for("home.index")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.get("/login")
def login():
    """The sign-in form."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    return render("auth/login.html", form=LoginForm())


@bp.post("/login")
@limiter.limit(_login_limit)
def login_submit():
    """Sign in with username or phone number and password."""
    form = LoginForm()
    if not form.validate():
        return render("auth/login.html", form=form, http_status=400)
    try:
        # With TRUSTED_PROXY_COUNT set, ProxyFix has made this the client's address.
        user = authenticate(form.username.data, form.password.data, address=request.remote_addr)
    except AccountLocked as locked:
        form.form_errors.append(_(
            "Too many wrong passwords from this device: signing in to this account from here is "
            "paused until %(time)s. Try again then.",
            time=format_datetime(locked.until, "HH:mm dd/MM/yyyy"),
        ))
        response = render("auth/login.html", form=form, http_status=429)
        response.headers["Retry-After"] = str(max(1, ceil((locked.until - utcnow()).total_seconds())))
        return response
    except InvalidCredentials:
        form.form_errors.append(_("Wrong username, phone number or password."))
        return render("auth/login.html", form=form, http_status=401)
    session.clear()  # a fresh session at sign-in: nothing from before carries over
    login_user(user)  # the cookie names the session authenticate opened
    session.permanent = True
    return redirect(safe_next(request.args.get("next")))


@bp.post("/logout")
def logout():
    """Sign out (POST only, with the CSRF token): the session ends on the server too."""
    sign_out(current_user._get_current_object())
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))
