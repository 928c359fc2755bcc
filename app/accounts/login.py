import hmac

from flask import redirect, request, url_for
from flask_login import current_user

from app.accounts.models import User
from app.core.forms import parse_id
from app.extensions import db, htmx, login_manager


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The session holds '<id>:<session token>'; a changed token or a deactivated user ends it."""
    ident, _, token = user_id.partition(":")
    ident = parse_id(ident)
    if ident is None:
        return None
    user = db.session.get(User, ident)
    if user is None or not user.is_active or not hmac.compare_digest(user.session_token, token):
        return None
    return user


# While a password must be changed, only these answer; everything else leads to the account page.
OPEN_DURING_PASSWORD_CHANGE = frozenset({
    "static", "core.healthz", "auth.login", "auth.logout",
    "account.show", "account.change_password", "account.change_language",
})


def require_password_change():
    """Before each request: a user with a temporary password chooses their own first."""
    if (request.endpoint is None or request.endpoint in OPEN_DURING_PASSWORD_CHANGE
            or not current_user.is_authenticated or not current_user.must_change_password):
        return None
    target = url_for("account.show")
    if htmx:
        return "", 204, {"HX-Redirect": target}
    return redirect(target)
