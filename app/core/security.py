"""Browser security headers, on every answer: pages, fragments, static files, error pages."""

from flask import current_app

# Everything comes from the app itself (htmx is vendored, charts are server-rendered SVG), so
# the policy can refuse inline script and style outright: an injected <script>, style="…" or
# onclick="…" does nothing. data: images stay allowed: a small icon inlined in CSS or SVG runs
# no script.
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))


def add_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    # frame-ancestors says the same to current browsers; older Android WebViews read only this.
    headers.setdefault("X-Frame-Options", "DENY")
    max_age = current_app.config.get("HSTS_MAX_AGE")
    if max_age:
        headers.setdefault("Strict-Transport-Security", f"max-age={max_age}")
    return response


def register(app) -> None:
    app.after_request(add_security_headers)
