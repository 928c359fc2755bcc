"""Imports: upload → preview → confirm. Nothing is written before confirm; confirm writes every
new row in one transaction, so importing the same file again changes nothing."""

import hashlib
import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update

from app.accounts.models import User
from app.audit.services import record
from app.core.db import utcnow
from app.extensions import db
from app.imports import households, villages
from app.imports.models import ImportUpload
from app.imports.reading import ImportFileError, read_table
from app.imports.rows import RowResult, Status

# What each kind of file holds: its KIND, TITLE, COLUMNS, COLUMN_HELP (one explanation per column),
# REQUIRED and EXAMPLE rows, and check(actor, rows) and write(actor, results). Kinds from packages
# above this one register themselves when the app starts (targets: app.coverage.target_import).
KINDS = {villages.KIND: villages, households.KIND: households}
KEEP_UNCONFIRMED = timedelta(hours=24)


def register_kind(spec) -> None:
    KINDS[spec.KIND] = spec


@dataclass
class Preview:
    upload: ImportUpload
    rows: list[RowResult]

    @property
    def counts(self) -> Counter:
        return Counter(row.status for row in self.rows)


def stage_upload(actor: User, kind: str, filename: str, raw: bytes) -> ImportUpload:
    """Check the file reads as the kind's CSV and keep it for preview, in place of the actor's
    earlier unconfirmed upload of that kind. Raises ImportFileError. Commits (the upload only:
    no village or household is written)."""
    read_table(raw, KINDS[kind].REQUIRED)
    db.session.execute(delete(ImportUpload).where(
        ImportUpload.confirmed_at.is_(None),
        (ImportUpload.created_at < utcnow() - KEEP_UNCONFIRMED)
        | ((ImportUpload.uploader_id == actor.id) & (ImportUpload.kind == kind)),
    ))
    upload = ImportUpload(
        token=secrets.token_urlsafe(32), kind=kind, uploader_id=actor.id,
        filename=(filename or "")[-255:] or "import.csv", sha256=hashlib.sha256(raw).hexdigest(),
        size=len(raw), content=raw,
    )
    db.session.add(upload)
    db.session.commit()
    return upload


def latest_upload(actor: User, kind: str) -> ImportUpload | None:
    """The actor's last upload of ``kind``: waiting for confirmation (unless expired) or done."""
    upload = db.session.scalar(
        select(ImportUpload).where(ImportUpload.uploader_id == actor.id, ImportUpload.kind == kind)
        .order_by(ImportUpload.id.desc()).limit(1)
    )
    if upload and upload.confirmed_at is None and upload.created_at < utcnow() - KEEP_UNCONFIRMED:
        return None
    return upload


def preview(actor: User, upload: ImportUpload) -> Preview:
    """Every row of the upload as it would be imported now."""
    kind = KINDS[upload.kind]
    table = read_table(upload.content, kind.REQUIRED)
    return Preview(upload, kind.check(actor, table.rows))


def confirm(actor: User, kind: str, token: str) -> ImportUpload:
    """Write every row of the previewed upload (``token``) that is new now, all in one
    transaction, and log it. Another file uploaded since, or a second confirm, is refused.
    Raises ImportFileError. Commits."""
    upload = latest_upload(actor, kind)
    if upload is None or not secrets.compare_digest(upload.token, token or ""):
        raise ImportFileError(_l("This file is no longer waiting to be imported: another file was uploaded "
                                 "since, or it expired. Check the preview and confirm again."), 409)
    if upload.confirmed_at is not None:
        raise ImportFileError(_l("This file was already imported."), 409)
    result = preview(actor, upload)
    claimed = db.session.execute(
        update(ImportUpload).where(ImportUpload.id == upload.id, ImportUpload.confirmed_at.is_(None))
        .values(confirmed_at=utcnow())
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        raise ImportFileError(_l("This file was already imported."), 409)
    try:
        saved = KINDS[upload.kind].write(actor, result.rows)  # new rows, and changed ones for a kind that updates
        counts = result.counts
        db.session.execute(update(ImportUpload).where(ImportUpload.id == upload.id)
                           .values(created_rows=saved, content=b""))
        record(actor, "import.confirmed", upload, {
            "kind": upload.kind, "file": upload.filename, "sha256": upload.sha256,
            "rows": len(result.rows), "created": saved - counts[Status.UPDATE],
            "updated": counts[Status.UPDATE],
            "duplicates": counts[Status.DUPLICATE], "errors": counts[Status.ERROR],
        })
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    db.session.refresh(upload)
    return upload
