import hmac

from app.accounts.models import User
from app.extensions import db, login_manager


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The session holds '<id>:<session token>'; a changed token or a deactivated user ends it."""
    ident, _, token = user_id.partition(":")
    if not ident.isdigit():
        return None
    user = db.session.get(User, int(ident))
    if user is None or not user.is_active or not hmac.compare_digest(user.session_token, token):
        return None
    return user
