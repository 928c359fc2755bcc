"""A read answered whole ends its transaction with COMMIT (psycopg forgets its prepared
statements at a ROLLBACK); anything else is left to the session's close, which rolls back."""

import pytest
from flask import Response
from sqlalchemy import func, select

from app.areas.models import Area, AreaKind
from app.core.db import end_read_transaction
from app.extensions import db as _db


def answered(app, method: str, response: Response, pending: bool = False) -> bool:
    """Whether the request's transaction is still open after the hook (a read was made first)."""
    with app.test_request_context("/", method=method):
        _db.session.scalar(select(func.count()).select_from(Area))
        if pending:
            _db.session.add(Area(kind=AreaKind.PROVINCE, name="Tỉnh thử", search_key="tinh thu", path="/"))
        end_read_transaction(response)
        still_open = _db.session().in_transaction()
        _db.session.rollback()
        return still_open


def test_a_read_answered_whole_is_committed(app, db):
    assert answered(app, "GET", Response("ok")) is False
    assert answered(app, "HEAD", Response("ok")) is False


@pytest.mark.parametrize("method,response", [
    ("POST", Response("ok")),
    ("GET", Response("not found", status=404)),
    ("GET", Response(iter([b"a", b"b"]))),  # streamed: its rows are still read from the transaction
])
def test_writes_errors_and_streams_are_left_to_the_session(app, db, method, response):
    assert answered(app, method, response) is True


def test_a_read_that_changed_an_object_commits_nothing(app, db):
    assert answered(app, "GET", Response("ok"), pending=True) is True
    assert db.session.scalar(select(func.count()).select_from(Area).where(Area.name == "Tỉnh thử")) == 0

