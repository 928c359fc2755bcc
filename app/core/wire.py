"""Bytes on the wire, for phones on 3G: static files sent in the smallest encoding the client
accepts, error answers compressed like the others, and the session cookie sent only when it
changes (or once a day, to keep an active user's sign-in alive).

Flask-Compress compresses pages and fragments that succeed. It leaves alone what it is not
asked to handle: a static file is answered here already compressed, and a 400 or 409 (the
form again, with its messages) is compressed here since Flask-Compress skips non-2xx answers.
"""

import gzip
import hashlib
import mimetypes
import time
from functools import lru_cache
from pathlib import Path

import brotli
from backports import zstd
from flask import Response, abort, current_app, request, session
from flask.sessions import SecureCookieSessionInterface
from werkzeug.security import safe_join

from app.core.offline import OFFLINE_WARM_HEADER

# Static files are compressed once per version, at the strongest settings; answers per request
# at settings that cost a millisecond or two.
STATIC_LEVELS = {"br": 11, "zstd": 19, "gzip": 9}
ANSWER_LEVELS = {"br": 5, "zstd": 9, "gzip": 6}
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")
ERRORS_TO_COMPRESS = (400, 409, 422)
MIN_SIZE = 500
COOKIE_REFRESH_SECONDS = 24 * 3600


def _compress(data: bytes, encoding: str, level: int) -> bytes:
    if encoding == "br":
        return brotli.compress(data, quality=level)
    if encoding == "zstd":
        return zstd.compress(data, level)
    return gzip.compress(data, compresslevel=level, mtime=0)


def accepted_encodings(header: str | None) -> set[str]:
    """The encodings the client accepts (q > 0), of those we send."""
    found = set()
    for part in (header or "").lower().split(","):
        name, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if quality > 0:
            found.add(name.strip())
    if "*" in found:
        found |= set(STATIC_LEVELS)
    return found & set(STATIC_LEVELS)


@lru_cache(maxsize=64)
def _variants(path: str, mtime: float) -> tuple[str, dict[str, bytes]]:
    """The file's content hash and its bytes as sent without and with each encoding."""
    raw = Path(path).read_bytes()
    variants = {"identity": raw}
    mimetype = mimetypes.guess_type(path)[0] or ""
    if mimetype.startswith(COMPRESSIBLE) and len(raw) >= MIN_SIZE:
        for encoding, level in STATIC_LEVELS.items():
            variants[encoding] = _compress(raw, encoding, level)
    return hashlib.sha256(raw).hexdigest()[:16], variants


def static_file(filename: str):
    """The static view: the smallest encoding the client takes, cached a year when the URL
    names the file's version (``asset_url`` adds ``?v=``). It touches no session."""
    path = safe_join(current_app.static_folder, filename)
    if path is None or not Path(path).is_file():
        abort(404)
    digest, variants = _variants(path, Path(path).stat().st_mtime)
    accepted = accepted_encodings(request.headers.get("Accept-Encoding"))
    encoding = min((e for e in variants if e == "identity" or e in accepted), key=lambda e: len(variants[e]))
    response = Response(variants[encoding], mimetype=mimetypes.guess_type(path)[0] or "application/octet-stream")
    if encoding != "identity":
        response.headers["Content-Encoding"] = encoding
    response.vary.add("Accept-Encoding")
    response.set_etag(f"{digest}-{encoding}")
    if request.args.get("v"):
        response.cache_control.public = True
        response.cache_control.max_age = current_app.config["SEND_FILE_MAX_AGE_DEFAULT"]
        response.cache_control.immutable = True
    else:
        response.cache_control.no_cache = True
    return response.make_conditional(request)


def compress_error_answer(response):
    """A 400 or 409 fragment is the form again with its messages: as heavy as a 200, so
    compressed like one."""
    if (response.status_code not in ERRORS_TO_COMPRESS or response.direct_passthrough or response.is_streamed
            or "Content-Encoding" in response.headers or not response.mimetype.startswith(COMPRESSIBLE)):
        return response
    data = response.get_data()
    accepted = accepted_encodings(request.headers.get("Accept-Encoding"))
    encoding = next((e for e in ("br", "zstd", "gzip") if e in accepted), None)
    response.vary.add("Accept-Encoding")
    if encoding is None or len(data) < MIN_SIZE:
        return response
    response.set_data(_compress(data, encoding, ANSWER_LEVELS[encoding]))
    response.headers["Content-Encoding"] = encoding
    return response


def refresh_session_cookie():
    """With SESSION_REFRESH_EACH_REQUEST off, the cookie is sent only when the session
    changes; renewing it once a day keeps a signed-in user's cookie from expiring while they
    use the app."""
    if request.endpoint == "static" or not session.get("_user_id"):
        return
    now = int(time.time())
    if now - session.get("_refreshed", 0) > COOKIE_REFRESH_SECONDS:
        session["_refreshed"] = now


class SessionInterface(SecureCookieSessionInterface):
    """Static answers are the same for everyone and cached publicly: no cookie, no
    ``Vary: Cookie`` (Flask-Login looks into the session after every request, static ones too)."""

    def save_session(self, app, session, response) -> None:
        if request.endpoint == "static" or background_read():
            return
        super().save_session(app, session, response)


def background_read() -> bool:
    """A page or list a script fetches behind the user's back (the service worker keeping the
    offline shell, the phone's household list): its answer must not write the cookie. Sent
    beside a sign-out or a page that shows a one-time message, an older copy of the session
    arriving last would bring back what that page cleared."""
    if request.headers.get(OFFLINE_WARM_HEADER):
        return True
    return (request.method == "GET" and "HX-Request" not in request.headers
            and request.headers.get("Sec-Fetch-Mode", "navigate") != "navigate")


def register(app) -> None:
    app.session_interface = SessionInterface()
    app.view_functions["static"] = static_file
    app.before_request(refresh_session_cookie)
    app.after_request(compress_error_answer)
