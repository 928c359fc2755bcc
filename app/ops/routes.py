from flask import Blueprint, Response, abort, current_app, request
from flask_login import current_user

from app.accounts.models import Role
from app.core.metrics import CONTENT_TYPE, exposition
from app.extensions import limiter
from app.ops.metrics import address_allowed, networks, scrape_time_registry

bp = Blueprint("ops", __name__)


@bp.record_once
def check_allowed_addresses(state) -> None:
    """A METRICS_ALLOWED_ADDRESSES word that is no address stops the app at start (ValueError)."""
    networks(state.app.config["METRICS_ALLOWED_ADDRESSES"])


@bp.get("/metrics")
@limiter.exempt
def metrics():
    """The Prometheus text format, for the addresses in METRICS_ALLOWED_ADDRESSES and for
    administrators; a 404 for anyone else not signed in (nothing tells it exists), a 403 for
    other roles."""
    # With TRUSTED_PROXY_COUNT set, ProxyFix has made this the client's address (as for sign-in).
    if not address_allowed(request.remote_addr, current_app.config["METRICS_ALLOWED_ADDRESSES"]):
        if not current_user.is_authenticated:
            abort(404)
        if current_user.role != Role.ADMIN:
            abort(403)
    return Response(exposition(scrape_time_registry()), content_type=CONTENT_TYPE,
                    headers={"Cache-Control": "no-store"})
