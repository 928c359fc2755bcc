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


def render(page: str, fragment: str | None = None, *, status: int = 200, **context):
    template = fragment if fragment and wants_fragment() else page
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response
