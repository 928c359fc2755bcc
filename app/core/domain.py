"""The error every business rule raises, and the one way views answer it."""

from contextlib import contextmanager

from flask import abort

from app.core.forms import attach_error
from app.extensions import db


class RuleError(ValueError):
    """A refused change: ``message`` is shown to the user (often a lazy translation),
    ``field`` names the form field it belongs to (None for the whole form), ``status`` is the
    HTTP answer when the request was not a form."""

    def __init__(self, message, field: str | None = None, status: int = 400):
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status

    def __str__(self) -> str:
        return str(self.message)


class Refusal:
    """What ``refused`` caught: false while the service went through."""

    error: RuleError | None = None

    def __bool__(self) -> bool:
        return self.error is not None

    @property
    def status(self) -> int:
        return self.error.status if self.error is not None else 200


@contextmanager
def refused(form=None, *, abort_on_refusal: bool = False):
    """The one way a view meets a refused change: the unit of work is rolled back and the
    RuleError's message goes on ``form`` (beside the field it names, or at the top), and the
    view answers with ``refusal.status``. Without a form to show it, ``abort_on_refusal``
    answers the error page with the refusal's status and message instead.

        with refused(form) as refusal:
            create_task(current_user, data)
        if refusal:
            return page(form, http_status=refusal.status)
    """
    refusal = Refusal()
    try:
        yield refusal
    except RuleError as error:
        db.session.rollback()
        refusal.error = error
        if form is not None:
            attach_error(form, error)
        elif abort_on_refusal:
            abort(error.status, description=str(error.message))
