"""Friendly error pages in the user's language, and the sign-in redirect that works under htmx."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.core.offline import OFFLINE_WARM_HEADER
from app.extensions import db, htmx

TITLES = {
    400: _l("Something in the request was not right"),
    401: _l("Please sign in"),
    403: _l("You do not have access to this page"),
    404: _l("Page not found"),
    405: _l("This action is not allowed here"),
    413: _l("What you sent is too large"),
    423: _l("Account locked"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong on our side"),
}

MESSAGES = {
    400: _l("Please go back, check what you entered and try again."),
    403: _l("Your role does not allow this. Ask your team leader or an administrator if you need it."),
    404: _l("The page does not exist, or it is outside your area."),
    405: _l("Please use the buttons on the page."),
    413: _l("Please send a smaller file or shorter text."),
    429: _l("Please wait a minute before trying again."),
    500: _l("The error has been logged. Please try again in a moment."),
}


def error_page(status: int, message=None):
    # A description given by the code that aborted is ours to show; Werkzeug's defaults are English.
    response = render_template(
        "errors/error.html",
        status=status,
        title=TITLES.get(status, TITLES[400 if status < 500 else 500]),
        message=message or MESSAGES.get(status, MESSAGES[400 if status < 500 else 500]),
    )
    return response, status


def handle_http_error(error: HTTPException):
    description = error.description
    own_message = description if description and description != type(error).description else None
    body, status = error_page(error.code or 500, own_message)
    # The error's own headers stay (a 405's Allow, a 429's Retry-After); the page sets its type.
    kept = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
    return body, status, kept


def handle_csrf_error(error: CSRFError):
    body, status = error_page(
        400, _l("The form had expired or was sent from another page. Please reload the page and try again.")
    )
    # The phone's outbox keeps an entry refused this way until its user has signed in again.
    return body, status, {"X-CSRF-Refused": "1"}


def handle_server_error(error):
    db.session.rollback()
    return error_page(500)


def unauthorized():
    """Not signed in: plain requests go to /login; htmx requests are told to go there."""
    login_url = url_for("auth.login", next=request.full_path.rstrip("?"))
    if htmx:
        return "", 401, {"HX-Redirect": login_url}
    if request.headers.get(OFFLINE_WARM_HEADER) or request.headers.get("Sec-Fetch-Mode", "navigate") != "navigate":
        # A script's fetch (the service worker keeping pages, the phone's household list, the
        # outbox): nobody to tell, and a message left in the session would greet the next page.
        return "", 401
    flash(_l("Please sign in to continue."), "info")
    return redirect(login_url)


def register(app) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(500, handle_server_error)
