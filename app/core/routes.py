from flask import Blueprint

from app.core.health import database_answers
from app.extensions import limiter

bp = Blueprint("core", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """200 'ok' when the database answers, 503 otherwise."""
    if not database_answers():
        return "database unavailable", 503, {"Content-Type": "text/plain; charset=utf-8"}
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}
