"""The installable app shell: the web app manifest, the service worker, and the mark on the
pages the worker may keep for use without a connection.

The worker keeps a page only when its answer says so (``OFFLINE_SHELL_HEADER``): the policy
of what may stay on a phone lives here on the server, where it is tested, not in the worker.
"""

from functools import wraps
from pathlib import Path

from flask import current_app, get_flashed_messages, request, session
from flask_babel import gettext as _

from app.core.templating import asset_url

OFFLINE_SHELL_HEADER = "X-Offline-Shell"
# Sent by the worker when it fetches pages to keep, in the background.
OFFLINE_WARM_HEADER = "X-Offline-Warm"
THEME_COLOR = "#0b5d3b"
# The language switch is the only query a shell page may carry: any other (a chosen village,
# a household) makes it one user's moment, not the shell.
SHELL_ARGS = {"lang"}


def manifest_document() -> dict:
    return {
        "name": "Gõ Cửa",
        "short_name": "Gõ Cửa",
        "description": _("Log the digital help given to households, door to door."),
        "lang": "vi",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME_COLOR,
        "background_color": "#ffffff",
        "icons": [
            {"src": asset_url("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": asset_url("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": asset_url("icons/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }


def worker_source() -> bytes:
    return (Path(current_app.static_folder) / "sw.js").read_bytes()


def offline_shell(view):
    """Mark a page the service worker may keep for offline use (only when the request names
    nothing but the language)."""

    @wraps(view)
    def marked(*args, **kwargs):
        response = current_app.make_response(view(*args, **kwargs))
        # A page showing a one-time message ("Task set.") would show it again offline; the
        # worker's own fetch leaves the message for the page the user opens next.
        messages = session.get("_flashes") if request.headers.get(OFFLINE_WARM_HEADER) else get_flashed_messages()
        if response.status_code == 200 and set(request.args) <= SHELL_ARGS and not messages:
            response.headers[OFFLINE_SHELL_HEADER] = "1"
        return response

    return marked
