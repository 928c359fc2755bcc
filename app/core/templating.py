"""Template helpers that know no domain: asset URLs, phone display, the language switch."""

import hashlib
from functools import cache
from pathlib import Path
from urllib.parse import urlencode

from flask import current_app, request, url_for

from app.core.text import mask_phone

HTMX_VERSION = "2.0.11"


def show_phone(phone: str | None, visible: bool) -> str:
    """+84912345678 as 0912 345 678 for the household's teams, 091•••••78 for everyone else."""
    if not phone:
        return ""
    if not visible:
        return mask_phone(phone)
    local = "0" + phone[3:] if phone.startswith("+84") else phone
    return f"{local[:4]} {local[4:7]} {local[7:]}"


def url_with_lang(lang: str) -> str:
    """The current page in another language (works on error pages too)."""
    args = request.args.to_dict()
    args["lang"] = lang
    return f"{request.path}?{urlencode(args)}"


@cache
def _file_hash(path: str, mtime: float) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:10]


def asset_url(filename: str) -> str:
    """A static file's URL with its content hash, so it can be cached for a long time."""
    path = Path(current_app.static_folder) / filename
    return url_for("static", filename=filename, v=_file_hash(str(path), path.stat().st_mtime))


def register(app) -> None:
    app.jinja_env.filters["phone"] = show_phone
    app.jinja_env.globals.update(asset_url=asset_url, url_with_lang=url_with_lang, HTMX_VERSION=HTMX_VERSION)
