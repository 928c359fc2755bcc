from flask import Blueprint
from flask_login import current_user

from app.core.rendering import render
from app.home import services

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    """The home page, fitted to the user's role."""
    return render("home/index.html", **services.dashboard(current_user))
