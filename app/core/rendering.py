"""One URL, one view: the full page, or for an htmx request the fragment it includes."""

from flask import make_response, redirect, render_template

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
