from flask import redirect, request, url_for
from flask_login import current_user

from app.accounts.models import User
from app.accounts.sessions import load_session_user
from app.extensions import htmx, login_manager


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The cookie names a session: an ended or expired one, or a deactivated user, is nobody."""
    return load_session_user(session_id)


# While a password must be changed, only these answer; everything else leads to the account page.
OPEN_DURING_PASSWORD_CHANGE = frozenset({
    "static", "core.healthz", "auth.login", "auth.logout",
    "profile.show", "profile.change_password", "profile.change_language", "profile.sign_out_everywhere",
})


def require_password_change():
    """Before each request: a user with a temporary password chooses their own first."""
    if (request.endpoint is None or request.endpoint in OPEN_DURING_PASSWORD_CHANGE
            or not current_user.is_authenticated or not current_user.must_change_password):
        return None
    target = url_for("profile.show")
    if htmx:
        return "", 204, {"HX-Redirect": target}
    return redirect(target)
