from flask import Blueprint, redirect, url_for
from flask_login import current_user

from app.accounts.models import Role
from app.core.offline import offline_shell
from app.core.rendering import render
from app.home import services

bp = Blueprint("home", __name__)


@bp.get("/")
@offline_shell
def index():
    """The home page, fitted to the user's role; staff start on the coverage of their area."""
    if current_user.role == Role.STAFF:
        return redirect(url_for("coverage.index"), 303)
    return render("home/index.html", **services.dashboard(current_user))
