from flask import Blueprint
from flask_login import current_user

from app.access import get_or_404
from app.areas.models import Area
from app.areas.queries import area_page
from app.core.rendering import render

bp = Blueprint("areas", __name__, url_prefix="/areas")


@bp.get("/<int:area_id>")
def show(area_id: int):
    """A place: where it sits, what lies under it, the teams that work there."""
    area = get_or_404(current_user, Area, area_id)
    return render("areas/show.html", **area_page(current_user, area))
