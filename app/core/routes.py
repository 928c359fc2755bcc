from flask import Blueprint, Response, jsonify, render_template

from app.core.health import database_answers
from app.core.offline import manifest_document, offline_shell, worker_source
from app.extensions import limiter

bp = Blueprint("core", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """200 'ok' when the database answers, 503 otherwise."""
    if not database_answers():
        return "database unavailable", 503, {"Content-Type": "text/plain; charset=utf-8"}
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.get("/manifest.webmanifest")
def manifest():
    """The web app manifest: name, icons and colours for "Add to home screen"."""
    response = jsonify(manifest_document())
    response.mimetype = "application/manifest+json"
    response.cache_control.no_cache = True
    return response


@bp.get("/sw.js")
def service_worker():
    """The service worker, served from the site root so that its scope is the whole app."""
    response = Response(worker_source(), mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    # Each update check of the browser must see a new worker as soon as it is deployed.
    response.cache_control.no_cache = True
    return response


@bp.get("/offline")
@offline_shell
def offline():
    """Shown by the service worker in place of a page it has not kept, while offline."""
    return render_template("offline.html")
