"""One URL, one view: the full page, or for an htmx request the fragment it includes."""

from functools import wraps

from flask import make_response, redirect, render_template, request
from werkzeug.exceptions import MethodNotAllowed

from app.extensions import htmx


def wants_fragment() -> bool:
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def done(url: str):
    """After a successful form: htmx is told where to go; plain forms get a 303."""
    if wants_fragment():
        return "", 204, {"HX-Redirect": url}
    return redirect(url, 303)


def render(page: str, fragment: str | None = None, /, *, http_status: int = 200, **context):
    """``http_status`` is named so that no template variable can become the HTTP status
    (a log filter called ``status`` once did)."""
    if type(http_status) is not int:
        raise TypeError(f"http_status must be an int, not {type(http_status).__name__}")
    if "status" in context:
        raise TypeError("render() takes the HTTP status as http_status; name the template variable otherwise")
    template = fragment if fragment and wants_fragment() else page
    response = make_response(render_template(template, **context), http_status)
    response.vary.add("HX-Request")
    return response


def audited_download(view):
    """A download recorded in the audit trail answers only GET. Flask answers HEAD with the
    GET view, which would record an export nobody received (a link preview, a download
    manager's probe): a HEAD gets 405, with ``Allow: GET``."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if request.method == "HEAD":
            raise MethodNotAllowed(valid_methods=["GET"])
        return view(*args, **kwargs)

    return guarded
